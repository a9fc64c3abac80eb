"""Purchasing (采购): suppliers, purchase orders and receiving, SKU costs, replenishment
suggestions, the suppliers' signed webhooks; the purchasing table's outbox publisher and the
consumers (outbound webhook, daily sales counters). docs/purchasing.md

Permissions: reading is ``inventory.view``; creating suppliers and POs and posting receipts
``inventory.create`` (like the inventory's own receipts); editing ``inventory.edit``; deleting a
supplier ``inventory.delete``; submitting, cancelling and closing a PO ``inventory.approve``
(a submitted PO commits the shop's money and goes to the supplier)."""
from __future__ import annotations

from typing import Any

from shared.events.consumer import consume
from shared.http import ApiRequest, ShopApp
from shared.inventory.events import StockDeducted
from shared.pagination import Page
from shared.purchasing import orders, receiving, skus, suggestions, suppliers
from shared.purchasing.events import PurchaseOrderSubmitted
from shared.purchasing.models import (
    FromSuggestions,
    PoAction,
    PoCreate,
    PoDetail,
    PoQuery,
    PoReceived,
    PoUpdate,
    PoView,
    ReceiptCreate,
    SkuCostView,
    SuggestionQuery,
    Suggestions,
    SupplierCreate,
    SupplierLinkInput,
    SupplierQuery,
    SupplierRemoval,
    SupplierUpdate,
    SupplierView,
    SupplierWithSecret,
    WebhookAccepted,
)

app = ShopApp("purchasing")


# -- suppliers --------------------------------------------------------------------------------------
@app.api("GET", "/suppliers", permission="purchasing.view", query=SupplierQuery, response=Page[SupplierView])
def list_suppliers(req: ApiRequest[None, SupplierQuery]) -> Page[SupplierView]:
    """The shop's suppliers: search by name, active only; paging."""
    return suppliers.list_page(req.shop, req.query)


@app.api("POST", "/suppliers", permission="purchasing.create", body=SupplierCreate, response=SupplierWithSecret,
         status=201, idempotent=True)
def create_supplier(req: ApiRequest[SupplierCreate, None]) -> SupplierWithSecret:
    """Add a supplier; the answer shows its webhook signing secret, this once."""
    return suppliers.create(req.shop, req.body)


@app.api("GET", "/suppliers/{supplier_id}", permission="purchasing.view", response=SupplierView)
def get_supplier(req: ApiRequest[None, None]) -> SupplierView:
    """One supplier (never its secret)."""
    return suppliers.get(req.shop, req.path["supplier_id"])


@app.api("PUT", "/suppliers/{supplier_id}", permission="purchasing.edit", body=SupplierUpdate, response=SupplierView)
def update_supplier(req: ApiRequest[SupplierUpdate, None]) -> SupplierView:
    """Change a supplier (versioned); ``active: false`` archives it."""
    return suppliers.update(req.shop, req.path["supplier_id"], req.body)


@app.api("DELETE", "/suppliers/{supplier_id}", permission="purchasing.delete", response=SupplierRemoval)
def delete_supplier(req: ApiRequest[None, None]) -> SupplierRemoval:
    """Delete a supplier without purchase orders; one with orders is archived instead."""
    return suppliers.delete(req.shop, req.path["supplier_id"])


@app.api("POST", "/suppliers/{supplier_id}/webhook-secret", permission="purchasing.edit",
         response=SupplierWithSecret)
def rotate_webhook_secret(req: ApiRequest[None, None]) -> SupplierWithSecret:
    """A new webhook signing secret (shown this once); the old one stops working."""
    return suppliers.rotate_secret(req.shop, req.path["supplier_id"])


# -- purchase orders --------------------------------------------------------------------------------
@app.api("GET", "/purchase-orders", permission="purchasing.view", query=PoQuery, response=Page[PoView])
def list_purchase_orders(req: ApiRequest[None, PoQuery]) -> Page[PoView]:
    """Purchase orders, newest first: filter by status and supplier; paging."""
    return orders.list_page(req.shop.shop_id, req.query)


@app.api("POST", "/purchase-orders", permission="purchasing.create", body=PoCreate, response=PoView, status=201,
         idempotent=True)
def create_purchase_order(req: ApiRequest[PoCreate, None]) -> PoView:
    """A draft purchase order (numbered PO-<day>-<n>)."""
    return orders.create(req.shop, req.body)


@app.api("GET", "/purchase-orders/suggestions", permission="purchasing.view", query=SuggestionQuery,
         response=Suggestions)
def get_suggestions(req: ApiRequest[None, SuggestionQuery]) -> Suggestions:
    """Replenishment suggestions per SKU, grouped by supplier (sales velocity, lead time, stock, on order)."""
    return suggestions.suggest(req.shop.shop_id, req.query)


@app.api("POST", "/purchase-orders/from-suggestions", permission="purchasing.create", body=FromSuggestions,
         response=PoView, status=201, idempotent=True)
def create_from_suggestions(req: ApiRequest[FromSuggestions, None]) -> PoView:
    """A draft purchase order for one supplier from its suggestions, in one action."""
    return suggestions.draft_from(req.shop, req.body)


@app.api("GET", "/purchase-orders/{po_id}", permission="purchasing.view", response=PoDetail)
def get_purchase_order(req: ApiRequest[None, None]) -> PoDetail:
    """A purchase order with its receipts and timeline."""
    return orders.detail(req.shop.shop_id, req.path["po_id"])


@app.api("PUT", "/purchase-orders/{po_id}", permission="purchasing.edit", body=PoUpdate, response=PoView)
def update_purchase_order(req: ApiRequest[PoUpdate, None]) -> PoView:
    """Replace a draft's supplier, warehouse, lines, date and notes (versioned; drafts only)."""
    return orders.update(req.shop, req.path["po_id"], req.body)


@app.api("POST", "/purchase-orders/{po_id}/submit", permission="purchasing.approve", body=PoAction,
         response=PoView)
def submit_purchase_order(req: ApiRequest[PoAction, None]) -> PoView:
    """Draft -> submitted: the order is sent to the supplier's system (signed webhook)."""
    return orders.transition(req.shop, req.path["po_id"], "submit", req.body)


@app.api("POST", "/purchase-orders/{po_id}/cancel", permission="purchasing.approve", body=PoAction,
         response=PoView)
def cancel_purchase_order(req: ApiRequest[PoAction, None]) -> PoView:
    """Cancel a draft or submitted order (not once goods came in: close it instead)."""
    return orders.transition(req.shop, req.path["po_id"], "cancel", req.body)


@app.api("POST", "/purchase-orders/{po_id}/close", permission="purchasing.approve", body=PoAction,
         response=PoView)
def close_purchase_order(req: ApiRequest[PoAction, None]) -> PoView:
    """Close a (partially) received order: nothing more is expected."""
    return orders.transition(req.shop, req.path["po_id"], "close", req.body)


@app.api("POST", "/purchase-orders/{po_id}/receipts", permission="purchasing.receive", body=ReceiptCreate,
         response=PoReceived, status=201, idempotent=True)
def receive_purchase_order(req: ApiRequest[ReceiptCreate, None]) -> PoReceived:
    """Goods of the order came in: stock, costs and the order in one transaction."""
    return receiving.receive(req.shop.shop_id, req.shop.actor, req.path["po_id"], req.body)


# -- SKU costs and supplier links -------------------------------------------------------------------
@app.api("GET", "/purchasing/skus/{sku_id}", permission="purchasing.view", response=SkuCostView)
def get_sku_cost(req: ApiRequest[None, None]) -> SkuCostView:
    """A SKU's moving-average cost and its suppliers (preferred one, codes, last unit costs)."""
    return skus.get(req.shop.shop_id, req.path["sku_id"])


@app.api("PUT", "/purchasing/skus/{sku_id}/suppliers", permission="purchasing.edit", body=SupplierLinkInput,
         response=SkuCostView)
def put_sku_supplier(req: ApiRequest[SupplierLinkInput, None]) -> SkuCostView:
    """Set a supplier's code, unit cost and lead time for the SKU, optionally as the preferred one."""
    return skus.set_link(req.shop, req.path["sku_id"], req.body)


# -- the supplier's system --------------------------------------------------------------------------
@app.api("POST", "/webhooks/suppliers/{shop_id}/{supplier_id}", public=True, response=WebhookAccepted,
         errors=(400, 401, 409, 422))
def supplier_webhook(req: ApiRequest[None, None]) -> WebhookAccepted:
    """Shipment and receipt notices from a supplier's system (signed; see docs/purchasing.md)."""
    from shared.purchasing import webhooks

    request = app.chalice.current_request
    raw = (request.raw_body if request is not None else b"") or b""
    return webhooks.inbound(req.path["shop_id"], req.path["supplier_id"], req.headers,
                            raw.encode() if isinstance(raw, str) else raw)


# -- streams and queues -----------------------------------------------------------------------------
def deliver_webhooks(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of PurchaseOrderSubmitted: the supplier's webhook URL, signed (failed records are
    retried)."""
    from shared.purchasing.webhooks import deliver

    return consume(event, context, PurchaseOrderSubmitted, deliver)


def record_sales(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of StockDeducted: the SKUs' daily sales counters (replenishment suggestions)."""
    return consume(event, context, StockDeducted, suggestions.record_sales)
