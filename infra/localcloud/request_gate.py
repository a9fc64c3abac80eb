"""A gate between moto's request threads and the snapshot writer.

Moto mutates plain dicts and lists from many request threads. Pickling them while a request
changes them fails ("dictionary changed size during iteration") or, worse, captures half of a
change (a message taken out of one queue and not yet put into its dead-letter queue). So
requests pass the gate together (shared), and a snapshot passes it alone (exclusive).

The writer is preferred: once it waits, new requests queue behind it, so a busy server cannot
starve snapshots. It gives up after a timeout so that a request which itself waits for another
request (an SNS HTTP subscription calling back into moto, say) can never deadlock the two.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class GateClosed(RuntimeError):
    """Raised to a request that arrives after the final snapshot: its change would be lost."""


class RequestGate:
    """Shared/exclusive lock, with writer preference, a writer timeout and a closed state."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer_active = False
        self._writers_waiting = 0
        self._closed = False
        self._held = threading.local()

    def holds_shared(self) -> bool:
        """Whether the calling thread is inside :meth:`shared` (and not inside :meth:`released`)."""
        return getattr(self._held, "depth", 0) > 0

    def _acquire_shared(self) -> None:
        with self._cond:
            while self._writer_active or self._writers_waiting:
                if self._closed:
                    break
                self._cond.wait()
            if self._closed:
                raise GateClosed("the local cloud is stopping")
            self._readers += 1

    def _release_shared(self) -> None:
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the gate for one request. Re-entrant within a thread."""
        depth = getattr(self._held, "depth", 0)
        if depth == 0:
            self._acquire_shared()
        self._held.depth = depth + 1
        try:
            yield
        finally:
            self._held.depth = depth
            if depth == 0:
                self._release_shared()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let go of this thread's shared hold while it only waits (an SQS long poll).

        A long poll can wait 20 s; holding the gate for that long would stall every snapshot.
        """
        depth = getattr(self._held, "depth", 0)
        if depth == 0:
            yield
            return
        self._held.depth = 0
        self._release_shared()
        try:
            yield
        finally:
            self._acquire_shared()
            self._held.depth = depth

    @contextmanager
    def exclusive(self, timeout: float) -> Iterator[bool]:
        """Hold the gate alone; yields False (holding nothing) if that took longer than timeout."""
        if self.holds_shared():
            # A request thread asking for a snapshot would wait for itself.
            raise RuntimeError("exclusive() called from inside a request")
        deadline = time.monotonic() + timeout
        with self._cond:
            self._writers_waiting += 1
            try:
                while self._writer_active or self._readers:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                acquired = not (self._writer_active or self._readers)
                if acquired:
                    self._writer_active = True
            finally:
                self._writers_waiting -= 1
                if not self._writers_waiting:
                    self._cond.notify_all()
        try:
            yield acquired
        finally:
            if acquired:
                with self._cond:
                    self._writer_active = False
                    self._cond.notify_all()

    def close(self) -> None:
        """Refuse every later shared acquisition; requests waiting at the gate get GateClosed."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
