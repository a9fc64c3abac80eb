"""What the API shows of stock: a row of the stock list, one SKU in every warehouse (with the
warehouses' names, in their priority order), and the shop's stock list (a keys-only index page,
then one BatchGetItem). Above ``stock`` and ``warehouses``; the ledger and the other postings
answer with ``sku_view``."""
from __future__ import annotations

from typing import Any

from shared.errors import NotFound
from shared.inventory import warehouses
from shared.inventory.models import (
    ShardView,
    SkuStockView,
    StockQuery,
    StockRow,
    StockTotals,
    WarehouseStock,
)
from shared.inventory.stock import Stock, read_many, read_sku
from shared.inventory.tables import StockRecord, list_pk, list_sk, stock_pk, warehouse_list_pk, warehouse_sk
from shared.pagination import Page, decode_cursor, encode_cursor

LOW_EXAMINE = 300  # stock items looked at per page when only low stock is asked for


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
