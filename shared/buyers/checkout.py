"""Checkout for a signed-in buyer: the address from their book, the lines from the request or
their cart, the orders' own ``quote`` and ``place`` (one pricing pipeline, one transaction), the
ordered SKUs taken out of the cart afterwards. Sits on top of the buyers package: it composes
``addresses``, ``carts`` and ``shared.orders``."""
from __future__ import annotations

import hashlib
import os
from typing import Literal

from pydantic import Field

from shared.buyers import addresses, carts
from shared.buyers.models import ID_PRODUCT, ID_SKU
from shared.errors import BadRequest, Unavailable, field_error
from shared.model import Input
from shared.orders.models import Buyer, Order, PlaceOrder, Quote, QuoteLineInput, ReceiverInput
from shared.orders.queue import OrderRequestView

MAX_REQUEST_LINES = 200


class QuoteLineBody(Input):
    product_id: str = Field(pattern=ID_PRODUCT)
    sku_id: str = Field(pattern=ID_SKU)
    qty: int = Field(ge=1, le=9999)


class QuoteRequest(Input):
    lines: list[QuoteLineBody] = Field(min_length=1, max_length=MAX_REQUEST_LINES)
    province: str | None = Field(None, pattern=r"^\d{6}$", description="The receiver's province, when known")


class PlaceOrderRequest(Input):
    address_id: str = Field(pattern=r"^adr_[0-9A-HJKMNP-TV-Z]{26}$")
    lines: list[QuoteLineBody] | None = Field(None, min_length=1, max_length=MAX_REQUEST_LINES,
                                               description="Omitted: the cart's lines")
    buyer_message: str = Field("", max_length=200)
    quote_hash: str = Field(min_length=8, max_length=64, description="The quote's hash the buyer saw")


class PayRequest(Input):
    provider: Literal["alipay", "wechat_pay", "stripe"]
    return_url: str = Field(min_length=10, max_length=1000,
                            description="The storefront page the provider sends the buyer back to")


def public_url() -> str:
    """The shop's public origin (template parameter ``PublicUrl``; locally the gateway's)."""
    site = os.environ.get("SHOPDESK_PUBLIC_URL", "").rstrip("/")
    if not site:
        raise Unavailable("payments_unavailable", details={"setting": "PublicUrl"})
    return site


class CancelRequest(Input):
    reason: str = Field("buyer_cancelled", max_length=100)


def _inputs(lines: list[QuoteLineBody]) -> list[QuoteLineInput]:
    return [QuoteLineInput(product_id=x.product_id, sku_id=x.sku_id, qty=x.qty) for x in lines]


def quote(shop_id: str, body: QuoteRequest) -> Quote:
    from shared.orders import quote as pipeline
    from shared.settings.regions import region

    found = region(body.province) if body.province is not None else None
    if body.province is not None and (found is None or found.level != "province"):
        raise field_error("province", "unknown_region", code=body.province)
    return pipeline.quote(shop_id, _inputs(body.lines), region=body.province)


def request_key(buyer_id: str, key: str | None) -> str:
    """The orders' request id of a buyer's Idempotency-Key: one buyer's key is never another's."""
    if not key:
        raise BadRequest("idempotency_key_required", details={"field": "Idempotency-Key"})
    if len(key) > 200:
        raise BadRequest("idempotency_key_invalid", details={"field": "Idempotency-Key"})
    return hashlib.sha256(f"{buyer_id}\n{key}".encode()).hexdigest()[:40]


def _order_body(shop_id: str, buyer_id: str, body: PlaceOrderRequest) -> tuple[PlaceOrder, bool]:
    """The orders' PlaceOrder of a buyer's request: the receiver from their book, the lines from
    the request or their cart (and whether they came from the cart)."""
    address = addresses.get(shop_id, buyer_id, body.address_id)
    from_cart = body.lines is None
    lines = carts.lines(shop_id, buyer_id) if from_cart else _inputs(body.lines or [])
    if not lines:
        raise field_error("lines", "cart_empty")
    receiver = ReceiverInput(name=address.name, mobile=address.mobile, province=address.province, city=address.city,
                             district=address.district, detail=address.detail)
    return PlaceOrder(lines=lines, receiver=receiver, buyer_message=body.buyer_message,
                      quote_hash=body.quote_hash), from_cart


def place(shop_id: str, buyer_id: str, mobile: str, body: PlaceOrderRequest, key: str | None) -> Order:
    from shared.orders import placing

    request_id = request_key(buyer_id, key)
    order_body, from_cart = _order_body(shop_id, buyer_id, body)
    order = placing.place(shop_id, Buyer(buyer_id=buyer_id, mobile=mobile), order_body, request_id=request_id)
    if from_cart and not order.replayed:
        carts.clear_lines(shop_id, buyer_id, {line.sku_id for line in order.lines})
    return order


def request(shop_id: str, buyer_id: str, mobile: str, body: PlaceOrderRequest, key: str | None) -> OrderRequestView:
    """A flash-sale order into the order queue (the same body and key as ``place``); the cart
    keeps its lines until the buyer sees the result."""
    from shared.orders import queue

    order_body, _ = _order_body(shop_id, buyer_id, body)
    return queue.request(shop_id, Buyer(buyer_id=buyer_id, mobile=mobile), order_body, request_key(buyer_id, key))
