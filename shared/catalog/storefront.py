"""What shoppers see (public, no sign-in): on-shelf products only, without costs, codes or
anything internal. Anything not on shelf, or not in this shop, is "not found"."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared.catalog import images, stock_projection
from shared.catalog.models import AttributeView, ImageView, SpecView
from shared.catalog.products import load, to_sku
from shared.catalog.search import on_shelf
from shared.catalog.tables import ProductRecord, parse_product_pk
from shared.errors import NotFound
from shared.model import Model
from shared.pagination import Page, PageQuery


class StorefrontQuery(PageQuery):
    category_id: str | None = Field(None, max_length=40, description="This category and its sub-categories")


class StorefrontSku(Model):
    id: str
    values: list[str]
    price: int
    strike_price: int | None = None
    stock_state: Literal["in_stock", "low", "sold_out"] = Field(
        "sold_out", description="Read now from inventory (low: at or below its safety stock); no counts are shown")
    flash_sale: bool = Field(False, description="A flash-sale SKU: ordered through the queue (排队中)")


class StorefrontSummary(Model):
    id: str
    name: str
    brand: str
    category_id: str | None
    currency: str
    main_image: str | None = Field(None, description="The first image's 200 px thumbnail (signed URL)")
    price_min: int
    price_max: int


class StorefrontProduct(StorefrontSummary):
    description: str
    attributes: list[AttributeView]
    images: list[ImageView] = Field(description="In display order; the first is the main image")
    specs: list[SpecView]
    skus: list[StorefrontSku] = Field(description="The SKUs on sale (disabled ones are left out)")


def _summary(p: ProductRecord) -> StorefrontSummary:
    shop_id = parse_product_pk(p.pk)[0]
    return StorefrontSummary(id=p.product_id, name=p.name, brand=p.brand or "", category_id=p.category_id,
                             currency=p.currency, main_image=images.main_image_url(shop_id, p.product_id,
                                                                                   list(p.images or [])),
                             price_min=int(p.price_min), price_max=int(p.price_max))


def list_products(shop_id: str, query: StorefrontQuery) -> Page[StorefrontSummary]:
    products, cursor = on_shelf(shop_id, query.category_id, query.limit, query.cursor)
    return Page[StorefrontSummary](items=[_summary(p) for p in products], next_cursor=cursor)


def get_product(shop_id: str, product_id: str) -> StorefrontProduct:
    try:
        loaded = load(shop_id, product_id)
    except NotFound:
        loaded = None
    if loaded is None or loaded.product.status != "on_shelf":
        raise NotFound("product_not_found", details={"product_id": product_id})
    p = loaded.product
    skus = [to_sku(s) for s in loaded.skus]
    stock = stock_projection.read(shop_id, product_id)
    return StorefrontProduct(
        **_summary(p).model_dump(), description=p.description or "",
        attributes=[AttributeView(**a) for a in p.attributes or []], images=images.views(list(p.images or []), loaded.images),
        specs=[SpecView(**s) for s in p.specs or []],
        skus=[StorefrontSku(id=s.id, values=list(s.values), price=s.price, strike_price=s.strike_price,
                            stock_state=_SHOWN[stock.sku_states.get(s.id, "out")], flash_sale=s.id in stock.flash_sale)
              for s in skus if s.status == "active"])


_SHOWN: dict[str, Literal["in_stock", "low", "sold_out"]] = {"in_stock": "in_stock", "low": "low", "out": "sold_out"}


# -- keyword search, the category tree (the storefront's, issue 11) --------------------------------------
class StorefrontSearch(PageQuery):
    q: str = Field(min_length=1, max_length=40, description="Words of the name or brand (Chinese or not)")
    category_id: str | None = Field(None, max_length=40, description="This category and its sub-categories")


class StorefrontCategory(Model):
    id: str
    name: str
    parent_id: str | None
    children: list[StorefrontCategory] = []


class StorefrontCategories(Model):
    items: list[StorefrontCategory]


def search_products(shop_id: str, query: StorefrontSearch) -> Page[StorefrontSummary]:
    """The catalog's keyword search, on-shelf products only, answered as storefront summaries."""
    from shared.catalog.models import ProductQuery
    from shared.catalog.search import list_products as catalog_list

    found = catalog_list(shop_id, ProductQuery(q=query.q, category_id=query.category_id, status="on_shelf",
                                               limit=query.limit, cursor=query.cursor))
    return Page[StorefrontSummary](
        items=[StorefrontSummary(id=p.id, name=p.name, brand=p.brand, category_id=p.category_id, currency=p.currency,
                                 main_image=p.main_image, price_min=p.price_min, price_max=p.price_max)
               for p in found.items if p.status == "on_shelf"],
        next_cursor=found.next_cursor)


def category_tree(shop_id: str) -> StorefrontCategories:
    """The shop's categories, names only (no counts: those are the back office's)."""
    from shared.catalog.categories import load_tree

    tree = load_tree(shop_id)

    def node(rec: Any) -> StorefrontCategory:
        return StorefrontCategory(id=rec.category_id, name=rec.name, parent_id=rec.parent_id,
                                  children=[node(c) for c in tree.children(rec.category_id)])

    return StorefrontCategories(items=[node(c) for c in tree.children(None)])
