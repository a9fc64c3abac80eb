"""Stock settings of a SKU in a warehouse (safety-stock threshold, shard count) and the shards of
flash-sale SKUs.

A DynamoDB partition takes about 1,000 write units a second, so one stock item caps how fast one
SKU can be reserved. A flash-sale SKU's stock is split over ``shards`` items, each in its own
partition (``SHOP#<s>#SKU#<sku>#<k>``); a reservation takes units from one shard (a random one
with enough), and the totals are the sums. Units move between shards with ``rebalance``
movements (net zero for the SKU): receipts fill the emptiest shards first, a reservation that
finds no single shard with enough gathers units into one, and changing the shard count spreads
the available units evenly over the new shards. See docs/inventory.md for the capacity.
"""
from __future__ import annotations

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import Conflict, VersionConflict
from shared.events.base import Actor
from shared.inventory import alerts, ledger, stock_views, warehouses
from shared.inventory import stock as stock_mod
from shared.inventory.models import SkuStockView, StockSettings
from shared.inventory.stock import Shard, Stock
from shared.inventory.tables import StockRecord, list_pk, list_sk, stock_pk, warehouse_list_pk, warehouse_sk
from shared.tx import ConditionsFailed, Stale, Writes, retrying


def gather(stock: Stock, qty: int, actor: Actor) -> None:
    """Move available units into the fullest shard until it holds ``qty`` (one transaction)."""
    target = max(stock.shards, key=lambda s: (s.available, -s.k))
    need = qty - target.available
    moves = ledger.split_decrease([s for s in stock.shards if s is not target], need)
    moved = sum(n for _, n in moves)
    if moved < need:
        raise ledger.insufficient(stock, qty)
    writes = Writes()
    for shard, n in moves:
        ledger.change(writes, stock, shard, on_hand=-n, kind="rebalance", actor=actor, reason="gather",
                      ref_type="shards")
    ledger.change(writes, stock, target, on_hand=moved, kind="rebalance", actor=actor, reason="gather",
                  ref_type="shards")
    ledger.commit(writes)


def _all_shards(stock: Stock, upto: int) -> list[Shard]:
    """Shards 0..upto-1, read (items beyond the active ones may exist from an earlier count)."""
    have = {s.k: s for s in stock.shards}
    missing = [k for k in range(upto) if k not in have]
    if missing:
        keys = [(stock_pk(stock.shop_id, stock.sku_id, k), warehouse_sk(stock.warehouse_id)) for k in missing]
        found = {int(r.shard): r for r in StockRecord.batch_get(keys, consistent_read=True)}
        for k in missing:
            r = found.get(k)
            have[k] = Shard(k=k, on_hand=int(r.on_hand), reserved=int(r.reserved), available=int(r.available),
                            exists=True) if r else Shard(k=k)
    return [have[k] for k in range(upto)]


def update_settings(ctx: AuthContext, sku_id: str, body: StockSettings) -> SkuStockView:
    """Replace the threshold and the shard count (``version`` = the settings version read)."""
    warehouse = warehouses.resolve(ctx.shop_id, body.warehouse_id)
    wanted = body.shards or 1

    def attempt() -> None:
        stock = stock_mod.read(ctx.shop_id, sku_id, warehouse.warehouse_id)
        stock_mod.check_product(stock, body.product_id)
        current = int(stock.head.settings_version or 0) if stock.head else 0
        if body.version != current:
            raise VersionConflict(expected=body.version, current=current)
        if stock.head is None:
            _create(ctx, stock, body, wanted)
            return
        head = stock.head
        span = max(int(head.shard_span or 1), wanted)
        shards = _all_shards(stock, max(span, stock.shard_count))
        busy = [s.k for s in shards[wanted:] if s.reserved]
        if busy:
            raise Conflict("shards_busy", details={"shards": busy}, shards=busy)
        settings = [StockRecord.settings_version.add(1), StockRecord.shards.set(wanted),
                    StockRecord.shard_span.set(span),
                    StockRecord.threshold.set(body.threshold) if body.threshold is not None
                    else StockRecord.threshold.remove()]
        settings_condition = StockRecord.settings_version == current if current else \
            StockRecord.settings_version.does_not_exist() | (StockRecord.settings_version == 0)
        deltas = _spread(shards, wanted) if wanted != stock.shard_count else {}
        writes = Writes()
        for shard in shards:
            delta = deltas.get(shard.k, 0)
            if shard.k == 0:
                ledger.change(writes, stock, shard, on_hand=delta, kind="rebalance", actor=ctx.actor,
                              reason="shards", ref_type="shards", extra=settings, extra_condition=settings_condition) \
                    if delta else writes.update(StockRecord(head.pk, head.sk),
                                                [*settings, StockRecord.updated_at.set(clock.iso())],
                                                settings_condition, ("settings",))
            elif delta:
                ledger.change(writes, stock, shard, on_hand=delta, kind="rebalance", actor=ctx.actor,
                              reason="shards", ref_type="shards")
        try:
            writes.commit()
        except ConditionsFailed as exc:
            raise Stale() from exc

    retrying(attempt)
    # A new threshold may put the stock below its safety level (one alert) or above it (re-armed).
    alerts.reconcile(ctx.shop_id, sku_id, warehouse.warehouse_id, ctx.actor)
    return stock_views.sku_view(ctx.shop_id, sku_id)


def _spread(shards: list[Shard], wanted: int) -> dict[int, int]:
    """On-hand deltas that leave the available units evenly over shards 0..wanted-1 (reserved
    units stay in the shard that reserved them; shards beyond ``wanted`` end empty)."""
    total = sum(s.available for s in shards)
    per, extra = divmod(total, wanted)
    target = {k: per + (1 if k < extra else 0) for k in range(wanted)}
    return {s.k: target.get(s.k, 0) - s.available for s in shards if target.get(s.k, 0) != s.available}


def _create(ctx: AuthContext, stock: Stock, body: StockSettings, wanted: int) -> None:
    """Settings of a SKU that has no stock yet in that warehouse: an empty stock item."""
    info = stock_mod.catalog_sku(ctx.shop_id, body.product_id, stock.sku_id)
    now = clock.iso()
    record = StockRecord(
        stock_pk(ctx.shop_id, stock.sku_id), warehouse_sk(stock.warehouse_id), sku_id=stock.sku_id,
        product_id=info.product_id, warehouse_id=stock.warehouse_id, shard=0, on_hand=0, reserved=0, available=0,
        version=1, updated_at=now, created_at=now, threshold=body.threshold, shards=wanted, shard_span=wanted,
        settings_version=1, product_name=info.product_name, sku_label=info.sku_label, sku_code=info.sku_code,
        lpk=list_pk(ctx.shop_id), wpk=warehouse_list_pk(ctx.shop_id, stock.warehouse_id),
        lsk=list_sk(info.product_id, stock.sku_id, stock.warehouse_id))
    try:
        record.save(StockRecord.pk.does_not_exist())
    except Exception as exc:  # PutError: someone posted stock meanwhile
        if "ConditionalCheckFailed" in str(exc):
            raise Stale() from exc
        raise
