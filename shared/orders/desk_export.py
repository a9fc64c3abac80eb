"""The order desk's exports (订单导出): the orders of a desk filter as CSV or XLSX, built by a job
(``shared.jobs``) because a filter may hold tens of thousands of orders.

``start`` writes the job (``queued``, with the caller's filter and whether they may see personal
data) and its ``OrdersExported`` event in one transaction (every export is in the audit log),
then queues it on ``OrdersExportQueue``. ``OrdersExportFunction`` runs ``handle``: it reads
exactly what the desk lists for the filter (``queries.desk_records``), writes one row per order
through ``shared.exports`` (formula-neutralised cells, CSV with a BOM) and stores the file;
``get`` answers the job with a short-lived download URL once it succeeded.

Personal fields (buyer mobile, receiver name, mobile and address) are masked with the desk's own
helpers unless the starter holds ``personal_data.view`` both when asking and when the job runs;
a file in clear is handed out only to callers who hold it too. At most ``MAX_ROWS`` rows: a
larger filter fails the job with ``export_too_large`` (narrow the filter).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from shared import exports, jobs, money, privacy
from shared.auth.context import AuthContext
from shared.ids import new_id
from shared.jobs import ExportJobView, JobRef
from shared.model import Input
from shared.orders.events import OrdersExported
from shared.orders.models import DeskQuery
from shared.orders.queries import desk_records
from shared.orders.tables import OrderExportJob, OrderRecord
from shared.orders.views import receiver

MAX_ROWS = 50_000
QUEUE_URL_ENV = "ORDERS_EXPORT_QUEUE_URL"
TABLE_ENV = "ORDERS_TABLE"

# (key, zh-CN header, en header): the columns a merchant expects, in this order.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "订单号", "Order number"), ("placed_at", "下单时间", "Placed at"), ("paid_at", "付款时间", "Paid at"),
    ("status", "订单状态", "Status"), ("payment_status", "付款状态", "Payment status"),
    ("buyer", "买家手机", "Buyer mobile"), ("receiver", "收货人", "Receiver"),
    ("receiver_mobile", "收货人手机", "Receiver mobile"), ("province", "省份", "Province"),
    ("address", "详细地址", "Address"), ("lines", "商品", "Items"), ("item_count", "件数", "Quantity"),
    ("subtotal", "商品金额(元)", "Goods (yuan)"), ("discount", "优惠(元)", "Discount (yuan)"),
    ("freight", "运费(元)", "Freight (yuan)"), ("payable", "实付金额(元)", "Paid amount (yuan)"),
    ("payment_method", "支付方式", "Payment method"), ("trade_no", "支付流水号", "Trade no."),
    ("flag", "旗帜", "Flag"), ("memo", "卖家备注", "Seller memo"),
)
LABELS: dict[str, dict[str, dict[str, str]]] = {
    "status": {
        "zh-CN": {"pending_payment": "待付款", "pending_review": "待审核", "finance_review": "待财审", "to_ship": "待发货",
                  "partially_shipped": "部分发货", "shipped": "已发货", "delivered": "已签收", "completed": "已完成",
                  "cancelled": "已取消", "closed": "已关闭"},
        "en": {"pending_payment": "Awaiting payment", "pending_review": "Awaiting review",
               "finance_review": "Awaiting finance review", "to_ship": "To ship", "partially_shipped": "Partly shipped",
               "shipped": "Shipped", "delivered": "Delivered", "completed": "Completed", "cancelled": "Cancelled",
               "closed": "Closed"},
    },
    "payment_status": {
        "zh-CN": {"unpaid": "未付款", "paid": "已付款", "partially_refunded": "部分退款", "refunded": "已退款"},
        "en": {"unpaid": "Unpaid", "paid": "Paid", "partially_refunded": "Partly refunded", "refunded": "Refunded"},
    },
    "payment_method": {
        "zh-CN": {"alipay": "支付宝", "wechat_pay": "微信支付", "stripe": "Stripe"},
        "en": {"alipay": "Alipay", "wechat_pay": "WeChat Pay", "stripe": "Stripe"},
    },
    "flag": {
        "zh-CN": {"red": "红", "yellow": "黄", "green": "绿", "blue": "蓝", "purple": "紫"},
        "en": {"red": "Red", "yellow": "Yellow", "green": "Green", "blue": "Blue", "purple": "Purple"},
    },
}


class OrderExportFilter(DeskQuery):
    """The desk's filter (``GET /orders`` fields; ``limit`` and ``cursor`` are ignored)."""


class OrderExportRequest(Input):
    format: exports.Format
    filter: OrderExportFilter = Field(default_factory=OrderExportFilter,  # type: ignore[arg-type]
                                      description="The fields of GET /orders (limit and cursor are ignored)")


class _TooLarge(Exception):
    pass


def headers(language: str) -> list[str]:
    return [zh if language == "zh-CN" else en for _, zh, en in COLUMNS]


def _label(kind: str, value: str | None, language: str) -> str:
    return LABELS[kind][language].get(value or "", value or "")


def _yuan(amount: Any, currency: str) -> Decimal:
    return Decimal(money.major_text(int(amount or 0), currency))


def _line(line: dict[str, Any]) -> str:
    """连衣裙 (红/M) × 2"""
    specs = "/".join(str(v) for v in line.get("spec_values") or [])
    return f"{line.get('name', '')}{f' ({specs})' if specs else ''} × {line.get('qty')}"


def order_row(rec: OrderRecord, language: str, may_see: bool, zone: ZoneInfo) -> list[Any]:
    """One order as the export's row (personal fields masked unless ``may_see``, as the desk does)."""
    from shared.settings import regions

    def local(moment: str | None) -> str:
        return datetime.fromisoformat(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    to = receiver(rec, may_see)
    buyer = (rec.buyer_mobile or "").removeprefix("+86")  # a leading + would be neutralised as a formula
    province = regions.region(rec.province) if rec.province else None
    province_name = (province.name_en or province.name if language == "en" else province.name) if province else ""
    currency = rec.currency or "CNY"
    record = {
        "number": rec.number, "placed_at": local(rec.created_at), "paid_at": local(rec.paid_at),
        "status": _label("status", rec.fulfilment_status, language),
        "payment_status": _label("payment_status", rec.payment_status, language),
        "buyer": buyer if may_see else privacy.mask_phone(buyer),
        "receiver": to.name, "receiver_mobile": to.mobile, "province": province_name, "address": to.detail,
        "lines": "; ".join(_line(line) for line in rec.lines or []),
        "item_count": int(rec.item_count or 0), "subtotal": _yuan(rec.subtotal, currency),
        "discount": _yuan(rec.discount_total, currency), "freight": _yuan(rec.freight, currency),
        "payable": _yuan(rec.payable, currency), "payment_method": _label("payment_method", rec.payment_method, language),
        "trade_no": rec.paid_trade_no or "", "flag": _label("flag", rec.flag, language), "memo": rec.memo or "",
    }
    return [record[key] for key, _, _ in COLUMNS]


# -- the API's side -------------------------------------------------------------------------------
def view(rec: OrderExportJob, language: str, caller: AuthContext | None = None) -> ExportJobView:
    """The job; a file in clear is not handed to a caller without ``personal_data.view``."""
    found = jobs.export_view(rec, language, MAX_ROWS)
    if caller is not None and rec.clear and not caller.can("personal_data.view"):
        return found.model_copy(update={"file_url": None, "expires_in": None})
    return found


def start(ctx: AuthContext, body: OrderExportRequest, language: str) -> ExportJobView:
    """The job (``queued``) and its audit event in one write, then the message to the worker."""
    wanted = body.filter.model_dump(mode="json", by_alias=True, exclude={"limit", "cursor"}, exclude_none=True)
    clear = ctx.can("personal_data.view")
    job_id = new_id("job_")
    event = OrdersExported(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=job_id, format=body.format,
                           filter=wanted, clear=clear)
    rec = jobs.new_job(OrderExportJob, ctx, job_id, "export", "queued", body.format, language, filter=wanted,
                       clear=clear, events=[event], table_env=TABLE_ENV)
    jobs.send(rec, QUEUE_URL_ENV)
    return view(rec, language)


def get(ctx: AuthContext, job_id: str, language: str) -> ExportJobView:
    return view(jobs.require(OrderExportJob, ctx.shop_id, job_id), language, ctx)


# -- the worker's side ----------------------------------------------------------------------------
def handle(ref: JobRef) -> None:
    """The record handler of ``OrdersExportQueue`` (a redelivery changes nothing: ``jobs.run``)."""
    rec = jobs.load(OrderExportJob, ref.shop_id, ref.job_id)
    if rec is not None:
        jobs.run(rec, "queued", run_export)


def run_export(rec: OrderExportJob) -> None:
    from shared.identity.access import member_context
    from shared.settings.service import read_section

    shop_id, language = rec.shop_id, rec.language or "zh-CN"
    may_see = bool(rec.clear) and member_context(rec.actor_id, shop_id, "orders-export").can("personal_data.view")
    zone = ZoneInfo(str(read_section(shop_id, "profile").get("time_zone") or "Asia/Shanghai"))
    query = OrderExportFilter.model_validate(rec.filter or {})
    progress = jobs.Progress(rec)

    def rows() -> Iterator[list[Any]]:
        for order in desk_records(shop_id, query):
            if progress.processed >= MAX_ROWS:
                raise _TooLarge()
            yield order_row(order, language, may_see, zone)
            progress.advance(1)

    try:
        key, _, count = exports.store(shop_id, "orders", headers(language), rows(), rec.format)  # type: ignore[arg-type]
    except _TooLarge:
        jobs.finish(rec, "failed", error=("export_too_large", {"max": MAX_ROWS}), progress=progress)
        return
    progress.processed = count
    jobs.finish(rec, "succeeded", progress=progress, total=count, file_key=key, file_rows=count)
