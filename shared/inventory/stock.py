"""Reading stock: one SKU in one warehouse (``Stock``: its shards and their totals), one SKU in
every warehouse (one Query of the SKU's partition, plus one BatchGetItem for the extra shards of
flash-sale SKUs), and the shop's stock list (a keys-only index page, then one BatchGetItem).

The SKU itself belongs to the catalog: the first time stock of a SKU is posted, it must be a
SKU of that product in this shop's catalog (read through ``shared.catalog.products``, a
read-only dependency), and its names are copied onto the stock item for lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.errors import NotFound, field_error
from shared.inventory.models import (
    ShardView,
    SkuStockView,
    StockQuery,
    StockRow,
    StockTotals,
    WarehouseStock,
)
from shared.inventory.tables import (
    StockRecord,
    list_pk,
    list_sk,
    stock_pk,
    warehouse_list_pk,
    warehouse_sk,
)
from shared.pagination import Page, decode_cursor, encode_cursor

LOW_EXAMINE = 300  # stock items looked at per page when only low stock is asked for


@dataclass
class Shard:
    k: int
    on_hand: int = 0
    reserved: int = 0
    available: int = 0
    exists: bool = False


@dataclass
class Stock:
    """One SKU in one warehouse: shard 0 (settings, names) and its active shards."""

    shop_id: str
    sku_id: str
    warehouse_id: str
    head: StockRecord | None
    shards: list[Shard] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return self.head is not None

    @property
    def on_hand(self) -> int:
        return sum(s.on_hand for s in self.shards)

    @property
    def reserved(self) -> int:
        return sum(s.reserved for s in self.shards)

    @property
    def available(self) -> int:
        return sum(s.available for s in self.shards)

    @property
    def product_id(self) -> str:
        return self.head.product_id if self.head else ""

    @property
    def shard_count(self) -> int:
        return int(self.head.shards or 1) if self.head else 1

    @property
    def span(self) -> int:
        return int(self.head.shard_span or 1) if self.head else 1

    @property
    def threshold(self) -> int | None:
        return None if self.head is None or self.head.threshold is None else int(self.head.threshold)

    @property
    def low(self) -> bool:
        return self.threshold is not None and self.available <= self.threshold


@dataclass(frozen=True)
class SkuInfo:
    """What the stock item copies from the catalog."""

    product_id: str
    product_name: str
    sku_label: str
    sku_code: str


def _shard(record: StockRecord | None, k: int) -> Shard:
    if record is None:
        return Shard(k=k)
    return Shard(k=k, on_hand=int(record.on_hand), reserved=int(record.reserved), available=int(record.available),
                 exists=True)


def _get_many(keys: list[tuple[str, str]], consistent: bool = True) -> dict[tuple[str, str], StockRecord]:
    found: dict[tuple[str, str], StockRecord] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 100):
        for item in StockRecord.batch_get(unique[start:start + 100], consistent_read=consistent):
            found[(item.pk, item.sk)] = item
    return found


def _assemble(shop_id: str, heads: list[StockRecord], consistent: bool = True) -> list[Stock]:
    """Stocks from their shard-0 items, reading the other shards of flash-sale SKUs in one go."""
    extra = [(stock_pk(shop_id, h.sku_id, k), h.sk) for h in heads for k in range(1, int(h.shards or 1))]
    found = _get_many(extra, consistent) if extra else {}
    out = []
    for h in heads:
        shards = [_shard(h, 0)] + [_shard(found.get((stock_pk(shop_id, h.sku_id, k), h.sk)), k)
                                   for k in range(1, int(h.shards or 1))]
        out.append(Stock(shop_id, h.sku_id, h.warehouse_id, h, shards))
    return out


def read(shop_id: str, sku_id: str, warehouse_id: str, consistent: bool = True) -> Stock:
    """One SKU in one warehouse (a Stock without head when none was ever posted)."""
    try:
        head = StockRecord.get(stock_pk(shop_id, sku_id), warehouse_sk(warehouse_id), consistent_read=consistent)
    except StockRecord.DoesNotExist:
        return Stock(shop_id, sku_id, warehouse_id, None, [Shard(k=0)])
    return _assemble(shop_id, [head], consistent)[0]


def read_sku(shop_id: str, sku_id: str, consistent: bool = True) -> dict[str, Stock]:
    """The SKU in every warehouse it was ever posted to, by warehouse id."""
    heads = [h for h in StockRecord.query(stock_pk(shop_id, sku_id), consistent_read=consistent)
             if isinstance(h, StockRecord)]
    return {s.warehouse_id: s for s in _assemble(shop_id, heads, consistent)}


def read_many(keys: list[tuple[str, str]]) -> list[Stock]:
    """Stocks by the keys of their shard-0 items (at most 100), in that order."""
    if not keys:
        return []
    found = _get_many(keys)
    heads = [found[k] for k in keys if k in found]
    shop_of = {h.pk: h.pk.split("#")[1] for h in heads}
    by_shop: dict[str, list[StockRecord]] = {}
    for h in heads:
        by_shop.setdefault(shop_of[h.pk], []).append(h)
    assembled = {(s.head.pk, s.head.sk): s for shop, hs in by_shop.items() for s in _assemble(shop, hs) if s.head}
    return [assembled[k] for k in keys if k in assembled]


def catalog_sku(shop_id: str, product_id: str, sku_id: str) -> SkuInfo:
    """The SKU as the catalog has it now; 422 on ``product_id`` / ``sku_id`` when it has not."""
    from shared.catalog import products

    try:
        loaded = products.load(shop_id, product_id)
    except NotFound as exc:
        raise field_error("product_id", "unknown_product", product_id=product_id) from exc
    for rec in loaded.skus:
        sku = products.to_sku(rec)
        if sku.id == sku_id:
            return SkuInfo(product_id=product_id, product_name=loaded.product.name, sku_label=" / ".join(sku.values),
                           sku_code=sku.code)
    raise field_error("sku_id", "unknown_sku", sku_id=sku_id)


def check_product(stock: Stock, product_id: str) -> None:
    """A stock item answers to its own product only."""
    if stock.head is not None and stock.head.product_id != product_id:
        raise field_error("sku_id", "unknown_sku", sku_id=stock.sku_id)


# -- views --------------------------------------------------------------------------------------------
def _row_fields(stock: Stock) -> dict[str, Any]:
    h = stock.head
    assert h is not None
    return {"sku_id": stock.sku_id, "product_id": h.product_id, "product_name": h.product_name or "",
            "sku_label": h.sku_label or "", "sku_code": h.sku_code or "", "warehouse_id": stock.warehouse_id,
            "on_hand": stock.on_hand, "reserved": stock.reserved, "available": stock.available,
            "threshold": stock.threshold, "low": stock.low, "shards": stock.shard_count,
            "version": int(h.settings_version or 0), "updated_at": h.updated_at}


def row(stock: Stock) -> StockRow:
    return StockRow(**_row_fields(stock))


def sku_view(shop_id: str, sku_id: str, stocks: dict[str, Stock] | None = None) -> SkuStockView:
    from shared.inventory import warehouses

    stocks = stocks if stocks is not None else read_sku(shop_id, sku_id)
    if not stocks:
        raise NotFound("stock_not_found", details={"sku_id": sku_id})
    ordered = warehouses.load_all(shop_id)
    rank = {w.warehouse_id: i for i, w in enumerate(ordered)}
    names = {w.warehouse_id: w.name for w in ordered}
    items = sorted(stocks.values(), key=lambda s: (rank.get(s.warehouse_id, len(rank)), s.warehouse_id))
    first = items[0].head
    assert first is not None
    return SkuStockView(
        sku_id=sku_id, product_id=first.product_id, product_name=first.product_name or "",
        sku_label=first.sku_label or "", sku_code=first.sku_code or "",
        totals=StockTotals(on_hand=sum(s.on_hand for s in items), reserved=sum(s.reserved for s in items),
                           available=sum(s.available for s in items)),
        warehouses=[WarehouseStock(**_row_fields(s), warehouse_name=names.get(s.warehouse_id, ""),
                                   shard_detail=[ShardView(shard=x.k, on_hand=x.on_hand, reserved=x.reserved,
                                                           available=x.available) for x in s.shards]
                                   if s.shard_count > 1 else [])
                    for s in items])


def list_stock(shop_id: str, query: StockQuery) -> Page[StockRow]:
    """A page of the shop's stock, by product then SKU: a keys-only index Query, then the items.
    ``low_only`` looks at up to ``LOW_EXAMINE`` items per page and keeps the low ones; the
    cursor continues where it stopped."""
    index: Any
    if query.warehouse_id:
        index, hash_key = StockRecord.stock_by_wh, warehouse_list_pk(shop_id, query.warehouse_id)
    else:
        index, hash_key = StockRecord.stock_list, list_pk(shop_id)
    scope = f"{hash_key}|{query.product_id or ''}|{int(query.low_only)}"
    condition = StockRecord.lsk.startswith(f"{query.product_id}#") if query.product_id else None
    per_page = LOW_EXAMINE if query.low_only else query.limit
    results = index.query(hash_key, condition, limit=per_page, last_evaluated_key=decode_cursor(query.cursor, scope))
    keys = [(k.pk, k.sk) for k in results]
    rows = [row(s) for s in read_many(keys)]
    last = results.last_evaluated_key
    if query.low_only:
        low = [r for r in rows if r.low]
        if len(low) > query.limit:  # continue after the last one shown
            shown = low[:query.limit]
            last_shown = shown[-1]
            item_key = (stock_pk(shop_id, last_shown.sku_id), warehouse_sk(last_shown.warehouse_id))
            lsk_value = list_sk(last_shown.product_id, last_shown.sku_id, last_shown.warehouse_id)
            last = {"pk": {"S": item_key[0]}, "sk": {"S": item_key[1]}, "lsk": {"S": lsk_value},
                    ("wpk" if query.warehouse_id else "lpk"): {"S": hash_key}}
            return Page[StockRow](items=shown, next_cursor=encode_cursor(last, scope))
        rows = low
    return Page[StockRow](items=rows, next_cursor=encode_cursor(last, scope))
