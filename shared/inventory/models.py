"""What the inventory API accepts and answers (pydantic). Quantities are whole units; a
fraction, a string, zero or a negative is a 422 on that field."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.exports import Format
from shared.model import Input, Instant, Model
from shared.pagination import PageQuery

MAX_QTY = 1_000_000
MAX_SHARDS = 16
MAX_LINES = 45  # 2 writes a line + reservation + event <= 100 writes in one transaction
Qty = Annotated[int, Field(ge=1, le=MAX_QTY, strict=True, description="Units, at least 1")]
Id = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_-]+$")]
MovementKind = Literal["purchase_receipt", "sale", "reservation", "release", "return", "adjustment", "stocktake",
                       "transfer", "rebalance"]
ReservationStatus = Literal["reserved", "released", "deducted"]


# -- stock ----------------------------------------------------------------------------------------
class StockQuery(PageQuery):
    warehouse_id: Id | None = None
    product_id: Id | None = None
    low_only: bool = Field(False, description="Only SKUs whose available stock is at or below their threshold")


class ShardView(Model):
    shard: int
    on_hand: int
    reserved: int
    available: int


class StockRow(Model):
    sku_id: str
    product_id: str
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    warehouse_id: str
    on_hand: int
    reserved: int
    available: int
    threshold: int | None = None
    low: bool = False
    shards: int = 1
    version: int = Field(0, description="Settings version (for PUT .../settings)")
    updated_at: str | None = None


class StockTotals(Model):
    on_hand: int
    reserved: int
    available: int


class WarehouseStock(StockRow):
    warehouse_name: str = ""
    shard_detail: list[ShardView] = Field(default_factory=list, description="Flash-sale SKUs: each shard's counters")


class SkuStockView(Model):
    sku_id: str
    product_id: str
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    totals: StockTotals
    warehouses: list[WarehouseStock]


class StockSettings(Input):
    product_id: Id
    warehouse_id: Id | None = Field(None, description="Default: the shop's first warehouse")
    threshold: int | None = Field(None, ge=0, le=MAX_QTY, strict=True, description="Safety stock (预警值)")
    shards: int | None = Field(None, ge=1, le=MAX_SHARDS, strict=True,
                               description="Flash-sale SKUs: split the counter over this many partitions")
    version: int = Field(ge=0, description="Settings version read (0 when the SKU has no stock item yet)")


class Receipt(Input):
    product_id: Id
    sku_id: Id
    warehouse_id: Id | None = Field(None, description="Default: the shop's first warehouse")
    qty: Qty
    reason: str = Field("", max_length=200)
    ref_id: str | None = Field(None, max_length=60, description="Delivery note or purchase order number")


class Adjustment(Input):
    product_id: Id
    sku_id: Id
    warehouse_id: Id | None = None
    delta: int = Field(ge=-MAX_QTY, le=MAX_QTY, strict=True, description="Units added (+) or removed (-), not 0",
                       json_schema_extra={"not": {"const": 0}})
    reason: str = Field(min_length=1, max_length=200, description="Why (damaged, found, sample, ...)")

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, v: int) -> int:
        if v == 0:
            raise PydanticCustomError("not_zero", "must not be 0")
        return v


class Transfer(Input):
    product_id: Id
    sku_id: Id
    from_warehouse_id: Id
    to_warehouse_id: Id = Field(description="Another warehouse than from_warehouse_id")
    qty: Qty
    reason: str = Field("", max_length=200)

    @field_validator("to_warehouse_id")
    @classmethod
    def _two_places(cls, v: str, info: ValidationInfo) -> str:
        if v == info.data.get("from_warehouse_id"):
            raise PydanticCustomError("same_warehouse", "must differ from from_warehouse_id")
        return v


class MovementView(Model):
    id: str
    kind: MovementKind
    sku_id: str
    product_id: str
    warehouse_id: str
    shard: int
    on_hand_delta: int
    reserved_delta: int
    on_hand_after: int = Field(description="On hand of the stock item (shard) after this movement")
    reason: str
    ref_type: str | None
    ref_id: str | None
    actor_id: str
    actor_email: str | None
    at: str


class PostingView(Model):
    """The answer of a receipt, adjustment or transfer: the SKU's stock afterwards."""

    movements: list[MovementView]
    stock: SkuStockView


class MovementFilter(Input):
    sku_id: Id
    warehouse_id: Id | None = None
    kind: MovementKind | None = None
    start: Instant | None = Field(None, alias="from", description="From this time (ISO-8601, 1970 to 9999), inclusive")
    end: Instant | None = Field(None, alias="to", description="Until this time (ISO-8601, 1970 to 9999), exclusive; after `from`")

    @model_validator(mode="after")
    def _range(self) -> MovementFilter:
        if self.start and self.end and self.end <= self.start:
            raise PydanticCustomError("date_range", "'to' must be after 'from'")
        return self


class MovementQuery(MovementFilter, PageQuery):
    pass


class MovementExport(Input):
    format: Format = "csv"
    filter: MovementFilter


# -- warehouses -----------------------------------------------------------------------------------
class WarehouseFields(Input):
    name: str = Field(min_length=1, max_length=40)
    code: str = Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]*$", description="Unique in the shop")
    address: str = Field("", max_length=200)
    priority: int = Field(100, ge=0, le=10_000, strict=True, description="Orders ship from the lowest first")
    active: bool = True


class WarehouseCreate(WarehouseFields):
    pass


class WarehouseUpdate(WarehouseFields):
    version: int = Field(ge=1)


class WarehouseView(Model):
    id: str
    name: str
    code: str
    address: str
    priority: int
    active: bool
    is_default: bool
    version: int
    created_at: str
    updated_at: str


class WarehouseList(Model):
    items: list[WarehouseView]


# -- reservations ---------------------------------------------------------------------------------
class ReservationLineInput(Input):
    sku_id: Id
    product_id: Id
    qty: Qty


class ReservationCreate(Input):
    order_id: Id
    lines: list[ReservationLineInput] = Field(min_length=1, max_length=MAX_LINES)
    warehouse_id: Id | None = Field(None, description="Ship from here; default: by warehouse priority, per line")

    @field_validator("lines")
    @classmethod
    def _distinct(cls, v: list[ReservationLineInput]) -> list[ReservationLineInput]:
        seen: set[str] = set()
        for line in v:
            if line.sku_id in seen:
                raise PydanticCustomError("duplicate", "contains {value} twice", {"value": line.sku_id})
            seen.add(line.sku_id)
        return v


class ReservationLine(Model):
    sku_id: str
    product_id: str
    warehouse_id: str
    shard: int = 0
    qty: int


class ReservationView(Model):
    order_id: str
    status: ReservationStatus
    lines: list[ReservationLine]
    created_at: str
    updated_at: str
    replayed: bool = Field(False, description="True when this answer repeats an earlier request's outcome")


class Done(Model):
    ok: bool = True
