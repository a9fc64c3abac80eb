"""Items of the inventory table (``INVENTORY_TABLE``), keyed so that a hot SKU's writes spread
over partitions (see docs/inventory.md for the capacity this gives):

| item                 | pk                             | sk                 | notes                                  |
|----------------------|--------------------------------|--------------------|----------------------------------------|
| stock, shard 0       | SHOP#<s>#SKU#<sku>             | WH#<wh>            | settings, names; GSIs stock_list/_by_wh |
| stock, shard k > 0   | SHOP#<s>#SKU#<sku>#<k>         | WH#<wh>            | flash-sale SKUs only                   |
| movement             | SHOP#<s>#MOV#<sku>#<k>         | <at>#<movement id> | append-only; one partition per shard   |
| warehouse            | SHOP#<s>                       | WH#<wh>            | the shop's warehouses = one Query      |
| warehouse code claim | SHOP#<s>                       | WHCODE#<CODE>      | codes unique per shop                  |
| reservation          | SHOP#<s>#ORD#<order>           | RESERVATION        | one per order, all its lines           |
| outbox               | SHOP#<s> or SHOP#<s>#ORD#<o>   | OUTBOX#<event>     | reservation events go to the order's partition |
| low-stock shop marker| SHOP#<s>                       | LOWSTOCK           | GSI low_stock (shared.inventory.alerts) |
| stocktake, its lock  | SHOP#<s>                       | STOCKTAKE#<id>, STOCKTAKELOCK#<wh> | shared.inventory.stocktake |
| stocktake line       | SHOP#<s>#STOCKTAKE#<id>        | LINE#<sku>         |                                        |

A SKU's stock in a warehouse is ``shards`` items (1 for ordinary SKUs); its totals are their
sums. Only shard 0 carries the list keys (``lpk``/``wpk`` + ``lsk``) and the two list indexes
project keys and ``kind`` only, so a reservation (which changes counters, not keys) writes no index entry.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from shared.db import ShopItem, TableMeta
from shared.keys import shop_key

INVENTORY_TABLE_ENV = "INVENTORY_TABLE"
RESERVATION_SK = "RESERVATION"


def stock_pk(shop_id: str, sku_id: str, shard: int = 0) -> str:
    return shop_key(shop_id, "SKU", sku_id, shard) if shard else shop_key(shop_id, "SKU", sku_id)


def warehouse_sk(warehouse_id: str) -> str:
    return f"WH#{warehouse_id}"


def movement_pk(shop_id: str, sku_id: str, shard: int = 0) -> str:
    return shop_key(shop_id, "MOV", sku_id, shard)


def reservation_pk(shop_id: str, order_id: str) -> str:
    return shop_key(shop_id, "ORD", order_id)


def code_claim_sk(code: str) -> str:
    return f"WHCODE#{code.upper()}"


def list_pk(shop_id: str) -> str:
    return shop_key(shop_id, "STOCK")


def warehouse_list_pk(shop_id: str, warehouse_id: str) -> str:
    return shop_key(shop_id, "WHSTOCK", warehouse_id)


def list_sk(product_id: str, sku_id: str, warehouse_id: str) -> str:
    return f"{product_id}#{sku_id}#{warehouse_id}"


class InventoryItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = INVENTORY_TABLE_ENV

    kind = DiscriminatorAttribute()


class _StockList(GlobalSecondaryIndex["StockRecord"]):
    """Every SKU-in-warehouse of a shop, by product then SKU (sparse: shard 0 items only)."""

    class Meta:
        index_name = "stock_list"
        projection = IncludeProjection(["kind"])  # kind never changes: counters stay out of the index

    lpk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class _StockByWarehouse(GlobalSecondaryIndex["StockRecord"]):
    """The same, of one warehouse."""

    class Meta:
        index_name = "stock_by_wh"
        projection = IncludeProjection(["kind"])  # kind never changes: counters stay out of the index

    wpk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class _LowStock(GlobalSecondaryIndex["StockRecord"]):
    """The shop's stocks at or below their threshold, alerted (sparse: ``low_pk`` is set only then)."""

    class Meta:
        index_name = "low_stock"
        projection = IncludeProjection(["kind"])

    low_pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class StockRecord(InventoryItem, discriminator="stock"):
    """One shard of a SKU's stock in one warehouse. ``available`` is stored (= on_hand - reserved)
    so that conditions like ``available >= :q`` can be written: DynamoDB conditions do no arithmetic."""

    sku_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    warehouse_id = UnicodeAttribute()
    shard = NumberAttribute(default=0)
    on_hand = NumberAttribute(default=0)
    reserved = NumberAttribute(default=0)
    available = NumberAttribute(default=0)
    version = NumberAttribute(default=0)  # every change of the counters
    updated_at = UnicodeAttribute(null=True)
    # shard 0 only: the settings, the names snapshot and the list keys
    threshold = NumberAttribute(null=True)  # safety stock: low when available <= threshold
    shards = NumberAttribute(null=True)  # active shards (flash-sale SKUs > 1)
    shard_span = NumberAttribute(null=True)  # shards ever used (history reads them all)
    settings_version = NumberAttribute(null=True)
    product_name = UnicodeAttribute(null=True)
    sku_label = UnicodeAttribute(null=True)  # spec values, e.g. "红色 / M"
    sku_code = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    lpk = UnicodeAttribute(null=True)
    wpk = UnicodeAttribute(null=True)
    lsk = UnicodeAttribute(null=True)
    # shard 0 only: the low-stock alert state (shared.inventory.alerts): set while low and alerted
    low_pk = UnicodeAttribute(null=True)
    low_since = UnicodeAttribute(null=True)
    stock_list = _StockList()
    stock_by_wh = _StockByWarehouse()
    low_stock = _LowStock()


class MovementRecord(InventoryItem, discriminator="movement"):
    """An append-only ledger line: what changed the stock of one shard, by how much, why, who."""

    movement_id = UnicodeAttribute()
    movement_kind = UnicodeAttribute()  # purchase_receipt, sale, reservation, release, ...
    sku_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    warehouse_id = UnicodeAttribute()
    shard = NumberAttribute(default=0)
    on_hand_delta = NumberAttribute(default=0)
    reserved_delta = NumberAttribute(default=0)
    on_hand_after = NumberAttribute()
    reason = UnicodeAttribute(default="")
    ref_type = UnicodeAttribute(null=True)  # order, purchase_order, stocktake, transfer, manual
    ref_id = UnicodeAttribute(null=True)
    actor_id = UnicodeAttribute()
    actor_email = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class WarehouseRecord(InventoryItem, discriminator="warehouse"):
    name = UnicodeAttribute()
    code = UnicodeAttribute()
    address = UnicodeAttribute(default="")
    priority = NumberAttribute(default=100)  # lower ships first
    active = BooleanAttribute(default=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @property
    def warehouse_id(self) -> str:
        return self.sk.removeprefix("WH#")


class WarehouseCodeClaim(InventoryItem, discriminator="warehouse_code"):
    warehouse_id = UnicodeAttribute()


class ReservationRecord(InventoryItem, discriminator="reservation"):
    """An order's reservation: its lines (SKU, warehouse, shard, qty) and where it stands."""

    order_id = UnicodeAttribute()
    status = UnicodeAttribute()  # reserved, released, deducted
    lines = JSONAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    actor_id = UnicodeAttribute()
