"""The stock the catalog shows. Stock belongs to inventory (``shared.inventory``); the catalog
keeps a copy of each product's totals on the product item (``stock_available``, ``stock_state``,
``stock_version``) so lists can show and filter them, and reads per-SKU stock fresh when one
product is opened.

Level-triggered, like the indexer: an inventory event only says "the stock of product P
changed"; ``refresh`` reads P's stock as it is now and writes the totals, conditional on the
reading being newer than the one written (``stock_version``: the sum of the counters of the
stock items read, which only ever grow), so a slow consumer holding an older reading never
overwrites a newer one, and a replayed event changes nothing.

Reading a product's stock: one Query of inventory's ``stock_list`` index (keys only; the stock
items of the product's SKUs in every warehouse), plus the items the event names (the index is
eventually consistent, a stock item created a moment ago may not be in it yet), then one
BatchGetItem of the items and one of the extra shards of flash-sale SKUs. Read-only: nothing here
writes the inventory table.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import UpdateError

from shared.catalog.models import ProductView, StockState
from shared.catalog.tables import PRODUCT_SK, ProductRecord, product_pk
from shared.inventory.events import StockAdjusted, StockDeducted, StockLow, StockReleased, StockReserved
from shared.inventory.stock import Shard, Stock, get_many
from shared.inventory.tables import StockRecord, list_pk, stock_pk, warehouse_sk

Key = tuple[str, str]
# The events after which a product's stock may look different (source shopdesk.inventory).
STOCK_EVENTS = (StockReserved, StockReleased, StockDeducted, StockAdjusted, StockLow)
StockEvent = StockReserved | StockReleased | StockDeducted | StockAdjusted | StockLow


@dataclass(frozen=True)
class ProductStock:
    """A product's stock in all warehouses, as read: totals, the state, each SKU's available
    units, and the version of the reading (see the module's docstring)."""

    available: int = 0
    state: StockState = "out"
    version: int = 0
    by_sku: dict[str, int] = field(default_factory=dict)
    sku_states: dict[str, StockState] = field(default_factory=dict)  # each SKU's state (state_of its stocks)
    flash_sale: frozenset[str] = frozenset()  # SKUs whose stock is split over shards (flash sale)


def state_of(stocks: list[Stock]) -> StockState:
    """out: nothing available (also: no stock yet); low: a SKU at or below its safety stock in a
    warehouse (the inventory's ``low``); else in_stock."""
    if sum(s.available for s in stocks) <= 0:
        return "out"
    return "low" if any(s.low for s in stocks) else "in_stock"


def read(shop_id: str, product_id: str, named: Iterable[Key] = ()) -> ProductStock:
    """The product's stock now (strongly consistent item reads). ``named``: keys of shard-0 stock
    items to read even if the index does not list them yet."""
    keys = [(k.pk, k.sk) for k in StockRecord.stock_list.query(list_pk(shop_id),
                                                                StockRecord.lsk.startswith(f"{product_id}#"))]
    heads = [h for h in get_many(list(dict.fromkeys([*keys, *named]))).values() if h.product_id == product_id]
    # Shards 1..span-1: the active ones hold the units; retired ones (after the shard count was
    # lowered) hold none, but their counters still count in the version, which must never go down.
    shard_keys = {(h.pk, h.sk): [(stock_pk(shop_id, h.sku_id, k), h.sk)
                                 for k in range(1, max(int(h.shards or 1), int(h.shard_span or 1)))] for h in heads}
    extra = [key for ks in shard_keys.values() for key in ks]
    found = get_many(extra) if extra else {}
    stocks: list[Stock] = []
    version = 0
    for h in heads:
        mine = shard_keys[(h.pk, h.sk)]
        active = mine[:int(h.shards or 1) - 1]
        stocks.append(Stock(shop_id, h.sku_id, h.warehouse_id, h,
                            [Shard.of(h, 0), *(Shard.of(found.get(key), k) for k, key in enumerate(active, start=1))]))
        # Each item's counter and units come from the same read: equal versions, equal stock.
        version += int(h.version or 0) + int(h.settings_version or 0)
        version += sum(int(found[key].version or 0) for key in mine if key in found)
    by_sku: dict[str, int] = {}
    of_sku: dict[str, list[Stock]] = {}
    for s in stocks:
        by_sku[s.sku_id] = by_sku.get(s.sku_id, 0) + s.available
        of_sku.setdefault(s.sku_id, []).append(s)
    return ProductStock(available=sum(by_sku.values()), state=state_of(stocks), version=version, by_sku=by_sku,
                        sku_states={sku: state_of(held) for sku, held in of_sku.items()},
                        flash_sale=frozenset(s.sku_id for s in stocks if len(s.shards) > 1))


def write(shop_id: str, product_id: str, stock: ProductStock) -> bool:
    """Put the reading on the product item (no version bump, no ``updated_at``: the product did
    not change), if the product exists and holds an older reading. False when it did not."""
    condition = ProductRecord.pk.exists() & (ProductRecord.stock_version.does_not_exist()
                                             | (ProductRecord.stock_version < stock.version))
    try:
        ProductRecord(product_pk(shop_id, product_id), PRODUCT_SK).update(
            actions=[ProductRecord.stock_available.set(stock.available), ProductRecord.stock_state.set(stock.state),
                     ProductRecord.stock_version.set(stock.version)],
            condition=condition)
        return True
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False  # deleted, or a newer (or the same) reading is there already
        raise


def shown(shop_id: str, product: ProductView) -> ProductView:
    """A product as the API answers it: with its stock read now, per SKU (``available``) and in
    total, rather than the totals last written on the item (one index Query + one BatchGetItem)."""
    fresh = read(shop_id, product.id)
    return product.model_copy(update={
        "stock_available": fresh.available, "stock_state": fresh.state,
        "skus": [s.model_copy(update={"available": fresh.by_sku.get(s.id, 0)}) for s in product.skus]})


def refresh(shop_id: str, product_id: str, named: Iterable[Key] = ()) -> bool:
    return write(shop_id, product_id, read(shop_id, product_id, named))


def affected(event: StockEvent) -> dict[tuple[str, str], list[Key]]:
    """(shop, product) -> the stock items the event names. Reservation events name lines
    (``lines[].product_id/sku_id/warehouse_id``); the others one SKU (``resource_id``) in one
    warehouse."""
    detail: dict[str, Any] = event.model_dump(mode="json")
    shop_id = str(detail["shop_id"])
    named: dict[tuple[str, str], list[Key]] = {}
    lines = detail.get("lines") if isinstance(detail.get("lines"), list) else None
    if lines is None:
        lines = [{"product_id": detail.get("product_id"), "sku_id": detail.get("resource_id"),
                  "warehouse_id": detail.get("warehouse_id")}]
    for line in lines:
        if not line.get("product_id"):
            continue
        keys = named.setdefault((shop_id, str(line["product_id"])), [])
        if line.get("sku_id") and line.get("warehouse_id"):
            keys.append((stock_pk(shop_id, str(line["sku_id"])), warehouse_sk(str(line["warehouse_id"]))))
    return named


class Refresher:
    """The consumer's record handler. Within one batch a product is refreshed once: every
    message of the batch was sent before the batch was received, so a reading taken while
    handling the batch already covers all their changes (a flash sale's reservations of one
    product become one product write per batch)."""

    def __init__(self) -> None:
        self.done: set[tuple[str, str]] = set()

    def __call__(self, event: StockEvent) -> None:
        for (shop_id, product_id), keys in affected(event).items():
            if (shop_id, product_id) not in self.done:
                refresh(shop_id, product_id, keys)
                self.done.add((shop_id, product_id))
