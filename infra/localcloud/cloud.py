"""LocalCloud: DynamoDB Local plus a moto server whose state survives restarts.

Layout of the data folder::

    localcloud.lock          flock + pid of the running cloud (one cloud per folder)
    dynamodb/                DynamoDB Local's SQLite file (-sharedDb)
    moto/<service>.pickle    moto state, one file per service
    logs/dynamodb-local.log  Java's output
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from pathlib import Path
from types import TracebackType

from . import cognito
from .changes import ChangeTracker
from .dynamodb_local import DynamoDBLocal, ensure_dynamodb_local
from .instance_lock import InstanceLock
from .moto_server import MotoServer
from .moto_state import MotoStateStore, RestoreReport, live_backend_dicts, reset_moto
from .net import LOOPBACK
from .request_gate import RequestGate

log = logging.getLogger(__name__)

# us-east-1 rather than ShopDesk's production ap-east-1: moto serves a service only in the
# regions botocore lists for it, and SES (v1 and v2) has no ap-east-1 endpoint.
DEFAULT_REGION = "us-east-1"
# Not secrets: DynamoDB Local and moto accept any key. Fixed values keep DynamoDB Local's
# data in one place even without -sharedDb, and make the environment reproducible.
LOCAL_ACCESS_KEY_ID = "local"
LOCAL_SECRET_ACCESS_KEY = "local"

# How long a periodic snapshot waits for running requests before trying again next round.
_PERIODIC_GATE_TIMEOUT = 2.0
# At stop, requests are no longer accepted; running ones get this long to finish.
_FINAL_GATE_TIMEOUT = 15.0

_process_guard = threading.Lock()
_active_cloud: LocalCloud | None = None


class LocalCloud:
    """The local stand-in for AWS: start(), use ``env()`` / the endpoints, stop().

    Moto's state lives in module globals, so only one LocalCloud can run per process.
    ``start()`` should be called from a long-lived thread (normally the main thread): on Linux
    DynamoDB Local is told to die with the thread that started it.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        dynamodb_port: int = 0,
        moto_port: int = 0,
        region: str = DEFAULT_REGION,
        snapshot_interval: float = 5.0,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.region = region
        self.snapshot_interval = snapshot_interval
        self._dynamodb_port = dynamodb_port
        self._moto_port = moto_port
        self._lock = InstanceLock(self.data_dir)
        self._store = MotoStateStore(self.data_dir / "moto")
        self._changes = ChangeTracker()
        self._gate = RequestGate()
        self._state_lock = threading.RLock()
        self._snapshot_lock = threading.Lock()
        self._state = "new"  # new -> starting -> running -> stopping -> stopped
        self._stop_requested = False
        self._moto: MotoServer | None = None
        self._dynamodb: DynamoDBLocal | None = None
        self._endpoints: tuple[str, str] | None = None
        self._stop_event = threading.Event()
        # Set while this thread runs snapshot(): a signal handler calling stop() then must not
        # wait for the snapshot it interrupted.
        self._in_snapshot = threading.local()
        self._snapshotter: threading.Thread | None = None
        self.restore_report: RestoreReport | None = None

    # -- endpoints ------------------------------------------------------------------------

    @property
    def dynamodb_endpoint(self) -> str:
        """DynamoDB Local's URL (also serves DynamoDB Streams)."""
        if self._endpoints:
            return self._endpoints[0]
        if self._dynamodb_port:
            return f"http://{LOOPBACK}:{self._dynamodb_port}"
        raise RuntimeError("port chosen at start(): call start() first")

    @property
    def moto_endpoint(self) -> str:
        """The moto server's URL: every other AWS service on one port."""
        if self._endpoints:
            return self._endpoints[1]
        if self._moto_port:
            return f"http://{LOOPBACK}:{self._moto_port}"
        raise RuntimeError("port chosen at start(): call start() first")

    def env(self) -> dict[str, str]:
        """Environment variables that point boto3 (and the AWS CLI, SAM...) at this cloud.

        botocore reads AWS_ENDPOINT_URL_<SERVICE ID> per service: DynamoDB and DynamoDB
        Streams go to DynamoDB Local, all the rest to moto.
        """
        return {
            "AWS_ENDPOINT_URL": self.moto_endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": self.dynamodb_endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
        }

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start DynamoDB Local and moto, restore moto's state, return once both answer.

        Raises AlreadyRunning if another LocalCloud holds ``data_dir``.
        """
        global _active_cloud
        with self._state_lock:
            if self._state != "new":
                raise RuntimeError(f"LocalCloud cannot start from state {self._state!r}")
            self._lock.acquire()  # AlreadyRunning before anything else happens
            with _process_guard:
                if _active_cloud is not None:
                    self._lock.release()
                    raise RuntimeError(
                        "another LocalCloud is running in this process "
                        f"(data in {_active_cloud.data_dir}); moto's state is per process"
                    )
                _active_cloud = self
            self._state = "starting"
        try:
            self._start_services()
        except BaseException:
            self._teardown(final_snapshot=False)
            raise
        with self._state_lock:
            if self._stop_requested:
                self._teardown(final_snapshot=True)
                raise RuntimeError("LocalCloud was stopped while starting")
            self._state = "running"
        atexit.register(self.stop)

    def _start_services(self) -> None:
        began = time.monotonic()
        logs = self.data_dir / "logs"
        jar = ensure_dynamodb_local()
        self._dynamodb = DynamoDBLocal(
            jar, self.data_dir / "dynamodb", logs / "dynamodb-local.log", self._dynamodb_port
        )
        # Java takes a couple of seconds to come up; restore moto meanwhile.
        self._dynamodb.spawn()

        reset_moto()
        self.restore_report = self._store.restore()
        if self.restore_report.restored:
            log.info("Restored moto state: %s", ", ".join(self.restore_report.restored))
        # Tokens are signed with this data folder's key, never moto's published one.
        cognito.install(self.data_dir / "cognito")
        self._moto = MotoServer(self._gate, self._changes.note, LOOPBACK, self._moto_port)
        self._moto.start()

        self._dynamodb.start()
        self._endpoints = (self._dynamodb.endpoint, self._moto.endpoint)
        self._stop_event.clear()
        self._snapshotter = threading.Thread(target=self._snapshot_loop, name="localcloud-snapshots", daemon=True)
        self._snapshotter.start()
        log.info(
            "Local cloud up in %.1f s: DynamoDB %s, moto %s, data in %s",
            time.monotonic() - began,
            self.dynamodb_endpoint,
            self.moto_endpoint,
            self.data_dir,
        )

    def stop(self) -> None:
        """Snapshot moto, stop both servers, release the data folder. Idempotent.

        Safe from atexit and signal handlers: a nested call (a second Ctrl-C while stopping)
        returns at once, and a call that interrupts start() or snapshot() in the same thread is
        carried out when that returns, instead of deadlocking. A stopped LocalCloud cannot be
        started again; make a new one on the same data_dir.
        """
        with self._state_lock:
            if self._state == "starting" or getattr(self._in_snapshot, "active", False):
                self._stop_requested = True  # honoured when start() / snapshot() returns
                return
            if self._state != "running":
                return
            self._state = "stopping"
        self._teardown(final_snapshot=True)

    def _teardown(self, *, final_snapshot: bool) -> None:
        global _active_cloud
        self._state = "stopping"
        self._stop_event.set()
        if self._snapshotter is not None and self._snapshotter is not threading.current_thread():
            self._snapshotter.join(timeout=30)
        self._snapshotter = None
        try:
            if self._moto is not None:
                self._moto.stop_accepting()
                if final_snapshot:
                    self._final_snapshot()
                self._gate.close()
                self._moto = None
                reset_moto()
        finally:
            try:
                if self._dynamodb is not None:
                    self._dynamodb.stop()
                    self._dynamodb = None
            finally:
                self._lock.release()
                with _process_guard:
                    if _active_cloud is self:
                        _active_cloud = None
                self._state = "stopped"
                atexit.unregister(self.stop)
                log.info("Local cloud stopped; data kept in %s", self.data_dir)

    def __enter__(self) -> LocalCloud:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- snapshots ------------------------------------------------------------------------

    def snapshot(self) -> None:
        """Write all of moto's state to disk now (each file atomically)."""
        if self._state != "running":
            raise RuntimeError("LocalCloud is not running")
        self._in_snapshot.active = True
        try:
            done = self._snapshot(everything=True, gate_timeout=_FINAL_GATE_TIMEOUT)
        finally:
            self._in_snapshot.active = False
        if self._stop_requested:
            self.stop()
        if not done:
            raise TimeoutError("requests kept the snapshot out; try again")

    def _snapshot(self, *, everything: bool, gate_timeout: float, close_gate: bool = False) -> bool:
        """Capture changed services with requests held off, then write them outside the gate.

        Returns False when running requests kept the gate past ``gate_timeout``.
        """
        with self._snapshot_lock:
            with self._gate.exclusive(gate_timeout) as acquired:
                if not acquired:
                    return False
                services = self._changes.take(live_backend_dicts(), self._store.known_saved_services(), everything)
                blobs, errors = self._store.capture(services)
                if close_gate:
                    self._gate.close()
            self._write(blobs, errors)
            return True

    def _write(self, blobs: dict[str, bytes], errors: dict[str, Exception]) -> None:
        for service, exc in errors.items():
            log.error(
                "Could not snapshot moto service %s (its last snapshot stays on disk): %s: %s",
                service,
                type(exc).__name__,
                exc,
            )
        self._changes.mark(errors)
        try:
            written = self._store.write(blobs)
        except OSError:
            self._changes.mark(blobs)
            log.exception("Could not write the moto snapshot to %s", self._store.directory)
            raise
        if written:
            log.debug("Snapshot written: %s", ", ".join(written))

    def _final_snapshot(self) -> None:
        if self._snapshot(everything=True, gate_timeout=_FINAL_GATE_TIMEOUT, close_gate=True):
            return
        # A request is stuck inside moto. Losing everything since the last snapshot is worse
        # than a snapshot taken beside it, so close the gate and capture anyway, retrying when
        # the stuck request happens to change a dict mid-pickle.
        log.warning("Requests still running after %.0f s; snapshotting anyway", _FINAL_GATE_TIMEOUT)
        self._gate.close()
        with self._snapshot_lock:
            services = self._changes.take(live_backend_dicts(), self._store.known_saved_services(), True)
            blobs: dict[str, bytes] = {}
            errors: dict[str, Exception] = {}
            for _ in range(5):
                captured, errors = self._store.capture(services - blobs.keys())
                blobs.update(captured)
                if not errors:
                    break
            self._write(blobs, errors)

    def _snapshot_loop(self) -> None:
        while not self._stop_event.wait(self.snapshot_interval):
            if not self._changes.pending():
                continue
            try:
                if not self._snapshot(everything=False, gate_timeout=_PERIODIC_GATE_TIMEOUT):
                    log.debug("Periodic snapshot postponed: requests kept the gate busy")
            except Exception:
                log.exception("Periodic snapshot failed")
