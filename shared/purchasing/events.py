"""Events of the purchasing capability (``shopdesk.purchasing``). A PO's events name it
(``resource_id``) and carry its number and supplier; ``PurchaseOrderSubmitted`` carries the
whole order (the outbound webhook sends it to the supplier), ``PurchaseOrderReceived`` the
lines of one receipt and whether the order is now complete. No event carries a webhook secret."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared.events.base import DomainEvent, RecordModified


class PoLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    product_id: str
    sku_id: str
    sku_code: str = ""
    supplier_sku_code: str = ""
    product_name: str = ""
    sku_label: str = ""
    qty: int
    unit_cost: int
    received: int = 0


class ReceivedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    product_id: str
    sku_id: str
    qty: int
    unit_cost: int
    received_total: int  # of the line, after this receipt
    ordered: int
    avg_cost_after: int  # the SKU's moving-average cost after this receipt (fen)


class _Purchasing(DomainEvent):
    source = "shopdesk.purchasing"


class _PurchaseOrderEvent(_Purchasing):
    resource: Literal["purchase_orders"] = "purchase_orders"
    resource_id: str  # the PO id
    number: str
    supplier_id: str


SUPPLIER_PERSONAL = frozenset({"contact", "phone", "email", "address"})


class SupplierCreated(_Purchasing):
    personal: ClassVar[frozenset[str]] = SUPPLIER_PERSONAL
    resource: Literal["suppliers"] = "suppliers"
    resource_id: str
    new: dict[str, Any]


class SupplierModified(RecordModified):
    """Fields changed (a rotated webhook secret shows as ``webhook_secret`` in ``changed``, never its value)."""

    source = "shopdesk.purchasing"
    personal: ClassVar[frozenset[str]] = SUPPLIER_PERSONAL
    resource: Literal["suppliers"] = "suppliers"
    resource_id: str


class SupplierDeleted(_Purchasing):
    personal: ClassVar[frozenset[str]] = SUPPLIER_PERSONAL
    resource: Literal["suppliers"] = "suppliers"
    resource_id: str
    old: dict[str, Any]


class PurchaseOrderCreated(_PurchaseOrderEvent):
    warehouse_id: str
    lines: list[PoLine]
    total: int
    currency: str


class PurchaseOrderSubmitted(_PurchaseOrderEvent):
    """Sent to the supplier (draft -> submitted): the whole order."""

    warehouse_id: str
    currency: str
    total: int
    expected_at: str | None = None
    notes: str = ""
    lines: list[PoLine]


class PurchaseOrderReceived(_PurchaseOrderEvent):
    """Goods of the order came in (one receipt): stock was posted and costs updated."""

    receipt_id: str
    warehouse_id: str
    lines: list[ReceivedLine]
    over_receipt: bool = False
    complete: bool  # every line fully received: the order is now ``received``
    status: str
    source_channel: str = "api"  # api, or webhook (the supplier's receipt notice)


class PurchaseOrderCancelled(_PurchaseOrderEvent):
    previous_status: str


class PurchaseOrderClosed(_PurchaseOrderEvent):
    """No more goods are expected; ``short`` lists what was ordered and never came."""

    previous_status: str
    short: list[dict[str, Any]]
