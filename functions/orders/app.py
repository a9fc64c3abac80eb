"""The order desk (订单管理) for staff: the list by tab with counts, the order page. The review,
memo/flag/hold, cancel, bulk and export routes come next (docs/orders.md).

Permissions: reading is ``orders.view``; receivers, buyer mobiles and buyer messages come masked
without ``personal_data.view`` (masked by the orders views: a receiver's ``name`` key cannot be
told from a product's by ``shared.http``'s key-name masking)."""
from __future__ import annotations

from shared.http import ApiRequest, ShopApp
from shared.orders import queries
from shared.orders.models import DeskQuery, OrderDetail, OrderSummary, TabCounts
from shared.pagination import Page

app = ShopApp("orders")


@app.api("GET", "/orders", permission="orders.view", query=DeskQuery, response=Page[OrderSummary])
def list_orders(req: ApiRequest[None, DeskQuery]) -> Page[OrderSummary]:
    """One tab of the desk, newest first, optionally within a time range; or the orders of an
    exact number or buyer mobile across tabs."""
    return queries.desk(req.shop.shop_id, req.query, req.shop.can("personal_data.view"))


@app.api("GET", "/orders/counts", permission="orders.view", response=TabCounts)
def order_counts(req: ApiRequest[None, None]) -> TabCounts:
    """How many orders each tab holds (one read)."""
    return queries.counts(req.shop.shop_id)


@app.api("GET", "/orders/{order_id}", permission="orders.view", response=OrderDetail)
def get_order(req: ApiRequest[None, None]) -> OrderDetail:
    """The order page: lines, amounts, receiver, timeline and the actions the caller may take."""
    return queries.detail(req.shop, req.path["order_id"])
