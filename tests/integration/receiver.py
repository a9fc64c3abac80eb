"""A supplier's system on 127.0.0.1 for the outbound webhook tests, and the loopback ports the
test system is told it may reach.

Outbound webhooks go only to public https hosts (``shared.outbound``). The local runtime lets
them reach a loopback port only when ``SHOPDESK_LOCAL_WEBHOOK_PORTS`` lists it; the test
session reserves ``ALLOWED_PORTS`` for that (the fixture passes them to the system it starts),
and a ``Receiver`` binds one of them. ``Receiver(allowed=False)`` binds a port outside the list:
the same kind of URL, refused.
"""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


ALLOWED_PORTS: list[int] = _free_ports(8)
ENV = {"SHOPDESK_LOCAL_WEBHOOK_PORTS": ",".join(map(str, ALLOWED_PORTS))}


class Receiver:
    """Records each POST and answers ``status``."""

    def __init__(self, status: int = 200, *, allowed: bool = True) -> None:
        self.status, self.calls = status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = self._bind(Handler, allowed)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/shopdesk/po"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def _bind(handler: Any, allowed: bool) -> ThreadingHTTPServer:
        if not allowed:
            while True:
                server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
                if server.server_address[1] not in ALLOWED_PORTS:
                    return server
                server.server_close()
        for port in ALLOWED_PORTS:
            try:
                return ThreadingHTTPServer(("127.0.0.1", port), handler)
            except OSError:
                continue  # in use by another receiver of this session (or taken meanwhile)
        raise RuntimeError(f"every allowed loopback port is in use: {ALLOWED_PORTS}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
