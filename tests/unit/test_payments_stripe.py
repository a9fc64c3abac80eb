"""Stripe: Stripe-Signature (t, several v1, HMAC-SHA256 over "t.raw_body", 300 s tolerance for
old timestamps only, as stripe-python), the event types ShopDesk reads, the creation shapes."""
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest

from infra.payment_sandbox import notifications as provider_side
from shared import payments
from shared.payments import BadSignature, Malformed, PaymentOrder, StaleTimestamp
from shared.payments.stripe import STRIPE, form
from tests.unit.payments_keys import credentials

NOW = datetime(2026, 3, 1, 4, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def secret():
    return credentials("stripe").webhook_secret.get_secret_value()


def event(kind="payment_intent.succeeded", obj=None):
    obj = obj or {"id": "pi_1", "object": "payment_intent", "amount": 12900, "amount_received": 12900, "currency": "cny",
                  "metadata": {"out_trade_no": "SD20260301001"}, "status": "succeeded"}
    return provider_side.stripe_event(kind, obj, NOW)


def verify(body, header, now=None):
    return payments.verify_notification(credentials("stripe"), {"Stripe-Signature": header}, body, now=now or NOW)


def test_a_known_vector_verifies():
    body = b'{"id":"evt_1","type":"ping","data":{"object":{}}}'
    v1 = hmac.new(secret().encode(), f"{T}.".encode() + body, hashlib.sha256).hexdigest()
    assert verify(body, f"t={T},v1={v1}").status == "ignored"


def test_any_of_several_v1_signatures_may_match_during_rotation():
    body = event()
    good = provider_side.stripe_headers(secret(), body, timestamp=T)["Stripe-Signature"].split("v1=")[1]
    notice = verify(body, f"t={T},v1={'0' * 64},v0=abc,v1={good}")
    assert notice.status == "paid" and notice.amount_fen == 12900 and notice.currency == "CNY"
    assert notice.out_trade_no == "SD20260301001" and notice.provider_trade_no == "pi_1"
    assert notice.event_id == json.loads(body)["id"]


def test_a_flipped_byte_a_wrong_secret_or_no_v1_is_refused():
    body = event()
    header = provider_side.stripe_headers(secret(), body, timestamp=T)["Stripe-Signature"]
    with pytest.raises(BadSignature):
        verify(body.replace(b"12900", b"12901"), header)
    with pytest.raises(BadSignature):
        verify(body, provider_side.stripe_headers("whsec_other", body, timestamp=T)["Stripe-Signature"])
    with pytest.raises(BadSignature):
        verify(body, f"t={T},v0=abc")
    with pytest.raises(Malformed):
        verify(body, "v1=abc")
    with pytest.raises(Malformed):
        payments.verify_notification(credentials("stripe"), {}, body, now=NOW)


@pytest.mark.parametrize(("offset", "stale"), [(-300, False), (-301, True), (-86400, True), (3600, False)])
def test_only_timestamps_older_than_the_tolerance_are_stale(offset, stale):
    body = event()
    header = provider_side.stripe_headers(secret(), body, timestamp=T + offset)["Stripe-Signature"]
    if stale:
        with pytest.raises(StaleTimestamp):
            verify(body, header)
    else:
        assert verify(body, header).status == "paid"


def signed(kind, obj):
    body = event(kind, obj)
    return verify(body, provider_side.stripe_headers(secret(), body, timestamp=T)["Stripe-Signature"])


def test_the_event_types_shopdesk_reads():
    session = {"id": "cs_1", "object": "checkout.session", "amount_total": 12900, "currency": "cny", "payment_status": "paid",
               "payment_intent": "pi_1", "client_reference_id": "SD20260301001", "metadata": {}}
    assert signed("checkout.session.completed", session).status == "paid"
    assert signed("checkout.session.completed", {**session, "payment_status": "unpaid"}).status == "pending"
    assert signed("checkout.session.expired", {**session, "payment_status": "unpaid"}).status == "closed"
    assert signed("checkout.session.completed", session).out_trade_no == "SD20260301001"
    charge = {"id": "ch_1", "object": "charge", "amount": 12900, "amount_refunded": 2900, "refunded": False, "currency": "cny",
              "payment_intent": "pi_1", "metadata": {"out_trade_no": "SD20260301001"}}
    partial = signed("charge.refunded", charge)
    assert partial.status == "partially_refunded" and partial.refunded_total_fen == 2900 and partial.provider_trade_no == "pi_1"
    assert signed("charge.refunded", {**charge, "amount_refunded": 12900, "refunded": True}).status == "refunded"
    refund = {"id": "re_1", "object": "refund", "amount": 2900, "status": "succeeded", "payment_intent": "pi_1", "metadata": {}}
    assert signed("refund.created", refund).status == "ignored"
    assert signed("refund.failed", {**refund, "status": "failed"}).status == "refund_failed"
    assert signed("customer.created", {"id": "cus_1", "object": "customer"}).status == "ignored"
    with pytest.raises(Malformed):
        signed("charge.refunded", {**charge, "amount": 129.0})


def test_a_checkout_session_request_has_stripes_nested_form_and_idempotency_key():
    creds = credentials("stripe")
    order = PaymentOrder(out_trade_no="SD20260301001", amount_fen=12900, subject="连衣裙", notify_url="-",
                         return_url="https://shop.example/ok?s={CHECKOUT_SESSION_ID}", expires_at=NOW + timedelta(hours=1))
    request = STRIPE.payment_request(creds, order, NOW)
    fields = dict(parse_qsl(request.body.decode()))
    assert request.url == creds.api_base + "/v1/checkout/sessions"
    assert fields["line_items[0][price_data][unit_amount]"] == "12900" and fields["line_items[0][price_data][currency]"] == "cny"
    assert fields["metadata[out_trade_no]"] == fields["payment_intent_data[metadata][out_trade_no]"] == "SD20260301001"
    assert fields["expires_at"] == str(T + 3600) and fields["mode"] == "payment"
    assert request.headers["Authorization"] == f"Bearer {creds.secret_key.get_secret_value()}"
    assert request.headers["Idempotency-Key"] and request.headers["Stripe-Version"]
    soon = STRIPE.payment_request(creds, order.model_copy(update={"expires_at": NOW + timedelta(minutes=5)}), NOW)
    assert int(dict(parse_qsl(soon.body.decode()))["expires_at"]) >= T + 1800  # Stripe's minimum lifetime


def test_form_encoding_flattens_nested_data():
    assert form({"a": {"b": [{"c": 1}, "x"]}, "d": True, "e": None}) == [("a[b][0][c]", "1"), ("a[b][1]", "x"), ("d", "true")]


def test_answers():
    assert 200 <= payments.acknowledge("stripe").status < 300
    assert payments.refuse("stripe", BadSignature("x")).status == 400
    assert payments.refuse("stripe", RuntimeError("db down")).status == 500
