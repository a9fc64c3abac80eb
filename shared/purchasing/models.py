"""What the purchasing API accepts and answers (pydantic). Quantities are whole units (a
fraction, a string, zero or a negative is a 422 on that field); unit costs are integer fen."""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from shared.inventory.models import MAX_QTY
from shared.model import Input, Model
from shared.money import Currency, Money
from shared.pagination import PageQuery

MAX_PO_LINES = 60
# One receipt is one transaction of at most 100 writes: per line the stock item, its movement,
# its StockAdjusted event (ledger.post) and the SKU profile (cost); plus the PO, the receipt, its
# event, the warehouse check and a webhook nonce. 20 lines leave room for flash-sale shards.
MAX_RECEIPT_LINES = 20
MAX_UNIT_COST = 100_000_000  # 100万元 per unit
Qty = Annotated[int, Field(ge=1, le=MAX_QTY, strict=True, description="Units, at least 1")]
Id = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z_-]+$")]
PoStatus = Literal["draft", "submitted", "partially_received", "received", "closed", "cancelled"]
_PHONE = re.compile(r"^(\+?\d{1,4}[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")


# -- suppliers ------------------------------------------------------------------------------------
class SupplierFields(Input):
    name: str = Field(min_length=1, max_length=60)
    contact: str = Field("", max_length=40, description="Contact person")
    phone: str = Field("", max_length=24, json_schema_extra={"pattern": "^(|" + _PHONE.pattern[1:-1] + ")$"})
    email: str = Field("", max_length=120, json_schema_extra={"pattern": "^(|" + _EMAIL.pattern[1:-1] + ")$"})
    address: str = Field("", max_length=200)
    lead_time_days: int = Field(7, ge=0, le=365, strict=True, description="Default days from order to arrival")
    payment_terms: str = Field("", max_length=100, description="e.g. 月结30天, 款到发货")
    notes: str = Field("", max_length=500)
    active: bool = True
    webhook_url: str | None = Field(None, max_length=500,
                                    description="https URL of a public host that receives submitted POs")

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v and not _PHONE.match(v):
            raise PydanticCustomError("phone", "must be a mainland mobile number or a landline")
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and not _EMAIL.match(v):
            raise PydanticCustomError("email", "must be a valid e-mail address")
        return v.lower()

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        from shared import outbound

        if not v:
            return None
        try:
            outbound.check_url(v)  # checked again, after DNS resolution, at every send
        except outbound.Refused as exc:
            if exc.code == "address_not_allowed":
                raise PydanticCustomError("webhook_url_inside", "must reach a public host, not a private, "
                                          "loopback, link-local or metadata address") from None
            raise PydanticCustomError("webhook_url", "must be an https URL without credentials") from None
        return v


class SupplierCreate(SupplierFields):
    pass


class SupplierUpdate(SupplierFields):
    version: int = Field(ge=1)


class SupplierQuery(PageQuery):
    q: str | None = Field(None, max_length=60, description="Part of the name")
    active: bool | None = None


class SupplierView(Model):
    id: str
    name: str
    contact: str
    phone: str
    email: str
    address: str
    lead_time_days: int
    payment_terms: str
    notes: str
    active: bool
    webhook_url: str | None
    webhook_secret_hint: str | None = Field(None, description="Last 4 characters of the signing secret")
    webhook_secret_rotated_at: str | None = None
    version: int
    created_at: str
    updated_at: str


class SupplierWithSecret(SupplierView):
    webhook_secret: str = Field(description="The signing secret: shown this once, store it now")


class SupplierRemoval(Model):
    deleted: bool = Field(description="True: deleted; false: it has purchase orders, so it was archived")
    supplier: SupplierView | None = None


# -- purchase orders ------------------------------------------------------------------------------
class PoLineInput(Input):
    product_id: Id
    sku_id: Id
    qty: Qty
    unit_cost: int = Field(ge=0, le=MAX_UNIT_COST, strict=True, description="Fen per unit")
    supplier_sku_code: str = Field("", max_length=60)


def _distinct(lines: list[PoLineInput] | list[ReceiptLineInput]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.sku_id in seen:
            raise PydanticCustomError("duplicate", "contains {value} twice", {"value": line.sku_id})
        seen.add(line.sku_id)


class PoFields(Input):
    supplier_id: Id
    warehouse_id: Id | None = Field(None, description="Default: the shop's first active warehouse")
    expected_at: date | None = Field(None, description="Expected arrival (yyyy-mm-dd)")
    notes: str = Field("", max_length=500)
    currency: Currency = "CNY"
    lines: list[PoLineInput] = Field(min_length=1, max_length=MAX_PO_LINES)

    @field_validator("lines")
    @classmethod
    def _unique(cls, v: list[PoLineInput]) -> list[PoLineInput]:
        _distinct(v)
        return v


class PoCreate(PoFields):
    pass


class PoUpdate(PoFields):
    version: int = Field(ge=1)


class PoAction(Input):
    version: int | None = Field(None, ge=1, description="The version seen (optional: 409 when stale)")
    reason: str = Field("", max_length=200)


class PoQuery(PageQuery):
    status: PoStatus | None = None
    supplier_id: Id | None = None


class PoLineView(Model):
    product_id: str
    sku_id: str
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    supplier_sku_code: str = ""
    qty: int
    unit_cost: int
    received: int
    remaining: int
    line_total: Money


class WebhookDelivery(Model):
    status: Literal["pending", "delivered", "retrying", "failed", "skipped"]
    event_id: str | None = None
    attempts: int = 0
    last_attempt_at: str | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: str | None = None


class ShipmentNotice(Model):
    carrier: str
    tracking_no: str
    expected_at: str | None = None
    received_at: str
    event_id: str


class PoView(Model):
    id: str
    number: str
    supplier_id: str
    supplier_name: str
    warehouse_id: str
    status: PoStatus
    currency: str
    lines: list[PoLineView]
    total: Money
    received_total: Money
    qty_ordered: int
    qty_received: int
    expected_at: str | None
    notes: str
    shipment: ShipmentNotice | None = None
    webhook: WebhookDelivery | None = None
    version: int
    created_at: str
    updated_at: str
    submitted_at: str | None = None


class ReceiptLineView(Model):
    sku_id: str
    product_id: str
    qty: int
    unit_cost: int
    avg_cost_after: int


class ReceiptView(Model):
    id: str
    lines: list[ReceiptLineView]
    over_receipt: bool
    note: str
    source: str
    actor_id: str
    actor_email: str | None
    at: str


class TimelineEntry(Model):
    entry: str
    detail: dict[str, object] | None = None
    actor_id: str
    at: str


class PoDetail(PoView):
    receipts: list[ReceiptView]
    timeline: list[TimelineEntry]


class PoReceived(Model):
    """The answer of a receipt: the order after it and the receipt itself."""

    purchase_order: PoView
    receipt: ReceiptView


# -- receiving ------------------------------------------------------------------------------------
class ReceiptLineInput(Input):
    sku_id: Id
    qty: Qty


class ReceiptCreate(Input):
    lines: list[ReceiptLineInput] = Field(min_length=1, max_length=MAX_RECEIPT_LINES)
    over_receipt: bool = Field(False, description="Allow receiving more than ordered")
    note: str = Field("", max_length=200)

    @field_validator("lines")
    @classmethod
    def _unique(cls, v: list[ReceiptLineInput]) -> list[ReceiptLineInput]:
        _distinct(v)
        return v


# -- SKU costs and supplier links -----------------------------------------------------------------
class SupplierLinkInput(Input):
    supplier_id: Id
    supplier_sku_code: str = Field("", max_length=60)
    last_unit_cost: int | None = Field(None, ge=0, le=MAX_UNIT_COST, strict=True)
    lead_time_days: int | None = Field(None, ge=0, le=365, strict=True,
                                       description="This SKU's lead time from this supplier (default: the supplier's)")
    preferred: bool = False
    version: int = Field(ge=0, description="The SKU's purchasing version read (0 when none yet)")


class SupplierLinkView(Model):
    supplier_id: str
    supplier_sku_code: str = ""
    last_unit_cost: int | None = None
    lead_time_days: int | None = None
    preferred: bool = False
    updated_at: str | None = None


class SkuCostView(Model):
    sku_id: str
    avg_cost: Money | None = Field(None, description="Moving-average purchase cost per unit")
    cost_updated_at: str | None = None
    preferred_supplier_id: str | None = None
    suppliers: list[SupplierLinkView]
    version: int


# -- suggestions ----------------------------------------------------------------------------------
class SuggestionQuery(Input):
    window_days: int = Field(28, ge=1, le=180)
    warehouse_id: Id | None = None
    review_days: int = Field(7, ge=0, le=90, description="Days until the next replenishment review")


class SuggestionLine(Model):
    sku_id: str
    product_id: str
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    sold: int = Field(description="Units sold in the window")
    velocity: float = Field(description="Units sold per day over the window")
    lead_time_days: int
    safety_stock: int
    available: int
    on_order: int
    suggested_qty: int
    last_unit_cost: int | None = None


class SupplierSuggestions(Model):
    supplier_id: str | None = Field(description="None: SKUs with no known supplier")
    supplier_name: str = ""
    lines: list[SuggestionLine]


class Suggestions(Model):
    window_days: int
    review_days: int
    warehouse_id: str | None
    groups: list[SupplierSuggestions]


class FromSuggestionsLine(Input):
    sku_id: Id
    qty: Qty | None = Field(None, description="Default: the suggested quantity")
    unit_cost: int | None = Field(None, ge=0, le=MAX_UNIT_COST, strict=True,
                                  description="Default: the supplier's last unit cost (else 0)")


class FromSuggestions(Input):
    supplier_id: Id
    warehouse_id: Id | None = None
    window_days: int = Field(28, ge=1, le=180)
    review_days: int = Field(7, ge=0, le=90)
    lines: list[FromSuggestionsLine] | None = Field(None, max_length=MAX_PO_LINES,
                                                    description="Default: every suggestion of the supplier")


# -- inbound webhook ------------------------------------------------------------------------------
class InboundShipment(Input):
    type: Literal["shipment_notice"]
    po_number: str = Field(min_length=1, max_length=40)
    carrier: str = Field(min_length=1, max_length=60)
    tracking_no: str = Field(min_length=1, max_length=60)
    expected_at: date | None = None


class InboundReceipt(Input):
    type: Literal["receipt_notice"]
    po_number: str = Field(min_length=1, max_length=40)
    lines: list[ReceiptLineInput] = Field(min_length=1, max_length=MAX_RECEIPT_LINES)
    over_receipt: bool = False
    note: str = Field("", max_length=200)

    @field_validator("lines")
    @classmethod
    def _unique(cls, v: list[ReceiptLineInput]) -> list[ReceiptLineInput]:
        _distinct(v)
        return v


class WebhookAccepted(Model):
    ok: bool = True
    type: str
    po_number: str
    status: str


class Done(Model):
    ok: bool = True
