"""Items of the catalog table (``CATALOG_TABLE``), keyed for the access patterns:

| item                | pk                              | sk                    | notes                                  |
|---------------------|---------------------------------|-----------------------|----------------------------------------|
| product             | SHOP#<s>#PRD#<product>          | PRODUCT               | + GSI shelf_due while a change is due  |
| SKU                 | SHOP#<s>#PRD#<product>          | SKU#<sku>             | product + SKUs = one Query             |
| image               | SHOP#<s>#PRD#<product>          | IMAGE#<image>         | pending / ready / rejected (uploads)   |
| category            | SHOP#<s>                        | CAT#<category>        | the tree = one Query                   |
| category tree       | SHOP#<s>                        | CATTREE               | version: serialises tree changes       |
| SKU code claim      | SHOP#<s>                        | SKUCODE#<CODE>        | uniqueness, in the product's transaction |
| barcode claim       | SHOP#<s>                        | BARCODE#<CODE>        |                                        |
| outbox              | SHOP#<s>                        | OUTBOX#<event>        | shared.events.outbox                   |
| listing entry       | SHOP#<s>#LST#<status>#<scope>   | PRD#<product>         | GSIs lst_updated, lst_price            |
| search posting      | SHOP#<s>#TOK#<token>            | PRD#<product>         |                                        |
| index manifest      | SHOP#<s>#IDX#<product>          | MANIFEST              | what the indexer wrote for a product   |

Listing entries, postings and manifests are written only by the indexer (``shared.catalog.indexer``),
from the table's stream. ``kind`` tells the item types apart (pynamodb's discriminator).
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection

from shared.db import ShopItem, TableMeta

CATALOG_TABLE_ENV = "CATALOG_TABLE"
PRODUCT_SK = "PRODUCT"
TREE_SK = "CATTREE"
SHELF_SHARDS = 4


def shop_pk(shop_id: str) -> str:
    return f"SHOP#{shop_id}"


def product_pk(shop_id: str, product_id: str) -> str:
    return f"SHOP#{shop_id}#PRD#{product_id}"


def parse_product_pk(pk: str) -> tuple[str, str]:
    """(shop, product) of a product partition key."""
    shop, _, product = pk.removeprefix("SHOP#").partition("#PRD#")
    return shop, product


def sku_sk(sku_id: str) -> str:
    return f"SKU#{sku_id}"


def image_sk(image_id: str) -> str:
    return f"IMAGE#{image_id}"


def category_sk(category_id: str) -> str:
    return f"CAT#{category_id}"


def claim_sk(kind: str, code: str) -> str:
    """``kind`` is SKUCODE or BARCODE; codes are unique regardless of letter case."""
    return f"{kind}#{code.upper()}"


def listing_pk(shop_id: str, scope: str) -> str:
    return f"SHOP#{shop_id}#LST#{scope}"


def token_pk(shop_id: str, token: str) -> str:
    return f"SHOP#{shop_id}#TOK#{token}"


def entry_sk(product_id: str) -> str:
    return f"PRD#{product_id}"


def manifest_pk(shop_id: str, product_id: str) -> str:
    return f"SHOP#{shop_id}#IDX#{product_id}"


class CatalogItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = CATALOG_TABLE_ENV

    kind = DiscriminatorAttribute()


class _ShelfDue(GlobalSecondaryIndex["ProductRecord"]):
    """Sparse: only products with a scheduled shelf change have ``due_shard``."""

    class Meta:
        index_name = "shelf_due"
        projection = IncludeProjection(["kind", "scheduled_action"])

    due_shard = UnicodeAttribute(hash_key=True)
    scheduled_at = UnicodeAttribute(range_key=True)


class ProductRecord(CatalogItem, discriminator="product"):
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    category_id = UnicodeAttribute(null=True)
    brand = UnicodeAttribute(default="")
    currency = UnicodeAttribute(default="CNY")
    attributes = JSONAttribute(default=list)
    images: ListAttribute[str] = ListAttribute(default=list)  # image ids, display order, first = main
    specs = JSONAttribute(default=list)
    sku_codes: ListAttribute[str] = ListAttribute(default=list)  # copies for search and clean-up
    barcodes: ListAttribute[str] = ListAttribute(default=list)
    price_min = NumberAttribute(default=0)
    price_max = NumberAttribute(default=0)
    sku_count = NumberAttribute(default=0)
    active_skus = NumberAttribute(default=0)  # listing needs one (a condition, so it holds atomically)
    status = UnicodeAttribute(default="off_shelf")
    scheduled_action = UnicodeAttribute(null=True)
    scheduled_at = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    shelf_due = _ShelfDue()

    @property
    def product_id(self) -> str:
        return parse_product_pk(self.pk)[1]


class SkuRecord(CatalogItem, discriminator="sku"):
    position = NumberAttribute()
    values: ListAttribute[str] = ListAttribute(default=list)
    price = NumberAttribute()
    strike_price = NumberAttribute(null=True)
    cost_price = NumberAttribute(null=True)
    weight_g = NumberAttribute(default=0)
    volume_cm3 = NumberAttribute(default=0)
    code = UnicodeAttribute(default="")
    barcode = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")


class ImageRecord(CatalogItem, discriminator="image"):
    """A product image: ``pending`` from the upload ticket until the S3 upload event is handled,
    then ``ready`` (thumbnails made) or ``rejected`` (``reason``)."""

    status = UnicodeAttribute(default="pending")
    content_type = UnicodeAttribute(null=True)
    upload_key = UnicodeAttribute()
    original_key = UnicodeAttribute(null=True)
    thumb_key = UnicodeAttribute(null=True)  # 200 px, WebP
    large_key = UnicodeAttribute(null=True)  # 800 px, WebP
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)

    @property
    def image_id(self) -> str:
        return self.sk.removeprefix("IMAGE#")


class CategoryRecord(CatalogItem, discriminator="category"):
    name = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    sort = NumberAttribute(default=0)
    product_count = NumberAttribute(default=0)  # products directly in it; the tree sums subtrees
    child_count = NumberAttribute(default=0)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @property
    def category_id(self) -> str:
        return self.sk.removeprefix("CAT#")


class CategoryTreeRecord(CatalogItem, discriminator="category_tree"):
    version = NumberAttribute(default=0)


class CodeClaim(CatalogItem, discriminator="code_claim"):
    product_id = UnicodeAttribute()
    code = UnicodeAttribute()


class _ByUpdated(GlobalSecondaryIndex["ListingRecord"]):
    class Meta:
        index_name = "lst_updated"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    upd = UnicodeAttribute(range_key=True)


class _ByPrice(GlobalSecondaryIndex["ListingRecord"]):
    class Meta:
        index_name = "lst_price"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    prc = NumberAttribute(range_key=True)


class ListingRecord(CatalogItem, discriminator="listing"):
    """A product's entry in one list (all products, or one status, of a category subtree)."""

    upd = UnicodeAttribute()  # updated_at
    prc = NumberAttribute()  # price_min
    summary = JSONAttribute()
    by_updated = _ByUpdated()
    by_price = _ByPrice()


class TokenRecord(CatalogItem, discriminator="token"):
    """A search posting: the product (sk) has the token (pk). Nothing else."""


class IndexManifest(CatalogItem, discriminator="index_manifest"):
    tokens: ListAttribute[str] = ListAttribute(default=list)
    scopes: ListAttribute[str] = ListAttribute(default=list)
    summary_hash = UnicodeAttribute(default="")
    version = NumberAttribute(default=0)
