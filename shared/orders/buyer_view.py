"""Orders as their buyer sees them (the storefront's my orders): the list over the ``by_buyer``
index, newest first, and one order only when it is the caller's (another buyer's, or an
unknown id, is the same 404). Owned by ``buyers`` (the rest of shared/orders is the desk's).

What a buyer never sees: the seller's memo, flag and hold, staff ids on the timeline, and the
timeline's internal entries (memo, flag, hold, payment anomalies). The buyer's own receiver
and message are shown whole: they are theirs."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.catalog import images
from shared.errors import NotFound
from shared.keys import shop_of
from shared.model import Input, Model
from shared.money import Currency
from shared.orders import status
from shared.orders.models import Discount, Order, OrderLine, Receiver
from shared.orders.tables import OrderRecord, buyer_pk
from shared.orders.views import load_order, order_view, timeline
from shared.pagination import Page, decode_cursor, encode_cursor

BuyerTab = Literal["pending_payment", "pending_review", "to_ship", "shipped", "completed", "cancelled"]
HIDDEN_ENTRIES = frozenset({"memo", "flag", "hold", "release", "payment_anomaly", "annotated"})


class BuyerOrderQuery(Input):
    status: BuyerTab | None = Field(None, description="One tab (待付款 pending_payment ...); none: all")
    cursor: str | None = Field(None, max_length=2048)
    limit: int = Field(20, ge=1, le=50)


class BuyerTimelineEntry(Model):
    at: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    by: Literal["buyer", "shop", "system"]


class BuyerOrderSummary(Model):
    id: str
    number: str
    created_at: str
    tab: str
    fulfilment_status: str
    payment_status: str
    payable: int
    currency: Currency = "CNY"
    item_count: int
    first_line_name: str
    first_line_image: str | None = None
    actions: list[str]


class BuyerOrder(Model):
    id: str
    number: str
    created_at: str
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
    pay_due_at: str | None = None
    paid_at: str | None = None
    timeline: list[BuyerTimelineEntry] = []
    actions: list[str] = Field(description="What the buyer may do now: pay, cancel")
    pay_methods: list[str] = Field([], description="The providers the buyer can pay this order with (when `pay` is allowed)")
    payments: list[dict[str, Any]] = Field([], description="Each provider tried: {provider, status, amount, paid_at}")
    replayed: bool = False


def actions(rec: Any) -> list[str]:
    """``pay`` and ``cancel`` while the order waits for payment (the lifecycle table decides)."""
    state = status.State(rec.payment_status, rec.fulfilment_status, bool(rec.held))
    allowed = set(status.actions_from(state))
    return [a for a in ("pay", "cancel") if a in allowed and rec.fulfilment_status == "pending_payment"]


def _by(actor: str, buyer_id: str) -> Literal["buyer", "shop", "system"]:
    if actor == f"buyer:{buyer_id}":
        return "buyer"
    return "system" if actor.startswith("system") or not actor else "shop"


def buyer_order(order: Order) -> BuyerOrder:
    """The buyer's view of an order read whole (``shared.orders.views.order_view`` with may_see)."""
    shown = [BuyerTimelineEntry(at=t.at, kind=t.kind, from_status=t.from_status, to_status=t.to_status,
                                by=_by(t.by, order.buyer_id))
             for t in order.timeline if t.kind not in HIDDEN_ENTRIES]
    return BuyerOrder(id=order.id, number=order.number, created_at=order.created_at,
                      fulfilment_status=order.fulfilment_status, payment_status=order.payment_status, tab=order.tab,
                      lines=order.lines, discounts=order.discounts, subtotal=order.subtotal,
                      discount_total=order.discount_total, freight=order.freight, payable=order.payable,
                      currency=order.currency, receiver=order.receiver, buyer_message=order.buyer_message,
                      pay_due_at=order.pay_due_at, paid_at=order.paid_at, timeline=shown, actions=actions(order),
                      replayed=order.replayed)


def _mine(shop_id: str, buyer_id: str, order_id: str) -> OrderRecord:
    rec = load_order(shop_id, order_id)
    if rec.buyer_id != buyer_id:  # another buyer's order: as if it did not exist
        raise NotFound("order_not_found", details={"order_id": order_id})
    return rec


def get_for_buyer(shop_id: str, buyer_id: str, order_id: str) -> BuyerOrder:
    """One of the buyer's orders with its timeline (two reads)."""
    rec = _mine(shop_id, buyer_id, order_id)
    return buyer_order(order_view(rec, timeline(shop_id, order_id), may_see=True))


def check_mine(shop_id: str, buyer_id: str, order_id: str) -> None:
    """404 unless the order is the buyer's (before acting on it)."""
    _mine(shop_id, buyer_id, order_id)


def _summary(rec: OrderRecord) -> BuyerOrderSummary:
    first = rec.lines[0] if rec.lines else {}
    ids = [str(i) for i in first.get("image_ids") or []]
    return BuyerOrderSummary(id=rec.order_id, number=rec.number, created_at=rec.created_at, tab=rec.tab,
                             fulfilment_status=rec.fulfilment_status, payment_status=rec.payment_status,
                             payable=int(rec.payable), currency=rec.currency,  # type: ignore[arg-type]
                             item_count=int(rec.item_count), first_line_name=str(first.get("name", "")),
                             first_line_image=images.main_image_url(shop_of(rec.pk), str(first.get("product_id", "")),
                                                                    ids),
                             actions=actions(rec))


def for_buyer(shop_id: str, buyer_id: str, query: BuyerOrderQuery) -> Page[BuyerOrderSummary]:
    """The buyer's orders, newest first (``by_buyer``); a status is a filter on that query, so a
    page may hold fewer than ``limit`` and still have a next cursor."""
    key = buyer_pk(shop_id, buyer_id)
    scope = f"buyer-orders|{key}|{query.status or ''}"
    condition = OrderRecord.tab == query.status if query.status else None
    found = OrderRecord.by_buyer.query(key, scan_index_forward=False, limit=query.limit, filter_condition=condition,
                                       last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [_summary(r) for r in found if isinstance(r, OrderRecord)]
    return Page[BuyerOrderSummary](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))
