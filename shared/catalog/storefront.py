"""What shoppers see (public, no sign-in): on-shelf products only, without costs, codes or
anything internal. Anything not on shelf, or not in this shop, is "not found"."""
from __future__ import annotations

from pydantic import Field

from shared.catalog import images
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
    return StorefrontProduct(
        **_summary(p).model_dump(), description=p.description or "",
        attributes=[AttributeView(**a) for a in p.attributes or []], images=images.views(list(p.images or []), loaded.images),
        specs=[SpecView(**s) for s in p.specs or []],
        skus=[StorefrontSku(id=s.id, values=list(s.values), price=s.price, strike_price=s.strike_price)
              for s in skus if s.status == "active"])
