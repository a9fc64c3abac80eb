"""The order desk (订单管理) for staff: the list by tab with counts, the order page, and what staff
do to orders: review (审单, one or many), finance review (财审), seller memo, coloured flag,
hold/release (挂起), cancel (releases the stock; a paid order cancelled stays paid for
after-sales), bulk memo/flag, and exports of a filter (an async job, ``shared.orders.desk_export``).

Permissions: reading is ``orders.view``; receivers, buyer mobiles and buyer messages come masked
without ``personal_data.view`` (masked by the orders views: a receiver's ``name`` key cannot be
told from a product's by ``shared.http``'s key-name masking). Every change takes the order's
``version`` (409 ``version_conflict`` when stale; hold/release may omit it), an action the
lifecycle does not allow answers 409 ``invalid_transition``, and each change is on the timeline
with its event (docs/orders.md)."""
from __future__ import annotations

from typing import Any

from shared.errors import field_error
from shared.events.consumer import consume, consume_messages
from shared.http import ApiRequest, ShopApp
from shared.jobs import ExportJobView, JobRef
from shared.observability import observed
from shared.orders import desk_export, editing, lifecycle, queries, review_rules, timers
from shared.orders.desk_export import OrderExportRequest
from shared.orders.events import OrderPaid
from shared.orders.models import (
    BulkEdit,
    BulkResults,
    BulkReview,
    CancelBody,
    DeskQuery,
    FlagBody,
    HoldBody,
    MemoBody,
    OrderDetail,
    OrderSummary,
    ReleaseBody,
    ReviewBody,
    TabCounts,
)
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


def _detail(req: ApiRequest[Any, None]) -> OrderDetail:
    return queries.detail(req.shop, req.path["order_id"])


# -- review -----------------------------------------------------------------------------------------
@app.api("POST", "/orders/{order_id}/review", permission="orders.review", body=ReviewBody, response=OrderDetail)
def review_order(req: ApiRequest[ReviewBody, None]) -> OrderDetail:
    """审单: a paid order waiting for review goes to 待发货 (or 待财审 when the shop's finance step is on)."""
    lifecycle.review(req.shop.actor, req.shop.shop_id, req.path["order_id"], req.body.version)
    return _detail(req)


@app.api("POST", "/orders/bulk-review", permission="orders.review", body=BulkReview, response=BulkResults)
def bulk_review(req: ApiRequest[BulkReview, None]) -> BulkResults:
    """Review many orders; each on its own (a result per id: held or stale ones say why)."""
    shop, actor = req.shop.shop_id, req.shop.actor
    return BulkResults(results=editing.each(req.body.ids, req.language,
                                                lambda oid: lifecycle.review(actor, shop, oid, None)))


@app.api("POST", "/orders/{order_id}/finance-review", permission="orders.finance_review", body=ReviewBody,
         response=OrderDetail)
def finance_review(req: ApiRequest[ReviewBody, None]) -> OrderDetail:
    """财审: finance approves an order the service staff reviewed (待财审 → 待发货)."""
    lifecycle.finance_approve(req.shop.actor, req.shop.shop_id, req.path["order_id"], req.body.version)
    return _detail(req)


# -- memo, flag, hold -------------------------------------------------------------------------------
@app.api("PUT", "/orders/{order_id}/memo", permission="orders.edit", body=MemoBody, response=OrderDetail)
def put_memo(req: ApiRequest[MemoBody, None]) -> OrderDetail:
    """The seller memo (卖家备注); empty clears it."""
    editing.annotate(req.shop.actor, req.shop.shop_id, req.path["order_id"], expected_version=req.body.version,
                         memo=req.body.memo)
    return _detail(req)


@app.api("PUT", "/orders/{order_id}/flag", permission="orders.edit", body=FlagBody, response=OrderDetail)
def put_flag(req: ApiRequest[FlagBody, None]) -> OrderDetail:
    """The coloured flag (red/yellow/green/blue/purple); null clears it."""
    editing.annotate(req.shop.actor, req.shop.shop_id, req.path["order_id"], expected_version=req.body.version,
                         flag=req.body.flag)
    return _detail(req)


@app.api("POST", "/orders/{order_id}/hold", permission="orders.edit", body=HoldBody, response=OrderDetail)
def hold_order(req: ApiRequest[HoldBody, None]) -> OrderDetail:
    """挂起: a held order cannot be reviewed or shipped until released."""
    editing.hold(req.shop.actor, req.shop.shop_id, req.path["order_id"], req.body.reason,
                     expected_version=req.body.version)
    return _detail(req)


@app.api("POST", "/orders/{order_id}/release", permission="orders.edit", body=ReleaseBody, response=OrderDetail)
def release_order(req: ApiRequest[ReleaseBody, None]) -> OrderDetail:
    """Lift the hold."""
    editing.release(req.shop.actor, req.shop.shop_id, req.path["order_id"], expected_version=req.body.version)
    return _detail(req)


@app.api("POST", "/orders/bulk", permission="orders.edit", body=BulkEdit, response=BulkResults)
def bulk_edit(req: ApiRequest[BulkEdit, None]) -> BulkResults:
    """The same memo or flag on many orders (a result per id)."""
    body, shop, actor = req.body, req.shop.shop_id, req.shop.actor
    if body.action == "memo":
        if body.memo is None:
            raise field_error("memo", "missing")
        memo = body.memo
        results = editing.each(body.ids, req.language,
                                   lambda oid: editing.annotate(actor, shop, oid, memo=memo))
    else:
        flag = body.flag
        results = editing.each(body.ids, req.language,
                                   lambda oid: editing.annotate(actor, shop, oid, flag=flag))
    return BulkResults(results=results)


# -- cancel -----------------------------------------------------------------------------------------
@app.api("POST", "/orders/{order_id}/cancel", permission="orders.cancel", body=CancelBody, response=OrderDetail)
def cancel_order(req: ApiRequest[CancelBody, None]) -> OrderDetail:
    """Cancel before shipment: the reserved stock returns; a paid order stays paid (after-sales refunds it)."""
    lifecycle.cancel(req.shop.actor, req.shop.shop_id, req.path["order_id"], req.body.reason, by_buyer=False,
                     expected_version=req.body.version)
    return _detail(req)


# -- exports ----------------------------------------------------------------------------------------
@app.api("POST", "/orders/exports", permission="orders.export", body=OrderExportRequest, response=ExportJobView,
         status=202, idempotent=True)
def start_order_export(req: ApiRequest[OrderExportRequest, None]) -> ExportJobView:
    """Export the orders of a desk filter as CSV or XLSX (an async job; poll it for the file).

    At most 50,000 rows; personal data masked without personal_data.view; each export is in the
    audit log."""
    return desk_export.start(req.shop, req.body, req.language)


@app.api("GET", "/orders/exports/{job_id}", permission="orders.export", response=ExportJobView)
def get_order_export(req: ApiRequest[None, None]) -> ExportJobView:
    """An export's progress and, once it succeeded, a short-lived download URL."""
    return desk_export.get(req.shop, req.path["job_id"], req.language)


# -- consumers --------------------------------------------------------------------------------------
def on_orders_export(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of OrdersExportQueue: runs one desk export job (a redelivery changes nothing)."""
    return consume_messages(event, context, JobRef, desk_export.handle)


def on_order_paid(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of OrderPaid: the shop's auto-review rules (idempotent)."""
    return consume(event, context, OrderPaid, review_rules.on_order_paid)


def on_order_requested(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The flash-sale order queue: each queued request placed through ``placing.place``."""
    from shared.orders import queue
    from shared.orders.events import OrderRequested

    return consume(event, context, OrderRequested, queue.on_requested)


# -- schedules --------------------------------------------------------------------------------------
@observed
def run_order_timers(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Every minute: unpaid orders past their payment time cancel, delivered ones past their days complete."""
    return timers.run_due()
