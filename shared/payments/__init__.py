"""Payment providers behind one interface: Alipay, WeChat Pay API v3 and Stripe, with their real
wire formats (see docs/payments.md).

    redirect = payments.start_payment(creds, order)             # -> the cashier URL for the buyer
    notice = payments.verify_notification(creds, headers, body)  # raises BadSignature / StaleTimestamp / Malformed
    payments.check_notice(notice, expected_amount, creds)        # raises NoticeMismatch
    answer = payments.acknowledge("alipay")                      # or payments.refuse("alipay", error)

Everything but ``send_http`` is pure; credentials are passed in, never read from globals.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from shared import clock
from shared.payments.alipay import ALIPAY
from shared.payments.base import PaymentProvider
from shared.payments.checks import check_notice
from shared.payments.errors import BadSignature, Malformed, NoticeMismatch, PaymentError, ProviderRefused, StaleTimestamp
from shared.payments.models import (
    PROVIDERS,
    AlipayCredentials,
    AnyCredentials,
    OutboundRequest,
    PaymentNotice,
    PaymentOrder,
    PaymentRedirect,
    ProviderAnswer,
    ProviderCredentials,
    ProviderName,
    RefundAccepted,
    RefundOrder,
    StripeCredentials,
    WebhookAnswer,
    WechatPayCredentials,
)
from shared.payments.stripe import STRIPE
from shared.payments.wechatpay import WECHAT_PAY

__all__ = [
    "PROVIDERS", "AlipayCredentials", "AnyCredentials", "BadSignature", "Malformed", "NoticeMismatch", "OutboundRequest",
    "PaymentError", "PaymentNotice", "PaymentOrder", "PaymentProvider", "PaymentRedirect", "ProviderAnswer",
    "ProviderCredentials", "ProviderName", "ProviderRefused", "RefundAccepted", "RefundOrder", "StaleTimestamp",
    "StripeCredentials", "WebhookAnswer", "WechatPayCredentials", "acknowledge", "check_notice", "provider", "refuse",
    "request_refund", "send_http", "start_payment", "verify_notification",
]

_PROVIDERS: dict[str, PaymentProvider] = {"alipay": ALIPAY, "wechat_pay": WECHAT_PAY, "stripe": STRIPE}
TIMEOUT_SECONDS = 10
Send = Callable[[OutboundRequest], ProviderAnswer]


def provider(name: str) -> PaymentProvider:
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown payment provider {name!r}") from None


def send_http(request: OutboundRequest) -> ProviderAnswer:
    """Send a request to a provider: no proxies from the environment, no redirects followed."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    req = urllib.request.Request(request.url, data=request.body if request.method == "POST" else None,
                                 method=request.method, headers=dict(request.headers))
    try:
        with opener.open(req, timeout=TIMEOUT_SECONDS) as answer:
            return ProviderAnswer(status=int(answer.status), headers=dict(answer.headers.items()), body=answer.read())
    except urllib.error.HTTPError as exc:
        return ProviderAnswer(status=int(exc.code), headers=dict(exc.headers.items()), body=exc.read())


def start_payment(creds: AnyCredentials, order: PaymentOrder, *, send: Send = send_http,
                  now: datetime | None = None) -> PaymentRedirect:
    """Create the payment at the provider; returns where the buyer pays."""
    moment = now or clock.now()
    p = provider(creds.provider)
    request = p.payment_request(creds, order, moment)
    answer = None if request.browser else send(request)
    return p.payment_redirect(creds, request, answer, moment)


def request_refund(creds: AnyCredentials, refund: RefundOrder, *, send: Send = send_http,
                   now: datetime | None = None) -> RefundAccepted:
    moment = now or clock.now()
    p = provider(creds.provider)
    return p.refund_result(creds, refund, send(p.refund_request(creds, refund, moment)), moment)


def verify_notification(creds: AnyCredentials, headers: Mapping[str, str], body: bytes, *,
                        now: datetime | None = None) -> PaymentNotice:
    return provider(creds.provider).verify_notification(creds, headers, body, now or clock.now())


def acknowledge(name: ProviderName) -> WebhookAnswer:
    return provider(name).acknowledge()


def refuse(name: ProviderName, error: Exception) -> WebhookAnswer:
    return provider(name).refuse(error)
