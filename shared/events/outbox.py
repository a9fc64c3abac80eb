"""The Streams outbox: a committed write becomes a domain event, never "write, then publish".

A capability writes its state change and an ``OUTBOX#<event_id>`` item in ONE DynamoDB
transaction. The table's stream delivers the new item to the table's outbox publisher
(``publisher()``), which puts the event on the EventBridge bus. If publishing fails the stream
batch is retried, then handed to the table's on-failure queue for a redrive, so delivery is at
least once and consumers de-duplicate on ``event_id``. Outbox items expire through the table's
TTL after a week.

A write that makes more events than fit its transaction (a product save changing hundreds of
SKU prices) stores them in a few bundle items (``outbox_bundles``); the publisher puts each
event of a bundle on the bus as if it had its own item.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from shared import clock
from shared.db import ShopItem, table_meta
from shared.events.base import DomainEvent
from shared.keys import shop_pk

OUTBOX_PREFIX = "OUTBOX#"
KEEP_FOR = timedelta(days=7)
BUNDLE = "OutboxBundle"  # detail_type of a bundle item; its detail is a list of events
BUNDLE_BYTES = 200_000  # well under DynamoDB's 400 KB item limit
PUT_EVENTS_BYTES = 250_000  # EventBridge takes at most 256 KB per PutEvents call
_models: dict[str, type[ShopItem]] = {}


def outbox_model(table_env: str) -> type[ShopItem]:
    """The outbox item model of the table named by ``table_env`` (one class per table)."""
    if table_env not in _models:
        attrs: dict[str, Any] = {
            "Meta": table_meta(table_env),
            "source": UnicodeAttribute(),
            "detail_type": UnicodeAttribute(),
            "detail": UnicodeAttribute(),
            "expires_at": TTLAttribute(),
        }
        _models[table_env] = type(f"Outbox_{table_env}", (ShopItem,), attrs)
    return _models[table_env]


ENVELOPE_KEYS = frozenset({"event_id", "shop_id", "occurred_at", "version", "actor"})


def sealed_detail(event: DomainEvent) -> str:
    """The event as it is stored and published: the actor's e-mail and IP, and the values of the
    event's ``personal`` keys, sealed with the shop's key (consumers that need them unseal)."""
    from shared.crypto import seal, seal_tree

    data = event.model_dump(mode="json")
    actor = data.get("actor")
    if actor:
        for key, field in (("email", "actor_email"), ("source_ip", "source_ip")):
            if actor.get(key):
                actor[key] = seal(event.shop_id, field, actor[key])
    personal = type(event).personal
    if personal:
        data.update(seal_tree(event.shop_id, {k: v for k, v in data.items() if k not in ENVELOPE_KEYS}, personal))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def outbox_item(table_env: str, event: DomainEvent) -> ShopItem:
    model = outbox_model(table_env)
    return model(
        pk=shop_pk(event.shop_id),
        sk=f"{OUTBOX_PREFIX}{event.event_id}",
        source=event.source,
        detail_type=event.detail_type(),
        detail=sealed_detail(event),
        expires_at=clock.now() + KEEP_FOR,
    )


def outbox_bundles(table_env: str, events: list[DomainEvent]) -> list[ShopItem]:
    """Outbox items carrying several events each (at most ``BUNDLE_BYTES`` of details per item),
    for a write whose events would not fit its transaction one item each."""
    model = outbox_model(table_env)
    bundles: list[tuple[str, list[dict[str, str]]]] = []
    size = 0
    for event in events:
        entry = {"source": event.source, "detail_type": event.detail_type(), "detail": sealed_detail(event)}
        if not bundles or size + len(entry["detail"]) > BUNDLE_BYTES:
            bundles.append((event.event_id, []))
            size = 0
        bundles[-1][1].append(entry)
        size += len(entry["detail"])
    return [model(pk=shop_pk(events[0].shop_id), sk=f"{OUTBOX_PREFIX}{first}", source=entries[0]["source"],
                  detail_type=BUNDLE, detail=json.dumps(entries, ensure_ascii=False),
                  expires_at=clock.now() + KEEP_FOR) for first, entries in bundles]


def publisher() -> Callable[[dict[str, Any], Any], dict[str, int]]:
    """The stream handler of an outbox table: every table's publisher is this one handler
    (``functions/outbox/app.py``; the template makes one function per table from one
    definition, ``Fn::ForEach::OutboxPublishers``). It puts the batch's new outbox items on the
    bus; if EventBridge refuses any, it raises, so Lambda retries the batch and, after
    ``MaximumRetryAttempts``, sends the batch's pointers to the table's on-failure queue
    (``python -m infra.redrive`` republishes them; docs/security.md "No event is lost")."""

    def publish(event: dict[str, Any], context: Any) -> dict[str, int]:
        from collections import Counter

        from shared import metrics
        from shared.config import settings
        from shared.observability import invocation, log, traced

        function = str(getattr(context, "function_name", "outbox"))
        entries = stream_entries(event, settings().event_bus_name)
        details = [json.loads(e["Detail"]) for e in entries]
        # A batch of one request's events (the usual case) runs under that request's id.
        correlations = {d.get("correlation_id") for d in details}
        with invocation(context, correlations.pop() if len(correlations) == 1 else None), traced("publish outbox"):
            try:
                put_entries(entries)
            except Exception:
                log.exception("publishing the outbox failed; the stream batch will be retried", extra={
                    "events": [{"event_id": d.get("event_id"), "detail_type": e["DetailType"],
                                "correlation_id": d.get("correlation_id")} for d, e in zip(details, entries, strict=True)]})
                metrics.outbox_publish_failure(len(entries), function)
                raise
            # One metric line per request in the batch, so each request's published events are
            # found under its correlation id even when a batch mixes several requests' events.
            for correlation, count in Counter(d.get("correlation_id") for d in details).items():
                with invocation(None, correlation):
                    metrics.events_published(count, function)
        return {"published": len(entries)}

    return publish


def stream_entries(event: dict[str, Any], bus_name: str) -> list[dict[str, Any]]:
    """The PutEvents entries of a stream batch: its new outbox items (bundles unpacked)."""
    entries = []
    for record in event.get("Records", []):
        if record.get("eventName") != "INSERT":
            continue
        image = record.get("dynamodb", {}).get("NewImage", {})
        if not image.get("sk", {}).get("S", "").startswith(OUTBOX_PREFIX):
            continue
        if image["detail_type"]["S"] == BUNDLE:
            entries += [{"Source": e["source"], "DetailType": e["detail_type"], "Detail": e["detail"],
                         "EventBusName": bus_name} for e in json.loads(image["detail"]["S"])]
            continue
        entries.append({
            "Source": image["source"]["S"],
            "DetailType": image["detail_type"]["S"],
            "Detail": image["detail"]["S"],
            "EventBusName": bus_name,
        })
    return entries


def put_entries(entries: list[dict[str, Any]]) -> None:
    from shared.aws import client

    events = client("events")
    for chunk in _calls(entries):
        answer = events.put_events(Entries=chunk)
        if answer.get("FailedEntryCount"):
            failed = [e for e in answer["Entries"] if e.get("ErrorCode")]
            # Raising makes the stream retry the batch; consumers de-duplicate repeats.
            raise RuntimeError(f"EventBridge refused {len(failed)} events: {json.dumps(failed)[:500]}")


def _calls(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """PutEvents calls: at most 10 entries and ``PUT_EVENTS_BYTES`` each."""
    calls: list[list[dict[str, Any]]] = [[]]
    size = 0
    for entry in entries:
        weight = len(entry["Detail"].encode()) + len(entry["DetailType"]) + len(entry["Source"])
        if calls[-1] and (len(calls[-1]) == 10 or size + weight > PUT_EVENTS_BYTES):
            calls.append([])
            size = 0
        calls[-1].append(entry)
        size += weight
    return [c for c in calls if c]
