"""Every domain event type, for schema generation and the contract test that keeps
``docs/events/*.json`` in sync with the models.

    python -m shared.events.registry --write    # regenerate docs/events/
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shared.catalog.events import (
    CategoryCreated,
    CategoryDeleted,
    CategoryModified,
    ProductCreated,
    ProductDeleted,
    ProductDelisted,
    ProductListed,
    ProductModified,
    SkuPriceChanged,
)
from shared.events.base import DomainEvent
from shared.identity.events import (
    RoleCreated,
    RoleDeleted,
    RoleModified,
    ShopCreated,
    StaffDisabled,
    StaffEnabled,
    StaffInvitationAccepted,
    StaffInvitationDeclined,
    StaffInvited,
    StaffModified,
    StaffRemoved,
)
from shared.inventory.events import (
    StockAdjusted,
    StockDeducted,
    StockDigestCompiled,
    StockLow,
    StockReleased,
    StockReserved,
)
from shared.orders.events import (
    OrderAnnotated,
    OrderAwaitingReview,
    OrderCancelled,
    OrderClosed,
    OrderCompleted,
    OrderFinanceApproved,
    OrderHeld,
    OrderPaid,
    OrderPlaced,
    OrderReleased,
    OrderRequested,
    OrderReviewed,
    OrdersExported,
)
from shared.payments.events import PaymentAnomaly, PaymentNotified
from shared.purchasing.events import (
    PurchaseOrderCancelled,
    PurchaseOrderClosed,
    PurchaseOrderCreated,
    PurchaseOrderReceived,
    PurchaseOrderSubmitted,
    SupplierCreated,
    SupplierDeleted,
    SupplierModified,
)
from shared.settings.events import SettingsModified

EVENTS: tuple[type[DomainEvent], ...] = (
    SettingsModified, ShopCreated, StaffInvited, StaffModified, StaffDisabled, StaffEnabled, StaffRemoved,
    StaffInvitationAccepted, StaffInvitationDeclined, RoleCreated, RoleModified, RoleDeleted,
    ProductCreated, ProductModified, ProductDeleted, ProductListed, ProductDelisted, SkuPriceChanged,
    CategoryCreated, CategoryModified, CategoryDeleted,
    StockReserved, StockReleased, StockDeducted, StockAdjusted, StockLow, StockDigestCompiled,
    SupplierCreated, SupplierModified, SupplierDeleted, PurchaseOrderCreated, PurchaseOrderSubmitted,
    PurchaseOrderReceived, PurchaseOrderCancelled, PurchaseOrderClosed,
    OrderPlaced, OrderPaid, OrderReviewed, OrderCancelled, OrderClosed, OrderCompleted, OrderFinanceApproved,
    OrderHeld, OrderReleased, OrderAnnotated, OrderAwaitingReview, OrderRequested, OrdersExported, PaymentNotified,
    PaymentAnomaly,
)
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "events"


def schema(event: type[DomainEvent]) -> dict[str, Any]:
    body = event.model_json_schema(mode="serialization")
    body["$id"] = f"https://shopdesk.example/events/{event.detail_type()}.json"
    body["x-source"] = event.source
    body["x-detail-type"] = event.detail_type()
    body["x-version"] = event.schema_version
    if event.personal:  # these keys' values travel sealed (shared.crypto): consumers unseal them
        body["x-personal"] = sorted(event.personal)
    return body


def render(event: type[DomainEvent]) -> str:
    return json.dumps(schema(event), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    if "--write" in sys.argv:
        SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
        for ev in EVENTS:
            (SCHEMA_DIR / f"{ev.detail_type()}.json").write_text(render(ev), encoding="utf-8")
            print("wrote", SCHEMA_DIR / f"{ev.detail_type()}.json")
