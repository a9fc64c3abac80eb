"""Small network helpers: free loopback ports and waiting for a server to answer."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A port that is free on ``host`` right now.

    Used for DynamoDB Local, which cannot be told to pick its own port and report it. Another
    process could take the port before Java binds it; the caller retries in that case.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    interval: float = 0.1,
    abort: Callable[[], str | None] = lambda: None,
) -> None:
    """Call ``ready`` until it returns True.

    ``abort`` returns a reason to stop waiting early (the process died); that reason, or the
    timeout, raises RuntimeError.
    """
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        reason = abort()
        if reason:
            raise RuntimeError(reason)
        if time.monotonic() >= deadline:
            raise TimeoutError(f"not ready after {timeout:.0f} s")
        time.sleep(interval)
