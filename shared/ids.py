"""Sortable ids: ULIDs (time-ordered, so a sort key of ids is a sort by creation time).

python-ulid is small, typed and maintained; the id embeds ``clock.now()`` so frozen clocks give
ids that sort with the data they belong to.
"""
from __future__ import annotations

from ulid import ULID

from shared import clock


def new_id(prefix: str = "") -> str:
    value = str(ULID.from_datetime(clock.now()))
    return f"{prefix}{value}" if prefix else value


ULID_PATTERN = "[0-9A-HJKMNP-TV-Z]{26}"  # Crockford base32, as python-ulid writes it


def id_pattern(prefix: str) -> str:
    """The pattern of the ids ``new_id(prefix)`` makes."""
    return f"^{prefix}{ULID_PATTERN}$"


# What each path parameter of the API holds, as a pattern: the OpenAPI document publishes it and
# the HTTP layer answers 404 naming the parameter for a value that cannot be such an id (it could
# never be found, and a 2 KB "id" must not reach a table key). A new id kind adds its line here.
PATH_PARAMETERS: dict[str, str] = {
    "product_id": id_pattern("prd_"),
    "category_id": id_pattern("cat_"),
    "image_id": id_pattern("img_"),
    "job_id": id_pattern("job_"),
    "sku_id": id_pattern("sku_"),
    # Every shop starts with the warehouse "wh_default"; the ones staff add get ULIDs.
    "warehouse_id": f"^wh_({ULID_PATTERN}|default)$",
    "stocktake_id": id_pattern("stk_"),
    "supplier_id": id_pattern("sup_"),
    "po_id": id_pattern("po_"),
    "notification_id": f"^{ULID_PATTERN}$",
    # Shops opened in the app get ULIDs; the demo shops have names (shp_demo, shp_demo_kids).
    "shop_id": f"^shp_({ULID_PATTERN}|[a-z][a-z_]{{0,30}})$",
    "user_id": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",  # the Cognito sub
    "code": "^[a-z][a-z0-9_]{1,39}$",  # a role: built-in names, custom role_<10 base32>
    "order_id": "^[0-9A-Za-z_-]{1,40}$",  # the order system's id, as reservations take it
    "provider": "^(alipay|wechat_pay|stripe)$",  # payment providers (shared.payments.PROVIDERS)
    "address_id": id_pattern("adr_"),  # a buyer's address (shared/buyers/addresses.py)
    "request_id": "^[0-9a-f]{40}$",  # a queued order request (shared/buyers/checkout.request_key)
}
