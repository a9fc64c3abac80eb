"""The movement ledger: every stock change is an append-only movement, written in the same
transaction as the stock item it changes, so that for every SKU, warehouse (and shard)

    on_hand  = sum(movement.on_hand_delta)      reserved = sum(movement.reserved_delta)

always. ``change`` appends one stock item update (conditional on what was read) and its movement
to a ``Writes``; ``post`` does that for an on-hand change of any size (spread over the shards of a
flash-sale SKU) plus the ``StockAdjusted`` event, so purchase orders and stocktakes can post
stock atomically with their own records:

    writes = Writes()
    ledger.post(writes, actor, shop_id, product_id=..., sku_id=..., warehouse_id=..., delta=+12,
                kind="purchase_receipt", ref_type="purchase_order", ref_id=po_id)
    writes.put(my_po_record, ...)
    writes.commit()          # on ConditionsFailed with a ("stock", ...) label: read again and retry

(or ``tx.retrying`` around a function that builds and commits.)
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import Conflict
from shared.events.base import Actor
from shared.events.outbox import outbox_item
from shared.ids import new_id
from shared.inventory import alerts, stock_views, warehouses
from shared.inventory import stock as stock_mod
from shared.inventory.events import StockAdjusted
from shared.inventory.models import (
    Adjustment,
    MovementExport,
    MovementFilter,
    MovementQuery,
    MovementView,
    PostingView,
    Receipt,
    Transfer,
)
from shared.inventory.stock import Shard, SkuInfo, Stock
from shared.inventory.tables import (
    INVENTORY_TABLE_ENV,
    MovementRecord,
    StockRecord,
    WarehouseRecord,
    list_pk,
    list_sk,
    movement_pk,
    stock_pk,
    warehouse_list_pk,
    warehouse_sk,
)
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.tx import ConditionsFailed, Stale, Writes, failed, retrying

EXPORT_MAX_ROWS = 50_000


@dataclass
class Posted:
    movements: list[MovementRecord]
    on_hand_after: int  # of the SKU in the warehouse, all shards


def insufficient(stock: Stock, requested: int, sku_id: str | None = None) -> Conflict:
    sku = sku_id or stock.sku_id
    return Conflict("insufficient_stock", details={"sku_id": sku, "warehouse_id": stock.warehouse_id,
                                                   "available": stock.available, "requested": requested},
                    sku=sku, available=stock.available, requested=requested)


def change(writes: Writes, stock: Stock, shard: Shard, *, on_hand: int = 0, reserved: int = 0, kind: str,
           actor: Actor, reason: str = "", ref_type: str | None = None, ref_id: str | None = None,
           info: SkuInfo | None = None, extra: list[Any] | None = None, extra_condition: Any = None,
           ) -> MovementRecord:
    """Append one shard's update and its movement. The update is conditional on the shard's on
    hand being what was read (so ``on_hand_after`` is exact), on never taking available below 0
    nor reserved below 0, and, for a new item, on it not existing yet."""
    now = clock.iso()
    key = StockRecord(stock_pk(stock.shop_id, stock.sku_id, shard.k), warehouse_sk(stock.warehouse_id))
    actions: list[Any] = [StockRecord.updated_at.set(now)]
    condition: Any
    if shard.exists:
        actions.append(StockRecord.version.add(1))
        if on_hand:
            actions.append(StockRecord.on_hand.add(on_hand))
        if reserved:
            actions.append(StockRecord.reserved.add(reserved))
        if on_hand - reserved:
            actions.append(StockRecord.available.add(on_hand - reserved))
        condition = StockRecord.on_hand == shard.on_hand
        if on_hand - reserved < 0:
            condition &= StockRecord.available >= reserved - on_hand
        if reserved < 0:
            condition &= StockRecord.reserved >= -reserved
        # A crossing of the safety stock is decided here, in the same update (shared.inventory.alerts).
        alert_actions, alert_condition = alerts.track(writes, stock, shard, on_hand - reserved, kind, actor, now)
        actions += alert_actions
        if alert_condition is not None:
            condition &= alert_condition
    else:
        if on_hand - reserved < 0 or reserved < 0:
            raise insufficient(stock, max(reserved - on_hand, -reserved))
        actions += creation(stock, shard.k, info, now, on_hand=on_hand, reserved=reserved)
        condition = StockRecord.pk.does_not_exist()
    if extra_condition is not None:
        condition &= extra_condition
    writes.update(key, actions + (extra or []), condition, ("stock", stock.sku_id, stock.warehouse_id, str(shard.k)))
    movement_id = new_id("mov_")
    movement = MovementRecord(
        movement_pk(stock.shop_id, stock.sku_id, shard.k), f"{now}#{movement_id}", movement_id=movement_id,
        movement_kind=kind, sku_id=stock.sku_id, product_id=info.product_id if info else stock.product_id,
        warehouse_id=stock.warehouse_id, shard=shard.k, on_hand_delta=on_hand, reserved_delta=reserved,
        on_hand_after=shard.on_hand + on_hand, reason=reason, ref_type=ref_type, ref_id=ref_id, actor_id=actor.id,
        actor_email=actor.email, at=now)
    writes.put(movement)
    shard.on_hand += on_hand
    shard.reserved += reserved
    shard.available += on_hand - reserved
    shard.exists = True
    return movement


def split_increase(shards: list[Shard], qty: int) -> list[tuple[Shard, int]]:
    """Spread units so the shards' available ends as even as it can (fill the lowest first)."""
    order = sorted(shards, key=lambda s: (s.available, s.k))
    level, left, count = order[0].available, qty, 1
    while count < len(order):
        cost = (order[count].available - level) * count
        if cost > left:
            break
        left -= cost
        level = order[count].available
        count += 1
    per, extra = divmod(left, count)
    give = [level - s.available + per + (1 if j < extra else 0) for j, s in enumerate(order[:count])]
    return [(s, g) for s, g in zip(order, give, strict=False) if g]


def split_decrease(shards: list[Shard], qty: int) -> list[tuple[Shard, int]]:
    """Take units from the shards with most available first."""
    out, left = [], qty
    for s in sorted(shards, key=lambda s: (-s.available, s.k)):
        take = min(left, s.available)
        if take:
            out.append((s, take))
            left -= take
        if not left:
            break
    return out


def post(writes: Writes, actor: Actor, shop_id: str, *, product_id: str, sku_id: str, warehouse_id: str | None,
         delta: int, kind: str, reason: str = "", ref_type: str | None = None, ref_id: str | None = None,
         warehouse_field: str = "warehouse_id", known: list[WarehouseRecord] | None = None) -> Posted:
    """Append an on-hand change of ``delta`` units (+ or -) of a SKU in a warehouse: the stock
    updates, their movements and one ``StockAdjusted`` event. Reads the stock first (strongly
    consistent): removing more than is available is refused here (409 ``insufficient_stock``);
    units coming in need an active warehouse and, the first time, a SKU of the shop's catalog.
    ``known``: the shop's warehouses when the caller has them (saves a read per posting)."""
    warehouse = warehouses.resolve(shop_id, warehouse_id, warehouse_field, known)
    stock = stock_mod.read(shop_id, sku_id, warehouse.warehouse_id)
    stock_mod.check_product(stock, product_id)
    info = None
    if not stock.exists:
        info = stock_mod.catalog_sku(shop_id, product_id, sku_id)
    if delta > 0:
        warehouses.require_active(writes, shop_id, warehouse, warehouse_field)
        parts = split_increase(stock.shards, delta)
    else:
        if stock.available < -delta:
            raise insufficient(stock, -delta)
        parts = [(s, -n) for s, n in split_decrease(stock.shards, -delta)]
    movements = [change(writes, stock, shard, on_hand=n, kind=kind, actor=actor, reason=reason, ref_type=ref_type,
                        ref_id=ref_id, info=info) for shard, n in parts]
    # The shards not changed are checked unchanged, so the balance after is exact for the whole SKU.
    for shard in stock.shards:
        if shard.exists and all(shard is not s for s, _ in parts):
            writes.check(StockRecord, stock_pk(shop_id, sku_id, shard.k), warehouse_sk(stock.warehouse_id),
                         StockRecord.on_hand == shard.on_hand, ("stock", sku_id, stock.warehouse_id, str(shard.k)))
    event = StockAdjusted(shop_id=shop_id, actor=actor, resource_id=sku_id, product_id=product_id,
                          warehouse_id=stock.warehouse_id, kind=kind, delta=delta, on_hand_after=stock.on_hand,
                          available_after=stock.available, reason=reason, ref_type=ref_type, ref_id=ref_id)
    writes.put(outbox_item(INVENTORY_TABLE_ENV, event))
    return Posted(movements=movements, on_hand_after=stock.on_hand)


def commit(writes: Writes) -> None:
    """Commit; a failed stock or warehouse condition means the stock changed meanwhile: Stale."""
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "stock") or failed(exc, "warehouse"):
            raise Stale() from exc
        raise


# -- the API's postings -------------------------------------------------------------------------------
def _answer(shop_id: str, sku_id: str, movements: list[MovementRecord]) -> PostingView:
    return PostingView(movements=[movement_view(m) for m in movements], stock=stock_views.sku_view(shop_id, sku_id))


def receive(ctx: AuthContext, body: Receipt) -> PostingView:
    """A manual goods receipt (采购入库 without a purchase order)."""
    def attempt() -> list[MovementRecord]:
        writes = Writes()
        posted = post(writes, ctx.actor, ctx.shop_id, product_id=body.product_id, sku_id=body.sku_id,
                      warehouse_id=body.warehouse_id, delta=body.qty, kind="purchase_receipt", reason=body.reason,
                      ref_type="receipt" if body.ref_id else "manual", ref_id=body.ref_id)
        commit(writes)
        return posted.movements

    return _answer(ctx.shop_id, body.sku_id, retrying(attempt))


def adjust(ctx: AuthContext, body: Adjustment) -> PostingView:
    """A manual correction (+/-) with its reason."""
    def attempt() -> list[MovementRecord]:
        writes = Writes()
        posted = post(writes, ctx.actor, ctx.shop_id, product_id=body.product_id, sku_id=body.sku_id,
                      warehouse_id=body.warehouse_id, delta=body.delta, kind="adjustment", reason=body.reason,
                      ref_type="manual")
        commit(writes)
        return posted.movements

    return _answer(ctx.shop_id, body.sku_id, retrying(attempt))


def transfer(ctx: AuthContext, body: Transfer) -> PostingView:
    """Out of one warehouse and into another, in one transaction (two movements, two events)."""
    transfer_id = new_id("trf_")
    every = warehouses.load_all(ctx.shop_id)
    warehouses.resolve(ctx.shop_id, body.from_warehouse_id, "from_warehouse_id", every)
    warehouses.resolve(ctx.shop_id, body.to_warehouse_id, "to_warehouse_id", every)

    def attempt() -> list[MovementRecord]:
        writes = Writes()
        source = stock_mod.read(ctx.shop_id, body.sku_id, body.from_warehouse_id)
        if not source.exists:
            stock_mod.catalog_sku(ctx.shop_id, body.product_id, body.sku_id)  # 422 when not a SKU at all
            raise insufficient(source, body.qty)
        out = post(writes, ctx.actor, ctx.shop_id, product_id=body.product_id, sku_id=body.sku_id,
                   warehouse_id=body.from_warehouse_id, delta=-body.qty, kind="transfer", reason=body.reason,
                   ref_type="transfer", ref_id=transfer_id, warehouse_field="from_warehouse_id")
        into = post(writes, ctx.actor, ctx.shop_id, product_id=body.product_id, sku_id=body.sku_id,
                    warehouse_id=body.to_warehouse_id, delta=body.qty, kind="transfer", reason=body.reason,
                    ref_type="transfer", ref_id=transfer_id, warehouse_field="to_warehouse_id")
        commit(writes)
        return out.movements + into.movements

    return _answer(ctx.shop_id, body.sku_id, retrying(attempt))


# -- history ------------------------------------------------------------------------------------------
def movement_view(m: MovementRecord) -> MovementView:
    return MovementView(id=m.movement_id, kind=m.movement_kind, sku_id=m.sku_id, product_id=m.product_id,  # type: ignore[arg-type]
                        warehouse_id=m.warehouse_id, shard=int(m.shard), on_hand_delta=int(m.on_hand_delta),
                        reserved_delta=int(m.reserved_delta), on_hand_after=int(m.on_hand_after), reason=m.reason or "",
                        ref_type=m.ref_type, ref_id=m.ref_id, actor_id=m.actor_id, actor_email=m.actor_email, at=m.at)


def creation(stock: Stock, k: int, info: SkuInfo | None, now: str, *, on_hand: int = 0, reserved: int = 0,
             ) -> list[Any]:
    """The actions that make a new stock item (shard ``k``) with these counters."""
    product_id = info.product_id if info else stock.product_id
    actions: list[Any] = [
        StockRecord.kind.set(StockRecord),  # type: ignore[arg-type]  # pynamodb stores the class's tag
        StockRecord.sku_id.set(stock.sku_id), StockRecord.product_id.set(product_id),
        StockRecord.warehouse_id.set(stock.warehouse_id), StockRecord.shard.set(k), StockRecord.on_hand.set(on_hand),
        StockRecord.reserved.set(reserved), StockRecord.available.set(on_hand - reserved), StockRecord.version.set(1)]
    if k == 0:
        assert info is not None, "the first posting of a SKU needs its catalog info"
        actions += [StockRecord.created_at.set(now), StockRecord.product_name.set(info.product_name),
                    StockRecord.sku_label.set(info.sku_label), StockRecord.sku_code.set(info.sku_code),
                    StockRecord.shards.set(1), StockRecord.shard_span.set(1), StockRecord.settings_version.set(0),
                    StockRecord.lpk.set(list_pk(stock.shop_id)),
                    StockRecord.wpk.set(warehouse_list_pk(stock.shop_id, stock.warehouse_id)),
                    StockRecord.lsk.set(list_sk(product_id, stock.sku_id, stock.warehouse_id))]
    return actions


def _span(shop_id: str, sku_id: str) -> int:
    heads = stock_mod.read_sku(shop_id, sku_id, consistent=False)
    return max([s.span for s in heads.values()] or [1])


def _bounds(f: MovementFilter) -> tuple[str, str]:
    low = clock.iso(f.start) if f.start else "0"
    high = clock.iso(f.end) if f.end else "9"
    return low, high


def _filter(f: MovementFilter) -> Any:
    condition = None
    if f.warehouse_id:
        condition = MovementRecord.warehouse_id == f.warehouse_id
    if f.kind:
        kind = MovementRecord.movement_kind == f.kind
        condition = kind if condition is None else condition & kind
    return condition


def _shard_stream(shop_id: str, f: MovementFilter, shard: int, below: str | None) -> Iterator[MovementRecord]:
    """Newest first; ``below``: only sort keys before it (the cursor)."""
    low, high = _bounds(f)
    if below is not None and below < high:
        high = below
    if high <= low:
        return iter(())
    found = MovementRecord.query(movement_pk(shop_id, f.sku_id, shard), MovementRecord.sk.between(low, high),
                                 filter_condition=_filter(f), scan_index_forward=False, page_size=100)
    return (m for m in found if isinstance(m, MovementRecord) and m.sk != high)


def history(shop_id: str, query: MovementQuery) -> Page[MovementView]:
    """A SKU's movements, newest first, with filters. Ordinary SKUs: one Query. Flash-sale SKUs
    keep a movement partition per shard; their pages merge the shards' Queries by time."""
    scope = f"mov|{shop_id}|{query.model_dump_json(exclude={'limit', 'cursor'})}"
    state = decode_cursor(query.cursor, scope) or {}
    span = _span(shop_id, query.sku_id)
    heads: dict[int, MovementRecord] = {}
    streams: dict[int, Iterator[MovementRecord]] = {}
    for k in range(span):
        if state.get(str(k)) == "":
            continue  # this shard was read to its end
        streams[k] = _shard_stream(shop_id, query, k, state.get(str(k)))
        first = next(streams[k], None)
        if first is not None:
            heads[k] = first
    items: list[MovementRecord] = []
    while heads and len(items) < query.limit:
        k = max(heads, key=lambda s: heads[s].sk)
        items.append(heads[k])
        state[str(k)] = heads[k].sk
        following = next(streams[k], None)
        if following is None:
            del heads[k]
            state[str(k)] = ""
        else:
            heads[k] = following
    for k in range(span):  # shards never reached stay where they were
        state.setdefault(str(k), state.get(str(k), None))
    more = bool(heads)
    cursor_state = {k: v for k, v in state.items() if v is not None}
    return Page[MovementView](items=[movement_view(m) for m in items],
                              next_cursor=encode_cursor(cursor_state, scope) if more else None)


def all_movements(shop_id: str, f: MovementFilter) -> Iterator[MovementRecord]:
    """Every movement matching the filter, newest first (exports, consistency checks)."""
    streams = {k: _shard_stream(shop_id, f, k, None) for k in range(_span(shop_id, f.sku_id))}
    heads = {k: m for k, s in streams.items() if (m := next(s, None)) is not None}
    while heads:
        k = max(heads, key=lambda s: heads[s].sk)
        yield heads[k]
        following = next(streams[k], None)
        if following is None:
            del heads[k]
        else:
            heads[k] = following


EXPORT_HEADER = ["时间 time", "类型 kind", "商品 product_id", "SKU", "仓库 warehouse", "分片 shard",
                 "在库变化 on_hand_delta", "占用变化 reserved_delta", "变动后在库 on_hand_after", "原因 reason",
                 "单据类型 ref_type", "单据号 ref_id", "操作人 actor"]


def export(shop_id: str, body: MovementExport, may_see: bool) -> Any:
    """The movements as a file; who made them masked unless the caller may see personal data."""
    from itertools import islice

    from shared.exports import publish
    from shared.privacy import mask_email

    def who(m: MovementRecord) -> str:
        return str(m.actor_id if not m.actor_email else m.actor_email if may_see else mask_email(m.actor_email))

    rows = ([m.at, m.movement_kind, m.product_id, m.sku_id, m.warehouse_id, int(m.shard), int(m.on_hand_delta),
             int(m.reserved_delta), int(m.on_hand_after), m.reason or "", m.ref_type or "", m.ref_id or "", who(m)]
            for m in islice(all_movements(shop_id, body.filter), EXPORT_MAX_ROWS))
    return publish(shop_id, f"stock-movements-{body.filter.sku_id}", EXPORT_HEADER, rows, body.format)
