"""The public storefront read API: on-shelf products of a shop, no sign-in. Answers may be
cached for a minute by browsers and CDNs."""
from __future__ import annotations

from shared.catalog import storefront
from shared.catalog.storefront import StorefrontProduct, StorefrontQuery, StorefrontSummary
from shared.http import ApiRequest, ShopApp
from shared.pagination import Page

app = ShopApp("storefront")
CACHE = {"Cache-Control": "public, max-age=60"}


@app.api("GET", "/storefront/{shop_id}/products", public=True, query=StorefrontQuery, response=Page[StorefrontSummary],
         headers=CACHE)
def storefront_products(req: ApiRequest[None, StorefrontQuery]) -> Page[StorefrontSummary]:
    """On-shelf products of a shop, newest first; filter by category (with sub-categories)."""
    return storefront.list_products(req.path["shop_id"], req.query)


@app.api("GET", "/storefront/{shop_id}/products/{product_id}", public=True, response=StorefrontProduct, headers=CACHE)
def storefront_product(req: ApiRequest[None, None]) -> StorefrontProduct:
    """One on-shelf product with the SKUs on sale (404 when off shelf or unknown)."""
    return storefront.get_product(req.path["shop_id"], req.path["product_id"])
