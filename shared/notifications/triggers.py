"""Which domain events notify someone, and how: event detail-type -> builder.

A builder is a plain function ``(the typed event) -> Delivery | None`` living with the capability
that owns the event (it knows what the event means); None = this event notifies nobody (e.g. a
StaffModified that changed only a name). Builders are named by dotted path and imported on first
use, so the consumer imports only what its events need.

To register an event (docs/notifications.md):
  1. write the builder next to the event, e.g. ``shared/inventory/notices.py: stock_low``;
  2. add ``"StockLow": "shared.inventory.notices:stock_low"`` below;
  3. add ``StockLow`` to the ``detail-type`` list of the ``Notifications`` row of
     ``Mappings.EventConsumers`` in template.yaml (it makes ``NotificationsRule``)
     (a contract test checks that the rule and this table name the same events).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from shared.events.base import DomainEvent
from shared.notifications.delivery import Delivery, send

Builder = Callable[[Any], "Delivery | None"]

TRIGGERS: dict[str, str] = {
    # staff access changes: security-relevant, every member who manages staff hears of them
    "StaffModified": "shared.notifications.staff_notices:staff_modified",
    "StaffDisabled": "shared.notifications.staff_notices:staff_disabled",
    "StaffRemoved": "shared.notifications.staff_notices:staff_removed",
    # stock at or below its safety stock (once per crossing), and the daily digest of it
    "StockLow": "shared.inventory.notices:stock_low",
    "StockDigestCompiled": "shared.inventory.notices:stock_digest",
    # a paid order waits for manual review (no auto-review rule approved it); money the order cannot take
    "OrderAwaitingReview": "shared.orders.notices:awaiting_review",
    "PaymentAnomaly": "shared.orders.notices:payment_anomaly",
}


def builder(detail_type: str) -> Builder | None:
    path = TRIGGERS.get(detail_type)
    if path is None:
        return None
    module, _, name = path.partition(":")
    found: Builder = getattr(importlib.import_module(module), name)
    return found


def on_event(event: DomainEvent) -> None:
    """The consumer's record handler: build the delivery of one event and send it (once)."""
    build = builder(event.detail_type())
    if build is None:
        return  # not registered (the rule and the table disagree): nothing to do, not an error
    delivery = build(event)
    if delivery is not None:
        send(delivery)
