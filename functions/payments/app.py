"""Payments of orders (docs/payments.md): the providers' webhooks (public: the signature is the
authentication), the queue consumer that applies stored notices to orders, and the staff's list
of payment anomalies."""
from __future__ import annotations

from typing import Any

from shared.events.consumer import consume
from shared.http import ApiRequest, ShopApp
from shared.pagination import Page, PageQuery
from shared.payments import WebhookAnswer, processing, webhooks
from shared.payments.anomalies import PaymentAnomalyView, list_anomalies
from shared.payments.events import PaymentNotified

app = ShopApp("payments")


@app.api("POST", "/webhooks/payments/{provider}/{shop_id}", public=True, raw=True)
def payment_webhook(req: ApiRequest[None, None]) -> WebhookAnswer:
    """A provider's notification: verified with the shop's credentials, stored once, acknowledged
    in the provider's format (Alipay `success`, WeChat Pay 204, Stripe 200; refusals as each expects)."""
    return webhooks.receive(req.path["provider"], req.path["shop_id"], req.headers, req.raw_body)


@app.api("GET", "/payments/anomalies", permission="orders.view", query=PageQuery, response=Page[PaymentAnomalyView])
def payment_anomalies(req: ApiRequest[None, PageQuery]) -> Page[PaymentAnomalyView]:
    """Payments the orders could not take (late on a cancelled order, wrong amount, a second
    payment, an unknown order), newest first, with the amount to refund."""
    return list_anomalies(req.shop.shop_id, req.query)


def on_payment_notified(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of PaymentNotified: the stored notice applied to its order (idempotent)."""
    return consume(event, context, PaymentNotified, processing.on_payment_notified)
