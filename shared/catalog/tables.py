"""Items of the catalog table (``CATALOG_TABLE``), keyed for the access patterns:

| item                | pk                              | sk                    | notes                                  |
|---------------------|---------------------------------|-----------------------|----------------------------------------|
| product             | SHOP#<s>#PRD#<product>          | PRODUCT               | + GSI shelf_due while a change is due  |
| SKU (a revision)    | SHOP#<s>#PRD#<product>          | SKU#<sku>#<rev>       | live when the product names sku + rev  |
| image               | SHOP#<s>#PRD#<product>          | IMAGE#<image>         | pending / ready / rejected (uploads)   |
| staged save journal | SHOP#<s>#PRD#<product>          | SAVE#<token>          | a save bigger than one transaction     |
| category            | SHOP#<s>                        | CAT#<category>        | the tree = one Query                   |
| category tree       | SHOP#<s>                        | CATTREE               | version: serialises tree changes       |
| SKU code claim      | SHOP#<s>                        | SKUCODE#<CODE>        | uniqueness (see shared.catalog.staging) |
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
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection

from shared.crypto import PersonalAttribute
from shared.db import ShopItem, TableMeta
from shared.keys import shop_key, shop_of

CATALOG_TABLE_ENV = "CATALOG_TABLE"
PRODUCT_SK = "PRODUCT"
TREE_SK = "CATTREE"
SHELF_SHARDS = 4


def product_pk(shop_id: str, product_id: str) -> str:
    return shop_key(shop_id, "PRD", product_id)


def parse_product_pk(pk: str) -> tuple[str, str]:
    """(shop, product) of a product partition key."""
    shop = shop_of(pk)
    return shop, pk.removeprefix(product_pk(shop, ""))


def sku_sk(sku_id: str, rev: str = "") -> str:
    """A SKU revision's key. ``rev`` is the token of the save that wrote it ("" for SKUs written
    before revisions existed)."""
    return f"SKU#{sku_id}#{rev}" if rev else f"SKU#{sku_id}"


def parse_sku_sk(sk: str) -> tuple[str, str]:
    """(sku id, revision) of a SKU item's sort key."""
    sku_id, _, rev = sk.removeprefix("SKU#").partition("#")
    return sku_id, rev


def save_sk(token: str) -> str:
    return f"SAVE#{token}"


def image_sk(image_id: str) -> str:
    return f"IMAGE#{image_id}"


def category_sk(category_id: str) -> str:
    return f"CAT#{category_id}"


def claim_sk(kind: str, code: str) -> str:
    """``kind`` is SKUCODE or BARCODE; codes are unique regardless of letter case."""
    return f"{kind}#{code.upper()}"


def listing_pk(shop_id: str, scope: str) -> str:
    return shop_key(shop_id, "LST", scope)


def token_pk(shop_id: str, token: str) -> str:
    return shop_key(shop_id, "TOK", token)


def entry_sk(product_id: str) -> str:
    return f"PRD#{product_id}"


def manifest_pk(shop_id: str, product_id: str) -> str:
    return shop_key(shop_id, "IDX", product_id)


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
    # The live SKU revisions, {rev: [sku ids]}: readers take only the SKU items named here, so a
    # save's new revisions stay invisible until the product item (one write) points at them.
    # Absent on products saved before revisions existed: then every SKU item is live.
    sku_revs = JSONAttribute(null=True)
    # What selling needs of each live SKU, {sku id: {price, status, values}}, written by the same
    # save that names the revisions: a quote or an order reads the product item alone (one read
    # round trip with the stock). Absent on products saved before it existed: then the SKU items.
    sku_sale = JSONAttribute(null=True)
    status = UnicodeAttribute(default="off_shelf")
    scheduled_action = UnicodeAttribute(null=True)
    scheduled_at = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    created_by = PersonalAttribute(null=True)  # the staff member's e-mail (or id): sealed at rest
    updated_by = PersonalAttribute(null=True)
    # The stock inventory owns, as the catalog shows it (shared.catalog.stock_projection): written only by
    # CatalogStockFunction, never by a save (saves update named attributes), no version bump.
    stock_available = NumberAttribute(null=True)  # all SKUs, warehouses and shards
    stock_state = UnicodeAttribute(null=True)  # in_stock | low | out (absent: out)
    stock_version = NumberAttribute(null=True)  # sum of the stock items' counters read
    shelf_due = _ShelfDue()

    @property
    def product_id(self) -> str:
        return parse_product_pk(self.pk)[1]


class SkuRecord(CatalogItem, discriminator="sku"):
    """One revision of a SKU; live while the product's ``sku_revs`` names it."""

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
    """A SKU code or barcode taken by a product. ``token``: the save that wrote it (every claim
    write sets a new one, so a take-over can be conditional on what was read). A staged save's
    claim is ``pending_until`` a moment: before it nobody else may touch it; after it, it holds
    only while the product lists the code (see ``shared.catalog.staging``)."""

    product_id = UnicodeAttribute()
    code = UnicodeAttribute()
    token = UnicodeAttribute(null=True)
    pending_until = UnicodeAttribute(null=True)


class StagedSave(CatalogItem, discriminator="staged_save"):
    """The journal of a save bigger than one transaction, written before its first claim and
    deleted when it is done: what a crashed save may have left (claims; SKU revisions carry the
    token in their key). The next save of the product sweeps an abandoned one; TTL is the
    last resort (its REMOVE record reaches the indexer)."""

    claims: ListAttribute[str] = ListAttribute(default=list)  # claim sort keys (SKUCODE#..., BARCODE#...)
    created_at = UnicodeAttribute()
    expires_at = TTLAttribute()

    @property
    def token(self) -> str:
        return self.sk.removeprefix("SAVE#")


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
    stk = UnicodeAttribute(null=True)  # stock_state, for the browse filter (absent on older entries: out)
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
