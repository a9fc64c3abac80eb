"""Sortable ids: ULIDs (time-ordered, so a sort key of ids is a sort by creation time).

python-ulid is small, typed and maintained; the id embeds ``clock.now()`` so frozen clocks give
ids that sort with the data they belong to.
"""
from __future__ import annotations

from ulid import ULID

from shared import clock


def new_id(prefix: str = "") -> str:
    value = str(ULID.from_datetime(clock.now()))
    return f"{prefix}{value}" if prefix else value
