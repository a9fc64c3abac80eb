"""Base classes of every pydantic model in ShopDesk.

``defer_build``: pydantic builds a model's validator on first use instead of at import, so a
function pays only for the models its request touches (cold start; see docs/performance.md).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError


class Model(BaseModel):
    """A response or internal model: unknown fields are ignored."""

    model_config = ConfigDict(defer_build=True)


class Input(BaseModel):
    """A request body or query: unknown fields are an error, surrounding blanks are trimmed."""

    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)


def _bounded_instant(value: datetime) -> datetime:
    # Time keys are ULIDs (milliseconds since 1970): a time before that has no key, and a filter
    # from year 1753 is a typo, not a question.
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError("datetime_range", "must be between 1970-01-01 and 9999-12-30 (UTC)")
    return value


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
Instant = Annotated[datetime, AfterValidator(_bounded_instant), Field(
    description="ISO-8601 (UTC when no offset is given), between 1970-01-01 and 9999-12-30",
    examples=["2026-01-01T00:00:00Z"])]
"""A point in time given by a client: no offset means UTC; outside 1970..9999 answers 422."""


def schema_enum(values: Iterable[str]) -> dict[str, Any]:
    """``json_schema_extra`` that documents the values a validator accepts (it keeps its error code)."""
    return {"enum": sorted(values)}
