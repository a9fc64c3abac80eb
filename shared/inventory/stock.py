"""Reading stock: one SKU in one warehouse (``Stock``: its shards and their totals), one SKU in
every warehouse (one Query of the SKU's partition, plus one BatchGetItem for the extra shards of
flash-sale SKUs), stock items by key (``read_many``, ``get_many``). The bottom of the inventory
package with ``tables`` and ``models``: warehouses, the ledger and the API's views
(``shared.inventory.stock_views``) read stock through here, and nothing here imports them.

The SKU itself belongs to the catalog: the first time stock of a SKU is posted, it must be a
SKU of that product in this shop's catalog (read through ``shared.catalog.products``, a
read-only dependency), and its names are copied onto the stock item for lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.errors import NotFound, field_error
from shared.inventory.tables import StockRecord, stock_pk, warehouse_sk
from shared.keys import shop_of


@dataclass
class Shard:
    k: int
    on_hand: int = 0
    reserved: int = 0
    available: int = 0
    exists: bool = False

    @classmethod
    def of(cls, record: StockRecord | None, k: int) -> Shard:
        """Shard ``k`` as read (a shard never written when ``record`` is None)."""
        if record is None:
            return cls(k=k)
        return cls(k=k, on_hand=int(record.on_hand), reserved=int(record.reserved), available=int(record.available),
                   exists=True)


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


def get_many(keys: list[tuple[str, str]], consistent: bool = True) -> dict[tuple[str, str], StockRecord]:
    """Stock items (any shard) by key, 100 per BatchGetItem; the ones that exist, by key."""
    found: dict[tuple[str, str], StockRecord] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 100):
        for item in StockRecord.batch_get(unique[start:start + 100], consistent_read=consistent):
            found[(item.pk, item.sk)] = item
    return found


def assemble(shop_id: str, heads: list[StockRecord], consistent: bool = True) -> list[Stock]:
    """Stocks from their shard-0 items, reading the other shards of flash-sale SKUs in one go."""
    extra = [(stock_pk(shop_id, h.sku_id, k), h.sk) for h in heads for k in range(1, int(h.shards or 1))]
    found = get_many(extra, consistent) if extra else {}
    out = []
    for h in heads:
        shards = [Shard.of(h, 0)] + [Shard.of(found.get((stock_pk(shop_id, h.sku_id, k), h.sk)), k)
                                   for k in range(1, int(h.shards or 1))]
        out.append(Stock(shop_id, h.sku_id, h.warehouse_id, h, shards))
    return out


def read(shop_id: str, sku_id: str, warehouse_id: str, consistent: bool = True) -> Stock:
    """One SKU in one warehouse (a Stock without head when none was ever posted)."""
    try:
        head = StockRecord.get(stock_pk(shop_id, sku_id), warehouse_sk(warehouse_id), consistent_read=consistent)
    except StockRecord.DoesNotExist:
        return Stock(shop_id, sku_id, warehouse_id, None, [Shard(k=0)])
    return assemble(shop_id, [head], consistent)[0]


def read_sku(shop_id: str, sku_id: str, consistent: bool = True) -> dict[str, Stock]:
    """The SKU in every warehouse it was ever posted to, by warehouse id."""
    heads = [h for h in StockRecord.query(stock_pk(shop_id, sku_id), consistent_read=consistent)
             if isinstance(h, StockRecord)]
    return {s.warehouse_id: s for s in assemble(shop_id, heads, consistent)}


def read_many(keys: list[tuple[str, str]]) -> list[Stock]:
    """Stocks by the keys of their shard-0 items (at most 100), in that order."""
    if not keys:
        return []
    found = get_many(keys)
    heads = [found[k] for k in keys if k in found]
    by_shop: dict[str, list[StockRecord]] = {}
    for h in heads:
        by_shop.setdefault(shop_of(h.pk), []).append(h)
    assembled = {(s.head.pk, s.head.sk): s for shop, hs in by_shop.items() for s in assemble(shop, hs) if s.head}
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
