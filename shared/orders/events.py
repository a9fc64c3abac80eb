"""Events of the orders capability (``shopdesk.orders``). Each names the order
(``resource_id``) and its number; the receiver's personal values travel sealed (``personal``).
Consumers that need more read the order."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared.events.base import DomainEvent

RECEIVER_PERSONAL = frozenset({"receiver_name", "receiver_mobile", "receiver_detail", "buyer_mobile",
                               "buyer_message"})


class PlacedLine(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    sku_id: str
    product_id: str
    qty: int
    unit_price: int
    line_payable: int


class _OrderEvent(DomainEvent):
    source = "shopdesk.orders"
    resource: Literal["orders"] = "orders"
    resource_id: str  # the order id
    number: str


class OrderPlaced(_OrderEvent):
    personal: ClassVar[frozenset[str]] = RECEIVER_PERSONAL
    buyer_id: str
    lines: list[PlacedLine]
    subtotal: int
    discount_total: int
    freight: int
    payable: int
    currency: str
    new: dict[str, Any]  # receiver and buyer message (sealed), province/city/district codes


class _Transition(_OrderEvent):
    """Base of the lifecycle events: the statuses before and after."""

    from_fulfilment: str
    to_fulfilment: str
    from_payment: str
    to_payment: str
    reason: str = ""


class OrderPaid(_Transition):
    provider: str
    amount: int


class OrderReviewed(_Transition):
    pass


class OrderCancelled(_Transition):
    by_buyer: bool = False


class OrderClosed(_Transition):
    pass


class OrderCompleted(_Transition):
    pass


class OrderFinanceApproved(_Transition):
    """财审: finance approved a reviewed order (the shop turned the finance step on)."""


class OrderAwaitingReview(_OrderEvent):
    """A paid order no auto-review rule approved: it waits in 待审核 (a staff notice follows)."""

    payable: int
    rule: str = ""  # the manual rule that matched, if any


class OrderHeld(_OrderEvent):
    """挂起: staff put the order on hold (it cannot be reviewed or shipped until released)."""

    hold_reason: str = ""


class OrderReleased(_OrderEvent):
    """The hold was lifted."""


class OrderAnnotated(_OrderEvent):
    """Seller memo and/or coloured flag changed (``changed`` names which; the new values follow)."""

    changed: list[str]
    memo: str | None = None
    flag: str | None = None


class OrderRequested(DomainEvent):
    """A flash-sale place-order request was queued (``shared.orders.queue``): ids only, the
    request's personal values stay sealed in the orders table."""

    source = "shopdesk.orders"
    resource: Literal["order_requests"] = "order_requests"
    resource_id: str  # the request id


class OrdersExported(DomainEvent):
    """Staff started a desk export (the audit log's record of who took which orders out, and
    whether personal data was in clear). ``resource_id`` is the export job."""

    source = "shopdesk.orders"
    resource: Literal["orders"] = "orders"
    resource_id: str
    format: str
    filter: dict[str, Any]
    clear: bool  # personal data in clear (the starter holds personal_data.view)
