"""Placing an order (issue 11 point 5): re-price on the server, then one DynamoDB transaction.

Reads: the request claim, the settings item, the products (each carrying its SKUs' price,
status and spec values: ``ProductRecord.sku_sale``) and the SKUs' shard-0 stock items in ONE
BatchGetItem. A second one only for a flash-sale SKU's other shards (the queue's consumer
places those) or a product saved before the product item carried its SKUs (their revisions).
The shop's warehouse list is kept per container (``reservations.active_warehouses``).

Then ONE TransactWriteItems: the order, its number claim, the buyer's request claim, the first
timeline entry, a tab counter shard, per line the stock update and its movement (inventory's
``reservations.plan``), the reservation item, and the ``StockReserved`` and ``OrderPlaced``
outbox items. Budget: 2 writes per line + 8, so at most ``MAX_LINES`` distinct SKUs (46): a
larger cart is refused before anything is read (422 ``cart_too_large`` naming the limit).

- Client prices are never trusted: the quote is made again; a ``quote_hash`` that differs
  answers 409 ``price_changed`` with the new quote in ``details.quote``.
- Not enough stock: 409 ``insufficient_stock`` naming the SKU; nothing written.
- Idempotent by the buyer's request key (the Idempotency-Key): the ``RequestClaim`` is written
  in the same transaction, so a retry (or a race of the same request) answers the first order
  (``replayed: true``) and never places a second; the same key with another body answers 409
  ``request_key_reused``.
- Stock moved between the read and the write (a failed stock condition, a transaction
  conflict) or a taken order number: read and plan again (``shared.tx.retrying``).
"""
from __future__ import annotations

import hashlib
import json
import random
from datetime import timedelta
from typing import Any

from shared import clock, crypto, db, metrics
from shared.catalog.tables import ProductRecord, SkuRecord
from shared.errors import Conflict, Unprocessable
from shared.events.base import Actor
from shared.events.outbox import outbox_item
from shared.ids import new_id
from shared.inventory import reservations
from shared.inventory.models import ReservationLineInput
from shared.inventory.tables import StockRecord
from shared.orders import numbers, status
from shared.orders.events import OrderPlaced, PlacedLine
from shared.orders.models import Buyer, Order, PlaceOrder, Quote, QuoteLineInput
from shared.orders.quote import Facts as QuoteFacts
from shared.orders.quote import catalog_skus, price, product_keys, sku_keys
from shared.orders.tables import (
    CLAIM_SK,
    COUNTER_SHARDS,
    ORDER_SK,
    ORDERS_TABLE_ENV,
    OrderRecord,
    RequestClaim,
    TabCounter,
    TimelineRecord,
    buyer_pk,
    counter_pk,
    created_sk,
    due_pk,
    due_sk,
    mobile_pk,
    order_pk,
    request_pk,
    tab_pk,
    timeline_sk,
)
from shared.orders.views import load_order, order_view
from shared.settings.service import delivery_fee_of, item_key, order_timers_of
from shared.settings.tables import SettingsItem
from shared.tx import LIMIT, ConditionsFailed, Stale, Writes, failed, retrying

ORDER_WRITES_FIXED = 6  # order, number claim, request claim, timeline entry, tab counter, OrderPlaced
MAX_LINES = (LIMIT - ORDER_WRITES_FIXED - reservations.PLAN_WRITES_FIXED) // reservations.PLAN_WRITES_PER_LINE


class _Replay(Exception):
    pass


def fingerprint(body: PlaceOrder) -> str:
    doc = body.model_dump(mode="json", exclude={"quote_hash"})
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:32]


def _merged(body: PlaceOrder) -> list[QuoteLineInput]:
    from shared.orders.quote import merged

    lines = merged(body.lines)
    if len(lines) > MAX_LINES:
        raise Unprocessable("cart_too_large", details={"lines": len(lines), "limit": MAX_LINES},
                            lines=len(lines), limit=MAX_LINES)
    return lines


def place(shop_id: str, buyer: Buyer, body: PlaceOrder, *, request_id: str, actor: Actor | None = None,
          queued: bool = False) -> Order:
    """Place ``body`` for ``buyer``. ``request_id`` is the buyer's request key (idempotency).
    A flash-sale SKU (its stock split over shards) is placed only through the queue
    (``shared.orders.queue``, ``queued=True``): otherwise 409 ``flash_sale_queue``."""
    lines = _merged(body)
    actor = actor or Actor(id=f"buyer:{buyer.buyer_id}")
    asked = fingerprint(body)

    def attempt() -> Order:
        warehouse_ids = reservations.active_warehouses(shop_id)
        sku_ids = [line.sku_id for line in lines]
        stock_keys = reservations.stock_keys(shop_id, sku_ids, warehouse_ids)
        keys: list[db.ItemKey] = [(RequestClaim, request_pk(shop_id, request_id), CLAIM_SK), item_key(shop_id),
                                  *product_keys(shop_id, lines), *stock_keys]
        first = db.batch_get(keys)
        claim, settings = first[0], first[1]
        if isinstance(claim, RequestClaim):
            raise _Replay()
        products = [p for p in first[2:2 + len(keys) - 2 - len(stock_keys)] if isinstance(p, ProductRecord)]
        found = {(s.pk, s.sk): s for s in first[len(keys) - len(stock_keys):] if isinstance(s, StockRecord)}
        wanted = set(sku_ids)
        revs = sku_keys(products, wanted)
        sku_records = [s for s in db.batch_get(revs) if isinstance(s, SkuRecord)] if revs else []
        facts = QuoteFacts(shop_id=shop_id, skus=catalog_skus(shop_id, products, sku_records, wanted),
                           delivery=delivery_fee_of(settings if isinstance(settings, SettingsItem) else None),
                           region=body.receiver.province)
        quote = price(lines, facts)
        if quote.quote_hash != body.quote_hash:
            raise Conflict("price_changed", details={"quote": quote.model_dump(mode="json")})
        stocks = reservations.stocks_from(shop_id, sku_ids, warehouse_ids, found)
        flash = sorted(sku for sku, held in stocks.items() if any(len(s.shards) > 1 for s in held))
        if flash and not queued:
            raise Conflict("flash_sale_queue", details={"sku_ids": flash})
        unpaid_minutes = order_timers_of(settings if isinstance(settings, SettingsItem) else None).unpaid_cancel_minutes
        return _commit(shop_id, buyer, body, request_id, asked, quote, facts, lines, stocks, actor, unpaid_minutes)

    try:
        return retrying(attempt)
    except _Replay:
        return _replayed(shop_id, request_id, asked)


def _replayed(shop_id: str, request_id: str, asked: str) -> Order:
    claim = RequestClaim.get(request_pk(shop_id, request_id), CLAIM_SK, consistent_read=True)
    if claim.fingerprint != asked:
        raise Conflict("request_key_reused", details={"order_id": claim.order_id})
    view = order_view(load_order(shop_id, str(claim.order_id)))
    view.replayed = True
    return view


def _commit(shop_id: str, buyer: Buyer, body: PlaceOrder, request_id: str, asked: str, quote: Quote,
            facts: QuoteFacts, lines: list[QuoteLineInput], stocks: Any, actor: Actor, unpaid_minutes: int) -> Order:
    order_id = new_id("ord_")
    now_dt = clock.now()
    now = clock.iso(now_dt)
    number = numbers.new_number(now_dt)
    pay_due = clock.iso(now_dt + timedelta(minutes=unpaid_minutes))  # settings order_timers
    writes = Writes()
    planned = reservations.plan(writes, shop_id, order_id,
                                [ReservationLineInput(sku_id=x.sku_id, product_id=x.product_id, qty=x.qty)
                                 for x in lines], stocks, actor)
    warehouse_of = {p.sku_id: p.warehouse_id for p in planned}
    payment, fulfilment = status.INITIAL
    tab = status.TAB[fulfilment]
    r = body.receiver
    mobile = buyer.mobile or ""
    stored_lines = [{**{k: v for k, v in line.model_dump(mode="json").items() if k != "image"},
                     "image_ids": facts.skus[line.sku_id].image_ids, "warehouse_id": warehouse_of[line.sku_id]}
                    for line in quote.lines]
    record = OrderRecord(
        order_pk(shop_id, order_id), ORDER_SK, order_id=order_id, number=number, buyer_id=buyer.buyer_id,
        buyer_mobile=mobile, currency=quote.currency, lines=stored_lines,
        discounts=[d.model_dump(mode="json") for d in quote.discounts], subtotal=quote.subtotal,
        discount_total=quote.discount_total, freight=quote.freight, payable=quote.payable,
        item_count=sum(line.qty for line in quote.lines), product_ids=sorted({x.product_id for x in quote.lines}),
        quote_hash=quote.quote_hash, payment_status=payment, fulfilment_status=fulfilment, tab=tab,
        receiver_name=r.name, receiver_mobile=r.mobile, receiver_detail=r.detail, province=r.province, city=r.city,
        district=r.district, buyer_message=body.buyer_message, request_key=request_id, version=1, created_at=now,
        updated_at=now, pay_due_at=pay_due, due_at=pay_due, due_action="expire", tab_pk=tab_pk(shop_id, tab),
        created_sk=created_sk(now, order_id), buyer_pk=buyer_pk(shop_id, buyer.buyer_id),
        mobile_pk=mobile_pk(shop_id, crypto.blind_index(shop_id, "mobile", mobile)) if mobile else None,
        due_pk=due_pk(order_id), due_sk=due_sk(pay_due, shop_id, order_id))
    writes.put(record, OrderRecord.pk.does_not_exist(), ("order",))
    numbers.claim(writes, shop_id, number, order_id)
    writes.put(RequestClaim(request_pk(shop_id, request_id), CLAIM_SK, order_id=order_id, fingerprint=asked),
               RequestClaim.pk.does_not_exist(), ("request",))
    writes.put(TimelineRecord(order_pk(shop_id, order_id), timeline_sk(now, 0), entry="placed", to_status=fulfilment,
                              actor_id=actor.id, at=now))
    counter = TabCounter(counter_pk(shop_id), str(random.randrange(COUNTER_SHARDS)))
    writes.update(counter, [TabCounter.kind.set(TabCounter),  # type: ignore[arg-type]  # pynamodb stores the tag
                            getattr(TabCounter, tab).add(1)])
    event = OrderPlaced(
        shop_id=shop_id, actor=actor, resource_id=order_id, number=number, buyer_id=buyer.buyer_id,
        lines=[PlacedLine(sku_id=x.sku_id, product_id=x.product_id, qty=x.qty, unit_price=x.unit_price,
                          line_payable=x.line_payable) for x in quote.lines],
        subtotal=quote.subtotal, discount_total=quote.discount_total, freight=quote.freight, payable=quote.payable,
        currency=quote.currency,
        new={"receiver_name": r.name, "receiver_mobile": r.mobile, "receiver_detail": r.detail,
             "province": r.province, "city": r.city, "district": r.district, "buyer_mobile": mobile,
             "buyer_message": body.buyer_message})
    item = outbox_item(ORDERS_TABLE_ENV, event)
    item.pk = order_pk(shop_id, order_id)  # in the order's partition: a sale's events spread like its orders
    writes.put(item)
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "request"):
            raise _Replay() from exc
        raise Stale() from exc  # stock moved, or the number was taken: plan again
    metrics.order_placed(shop_id, quote.payable, quote.currency)
    return order_view(record)
