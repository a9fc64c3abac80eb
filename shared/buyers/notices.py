"""Buyer notices (issue 11 point 10): an SMS to the buyer when their order is placed, paid or
cancelled, in zh-CN then en (the buyer's language is not known), switched per shop in the
notification settings (topics ``buyer_order_placed`` / ``_paid`` / ``_cancelled``: their ``sms``
switch; default on). A consumer of OrderPlaced, OrderPaid and OrderCancelled.

Idempotent by event id: a claim item (``NOTICE#<event_id>`` in the buyer's partition) is put
conditionally before sending and removed again if the send fails, so a redelivered event sends
nothing twice and a failed send is retried with the batch.
"""
from __future__ import annotations

import time

from pynamodb.exceptions import PutError

from shared.buyers.tables import NoticeSent, buyer_pk
from shared.orders.events import OrderCancelled, OrderPaid, OrderPlaced

NOTICE_TTL_S = 14 * 24 * 3600
TOPIC = {"OrderPlaced": "buyer_order_placed", "OrderPaid": "buyer_order_paid", "OrderCancelled": "buyer_order_cancelled"}
MESSAGE = {"OrderPlaced": "buyer_notice_placed", "OrderPaid": "buyer_notice_paid", "OrderCancelled": "buyer_notice_cancelled"}


def _switched_on(shop_id: str, topic: str) -> tuple[bool, str]:
    from shared.settings.models import NotificationSettings
    from shared.settings.service import read_section

    settings = NotificationSettings.model_validate(read_section(shop_id, "notifications")).completed()
    return bool(settings.topics[topic].sms), str(read_section(shop_id, "profile").get("name") or "")


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def text(kind: str, shop_name: str, number: str, amount: int) -> str:
    from shared.i18n import message

    params = {"shop": shop_name, "number": number, "amount": _yuan(amount)}
    return " / ".join(message(MESSAGE[kind], language, **params) for language in ("zh-CN", "en"))


def on_order_event(event: OrderPlaced | OrderPaid | OrderCancelled) -> None:
    from shared import messaging
    from shared.orders.views import load_order

    kind = type(event).__name__
    enabled, shop_name = _switched_on(event.shop_id, TOPIC[kind])
    if not enabled:
        return
    order = load_order(event.shop_id, event.resource_id)
    mobile = str(order.buyer_mobile or "")
    if not mobile:
        return
    claim = NoticeSent(pk=buyer_pk(event.shop_id, str(order.buyer_id)), sk=f"NOTICE#{event.event_id}",
                       expires_at=int(time.time()) + NOTICE_TTL_S)
    try:
        claim.save(condition=NoticeSent.pk.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return  # this event was told already
        raise
    try:
        messaging.send_sms(mobile, text(kind, shop_name, str(order.number), int(order.payable)))
    except Exception:
        claim.delete()
        raise
