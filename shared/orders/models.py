"""API and domain models of orders: the quote, the place-order body, the order as shown.

Money is integer 分 everywhere. Personal fields are named so ``shared.privacy`` masks them for
callers without ``personal_data.view`` (``receiver.name``/``mobile``/``detail`` ...)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from shared.model import Input, Instant, Model
from shared.money import Currency

MAX_QTY = 9999


class QuoteLineInput(Input):
    product_id: str = Field(pattern=r"^prd_[0-9A-HJKMNP-TV-Z]{26}$")
    sku_id: str = Field(pattern=r"^sku_[0-9A-HJKMNP-TV-Z]{26}$")
    qty: int = Field(ge=1, le=MAX_QTY)


class Allocation(Model):
    source: str  # the promotion, coupon or rule the discount came from
    step: str  # the pipeline step that made it
    amount: int


class QuoteLine(Model):
    sku_id: str
    product_id: str
    name: str
    spec_values: list[str] = []
    image: str | None = None
    qty: int
    unit_list_price: int
    unit_price: int
    line_subtotal: int
    allocations: list[Allocation] = []
    line_payable: int


class Discount(Model):
    source: str
    step: str
    amount: int
    allocation: list[int]  # per line, in line order; sums to ``amount``


class Quote(Model):
    lines: list[QuoteLine]
    discounts: list[Discount] = []
    subtotal: int
    discount_total: int
    freight: int
    payable: int
    currency: Currency = "CNY"
    quote_hash: str


class Receiver(Model):
    name: str
    mobile: str
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""


class ReceiverInput(Input):
    """What the buyer routes pass once the address book exists (shared.buyers.addresses)."""

    name: str = Field(min_length=1, max_length=40)
    mobile: str = Field(pattern=r"^(\+86)?1[3-9]\d{9}$")
    province: str = Field(pattern=r"^\d{6}$")
    city: str = Field(default="", pattern=r"^(\d{6})?$")
    district: str = Field(default="", pattern=r"^(\d{6})?$")
    detail: str = Field(min_length=1, max_length=200)


class Buyer(Model):
    """Who places the order (the buyer routes pass the signed-in buyer)."""

    buyer_id: str
    mobile: str = ""


class PlaceOrder(Input):
    lines: list[QuoteLineInput] = Field(min_length=1, max_length=200)
    receiver: ReceiverInput
    buyer_message: str = Field(default="", max_length=200)
    quote_hash: str = Field(min_length=8, max_length=64)


class OrderLine(QuoteLine):
    warehouse_id: str | None = None


class OrderTimelineEntry(Model):
    at: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    note: str = ""
    by: str


class Order(Model):
    id: str
    number: str
    buyer_id: str
    created_at: str
    updated_at: str
    fulfilment_status: str
    payment_status: str
    tab: str
    lines: list[OrderLine]
    discounts: list[Discount] = []
    subtotal: int
    discount_total: int
    freight: int
    payable: int
    currency: Currency = "CNY"
    receiver: Receiver
    buyer_message: str = ""
    memo: str = ""
    flag: str | None = None
    held: bool = False
    payment_method: str | None = None
    pay_due_at: str | None = None
    paid_at: str | None = None
    version: int
    timeline: list[OrderTimelineEntry] = []
    replayed: bool = False  # a repeated request answered the order it placed first


class FirstLine(Model):
    name: str
    image: str | None = None


class OrderSummary(Model):
    id: str
    number: str
    created_at: str
    tab: str
    fulfilment_status: str
    payment_status: str
    payable: int
    currency: Currency = "CNY"
    buyer_mobile: str = ""
    receiver_name: str = ""
    province: str = ""
    flag: str | None = None
    memo: str = ""
    held: bool = False
    payment_method: str | None = None
    item_count: int
    first_line: FirstLine
    version: int


class TabCounts(Model):
    pending_payment: int = 0
    pending_review: int = 0
    finance_review: int = 0
    to_ship: int = 0
    shipped: int = 0
    completed: int = 0
    cancelled: int = 0


class Queued(Model):
    request_id: str
    status: Literal["queued"] = "queued"


class DeskQuery(Input):
    """The desk's list: one tab, newest first, optionally a time range; or an exact order number
    or buyer mobile (then across tabs)."""

    tab: Literal["pending_payment", "pending_review", "finance_review", "to_ship", "shipped", "completed",
                 "cancelled"] = "pending_review"
    from_: Instant | None = Field(None, alias="from", description="Placed at or after")
    to: Instant | None = Field(None, description="Placed before")
    number: str | None = Field(None, pattern=r"^\d{14}$", description="Exact order number (any tab)")
    mobile: str | None = Field(None, pattern=r"^(\+86)?1[3-9]\d{9}$", description="The buyer's mobile (any tab)")
    min_amount: int | None = Field(None, ge=0, le=10**12, description="Fen: payable at least")
    max_amount: int | None = Field(None, ge=0, le=10**12, description="Fen: payable at most")
    product_id: str | None = Field(None, pattern=r"^prd_[0-9A-HJKMNP-TV-Z]{26}$", description="Orders with this product")
    province: str | None = Field(None, pattern=r"^\d{6}$", description="Receiver's province (GB/T 2260 code)")
    flag: Literal["red", "yellow", "green", "blue", "purple"] | None = None
    payment_method: Literal["alipay", "wechat_pay", "stripe"] | None = None
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class OrderDetail(Order):
    actions: list[str] = Field(default_factory=list, description="What the caller may do now (lifecycle x permissions)")


# -- the desk's write bodies ----------------------------------------------------------------------
Flag = Literal["red", "yellow", "green", "blue", "purple"]
OrderId = Annotated[str, Field(pattern=r"^ord_[0-9A-HJKMNP-TV-Z]{26}$")]


class Versioned(Input):
    version: int = Field(ge=1, description="The order's version as read (409 version_conflict when stale)")


class MaybeVersioned(Input):
    version: int | None = Field(None, ge=1, description="The order's version as read; omitted: the current one")


class ReviewBody(Versioned):
    pass


class MemoBody(Versioned):
    memo: str = Field(max_length=500, description="The seller memo (卖家备注); empty clears it")


class FlagBody(Versioned):
    flag: Flag | None = Field(description="Coloured flag (旗帜); null clears it")


class HoldBody(MaybeVersioned):
    reason: str = Field(min_length=1, max_length=200)


class ReleaseBody(MaybeVersioned):
    pass


class CancelBody(Versioned):
    reason: str = Field(min_length=1, max_length=200)


def _distinct(ids: list[str]) -> list[str]:
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be distinct")
    return ids


class BulkReview(Input):
    ids: Annotated[list[OrderId], AfterValidator(_distinct)] = Field(min_length=1, max_length=100)


class BulkEdit(Input):
    action: Literal["memo", "flag"]
    ids: Annotated[list[OrderId], AfterValidator(_distinct)] = Field(min_length=1, max_length=100)
    memo: str | None = Field(None, max_length=500, description="action memo: the memo for every order")
    flag: Flag | None = Field(None, description="action flag: the flag for every order (null clears)")


class BulkError(Model):
    code: str
    message: str


class BulkResult(Model):
    id: str
    ok: bool
    fulfilment_status: str | None = None
    version: int | None = None
    error: BulkError | None = None


class BulkResults(Model):
    results: list[BulkResult]
