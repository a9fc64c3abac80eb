"""Flash-sale orders through a queue (issue 11 point 5): a crowd's place-order requests are
accepted at once and placed by a consumer at the pace the stock counters can take, so the
buyer sees 排队中 and then the result, and nothing is oversold (``placing.place`` decides, as
for any order: the stock condition in its transaction).

- ``request(shop_id, buyer, body, request_id)``: one transaction of the request item (status
  ``queued``; the receiver and message sealed like the order's) and ``OrderRequested`` (ids
  only: the personal values stay in the table). A repeated request id answers the first
  request; the same id with another body is refused (409 ``request_key_reused``).
- ``on_requested(event)``: the consumer (``OrdersFlashSaleQueue``: the template caps its
  concurrency, which is what levels the load) places the order through ``placing.place`` with
  the request id as its key - a redelivered message finds the order already placed and only
  records it - and marks the request ``placed`` (with the order id) or ``refused`` (with the
  error code and details the buyer would have got: ``insufficient_stock``, ``price_changed`` ...).
- ``get(shop_id, buyer_id, request_id)``: the buyer's own request (another buyer's: 404).

Why an event and not a bare SQS message: the request and its message are written in one
transaction (the outbox), so a crash between them cannot leave a request queued forever.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field
from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from shared import clock
from shared.crypto import PersonalAttribute
from shared.errors import Conflict, NotFound, ShopDeskError
from shared.events.base import Actor
from shared.events.outbox import outbox_item
from shared.keys import shop_key
from shared.model import Model
from shared.orders.events import OrderRequested
from shared.orders.models import Buyer, PlaceOrder, ReceiverInput
from shared.orders.placing import fingerprint
from shared.orders.tables import ORDERS_TABLE_ENV, OrdersItem
from shared.tx import ConditionsFailed, Writes, failed

REQUEST_SK = "REQUEST"
KEEP_FOR = timedelta(days=2)


def queued_pk(shop_id: str, request_id: str) -> str:
    return shop_key(shop_id, "ORDQ", request_id)


class OrderRequestRecord(OrdersItem, discriminator="order_queued"):
    request_id = UnicodeAttribute()
    buyer_id = UnicodeAttribute()
    buyer_mobile = PersonalAttribute(default="", field="mobile")
    status = UnicodeAttribute()  # queued | placed | refused
    fingerprint = UnicodeAttribute()
    lines = JSONAttribute()  # [{product_id, sku_id, qty}]
    quote_hash = UnicodeAttribute()
    receiver_name = PersonalAttribute(default="", field="receiver_name")
    receiver_mobile = PersonalAttribute(default="", field="mobile")
    receiver_detail = PersonalAttribute(default="", field="receiver_address")
    province = UnicodeAttribute(default="")
    city = UnicodeAttribute(default="")
    district = UnicodeAttribute(default="")
    buyer_message = PersonalAttribute(default="", field="buyer_message")
    order_id = UnicodeAttribute(null=True)
    error = JSONAttribute(null=True)  # {code, details}
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)  # TTL: a request is only looked at while the buyer waits


class OrderRequestView(Model):
    request_id: str
    status: Literal["queued", "placed", "refused"]
    order_id: str | None = None
    error: dict[str, Any] | None = Field(None, description="When refused: {code, message, details} as the place-order answer")
    created_at: str
    updated_at: str


def _view(rec: OrderRequestRecord, language: str = "zh-CN") -> OrderRequestView:
    from shared.i18n import message

    error = None
    if rec.error:
        error = {"code": rec.error["code"], "details": rec.error.get("details") or {},
                 "message": message(rec.error["code"], language, **(rec.error.get("params") or {}))}
    return OrderRequestView(request_id=rec.request_id, status=rec.status, order_id=rec.order_id, error=error,
                            created_at=rec.created_at, updated_at=rec.updated_at)


def _load(shop_id: str, request_id: str) -> OrderRequestRecord | None:
    try:
        return OrderRequestRecord.get(queued_pk(shop_id, request_id), REQUEST_SK, consistent_read=True)
    except OrderRequestRecord.DoesNotExist:
        return None


def request(shop_id: str, buyer: Buyer, body: PlaceOrder, request_id: str) -> OrderRequestView:
    asked = fingerprint(body)
    now = clock.iso()
    r = body.receiver
    rec = OrderRequestRecord(
        queued_pk(shop_id, request_id), REQUEST_SK, request_id=request_id, buyer_id=buyer.buyer_id,
        buyer_mobile=buyer.mobile, status="queued", fingerprint=asked,
        lines=[line.model_dump(mode="json") for line in body.lines], quote_hash=body.quote_hash,
        receiver_name=r.name, receiver_mobile=r.mobile, receiver_detail=r.detail, province=r.province, city=r.city,
        district=r.district, buyer_message=body.buyer_message, created_at=now, updated_at=now,
        expires_at=int((clock.now() + KEEP_FOR).timestamp()))
    writes = Writes()
    writes.put(rec, OrderRequestRecord.pk.does_not_exist(), ("request",))
    event = OrderRequested(shop_id=shop_id, actor=Actor(id=f"buyer:{buyer.buyer_id}"), resource_id=request_id)
    item = outbox_item(ORDERS_TABLE_ENV, event)
    item.pk = rec.pk  # spread like the requests, not on the shop's partition
    writes.put(item)
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if not failed(exc, "request"):
            raise
        first = _load(shop_id, request_id)
        if first is None:
            raise
        if first.buyer_id != buyer.buyer_id or first.fingerprint != asked:
            raise Conflict("request_key_reused", details={"request_id": request_id}) from exc
        return _view(first)
    return _view(rec)


def get(shop_id: str, buyer_id: str, request_id: str, language: str = "zh-CN") -> OrderRequestView:
    rec = _load(shop_id, request_id)
    if rec is None or rec.buyer_id != buyer_id:
        raise NotFound("order_request_not_found", details={"request_id": request_id})
    return _view(rec, language)


def on_requested(event: OrderRequested) -> None:
    """Place a queued request (idempotent: a placed or refused request is left as it is; a
    redelivery after the order was placed finds it by the request id)."""
    from shared.orders import placing

    rec = _load(event.shop_id, event.resource_id)
    if rec is None or rec.status != "queued":
        return
    body = PlaceOrder(lines=rec.lines, quote_hash=rec.quote_hash, buyer_message=rec.buyer_message,
                      receiver=ReceiverInput(name=rec.receiver_name, mobile=rec.receiver_mobile, province=rec.province,
                                             city=rec.city, district=rec.district, detail=rec.receiver_detail))
    actions: list[Any]
    try:
        order = placing.place(event.shop_id, Buyer(buyer_id=rec.buyer_id, mobile=rec.buyer_mobile), body,
                              request_id=rec.request_id, queued=True)
        actions = [OrderRequestRecord.status.set("placed"), OrderRequestRecord.order_id.set(order.id)]
    except ShopDeskError as exc:  # sold out, price changed, off shelf ...: the buyer's answer
        if exc.status >= 500 or exc.code == "write_conflict":
            raise  # the message comes back later
        actions = [OrderRequestRecord.status.set("refused"),
                   OrderRequestRecord.error.set({"code": exc.code, "details": exc.details,
                                                 "params": {k: v for k, v in exc.params.items()
                                                            if isinstance(v, (str, int, float, list))}})]
    try:
        rec.update(actions=[*actions, OrderRequestRecord.updated_at.set(clock.iso())],
                   condition=OrderRequestRecord.status == "queued")
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise  # else another delivery of the same message recorded the result first
