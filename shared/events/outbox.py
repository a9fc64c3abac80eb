"""The Streams outbox: a committed write becomes a domain event, never "write, then publish".

A capability writes its state change and an ``OUTBOX#<event_id>`` item in ONE DynamoDB
transaction. The table's stream delivers the new item to the capability's ``publish_outbox``
handler, which puts the event on the EventBridge bus. If publishing fails the stream batch is
retried, so delivery is at least once and consumers de-duplicate on ``event_id``. Outbox items
expire through the table's TTL after a week.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from shared import clock
from shared.db import ShopItem, table_meta
from shared.events.base import DomainEvent

OUTBOX_PREFIX = "OUTBOX#"
KEEP_FOR = timedelta(days=7)
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


def outbox_item(table_env: str, event: DomainEvent) -> ShopItem:
    model = outbox_model(table_env)
    return model(
        pk=f"SHOP#{event.shop_id}",
        sk=f"{OUTBOX_PREFIX}{event.event_id}",
        source=event.source,
        detail_type=event.detail_type(),
        detail=event.model_dump_json(),
        expires_at=clock.now() + KEEP_FOR,
    )


def publish_stream_batch(event: dict[str, Any], bus_name: str) -> int:
    """Handler body for a table's stream: publish every new outbox item. Returns how many."""
    from shared.aws import client

    entries = []
    for record in event.get("Records", []):
        if record.get("eventName") != "INSERT":
            continue
        image = record.get("dynamodb", {}).get("NewImage", {})
        if not image.get("sk", {}).get("S", "").startswith(OUTBOX_PREFIX):
            continue
        entries.append({
            "Source": image["source"]["S"],
            "DetailType": image["detail_type"]["S"],
            "Detail": image["detail"]["S"],
            "EventBusName": bus_name,
        })
    events = client("events")
    for start in range(0, len(entries), 10):
        chunk = entries[start:start + 10]
        answer = events.put_events(Entries=chunk)
        if answer.get("FailedEntryCount"):
            failed = [e for e in answer["Entries"] if e.get("ErrorCode")]
            # Raising makes the stream retry the batch; consumers de-duplicate repeats.
            raise RuntimeError(f"EventBridge refused {len(failed)} events: {json.dumps(failed)[:500]}")
    return len(entries)
