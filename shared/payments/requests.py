"""Payment requests of orders: a payment record per order and provider, and the provider's
request (``start_payment``) whose expiry is never later than the order's unpaid cancel time.

    start = requests.start(shop_id, order_id, "alipay", notify_base="https://api…", return_url=…,
                           buyer_id=buyer)   # -> PaymentStart(payment_id, provider, cashier_url, expires_at)

``out_trade_no`` is the order number: the same order paid again with the same provider reuses the
provider's trade (all three do so for an unpaid trade), and a notice finds its order by number.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared import clock
from shared.errors import Conflict, NotFound, Unprocessable, field_error
from shared.ids import new_id
from shared.orders import views
from shared.payments import start_payment
from shared.payments.credentials import configured
from shared.payments.errors import PaymentError
from shared.payments.models import AnyCredentials, PaymentOrder, ProviderName
from shared.payments.tables import PaymentRecord, payment_pk, payment_sk
from shared.settings import service as settings

# A payment request must leave the buyer time to pay: less than this before the cancel timer,
# the order cannot be paid any more (the timer cancels it).
MIN_WINDOW = timedelta(minutes=1)


class PaymentStart(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    payment_id: str
    provider: ProviderName
    cashier_url: str | None = Field(description="The cashier page the buyer's browser opens")
    code_url: str | None = Field(None, description="WeChat Pay Native: the weixin:// link a QR code shows")
    client_secret: str | None = Field(None, description="Stripe PaymentIntent: what Stripe.js confirms")
    expires_at: datetime = Field(description="The payment request's expiry: never later than the order's cancel time")


def shop_credentials(shop_id: str) -> dict[str, AnyCredentials]:
    """The providers this shop has enabled with complete credentials (secrets opened)."""
    return configured(settings.payment_methods_with_secrets(shop_id))


def credentials(shop_id: str, provider: str) -> AnyCredentials | None:
    return shop_credentials(shop_id).get(provider)


def pay_methods(shop_id: str) -> list[str]:
    """What the buyer's pay page lists."""
    return sorted(shop_credentials(shop_id))


def start(shop_id: str, order_id: str, provider: str, *, notify_base: str, return_url: str | None,
          buyer_id: str | None = None, now: datetime | None = None) -> PaymentStart:
    """Start (or restart) paying ``order_id`` with ``provider``. ``buyer_id``: the order must be
    theirs (another buyer's order is 404, as an unknown one)."""
    moment = now or clock.now()
    creds = credentials(shop_id, provider)
    if creds is None:
        raise field_error("provider", "provider_not_configured", provider=provider)
    rec = views.load_order(shop_id, order_id)
    if buyer_id is not None and rec.buyer_id != buyer_id:
        raise NotFound("order_not_found", details={"order_id": order_id})
    if rec.payment_status != "unpaid" or rec.fulfilment_status != "pending_payment":
        raise Conflict("order_not_payable", details={"payment_status": rec.payment_status,
                                                     "fulfilment_status": rec.fulfilment_status})
    if not rec.pay_due_at:
        raise Conflict("order_not_payable", details={"pay_due_at": None})
    expires_at = datetime.fromisoformat(rec.pay_due_at)  # the cancel timer: never later
    if expires_at - moment < MIN_WINDOW:
        raise Conflict("payment_window_closed", details={"pay_due_at": rec.pay_due_at})
    existing = _existing(shop_id, order_id, provider)
    if existing is not None and existing.status != "requested":
        raise Conflict("order_not_payable", details={"payment_status": existing.status})
    order = PaymentOrder(out_trade_no=rec.number, amount_fen=int(rec.payable), currency=rec.currency,  # type: ignore[arg-type]
                         subject=f"订单 Order {rec.number}",
                         notify_url=f"{notify_base.rstrip('/')}/webhooks/payments/{provider}/{shop_id}",
                         return_url=return_url, cancel_url=return_url, expires_at=expires_at)
    try:
        redirect = start_payment(creds, order, now=moment)
    except PaymentError as exc:
        raise Unprocessable("provider_refused", details={"provider": provider, "reason": str(exc)[:200]}) from exc
    if provider == "wechat_pay" and redirect.url:  # H5: back to the storefront after paying
        from shared.payments.wechatpay import h5_with_return

        redirect = redirect.model_copy(update={"url": h5_with_return(redirect.url, return_url)})
    stamp = moment.isoformat()
    record = PaymentRecord(payment_pk(shop_id, order_id), payment_sk(provider),
                           payment_id=existing.payment_id if existing else new_id("pay_"), order_id=order_id,
                           provider=provider, out_trade_no=rec.number, amount=int(rec.payable), currency=rec.currency,
                           status="requested", cashier_url=redirect.url or redirect.code_url,
                           provider_ref=redirect.provider_ref, expires_at_time=expires_at.isoformat(),
                           created_at=existing.created_at if existing else stamp, updated_at=stamp)
    # Never overwrite a payment a notice has moved on meanwhile.
    record.save(PaymentRecord.status.does_not_exist() | (PaymentRecord.status == "requested"))
    return PaymentStart(payment_id=record.payment_id, provider=creds.provider, cashier_url=redirect.url,
                        code_url=redirect.code_url, client_secret=redirect.client_secret, expires_at=expires_at)


def _existing(shop_id: str, order_id: str, provider: str) -> PaymentRecord | None:
    try:
        return PaymentRecord.get(payment_pk(shop_id, order_id), payment_sk(provider), consistent_read=True)
    except PaymentRecord.DoesNotExist:
        return None


def of_order(shop_id: str, order_id: str) -> list[dict[str, Any]]:
    """The order's payments (each provider tried), for order views."""
    return [{"payment_id": r.payment_id, "provider": r.provider, "status": r.status, "amount": int(r.amount),
             "paid_at": r.paid_at, "refunded_total": int(r.refunded_total or 0)}
            for r in PaymentRecord.query(payment_pk(shop_id, order_id), consistent_read=True)]
