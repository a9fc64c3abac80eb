"""Reservations for orders (预占库存): reserve, release, deduct on shipment; each idempotent by
order id.

- ``reserve``: all lines or none, in ONE transaction: the reservation item (conditional on not
  existing: a repeated request answers the first outcome), and per line the stock update
  (``available >= qty``) and its movement, and the ``StockReserved`` event. A line goes to the
  named warehouse or to the first active warehouse, by priority, that has enough; of a flash-sale
  SKU, to a random shard with enough. DynamoDB takes 100 writes per transaction: an order has at
  most 45 lines (2 writes each + reservation + event).
- ``release`` gives reserved units back to available; ``deduct`` (shipment) removes them from on
  hand and reserved (a ``sale`` movement). Both are conditional on the reservation still being
  ``reserved``; repeating the same one answers it again and changes nothing.

Oversell cannot happen: every reservation's write is conditional on the shard's available stock,
which DynamoDB checks atomically with the write.

Orders reserve inside their own transaction (one TransactWriteItems for order and stock): they
read the stock with everything else they read (``stock_keys`` → one BatchGetItem, then
``stocks_from``) and call ``plan``, which appends the same writes ``reserve`` makes to the
order's ``Writes`` (2 per line + 2: the reservation item and ``StockReserved``).
"""
from __future__ import annotations

import random
import time
from typing import Any

from shared import clock, metrics
from shared.auth.context import AuthContext
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.events.base import Actor, DomainEvent
from shared.events.outbox import outbox_item
from shared.inventory import ledger, shards, warehouses
from shared.inventory import stock as stock_mod
from shared.inventory.events import StockDeducted, StockLine, StockReleased, StockReserved
from shared.inventory.models import ReservationCreate, ReservationLine, ReservationLineInput, ReservationView
from shared.inventory.stock import Shard, Stock
from shared.inventory.tables import (
    INVENTORY_TABLE_ENV,
    RESERVATION_SK,
    ReservationRecord,
    StockRecord,
    WarehouseRecord,
    reservation_pk,
    stock_pk,
    warehouse_sk,
)
from shared.tx import ConditionsFailed, Stale, Writes, failed, retrying

PLAN_WRITES_PER_LINE = 2  # the shard's update and its movement
PLAN_WRITES_FIXED = 2  # the reservation item and the StockReserved event
WAREHOUSES_FOR = 30.0  # seconds a container keeps a shop's warehouse list for planning
_warehouses: dict[str, tuple[float, list[WarehouseRecord]]] = {}


class _Exists(Exception):
    pass


def load(shop_id: str, order_id: str) -> ReservationRecord | None:
    try:
        return ReservationRecord.get(reservation_pk(shop_id, order_id), RESERVATION_SK, consistent_read=True)
    except ReservationRecord.DoesNotExist:
        return None


def view(record: ReservationRecord, replayed: bool = False) -> ReservationView:
    return ReservationView(order_id=record.order_id, status=record.status,  # type: ignore[arg-type]
                           lines=[ReservationLine(**line) for line in record.lines], created_at=record.created_at,
                           updated_at=record.updated_at, replayed=replayed)


def get(shop_id: str, order_id: str) -> ReservationView:
    record = load(shop_id, order_id)
    if record is None:
        raise NotFound("reservation_not_found", details={"order_id": order_id})
    return view(record)


def _event_item(shop_id: str, order_id: str, event: DomainEvent) -> Any:
    # In the order's partition, not the shop's: a flash sale's events spread like its orders.
    item = outbox_item(INVENTORY_TABLE_ENV, event)
    item.pk = reservation_pk(shop_id, order_id)
    return item


def _replay(record: ReservationRecord, body: ReservationCreate) -> ReservationView:
    asked = sorted((line.sku_id, line.qty) for line in body.lines)
    had = sorted((line["sku_id"], int(line["qty"])) for line in record.lines)
    if asked != had:
        raise Conflict("reservation_exists", details={"order_id": record.order_id}, order_id=record.order_id)
    return view(record, replayed=True)


def _prefixed(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    return ValidationFailed([{**f, "field": prefix + f["field"]} for f in exc.fields])


def _choose_shard(stock: Stock, qty: int) -> Shard | None:
    """A random shard with enough (spreads a flash sale's writes), else None."""
    able = [s for s in stock.shards if s.available >= qty]
    return random.choice(able) if able else None


def reserve(ctx: AuthContext, body: ReservationCreate) -> ReservationView:
    shop_id = ctx.shop_id
    existing = load(shop_id, body.order_id)
    if existing is not None:
        return _replay(existing, body)
    every = warehouses.load_all(shop_id)
    if body.warehouse_id:
        warehouses.resolve(shop_id, body.warehouse_id, found=every)
    ranked = [w.warehouse_id for w in every if w.active and (body.warehouse_id in (None, w.warehouse_id))]

    def attempt() -> ReservationView:
        writes, lines = Writes(), []
        for i, line in enumerate(body.lines):
            stocks = stock_mod.read_sku(shop_id, line.sku_id)
            try:
                if not stocks:
                    stock_mod.catalog_sku(shop_id, line.product_id, line.sku_id)
                for s in stocks.values():
                    stock_mod.check_product(s, line.product_id)
            except ValidationFailed as exc:
                raise _prefixed(exc, f"lines.{i}.") from exc
            candidates = [stocks[w] for w in ranked if w in stocks]
            chosen = next((s for s in candidates if s.available >= line.qty), None)
            if chosen is None:
                best = max(candidates, key=lambda s: s.available, default=None) or \
                    Stock(shop_id, line.sku_id, body.warehouse_id or (ranked[0] if ranked else ""), None, [Shard(0)])
                raise ledger.insufficient(best, line.qty)
            shard = _choose_shard(chosen, line.qty)
            if shard is None:  # enough in the warehouse, but spread over shards
                shards.gather(chosen, line.qty, ctx.actor)
                raise Stale()
            ledger.change(writes, chosen, shard, reserved=line.qty, kind="reservation", actor=ctx.actor,
                          ref_type="order", ref_id=body.order_id)
            lines.append(ReservationLine(sku_id=line.sku_id, product_id=line.product_id,
                                         warehouse_id=chosen.warehouse_id, shard=shard.k, qty=line.qty))
        now = clock.iso()
        record = ReservationRecord(reservation_pk(shop_id, body.order_id), RESERVATION_SK, order_id=body.order_id,
                                   status="reserved", lines=[line.model_dump() for line in lines], created_at=now,
                                   updated_at=now, actor_id=ctx.actor.id)
        writes.put(record, ReservationRecord.pk.does_not_exist(), ("reservation",))
        event = StockReserved(shop_id=shop_id, actor=ctx.actor, resource_id=body.order_id,
                              lines=[StockLine(**line.model_dump(exclude={"shard"})) for line in lines])
        writes.put(_event_item(shop_id, body.order_id, event))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "reservation"):
                raise _Exists() from exc
            if failed(exc, "stock"):
                raise Stale() from exc
            raise
        return view(record)

    try:
        return retrying(attempt)
    except _Exists:
        found = load(shop_id, body.order_id)
        assert found is not None
        return _replay(found, body)
    except Conflict as exc:
        if exc.code == "insufficient_stock":  # what an operator watches in a flash sale
            metrics.reservation_refused(shop_id, exc.code, body.order_id)
        raise


def active_warehouses(shop_id: str) -> list[str]:
    """The shop's active warehouse ids by priority, kept per container for ``WAREHOUSES_FOR``
    seconds (a warehouse switched off may still take an order's reservation that long)."""
    now = time.monotonic()
    cached = _warehouses.get(shop_id)
    if cached is None or now - cached[0] > WAREHOUSES_FOR:
        cached = (now, warehouses.load_all(shop_id))
        _warehouses[shop_id] = cached
    return [w.warehouse_id for w in cached[1] if w.active]


def stock_keys(shop_id: str, sku_ids: list[str], warehouse_ids: list[str]) -> list[tuple[Any, str, str]]:
    """The shard-0 stock items an order's reservation reads, for the caller's BatchGetItem."""
    return [(StockRecord, stock_pk(shop_id, sku), warehouse_sk(w)) for sku in sku_ids for w in warehouse_ids]


def stocks_from(shop_id: str, sku_ids: list[str], warehouse_ids: list[str],
                found: dict[tuple[str, str], StockRecord]) -> dict[str, list[Stock]]:
    """Per SKU, its stock in each warehouse that has it, by warehouse priority, from the items
    read by ``stock_keys`` (flash-sale SKUs' other shards: one more BatchGetItem)."""
    heads = [found[k] for sku in sku_ids for w in warehouse_ids
             if (k := (stock_pk(shop_id, sku), warehouse_sk(w))) in found]
    assembled = stock_mod.assemble(shop_id, heads)
    out: dict[str, list[Stock]] = {sku: [] for sku in sku_ids}
    for s in assembled:
        out[s.sku_id].append(s)
    return out


def plan(writes: Writes, shop_id: str, order_id: str, lines: list[ReservationLineInput],
         stocks: dict[str, list[Stock]], actor: Actor) -> list[ReservationLine]:
    """Append an order's reservation to ``writes``: per line the first warehouse (by priority)
    with enough available, a random shard of it with enough; the reservation item (conditional
    on not existing) and ``StockReserved``. Raises 409 ``insufficient_stock`` naming the SKU
    when no warehouse has enough, ``Stale`` when enough is spread over shards (gathered first:
    plan again). The caller commits; a failed ``("stock", ...)`` condition means plan again
    from a fresh read."""
    planned = []
    for line in lines:
        candidates = [s for s in stocks.get(line.sku_id, []) if s.product_id == line.product_id]
        chosen = next((s for s in candidates if s.available >= line.qty), None)
        if chosen is None:
            best = max(candidates, key=lambda s: s.available, default=None) or \
                Stock(shop_id, line.sku_id, "", None, [Shard(0)])
            metrics.reservation_refused(shop_id, "insufficient_stock", order_id)
            raise ledger.insufficient(best, line.qty, line.sku_id)
        shard = _choose_shard(chosen, line.qty)
        if shard is None:
            shards.gather(chosen, line.qty, actor)
            raise Stale()
        ledger.change(writes, chosen, shard, reserved=line.qty, kind="reservation", actor=actor,
                      ref_type="order", ref_id=order_id)
        planned.append(ReservationLine(sku_id=line.sku_id, product_id=line.product_id,
                                       warehouse_id=chosen.warehouse_id, shard=shard.k, qty=line.qty))
    now = clock.iso()
    record = ReservationRecord(reservation_pk(shop_id, order_id), RESERVATION_SK, order_id=order_id,
                               status="reserved", lines=[line.model_dump() for line in planned], created_at=now,
                               updated_at=now, actor_id=actor.id)
    writes.put(record, ReservationRecord.pk.does_not_exist(), ("reservation",))
    event = StockReserved(shop_id=shop_id, actor=actor, resource_id=order_id,
                          lines=[StockLine(**line.model_dump(exclude={"shard"})) for line in planned])
    writes.put(_event_item(shop_id, order_id, event))
    return planned


def release(ctx: AuthContext, order_id: str) -> ReservationView:
    """Give an order's reserved units back (cancelled, unpaid)."""
    return _close(ctx, order_id, "released")


def deduct(ctx: AuthContext, order_id: str) -> ReservationView:
    """The order shipped: its reserved units leave on hand (a sale)."""
    return _close(ctx, order_id, "deducted")


def _shard_of(stock: Stock, k: int) -> Shard:
    for s in stock.shards:
        if s.k == k:
            return s
    record = StockRecord.get(stock_pk(stock.shop_id, stock.sku_id, k), warehouse_sk(stock.warehouse_id),
                             consistent_read=True)
    shard = Shard(k=k, on_hand=int(record.on_hand), reserved=int(record.reserved),
                  available=int(record.available), exists=True)
    stock.shards.append(shard)
    return shard


def plan_release(writes: Writes, shop_id: str, order_id: str, actor: Actor) -> bool:
    """Append the release of an order's reservation to ``writes`` (an order cancelled in its own
    transaction). False when there is nothing to release (none, or already closed). The stock
    is read here; a failed ``("stock", ...)``/``("reservation",)`` condition means: plan again."""
    record = load(shop_id, order_id)
    if record is None or record.status != "reserved":
        return False
    _plan_close(writes, shop_id, record, "released", actor)
    return True


def _plan_close(writes: Writes, shop_id: str, record: ReservationRecord, to: str, actor: Actor) -> str:
    order_id = record.order_id
    for line in record.lines:
        qty = int(line["qty"])
        stock = stock_mod.read(shop_id, line["sku_id"], line["warehouse_id"])
        shard = _shard_of(stock, int(line.get("shard", 0)))
        if to == "released":
            ledger.change(writes, stock, shard, reserved=-qty, kind="release", actor=actor, ref_type="order",
                          ref_id=order_id)
        else:
            ledger.change(writes, stock, shard, on_hand=-qty, reserved=-qty, kind="sale", actor=actor,
                          ref_type="order", ref_id=order_id)
    now = clock.iso()
    writes.update(record, [ReservationRecord.status.set(to), ReservationRecord.updated_at.set(now)],
                  ReservationRecord.status == "reserved", ("reservation",))
    lines = [StockLine(**{k: v for k, v in line.items() if k != "shard"}) for line in record.lines]
    event_type = StockReleased if to == "released" else StockDeducted
    writes.put(_event_item(shop_id, order_id, event_type(shop_id=shop_id, actor=actor, resource_id=order_id,
                                                         lines=lines)))
    return now


def _close(ctx: AuthContext, order_id: str, to: str) -> ReservationView:
    shop_id = ctx.shop_id

    def attempt() -> ReservationView:
        record = load(shop_id, order_id)
        if record is None:
            raise NotFound("reservation_not_found", details={"order_id": order_id})
        if record.status == to:
            return view(record, replayed=True)
        if record.status != "reserved":
            raise Conflict("reservation_closed", details={"order_id": order_id, "status": record.status},
                           status=record.status)
        writes = Writes()
        now = _plan_close(writes, shop_id, record, to, ctx.actor)
        try:
            writes.commit()
        except ConditionsFailed as exc:
            raise Stale() from exc  # closed by someone else, or the stock moved: look again
        record.status, record.updated_at = to, now
        return view(record)

    return retrying(attempt)
