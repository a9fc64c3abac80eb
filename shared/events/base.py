"""The event base model and the EventBridge envelope consumers receive.

Every event carries ``shop_id``, ``event_id`` (unique; consumers de-duplicate on it),
``occurred_at``, ``version`` (of the event's schema), the acting user where there is one, and
the ``correlation_id`` of the request (or consumed event) that caused it
(``shared.observability``): an operator follows one id from the API call through the bus to
every consumer's logs.
The EventBridge ``detail-type`` is the class name (``SettingsModified``), the ``source`` is
``shopdesk.<capability>``.
"""
from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared import clock
from shared.ids import new_id
from shared.observability import correlation_id


class Actor(BaseModel):
    """Who did it: a signed-in staff member, or ``system`` for schedules and consumers."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str
    email: str | None = None
    source_ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(id=f"system:{what}")


class DomainEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    source: ClassVar[str] = "shopdesk"
    schema_version: ClassVar[int] = 1

    event_id: str = Field(default_factory=lambda: new_id("evt_"))
    shop_id: str
    occurred_at: str = Field(default_factory=clock.iso)
    version: int = 1
    actor: Actor | None = None
    correlation_id: str | None = Field(default_factory=correlation_id)

    def model_post_init(self, __context: Any) -> None:
        self.version = type(self).schema_version

    @classmethod
    def detail_type(cls) -> str:
        return cls.__name__


class RecordModified(DomainEvent):
    """Base of ``<Thing>Modified`` events: the old and new record and the names of what changed."""

    old: dict[str, Any]
    new: dict[str, Any]
    changed: list[str]


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Top-level keys whose values differ, in a stable order."""
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
