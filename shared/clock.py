"""The one clock. Code asks ``clock.now()``; tests and the demo seeder may freeze or shift it."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return _source()


def iso(moment: datetime | None = None) -> str:
    """UTC ISO-8601 with milliseconds and a Z, the one stored time format (sorts as text)."""
    moment = (moment or now()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    global _source
    previous = _source
    _source = lambda: moment  # noqa: E731
    try:
        yield
    finally:
        _source = previous
