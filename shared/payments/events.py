"""Events of the payments capability (``shopdesk.payments``)."""
from __future__ import annotations

from typing import Literal

from shared.events.base import DomainEvent


class PaymentNotified(DomainEvent):
    """A verified provider notification was stored (once per provider event id). The queue
    consumer applies it to its order; the stored event (``PAYEVT`` item) has the whole notice."""

    source = "shopdesk.payments"
    resource: Literal["payments"] = "payments"
    resource_id: str  # <provider>#<provider event id>
    provider: str
    provider_event_id: str
    status: str  # the notice's status: paid, refunded, closed, ...
    out_trade_no: str | None


class PaymentAnomaly(DomainEvent):
    """Money arrived that the order cannot take: a payment for a cancelled or closed order, a
    second payment, a wrong amount or currency, an unknown order number. The order is not marked
    paid; the money is recorded and flagged for refund (after-sales executes refunds). ``desk``
    turns it into a staff notice."""

    source = "shopdesk.payments"
    resource: Literal["payments"] = "payments"
    resource_id: str  # the order id ('' when the number is unknown)
    anomaly: Literal["amount_mismatch", "order_closed", "already_paid", "unknown_order", "currency_mismatch"]
    number: str | None
    provider: str
    provider_event_id: str
    provider_trade_no: str | None
    amount: int | None  # fen the provider says were paid
    expected: int | None  # fen the order asks
    currency: str | None
    refund_due: int  # fen to give back: the whole amount (the order is not paid by it)
