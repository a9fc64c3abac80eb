"""What the benchmarks share: percentiles, a timed loop, and a fresh local system for one run."""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra import background


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], n: int) -> list[float]:
    """Milliseconds of ``n`` calls, one after another."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def in_fresh_system(run: Callable[[background.RunningSystem], None], prefix: str) -> int:
    """Start a local system in a temporary folder, hand it to ``run``, stop it whatever happens."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        system = background.start(Path(tmp))
        try:
            run(system)
        finally:
            system.stop()
    return 0
