"""Moto's server, in this process, behind the request gate and with change tracking.

This is ``moto.server.ThreadedMotoServer`` plus one WSGI layer: ThreadedMotoServer builds its
WSGI app internally and offers no way to wrap it, so the few lines that start it are repeated
here with our dispatcher in place of moto's.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from .request_gate import GateClosed, RequestGate

log = logging.getLogger(__name__)
request_log = logging.getLogger(__name__ + ".requests")

# Methods after which state can be assumed unchanged. Every other request (all of SQS's,
# SNS's, KMS's and Cognito's calls are POSTs) may have changed something.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The moto "service" of the Flask app that served the request, or None when unknown.
ChangeListener = Callable[[str | None], None]

_request = threading.local()


class _GatedDispatcher(DomainDispatcherApplication):
    """Moto's dispatcher, run inside the gate, reporting which service may have changed."""

    def __init__(self, gate: RequestGate, on_change: ChangeListener) -> None:
        super().__init__(create_backend_app)
        self._gate = gate
        self._on_change = on_change

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            with self._gate.shared():
                backend_app = self.get_application(environ)
                if environ.get("REQUEST_METHOD", "GET") not in READ_ONLY_METHODS:
                    # Marked before the change happens: a snapshot cannot run until this
                    # request leaves the gate, so it will see the change.
                    self._on_change(getattr(backend_app, "service", None))
                _request.gate = self._gate
                try:
                    return backend_app(environ, start_response)  # type: ignore[no-any-return]
                finally:
                    _request.gate = None
        except GateClosed:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"ShopDesk's local cloud is stopping\n"]


class _LoggingRequestHandler(MotoRequestHandler):
    """Sends werkzeug's per-request lines to logging instead of stderr."""

    def log(self, type: str, message: str, *args: Any) -> None:
        level = logging.WARNING if type == "error" else logging.DEBUG
        request_log.log(level, "%s " + message, self.address_string(), *args)


def _install_long_poll_release() -> None:
    """Let an SQS long poll wait outside the gate.

    Moto's ReceiveMessage waits (up to WaitTimeSeconds) inside ``Queue.wait_for_messages``,
    which only sleeps on the queue's condition. Holding the gate there would hold off snapshots
    for as long as consumers keep long-polling, which is all the time. This patches that one
    method; if a future moto renames it, snapshots still work, only later.
    """
    try:
        from moto.sqs.models import Queue
    except ImportError:  # pragma: no cover - moto without SQS
        return
    original = getattr(Queue, "wait_for_messages", None)
    if original is None:
        log.warning("moto.sqs Queue.wait_for_messages not found: SQS long polls delay snapshots")
        return
    if getattr(original, "_shopdesk_releases_gate", False):
        return

    def wait_for_messages(self: Any, timeout: int) -> None:
        gate: RequestGate | None = getattr(_request, "gate", None)
        if gate is None:
            original(self, timeout)
            return
        with gate.released():
            original(self, timeout)

    wait_for_messages._shopdesk_releases_gate = True  # type: ignore[attr-defined]
    Queue.wait_for_messages = wait_for_messages  # type: ignore[method-assign]


class MotoServer:
    """A moto server on ``host:port`` (0 = any free port), served from a daemon thread."""

    def __init__(self, gate: RequestGate, on_change: ChangeListener, host: str, port: int = 0) -> None:
        self._gate = gate
        self._on_change = on_change
        self._host = host
        self._requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("moto server not started")
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        _install_long_poll_release()
        app = _GatedDispatcher(self._gate, self._on_change)
        # Binding here, in the caller's thread, makes a taken port fail start() itself.
        try:
            self._server = make_server(
                self._host,
                self._requested_port,
                app,
                threaded=True,
                request_handler=_LoggingRequestHandler,
            )
        except SystemExit:
            # werkzeug reports a taken port with sys.exit(1); a library must not exit the process.
            raise OSError(
                errno.EADDRINUSE, f"moto port {self._requested_port} on {self._host} is already in use"
            ) from None
        self._thread = threading.Thread(target=self._server.serve_forever, name="localcloud-moto", daemon=True)
        self._thread.start()

    def stop_accepting(self) -> None:
        """Stop taking new connections; requests already running finish on their own."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
