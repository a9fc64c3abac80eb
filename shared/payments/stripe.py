"""Stripe: Checkout Session / PaymentIntent creation, refunds, and signed webhook events.

Requests are form-encoded with nested keys (``metadata[out_trade_no]=…``), authenticated with
the secret key, and carry an ``Idempotency-Key``; ``Stripe-Version`` pins the event shapes.

Webhooks carry ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`` (several v1 while a secret
is rotated). Each v1 is compared, in constant time, with HMAC-SHA256(whsec, "<t>.<raw body>");
like stripe-python, a ``t`` older than the tolerance (300 s) is refused and a future one is not.
Events may repeat and arrive out of order: dedupe on the event ``id``. Any 2xx is "received".
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from shared.payments import keys
from shared.payments.base import check_credentials, header, json_object, minor_amount, require
from shared.payments.errors import BadSignature, Malformed, ProviderRefused, StaleTimestamp
from shared.payments.models import (
    OutboundRequest,
    PaymentNotice,
    PaymentOrder,
    PaymentRedirect,
    PaymentStatus,
    ProviderAnswer,
    ProviderName,
    RefundAccepted,
    RefundOrder,
    StripeCredentials,
    WebhookAnswer,
)

API_VERSION = "2024-10-28.acacia"
TOLERANCE_SECONDS = 300
# Stripe lets a Checkout Session expire 30 minutes to 24 hours after creation.
CHECKOUT_MIN_LIFETIME = timedelta(minutes=30, seconds=10)
PAYMENT_INTENT_EVENTS: dict[str, PaymentStatus] = {
    "payment_intent.succeeded": "paid", "payment_intent.canceled": "closed", "payment_intent.processing": "pending",
    "payment_intent.payment_failed": "pending"}  # failed: the buyer may try another card
SESSION_EVENTS: dict[str, PaymentStatus] = {
    "checkout.session.completed": "paid", "checkout.session.async_payment_succeeded": "paid",
    "checkout.session.async_payment_failed": "closed", "checkout.session.expired": "closed"}
REFUND_STATES: dict[str, PaymentStatus] = {"failed": "refund_failed", "canceled": "refund_failed",
                                           "pending": "refund_pending", "requires_action": "refund_pending"}


def form(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding of nested data: ``a[b][0][c]=v``."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs += form(value, name)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                pairs += form(item, f"{name}[{i}]") if isinstance(item, Mapping) else [(f"{name}[{i}]", str(item))]
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


def signature_header(header_value: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header_value.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            if not value.isdigit() or timestamp is not None:
                raise Malformed("Stripe-Signature has a bad or repeated t")
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None:
        raise Malformed("Stripe-Signature has no t")
    if not signatures:
        raise BadSignature("Stripe-Signature has no v1 signature")
    return timestamp, signatures


def _metadata(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


_AMOUNT = "a Stripe amount"  # names a malformed amount in the error


class Stripe:
    name: ProviderName = "stripe"

    def request(self, creds: StripeCredentials, path: str, data: Mapping[str, Any], idempotency_key: str) -> OutboundRequest:
        return OutboundRequest(method="POST", url=creds.api_base.rstrip("/") + path,
                               body=urlencode(form(data)).encode(), headers={
                                   "Authorization": f"Bearer {creds.secret_key.get_secret_value()}",
                                   "Content-Type": "application/x-www-form-urlencoded",
                                   "Idempotency-Key": idempotency_key, "Stripe-Version": API_VERSION})

    # -- starting a payment ------------------------------------------------------------------------------
    def payment_request(self, creds: StripeCredentials, order: PaymentOrder, now: datetime) -> OutboundRequest:
        check_credentials(creds, "stripe")
        channel = order.channel or "checkout"
        meta = {"out_trade_no": order.out_trade_no}
        key = f"{channel}-{order.out_trade_no}-{int(order.expires_at.timestamp())}"
        if channel == "payment_intent":
            return self.request(creds, "/v1/payment_intents", {
                "amount": order.amount_fen, "currency": order.currency.lower(), "description": order.subject,
                "metadata": meta, "automatic_payment_methods": {"enabled": True}}, key)
        if channel != "checkout":
            raise ValueError(f"Stripe has no {channel} channel here (checkout or payment_intent)")
        if not order.return_url:
            raise ValueError("a Checkout Session needs return_url (its success_url)")
        # Stripe refuses an expiry sooner than 30 minutes: the order must expire the session itself
        # (POST /v1/checkout/sessions/{id}/expire) if it cancels earlier.
        expires = max(order.expires_at, now + CHECKOUT_MIN_LIFETIME)
        data: dict[str, Any] = {
            "mode": "payment", "client_reference_id": order.out_trade_no, "success_url": order.return_url,
            "expires_at": int(expires.timestamp()), "metadata": meta, "payment_intent_data": {"metadata": meta},
            "line_items": [{"quantity": 1, "price_data": {"currency": order.currency.lower(), "unit_amount": order.amount_fen,
                                                          "product_data": {"name": order.subject}}}]}
        if order.cancel_url:
            data["cancel_url"] = order.cancel_url
        return self.request(creds, "/v1/checkout/sessions", data, key)

    def answer(self, answer: ProviderAnswer, what: str) -> dict[str, Any]:
        data = json_object(answer.body, what)
        if not 200 <= answer.status < 300:
            err: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
            raise ProviderRefused(f"{what}: HTTP {answer.status} {err.get('code', '')} {err.get('message', '')}", answer=err)
        return data

    def payment_redirect(self, creds: StripeCredentials, request: OutboundRequest, answer: ProviderAnswer | None,
                         now: datetime) -> PaymentRedirect:
        assert answer is not None, "Stripe payments are created by a server call"
        data = self.answer(answer, "the Stripe answer")
        if data.get("object") == "checkout.session":
            require(data, "id", "url", what="the Checkout Session")
            return PaymentRedirect(provider="stripe", url=str(data["url"]), provider_ref=str(data["id"]))
        if data.get("object") == "payment_intent":
            require(data, "id", "client_secret", what="the PaymentIntent")
            return PaymentRedirect(provider="stripe", url=None, provider_ref=str(data["id"]),
                                   client_secret=str(data["client_secret"]))
        raise Malformed(f"unexpected Stripe object {data.get('object')!r}")

    # -- refunds ---------------------------------------------------------------------------------------------
    def refund_request(self, creds: StripeCredentials, refund: RefundOrder, now: datetime) -> OutboundRequest:
        check_credentials(creds, "stripe")
        if not refund.provider_trade_no:
            raise ValueError("a Stripe refund names the PaymentIntent (provider_trade_no)")
        data: dict[str, Any] = {"payment_intent": refund.provider_trade_no, "amount": refund.refund_fen,
                                "metadata": {"out_trade_no": refund.out_trade_no, "out_refund_no": refund.out_refund_no}}
        if refund.reason:
            data["reason"] = "requested_by_customer"
            data["metadata"]["reason"] = refund.reason
        return self.request(creds, "/v1/refunds", data, f"refund-{refund.out_refund_no}")

    def refund_result(self, creds: StripeCredentials, refund: RefundOrder, answer: ProviderAnswer,
                      now: datetime) -> RefundAccepted:
        data = self.answer(answer, "the refund answer")
        state = data.get("status")
        if state in ("failed", "canceled"):
            raise ProviderRefused(f"refund {refund.out_refund_no} is {state}", answer=data)
        return RefundAccepted(provider="stripe", out_refund_no=refund.out_refund_no, provider_refund_no=data.get("id"),
                              status="succeeded" if state == "succeeded" else "pending", raw=data)

    # -- webhooks -----------------------------------------------------------------------------------------
    def verify_signature(self, secret: str, header_value: str | None, body: bytes, now: datetime) -> None:
        if not header_value:
            raise Malformed("Stripe-Signature is required")
        timestamp, signatures = signature_header(header_value)
        expected = keys.hmac_sha256_hex(secret, str(timestamp).encode() + b"." + body)
        if not any(keys.same(expected, s) for s in signatures):
            raise BadSignature("no v1 signature matches")
        if timestamp < now.timestamp() - TOLERANCE_SECONDS:
            raise StaleTimestamp(f"Stripe-Signature t={timestamp} is older than {TOLERANCE_SECONDS} s")

    def verify_notification(self, creds: StripeCredentials, headers: Mapping[str, str], body: bytes,
                            now: datetime) -> PaymentNotice:
        check_credentials(creds, "stripe")
        self.verify_signature(creds.webhook_secret.get_secret_value(), header(headers, "Stripe-Signature"), body, now)
        event = json_object(body, "the event")
        require(event, "id", "type", "data", what="the event")
        obj = event["data"].get("object") if isinstance(event["data"], dict) else None
        if not isinstance(obj, dict):
            raise Malformed("the event has no data.object")
        return self.notice(event, obj)

    def notice(self, event: dict[str, Any], obj: dict[str, Any]) -> PaymentNotice:
        kind = str(event["type"])
        created = event.get("created")
        base: dict[str, Any] = {
            "provider": "stripe", "event_id": str(event["id"]), "event_type": kind, "raw": event,
            "merchant_id": event.get("account"), "currency": str(obj["currency"]).upper() if obj.get("currency") else None,
            "occurred_at": datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
            "out_trade_no": _metadata(obj).get("out_trade_no") or obj.get("client_reference_id")}
        status: PaymentStatus
        if kind.startswith("payment_intent."):
            status = PAYMENT_INTENT_EVENTS.get(kind, "ignored")
            return PaymentNotice(**base, provider_trade_no=obj.get("id"), status=status,
                                 amount_fen=minor_amount(obj.get("amount"), _AMOUNT),
                                 paid_at=base["occurred_at"] if status == "paid" else None)
        if kind.startswith("checkout.session."):
            paid = obj.get("payment_status") in ("paid", "no_payment_required")
            status = SESSION_EVENTS.get(kind, "ignored")
            if kind == "checkout.session.completed" and not paid:
                status = "pending"  # an asynchronous method (bank transfer, …): async_payment_succeeded follows
            return PaymentNotice(**base, provider_trade_no=obj.get("payment_intent"), status=status,
                                 amount_fen=minor_amount(obj.get("amount_total"), _AMOUNT),
                                 paid_at=base["occurred_at"] if status == "paid" else None)
        if kind == "charge.refunded":
            total, refunded = minor_amount(obj.get("amount"), _AMOUNT), minor_amount(obj.get("amount_refunded"), _AMOUNT)
            return PaymentNotice(**base, provider_trade_no=obj.get("payment_intent"),
                                 status="refunded" if obj.get("refunded") else "partially_refunded",
                                 amount_fen=total, refunded_total_fen=refunded)
        if kind.startswith("refund."):
            # charge.refunded carries the amounts; refund.* matter only when a refund did not go through.
            state = obj.get("status")
            status = REFUND_STATES.get(str(state), "ignored")
            return PaymentNotice(**base, provider_trade_no=obj.get("payment_intent"), status=status, amount_fen=None,
                                 refund_fen=minor_amount(obj.get("amount"), _AMOUNT), provider_refund_no=obj.get("id"),
                                 out_refund_no=_metadata(obj).get("out_refund_no"))
        return PaymentNotice(**base, provider_trade_no=None, status="ignored", amount_fen=None)

    def acknowledge(self) -> WebhookAnswer:
        return WebhookAnswer(status=200, headers={"Content-Type": "application/json"}, body=b'{"received":true}')

    def refuse(self, error: Exception) -> WebhookAnswer:
        status = 400 if isinstance(error, BadSignature | StaleTimestamp | Malformed) else 500
        # Stripe reads only the status; the code helps whoever reads the dashboard's delivery log.
        body = json.dumps({"error": {"code": getattr(error, "code", "internal_error")}}).encode()
        return WebhookAnswer(status=status, headers={"Content-Type": "application/json"}, body=body)



STRIPE = Stripe()
