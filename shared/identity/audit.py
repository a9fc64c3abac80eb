"""The audit log: who changed what, when, from where; append-only.

Entries are written only by the audit consumer from domain events (``*Modified``, ``*Created``
...), keyed by the event id, so a redelivered event writes nothing new. No API updates or
deletes an entry and the template grants no function ``DeleteItem`` on the table.

| item  | pk         | sk                 | gsi1pk (by resource)      | gsi2pk (by actor)        |
|-------|------------|--------------------|---------------------------|--------------------------|
| entry | SHOP#<id>  | AUDIT#<event ulid> | SHOP#<id>#RES#<resource>  | SHOP#<id>#USER#<user>    |
(gsi1sk = gsi2sk = sk, so every listing is newest first by one Query.)
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError
from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from ulid import ULID

from shared.db import ShopItem, TableMeta
from shared.events.base import DomainEvent
from shared.exports import ExportFile
from shared.keys import shop_key, shop_pk
from shared.model import Instant, Model
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor


class _ByResource(GlobalSecondaryIndex["AuditRecord"]):
    class Meta:
        index_name = "by_resource"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class _ByActor(GlobalSecondaryIndex["AuditRecord"]):
    class Meta:
        index_name = "by_actor"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class AuditRecord(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = "AUDIT_TABLE"

    occurred_at = UnicodeAttribute()
    action = UnicodeAttribute()
    resource = UnicodeAttribute()
    resource_id = UnicodeAttribute(default="")
    actor_id = UnicodeAttribute()
    actor_email = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    changed = ListAttribute(of=UnicodeAttribute, default=list)
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    gsi1pk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute()
    by_resource = _ByResource()
    by_actor = _ByActor()


class AuditActor(Model):
    id: str
    email: str | None = None


class AuditEntry(Model):
    id: str
    occurred_at: str
    actor: AuditActor
    action: str = Field(description="resource.section.verb, e.g. settings.profile.modified")
    resource: str
    resource_id: str
    changed: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source_ip: str | None = None
    user_agent: str | None = None


class AuditQuery(PageQuery):
    resource: str | None = Field(None, max_length=40, pattern=r"^[a-z_]+$")
    actor: str | None = Field(None, max_length=80, description="User id")
    action: str | None = Field(None, max_length=80, description="Action, or its beginning (staff. = all staff actions)")
    start: Instant | None = Field(None, alias="from", description="From this time (ISO-8601, 1970 to 9999), inclusive")
    end: Instant | None = Field(None, alias="to", description="Until this time (ISO-8601, 1970 to 9999), exclusive; after `from`")

    @model_validator(mode="after")
    def _range(self) -> AuditQuery:
        if self.start and self.end and self.end <= self.start:
            raise PydanticCustomError("date_range", "'to' must be after 'from'")
        return self


def _words(name: str) -> str:
    """SettingsModified -> ('settings', 'modified')"""
    return "_".join(w.lower() for w in re.findall(r"[A-Z][a-z0-9]*", name))


def record(event: DomainEvent) -> bool:
    """Write the audit entry of one event. False when it was already recorded (redelivery)."""
    d = event.model_dump(mode="json")
    resource = d.get("resource") or event.source.removeprefix("shopdesk.")
    verb = "_".join(_words(event.detail_type()).split("_")[1:])  # StaffPasswordReset -> password_reset
    section = d.get("section") or d.get("resource_id") or ""
    actor = d.get("actor") or {"id": "system"}
    shop = d["shop_id"]
    sk = f"AUDIT#{d['event_id'].removeprefix('evt_')}"
    entry = AuditRecord(
        pk=shop_pk(shop), sk=sk, occurred_at=d["occurred_at"],
        action=f"{resource}.{d['section']}.{verb}" if d.get("section") else f"{resource}.{verb}",
        resource=resource, resource_id=section,
        actor_id=actor["id"], actor_email=actor.get("email"), source_ip=actor.get("source_ip"),
        user_agent=actor.get("user_agent"), changed=list(d.get("changed") or []),
        before=_only(d.get("old"), d.get("changed")), after=_only(d.get("new"), d.get("changed")),
        gsi1pk=shop_key(shop, "RES", resource), gsi2pk=shop_key(shop, "USER", actor['id']),
    )
    try:
        entry.save(condition=AuditRecord.sk.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _only(data: dict[str, Any] | None, changed: list[str] | None) -> dict[str, Any] | None:
    """The diff: only the fields that changed (the whole record when the event names none)."""
    if data is None:
        return None
    return {k: data.get(k) for k in changed} if changed else data


def search(shop_id: str, query: AuditQuery) -> Page[AuditEntry]:
    index: _ByResource | _ByActor | None
    if query.resource:
        scope, pk, index = f"{shop_id}:res:{query.resource}", shop_key(shop_id, "RES", query.resource), AuditRecord.by_resource
    elif query.actor:
        scope, pk, index = f"{shop_id}:user:{query.actor}", shop_key(shop_id, "USER", query.actor), AuditRecord.by_actor
    else:
        scope, pk, index = f"{shop_id}:all", shop_pk(shop_id), None
    scope += f":{query.action}:{query.start}:{query.end}"
    if query.resource and query.actor:
        scope += f":user:{query.actor}"
    start = decode_cursor(query.cursor, scope)
    # Entry keys are ULIDs, which sort by time: a date range is a key range, not a filter.
    low = f"AUDIT#{_ulid_bound(query.start, low=True)}" if query.start else "AUDIT#"
    high = f"AUDIT#{_ulid_bound(query.end, low=True)}" if query.end else "AUDIT#~"
    # Further filters apply within the key range; pynamodb keeps reading pages until `limit`
    # entries match, and the cursor resumes after the last entry returned.
    conditions = [c for c in (
        AuditRecord.action.startswith(query.action) if query.action else None,
        AuditRecord.actor_id == query.actor if query.actor and query.resource else None) if c is not None]
    condition = conditions[0] & conditions[1] if len(conditions) == 2 else (conditions[0] if conditions else None)
    kwargs: dict[str, Any] = {"scan_index_forward": False, "limit": query.limit, "last_evaluated_key": start,
                              "filter_condition": condition}
    results = (AuditRecord.query(pk, AuditRecord.sk.between(low, high), **kwargs) if index is None
               else index.query(pk, AuditRecord.sk.between(low, high), **kwargs))
    items = [_entry(r) for r in results]
    return Page[AuditEntry](items=items, next_cursor=encode_cursor(results.last_evaluated_key, scope))


def _ulid_bound(moment: datetime, low: bool) -> str:
    ms = int(moment.timestamp() * 1000)
    return str(ULID.from_bytes(ms.to_bytes(6, "big") + (b"\x00" if low else b"\xff") * 10))


def _entry(r: AuditRecord) -> AuditEntry:
    return AuditEntry(id=r.sk.removeprefix("AUDIT#"), occurred_at=r.occurred_at,
                      actor=AuditActor(id=r.actor_id, email=r.actor_email), action=r.action, resource=r.resource,
                      resource_id=r.resource_id, changed=list(r.changed or []), before=r.before, after=r.after,
                      source_ip=r.source_ip, user_agent=r.user_agent)


class AuditExportQuery(AuditQuery):
    format: Literal["csv", "xlsx"] = "csv"


EXPORT_LIMIT = 10_000
EXPORT_HEADER = ("time_utc", "user", "action", "resource", "record", "changed", "before", "after", "source_ip",
                 "user_agent")


def visible_entries(page: Page[AuditEntry], may_see: bool) -> Page[AuditEntry]:
    """Personal data in diffs and actor e-mails masked unless the caller may see it."""
    if may_see:
        return page
    from shared.privacy import mask

    return Page[AuditEntry](items=[AuditEntry(**mask(e.model_dump())) for e in page.items],
                            next_cursor=page.next_cursor)


def export(shop_id: str, query: AuditExportQuery, may_see: bool) -> ExportFile:
    """Every entry matching the filters (at most EXPORT_LIMIT), newest first, as CSV or XLSX."""
    import json

    from shared.exports import publish

    def rows() -> Iterator[tuple[Any, ...]]:
        page_query = query.model_copy(update={"limit": 100, "cursor": None})
        sent = 0
        while sent < EXPORT_LIMIT:
            page = visible_entries(search(shop_id, page_query), may_see)
            for e in page.items:
                yield (e.occurred_at, e.actor.email or e.actor.id, e.action, e.resource, e.resource_id,
                       ", ".join(e.changed), json.dumps(e.before, ensure_ascii=False) if e.before else "",
                       json.dumps(e.after, ensure_ascii=False) if e.after else "", e.source_ip or "", e.user_agent or "")
                sent += 1
            if not page.next_cursor:
                return
            page_query = page_query.model_copy(update={"cursor": page.next_cursor})

    return publish(shop_id, "audit-log", EXPORT_HEADER, rows(), query.format)
