"""Start ``python -m infra.run`` as a child process on a free port and wait until it serves.

Used by the test suite (one system per test session, data in a temporary folder, so runs are
isolated from each other and from ``make run``'s data) and by ``infra.with_system``.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.stack import ROOT


@dataclass
class RunningSystem:
    process: subprocess.Popen[bytes]
    info: dict[str, Any]
    log: Path

    @property
    def url(self) -> str:
        return str(self.info["url"])

    @property
    def env(self) -> dict[str, str]:
        return dict(self.info["env"])

    def stop(self, timeout: float = 60) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(data_dir: Path, *, extra_env: dict[str, str] | None = None, seed: bool = True,
          timeout: float = 600) -> RunningSystem:
    # Seeding the demo shop takes ~3 minutes when the machine's two cores are shared by several runs.
    data_dir.mkdir(parents=True, exist_ok=True)
    ready = data_dir / "ready.json"
    ready.unlink(missing_ok=True)
    log = data_dir / "system.log"
    cmd = [sys.executable, "-m", "infra.run", "--data-dir", str(data_dir), "--port", "0", "--ready-file", str(ready)]
    if not seed:
        cmd.append("--no-seed")
    # Test systems skip the demo order history (make run writes it in the background).
    env = {**os.environ, "SHOPDESK_DEMO_HISTORY": "0", **(extra_env or {}), "PYTHONUNBUFFERED": "1"}
    from infra.localcloud.dynamodb_local import die_with_parent

    parent = os.getpid()
    with log.open("wb") as out:
        # A test runner killed by a timeout must not leave its system (and Java) running.
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   preexec_fn=lambda: die_with_parent(parent))
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if process.poll() is not None:
            raise RuntimeError(f"the system exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError(f"the system did not start in {timeout}s:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)
    return RunningSystem(process=process, info=json.loads(ready.read_text()), log=log)
