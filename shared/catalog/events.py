"""Events of the catalog capability. ``resource``/``resource_id`` name what the audit entry is
about (``products.created prd_…``). ``ProductModified`` carries only the fields that changed,
and of the SKUs only those that changed (keyed by SKU id), so events stay small."""
from __future__ import annotations

from typing import Any, Literal

from shared.events.base import DomainEvent, RecordModified


class _Catalog(DomainEvent):
    source = "shopdesk.catalog"


class ProductCreated(_Catalog):
    resource: Literal["products"] = "products"
    resource_id: str
    new: dict[str, Any]


class ProductModified(RecordModified):
    source = "shopdesk.catalog"
    resource: Literal["products"] = "products"
    resource_id: str


class ProductDeleted(_Catalog):
    resource: Literal["products"] = "products"
    resource_id: str
    old: dict[str, Any]


class ProductListed(_Catalog):
    """Put on shelf (上架): shoppers can see and buy it."""

    resource: Literal["products"] = "products"
    resource_id: str
    scheduled: bool = False


class ProductDelisted(_Catalog):
    """Taken off shelf (下架)."""

    resource: Literal["products"] = "products"
    resource_id: str
    scheduled: bool = False


class SkuPriceChanged(_Catalog):
    """One SKU's selling price changed (promotions and price history listen)."""

    resource: Literal["products"] = "products"
    resource_id: str
    sku_id: str
    values: list[str]
    currency: str
    old_price: int
    new_price: int


class CategoryCreated(_Catalog):
    resource: Literal["categories"] = "categories"
    resource_id: str
    new: dict[str, Any]


class CategoryModified(RecordModified):
    source = "shopdesk.catalog"
    resource: Literal["categories"] = "categories"
    resource_id: str


class CategoryDeleted(_Catalog):
    resource: Literal["categories"] = "categories"
    resource_id: str
    old: dict[str, Any]
