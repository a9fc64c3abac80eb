"""Low-stock alerts (库存预警): one ``StockLow`` event per crossing of a SKU's safety stock, and
the daily digest of what is low. Rules and an example: docs/inventory.md#alerts.

- The threshold belongs to a SKU in a warehouse (``PUT /inventory/stock/{sku}/settings``); a
  stock is *low* when its available units (on hand - reserved, all shards) are at or below it,
  the same ``low`` the stock list shows. Each warehouse alerts for itself.
- The stock item (shard 0) carries the alert state: ``low_pk`` is set while the stock is low
  and alerted, absent while the alert is armed. Crossing down sets it and writes the event in
  the same transaction as the stock change; crossing back up removes it (re-arms). A flip is
  conditional on the state read, so two concurrent changes never both alert.
- Ordinary SKUs (one shard): the flip rides on the change's own update of the stock item,
  conditional on which side of the threshold the available units were (``available <= T - d``:
  DynamoDB conditions do no arithmetic, but the threshold and the change are known), so the
  decision is exact without serialising changes that do not cross.
- Flash-sale SKUs (several shards): a change writes one shard, so the crossing of the sum is
  decided after the commit by ``reconcile``: a fresh read and a flip conditional on every
  shard being as read (exact when it commits; if the process dies between the two, the next
  change of that stock makes up for it).
- ``low_pk`` keys the sparse index ``low_stock``: a shop's low stocks are one Query, and the
  shops having any (a marker item per shop, set by every flip down, swept by the digest when
  nothing is low any more) are one Query per shard: the digest scans nothing.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from shared import clock
from shared.events.base import Actor
from shared.events.outbox import outbox_item, outbox_model
from shared.inventory import stock as stock_mod
from shared.inventory.events import LowStockLine, StockDigestCompiled, StockLow
from shared.inventory.stock import Shard, Stock
from shared.inventory.tables import INVENTORY_TABLE_ENV, InventoryItem, StockRecord, WarehouseRecord, stock_pk, warehouse_sk
from shared.keys import shop_key, shop_pk
from shared.tx import ConditionsFailed, Stale, Writes, retrying

QUIET_KINDS = frozenset({"rebalance"})  # moves units between shards: the total does not change
LOW_SHARDS = 4  # partitions of the "shops with low stock" list (written once per crossing)
MARKER_SK = "LOWSTOCK"
DIGEST_LINES = 20  # SKUs an event lists (the notification shows fewer, the stock page all)


def low_pk(shop_id: str) -> str:
    return shop_key(shop_id, "LOW")


def shops_pk(shard: int) -> str:
    return f"LOWSHOPS#{shard}"


def _shard_of(shop_id: str) -> int:
    return zlib.crc32(shop_id.encode()) % LOW_SHARDS


class _LowShops(GlobalSecondaryIndex["LowShopMarker"]):  # type: ignore[no-untyped-call]  # pynamodb: untyped
    """The same index as ``StockRecord.low_stock``, read for the marker items."""

    class Meta:
        index_name = "low_stock"
        projection = IncludeProjection(["kind"])

    low_pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class LowShopMarker(InventoryItem, discriminator="low_shop"):
    """(``SHOP#<s>``, ``LOWSTOCK``): the shop has had a stock go low since the last digest."""

    low_pk = UnicodeAttribute(null=True)  # absent once the digest found nothing low
    lsk = UnicodeAttribute()  # the shop id
    low_at = UnicodeAttribute()
    by_low = _LowShops()


# -- the decision, inside a stock change -------------------------------------------------------------
def track(writes: Writes, stock: Stock, shard: Shard, delta: int, kind: str, actor: Actor, now: str,
          ) -> tuple[list[Any], Any]:
    """Called by ``ledger.change`` for an existing stock item about to change its available units
    by ``delta``: the actions and the condition to add to that update (and, on a crossing down,
    the event and the shop marker are added to ``writes``)."""
    head = stock.head
    if head is None or kind in QUIET_KINDS:
        return [], None
    if stock.shard_count > 1 or shard.k != 0:
        if head.threshold is not None or head.low_pk is not None:
            writes.after_commit(("low", stock.sku_id, stock.warehouse_id),
                                lambda: reconcile(stock.shop_id, stock.sku_id, stock.warehouse_id, actor))
        return [], None
    flagged = head.low_pk is not None
    threshold = stock.threshold
    after = shard.available + delta
    low_after = threshold is not None and after <= threshold
    if delta == 0 and low_after == flagged:
        return [], None
    condition = StockRecord.low_pk.exists() if flagged else StockRecord.low_pk.does_not_exist()
    if threshold is None:
        condition &= StockRecord.threshold.does_not_exist()
    else:
        condition &= StockRecord.threshold == threshold
        # The side of the threshold the change lands on, stated on the value before it.
        condition &= (StockRecord.available <= threshold - delta) if low_after else \
            (StockRecord.available > threshold - delta)
    if low_after == flagged:
        return [], condition
    if not low_after:
        return _rearm(), condition
    return _flag_low(writes, stock, after, actor, now), condition


def _rearm() -> list[Any]:
    return [StockRecord.low_pk.remove(), StockRecord.low_since.remove()]


def _flag_low(writes: Writes, stock: Stock, available: int, actor: Actor, now: str) -> list[Any]:
    """The actions that mark the stock item low; the event and the shop marker go to ``writes``."""
    head = stock.head
    assert head is not None and head.threshold is not None
    event = StockLow(shop_id=stock.shop_id, actor=actor, resource_id=stock.sku_id, product_id=head.product_id,
                     warehouse_id=stock.warehouse_id, warehouse_name=_warehouse_name(stock),
                     product_name=head.product_name or "", sku_label=head.sku_label or "",
                     sku_code=head.sku_code or "", available=available, threshold=int(head.threshold))
    writes.put(outbox_item(INVENTORY_TABLE_ENV, event))
    if writes.first(("low_marker", stock.shop_id)):  # several SKUs of one order may cross together
        writes.update(LowShopMarker(shop_pk(stock.shop_id), MARKER_SK),
                      [LowShopMarker.kind.set(LowShopMarker),  # type: ignore[arg-type]  # pynamodb stores the tag
                       LowShopMarker.low_pk.set(shops_pk(_shard_of(stock.shop_id))),
                       LowShopMarker.lsk.set(stock.shop_id), LowShopMarker.low_at.set(now)])
    return [StockRecord.low_pk.set(low_pk(stock.shop_id)), StockRecord.low_since.set(now)]


def _warehouse_name(stock: Stock) -> str:
    """For the message (read only when a stock goes low)."""
    try:
        return str(WarehouseRecord.get(shop_pk(stock.shop_id), warehouse_sk(stock.warehouse_id)).name)
    except WarehouseRecord.DoesNotExist:
        return ""


# -- the decision, after a change (flash-sale SKUs) or a new threshold -------------------------------
def reconcile(shop_id: str, sku_id: str, warehouse_id: str, actor: Actor) -> bool:
    """Make the alert state agree with the stock as it is now; True when it flipped. The flip is
    conditional on every shard's available units being as read, so the sum it decided on is the
    sum when it commits."""
    def attempt() -> bool:
        stock = stock_mod.read(shop_id, sku_id, warehouse_id)
        head = stock.head
        if head is None:
            return False
        flagged = head.low_pk is not None
        if stock.low == flagged:
            return False
        now = clock.iso()
        writes = Writes()
        condition = (StockRecord.low_pk.exists() if flagged else StockRecord.low_pk.does_not_exist()) & \
            (StockRecord.available == stock.shards[0].available)
        condition &= StockRecord.threshold.does_not_exist() if head.threshold is None else \
            StockRecord.threshold == int(head.threshold)
        actions = _rearm() if flagged else _flag_low(writes, stock, stock.available, actor, now)
        writes.update(StockRecord(head.pk, head.sk), [*actions, StockRecord.updated_at.set(now)], condition,
                      ("stock", sku_id, warehouse_id, "0"))
        for s in stock.shards[1:]:
            writes.check(StockRecord, stock_pk(shop_id, sku_id, s.k), warehouse_sk(warehouse_id),
                         StockRecord.available == s.available if s.exists else StockRecord.pk.does_not_exist(),
                         ("stock", sku_id, warehouse_id, str(s.k)))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            raise Stale() from exc
        return True

    return retrying(attempt)


# -- the daily digest ---------------------------------------------------------------------------------
def low_stocks(shop_id: str) -> Iterator[Stock]:
    """The shop's stocks flagged low, by product then SKU (the sparse index, then the items)."""
    keys: list[tuple[str, str]] = []
    for entry in StockRecord.low_stock.query(low_pk(shop_id)):
        keys.append((entry.pk, entry.sk))
        if len(keys) == 100:
            yield from stock_mod.read_many(keys)
            keys = []
    yield from stock_mod.read_many(keys)


def _local_date(shop_id: str, moment: datetime) -> str:
    from shared.settings.service import read_section

    zone = str(read_section(shop_id, "profile").get("time_zone") or "Asia/Shanghai")
    try:
        return moment.astimezone(ZoneInfo(zone)).date().isoformat()
    except (KeyError, ValueError):
        return moment.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def digest_shop(shop_id: str, moment: datetime | None = None) -> bool:
    """One ``StockDigestCompiled`` event for the shop's low stocks of its local day (at most one a
    day: the outbox item's key is the shop and the date). False when nothing was sent: nothing
    is low (then the shop leaves the list) or today's digest exists already."""
    moment = moment or clock.now()
    low = [s for s in low_stocks(shop_id) if s.low]
    if not low:
        _forget(shop_id)
        return False
    date = _local_date(shop_id, moment)
    lines = [LowStockLine(sku_id=s.sku_id, product_id=s.product_id, warehouse_id=s.warehouse_id,
                          product_name=s.head.product_name or "", sku_label=s.head.sku_label or "",
                          sku_code=s.head.sku_code or "", available=s.available, threshold=s.threshold or 0)
             for s in low[:DIGEST_LINES] if s.head is not None]
    event = StockDigestCompiled(event_id=f"evt_digest_{shop_id}_{date}", shop_id=shop_id,
                                actor=Actor.system("stock_digest"), date=date, count=len(low), lines=lines)
    item = outbox_item(INVENTORY_TABLE_ENV, event)
    try:
        item.save(outbox_model(INVENTORY_TABLE_ENV).sk.does_not_exist())
    except Exception as exc:  # PutError
        if "ConditionalCheckFailed" in str(exc):
            return False
        raise
    return True


def _forget(shop_id: str) -> None:
    """Nothing is low: the shop leaves the digest list, unless a stock went low meanwhile."""
    try:
        marker = LowShopMarker.get(shop_pk(shop_id), MARKER_SK, consistent_read=True)
    except LowShopMarker.DoesNotExist:
        return
    try:  # out of the sparse index; the item stays (no function deletes in this table but warehouses)
        marker.update([LowShopMarker.low_pk.remove()], LowShopMarker.low_at == marker.low_at)
    except Exception as exc:  # UpdateError: a stock went low meanwhile; it stays listed
        if "ConditionalCheckFailed" not in str(exc):
            raise


def shops_with_low_stock() -> Iterator[str]:
    for shard in range(LOW_SHARDS):
        for marker in LowShopMarker.by_low.query(shops_pk(shard)):
            yield str(marker.lsk)


def run_digest(moment: datetime | None = None) -> dict[str, int]:
    """The daily schedule: every shop that has low stock gets its digest (once per local day)."""
    sent = checked = 0
    for shop_id in shops_with_low_stock():
        checked += 1
        sent += int(digest_shop(shop_id, moment))
    return {"shops": checked, "digests": sent}
