"""Events of the inventory capability (``shopdesk.inventory``). Reservation events name the
order (``resource_id``) and its lines; ``StockAdjusted`` is every other change of on-hand stock
(receipts, manual adjustments, transfers, later stocktakes and purchase orders), one per SKU and
warehouse, with the movement kind and the on-hand balance after it."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events.base import DomainEvent


class StockLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    sku_id: str
    product_id: str
    warehouse_id: str
    qty: int


class _Inventory(DomainEvent):
    source = "shopdesk.inventory"


class StockReserved(_Inventory):
    """Units were set aside for an order (available went down, on hand did not)."""

    resource: Literal["reservations"] = "reservations"
    resource_id: str  # the order id
    lines: list[StockLine]


class StockReleased(_Inventory):
    """An order's reservation was given back (cancelled or unpaid order)."""

    resource: Literal["reservations"] = "reservations"
    resource_id: str
    lines: list[StockLine]


class StockDeducted(_Inventory):
    """An order's reserved units left the warehouse (shipped): on hand and reserved went down."""

    resource: Literal["reservations"] = "reservations"
    resource_id: str
    lines: list[StockLine]


class StockAdjusted(_Inventory):
    """On-hand stock of one SKU in one warehouse changed by ``delta`` (not by an order)."""

    resource: Literal["stock"] = "stock"
    resource_id: str  # the SKU id
    product_id: str
    warehouse_id: str
    kind: str  # purchase_receipt, adjustment, transfer, stocktake, return
    delta: int
    on_hand_after: int
    available_after: int
    reason: str = ""
    ref_type: str | None = None
    ref_id: str | None = None


class StockLow(_Inventory):
    """A SKU's available units in a warehouse fell to or below its safety stock (once per
    crossing: the next one comes after the stock has been above the threshold again)."""

    resource: Literal["stock"] = "stock"
    resource_id: str  # the SKU id
    product_id: str
    warehouse_id: str
    warehouse_name: str = ""
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    available: int
    threshold: int


class LowStockLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    sku_id: str
    product_id: str
    warehouse_id: str
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    available: int
    threshold: int


class StockDigestCompiled(_Inventory):
    """The daily list of a shop's stocks at or below their safety stock (one per shop and local day)."""

    resource: Literal["stock"] = "stock"
    date: str  # the shop's local date (YYYY-MM-DD)
    count: int  # stocks low in all
    lines: list[LowStockLine]  # the first of them, by product
