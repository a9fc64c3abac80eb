"""The storefront API of a shop (``/storefront/{shop_id}/...``): public product reads (cached
for a minute by browsers and CDNs) and the buyer's routes (docs/buyers.md): SMS-code sign-in,
sessions, the address book, the server cart, quote, orders. Buyer routes take a token of the
buyer pool (``permission=BUYER``); a staff token there, or a buyer's on a staff route, is 401."""
from __future__ import annotations

from typing import Any

from shared.buyers import addresses, carts, checkout, sessions, signin
from shared.buyers.checkout import CancelRequest, PayRequest, PlaceOrderRequest, QuoteRequest, public_url
from shared.buyers.models import (
    AddressInput,
    AddressList,
    AddressUpdate,
    AddressView,
    BuyerCodeSent,
    BuyerSignIn,
    BuyerTokens,
    BuyerView,
    CartLineInput,
    CartMerge,
    CartQty,
    CartView,
    CodeRequest,
    DivisionList,
    DivisionQuery,
    StorefrontShop,
)
from shared.catalog import storefront
from shared.catalog.models import Done
from shared.catalog.storefront import (
    StorefrontCategories,
    StorefrontProduct,
    StorefrontQuery,
    StorefrontSearch,
    StorefrontSummary,
)
from shared.errors import field_error
from shared.http import ApiRequest, ShopApp
from shared.http.app import BUYER
from shared.orders import buyer_view
from shared.orders.buyer_view import BuyerOrder, BuyerOrderQuery, BuyerOrderSummary
from shared.orders.models import Quote
from shared.orders.queue import OrderRequestView
from shared.pagination import Page
from shared.payments.requests import PaymentStart

app = ShopApp("storefront")
CACHE = {"Cache-Control": "public, max-age=60"}
PRIVATE = {"Cache-Control": "no-store"}


@app.api("GET", "/storefront/{shop_id}/products", public=True, query=StorefrontQuery, response=Page[StorefrontSummary],
         headers=CACHE)
def storefront_products(req: ApiRequest[None, StorefrontQuery]) -> Page[StorefrontSummary]:
    """On-shelf products of a shop, newest first; filter by category (with sub-categories)."""
    return storefront.list_products(req.path["shop_id"], req.query)


@app.api("GET", "/storefront/{shop_id}/products/{product_id}", public=True, response=StorefrontProduct, headers=CACHE)
def storefront_product(req: ApiRequest[None, None]) -> StorefrontProduct:
    """One on-shelf product with the SKUs on sale (404 when off shelf or unknown)."""
    return storefront.get_product(req.path["shop_id"], req.path["product_id"])


@app.api("GET", "/storefront/{shop_id}/search", public=True, query=StorefrontSearch, response=Page[StorefrontSummary],
         headers=CACHE)
def storefront_search(req: ApiRequest[None, StorefrontSearch]) -> Page[StorefrontSummary]:
    """Keyword search of the shop's on-shelf products (the catalog's search: Chinese words too)."""
    return storefront.search_products(req.path["shop_id"], req.query)


@app.api("GET", "/storefront/{shop_id}/categories", public=True, response=StorefrontCategories, headers=CACHE)
def storefront_categories(req: ApiRequest[None, None]) -> StorefrontCategories:
    """The shop's category tree (names only) for home and browse."""
    return storefront.category_tree(req.path["shop_id"])


@app.api("GET", "/storefront/{shop_id}/shop", public=True, response=StorefrontShop, headers=CACHE)
def storefront_shop(req: ApiRequest[None, None]) -> StorefrontShop:
    """The shop's name, currency and logo for the storefront header (404 unknown shop)."""
    return addresses.shop_card(req.path["shop_id"])


@app.api("GET", "/storefront/{shop_id}/regions", public=True, query=DivisionQuery, response=DivisionList, headers=CACHE)
def storefront_regions(req: ApiRequest[None, DivisionQuery]) -> DivisionList:
    """Provinces, a province's cities or a city's districts (GB/T 2260 codes); unknown parent 404."""
    return addresses.regions(req.query.parent)


# -- sign-in ----------------------------------------------------------------------------------------
def _issue(req: ApiRequest[Any, Any], issued: signin.Issued) -> BuyerTokens:
    if issued.refresh_token:
        req.response_headers["Set-Cookie"] = sessions.set_cookie(req.path["shop_id"], issued.refresh_token)
    return issued.tokens


@app.api("POST", "/storefront/{shop_id}/auth/code", public=True, body=CodeRequest, response=BuyerCodeSent, status=202,
         errors=(429,))
def buyer_code(req: ApiRequest[CodeRequest, None]) -> BuyerCodeSent:
    """Send a 6-digit sign-in code by SMS (5 minutes, 5 tries); the same answer for any number."""
    return signin.request_code(req.path["shop_id"], req.body, req.source_ip, req.language)


@app.api("POST", "/storefront/{shop_id}/auth/signin", public=True, body=BuyerSignIn, response=BuyerTokens,
         errors=(401, 429))
def buyer_sign_in(req: ApiRequest[BuyerSignIn, None]) -> BuyerTokens:
    """Sign in with the mobile number and its code (the first sign-in creates the buyer). The
    refresh token comes back only as an HttpOnly cookie on this shop's storefront auth path."""
    return _issue(req, signin.sign_in(req.path["shop_id"], req.body.mobile, req.body.code, req.source_ip))


@app.api("POST", "/storefront/{shop_id}/auth/refresh", public=True, response=BuyerTokens, errors=(401,))
def buyer_refresh(req: ApiRequest[None, None]) -> BuyerTokens:
    """A new ID token from the refresh-token cookie."""
    return _issue(req, signin.refresh(req.path["shop_id"], sessions.read_cookie(req.headers)))


@app.api("POST", "/storefront/{shop_id}/auth/signout", permission=BUYER, response=Done)
def buyer_sign_out(req: ApiRequest[None, None]) -> Done:
    """Sign out: the refresh token is revoked and this session's ID tokens stop opening the API."""
    signin.sign_out(req.buyer, sessions.read_cookie(req.headers))
    req.response_headers["Set-Cookie"] = sessions.clear_cookie(req.path["shop_id"])
    return Done()


@app.api("GET", "/storefront/{shop_id}/me", permission=BUYER, response=BuyerView, headers=PRIVATE)
def buyer_me(req: ApiRequest[None, None]) -> BuyerView:
    """The signed-in buyer (their own mobile number, whole)."""
    return signin.view(req.buyer.profile)


# -- the address book -------------------------------------------------------------------------------
def _buyer(req: ApiRequest[Any, Any]) -> tuple[str, str]:
    return req.buyer.shop_id, req.buyer.buyer_id


@app.api("GET", "/storefront/{shop_id}/addresses", permission=BUYER, response=AddressList, headers=PRIVATE)
def list_addresses(req: ApiRequest[None, None]) -> AddressList:
    """The buyer's addresses, the default first."""
    return addresses.list_addresses(*_buyer(req))


@app.api("POST", "/storefront/{shop_id}/addresses", permission=BUYER, body=AddressInput, response=AddressView,
         status=201, idempotent=True)
def create_address(req: ApiRequest[AddressInput, None]) -> AddressView:
    """Add an address (the first one, or one marked so, becomes the default); at most 20."""
    return addresses.create(*_buyer(req), req.body)


@app.api("PUT", "/storefront/{shop_id}/addresses/{address_id}", permission=BUYER, body=AddressUpdate,
         response=AddressView)
def update_address(req: ApiRequest[AddressUpdate, None]) -> AddressView:
    """Replace an address (with the version read)."""
    return addresses.update(*_buyer(req), req.path["address_id"], req.body)


@app.api("DELETE", "/storefront/{shop_id}/addresses/{address_id}", permission=BUYER, response=Done)
def delete_address(req: ApiRequest[None, None]) -> Done:
    """Delete an address (the newest other one becomes the default if this was it)."""
    addresses.delete(*_buyer(req), req.path["address_id"])
    return Done()


# -- the cart -----------------------------------------------------------------------------------------
@app.api("GET", "/storefront/{shop_id}/cart", permission=BUYER, response=CartView, headers=PRIVATE)
def get_cart(req: ApiRequest[None, None]) -> CartView:
    """The cart with today's prices (the pipeline's quote of the lines on sale)."""
    return carts.get(*_buyer(req))


@app.api("POST", "/storefront/{shop_id}/cart/items", permission=BUYER, body=CartLineInput, response=CartView)
def add_to_cart(req: ApiRequest[CartLineInput, None]) -> CartView:
    """Add a SKU on sale (to its line if already there)."""
    return carts.add(*_buyer(req), req.body)


@app.api("PUT", "/storefront/{shop_id}/cart/items/{sku_id}", permission=BUYER, body=CartQty, response=CartView)
def set_cart_qty(req: ApiRequest[CartQty, None]) -> CartView:
    """Set a line's quantity."""
    return carts.set_qty(*_buyer(req), req.path["sku_id"], req.body.qty)


@app.api("DELETE", "/storefront/{shop_id}/cart/items/{sku_id}", permission=BUYER, response=CartView)
def remove_from_cart(req: ApiRequest[None, None]) -> CartView:
    """Remove a line."""
    return carts.remove(*_buyer(req), req.path["sku_id"])


@app.api("POST", "/storefront/{shop_id}/cart/merge", permission=BUYER, body=CartMerge, response=CartView)
def merge_cart(req: ApiRequest[CartMerge, None]) -> CartView:
    """Merge the cart the page kept signed out (same SKU: the larger quantity; dropped lines named)."""
    return carts.merge(*_buyer(req), req.body.lines)


# -- quote, orders ------------------------------------------------------------------------------------
@app.api("POST", "/storefront/{shop_id}/quote", public=True, body=QuoteRequest, response=Quote)
def storefront_quote(req: ApiRequest[QuoteRequest, None]) -> Quote:
    """Price lines with the shop's pipeline (list price ... freight); the client's prices are never read."""
    return checkout.quote(req.path["shop_id"], req.body)


@app.api("POST", "/storefront/{shop_id}/orders", permission=BUYER, body=PlaceOrderRequest, response=BuyerOrder,
         status=201, idempotent=True, errors=(409,))
def place_order(req: ApiRequest[PlaceOrderRequest, None]) -> BuyerOrder:
    """Place an order (Idempotency-Key required): re-priced on the server (409 price_changed with
    the new quote), stock reserved in the same transaction (409 insufficient_stock), lines from
    the cart when omitted (then taken out of it)."""
    order = checkout.place(req.buyer.shop_id, req.buyer.buyer_id, req.buyer.mobile, req.body,
                           req.headers.get("idempotency-key"))
    return buyer_view.buyer_order(order)


@app.api("POST", "/storefront/{shop_id}/order-requests", permission=BUYER, body=PlaceOrderRequest,
         response=OrderRequestView, status=202, idempotent=True, errors=(409,))
def request_order(req: ApiRequest[PlaceOrderRequest, None]) -> OrderRequestView:
    """Queue an order of flash-sale SKUs (the direct route answers 409 ``flash_sale_queue`` for
    them): accepted at once as 排队中, placed by the queue at the pace stock can take; follow it
    with GET /order-requests/{request_id}. Idempotency-Key required (the same key as /orders)."""
    return checkout.request(req.buyer.shop_id, req.buyer.buyer_id, req.buyer.mobile, req.body,
                            req.headers.get("idempotency-key"))


@app.api("GET", "/storefront/{shop_id}/order-requests/{request_id}", permission=BUYER, response=OrderRequestView,
         headers=PRIVATE)
def my_order_request(req: ApiRequest[None, None]) -> OrderRequestView:
    """A queued order: queued, placed (with the order id) or refused (with the error the direct
    route would have answered: insufficient_stock, price_changed ...). Another buyer's: 404."""
    from shared.orders import queue

    shop_id, buyer_id = _buyer(req)
    return queue.get(shop_id, buyer_id, req.path["request_id"], req.language)


@app.api("GET", "/storefront/{shop_id}/orders", permission=BUYER, query=BuyerOrderQuery,
         response=Page[BuyerOrderSummary], headers=PRIVATE)
def my_orders(req: ApiRequest[None, BuyerOrderQuery]) -> Page[BuyerOrderSummary]:
    """The buyer's orders, newest first (one tab with ?status=)."""
    return buyer_view.for_buyer(*_buyer(req), req.query)


@app.api("GET", "/storefront/{shop_id}/orders/{order_id}", permission=BUYER, response=BuyerOrder, headers=PRIVATE)
def my_order(req: ApiRequest[None, None]) -> BuyerOrder:
    """One of the buyer's orders with its timeline, its payments and, while it can be paid, the
    providers the shop takes (another buyer's: 404)."""
    from shared.payments import requests as payment_requests

    shop_id, buyer_id = _buyer(req)
    order = buyer_view.get_for_buyer(shop_id, buyer_id, req.path["order_id"])
    order.payments = [{k: p[k] for k in ("provider", "status", "amount", "paid_at")}
                      for p in payment_requests.of_order(shop_id, order.id)]
    if "pay" in order.actions:
        order.pay_methods = payment_requests.pay_methods(shop_id)
    return order


@app.api("POST", "/storefront/{shop_id}/orders/{order_id}/cancel", permission=BUYER, body=CancelRequest,
         response=BuyerOrder, errors=(409,))
def cancel_my_order(req: ApiRequest[CancelRequest, None]) -> BuyerOrder:
    """Cancel an unpaid order (its stock is released in the same transaction); paid: 409."""
    from shared.events.base import Actor
    from shared.orders import lifecycle

    shop_id, buyer_id = _buyer(req)
    buyer_view.check_mine(shop_id, buyer_id, req.path["order_id"])
    lifecycle.cancel(Actor(id=f"buyer:{buyer_id}", source_ip=req.source_ip), shop_id, req.path["order_id"],
                     req.body.reason, by_buyer=True)
    return buyer_view.get_for_buyer(shop_id, buyer_id, req.path["order_id"])


@app.api("POST", "/storefront/{shop_id}/orders/{order_id}/payments", permission=BUYER, body=PayRequest,
         response=PaymentStart, errors=(409, 503))
def pay_my_order(req: ApiRequest[PayRequest, None]) -> PaymentStart:
    """Start paying an unpaid order with one of the shop's providers: the cashier page to open
    (the local payment sandbox, or the provider). The request expires when the order's unpaid
    timer cancels it; ``return_url`` must be this shop's storefront (never an open redirect)."""
    from shared.payments import requests as payment_requests

    shop_id, buyer_id = _buyer(req)
    site = public_url()
    if not req.body.return_url.startswith(f"{site}/shop/"):
        raise field_error("return_url", "not_storefront_url", allowed=f"{site}/shop/")
    return payment_requests.start(shop_id, req.path["order_id"], req.body.provider, notify_base=f"{site}/api",
                                  return_url=req.body.return_url, buyer_id=buyer_id)


# -- buyer notices (consumer of OrderPlaced / OrderPaid / OrderCancelled) -----------------------------------
def on_order_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from shared.buyers import notices
    from shared.events.consumer import consume
    from shared.orders.events import OrderCancelled, OrderPaid, OrderPlaced

    return consume(event, context, (OrderPlaced, OrderPaid, OrderCancelled), notices.on_order_event)
