"""Orders paid through the payment sandbox (docs/payments.md "Orders and payments"): per-shop
credentials sealed and shown once, the payment request, the webhook that verifies, stores once
and answers each provider as it expects, and the queue consumer that pays the order once or
records an anomaly. The payment start is called in-process (its buyer route waits for the buyer
access kind); everything after it goes through the real gateway, sandbox and queues."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import boto3
import pytest
import requests

from shared.events.base import Actor
from tests.integration.conftest import Api, eventually
from tests.integration.test_orders_placing import _lines, _listed, _place

OWNER = Actor(id="staff:test")


@pytest.fixture
def paying(system: Any, shop_id: str, owner: Api) -> Api:
    """A shop paying through the sandbox with its merchant credentials (as the demo shop)."""
    from infra.seed import configure_sandbox_payments

    configure_sandbox_payments(shop_id, OWNER)
    return owner


def sandbox(system: Any) -> str:
    return f"{system.url}/__sandbox/pay"


def start(system: Any, shop_id: str, order: Any, provider: str) -> Any:
    from shared.payments import requests as payment_requests

    started = payment_requests.start(shop_id, order.id, provider, notify_base=f"{system.url}/api",
                                     return_url=f"{system.url}/shop/#/{shop_id}/orders/{order.id}?paid=1")
    # The buyer's browser opens the cashier (Alipay's trade is made when its signed URL is opened).
    assert requests.get(started.cashier_url, timeout=10).status_code == 200
    return started


def trade_of(system: Any, provider: str, number: str) -> dict[str, Any]:
    answer = requests.get(f"{sandbox(system)}/control/trades", params={"provider": provider, "out_trade_no": number},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["trade"])


def pay(system: Any, provider: str, number: str, **extra: Any) -> dict[str, Any]:
    trade = trade_of(system, provider, number)
    answer = requests.post(f"{sandbox(system)}/control/trades/{trade['id']}/pay", json=extra, timeout=10)
    assert answer.status_code == 200, answer.text
    return trade


def deliveries(system: Any, trade_id: str, shop_id: str = "") -> list[dict[str, Any]]:
    """A trade's deliveries (to ``shop_id``'s webhook: the sandbox's one Stripe account sends
    every event to each shop's registered endpoint)."""
    found = requests.get(f"{sandbox(system)}/control/deliveries", params={"trade": trade_id}, timeout=10).json()
    return [d for d in found["deliveries"] if d["url"].endswith(f"/{shop_id}") or not shop_id]


def stored_events(shop_id: str) -> list[Any]:
    from shared.payments.tables import PaymentsItem, ProviderEventRecord

    return [i for i in PaymentsItem.scan(PaymentsItem.pk.startswith(f"SHOP#{shop_id}#PAYEVT#"))
            if isinstance(i, ProviderEventRecord)]


def order_paid_events(shop_id: str, order_id: str) -> list[Any]:
    """The OrderPaid events of an order (its outbox items, in the order's partition)."""
    from shared.orders.tables import order_pk

    table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
    items = table.query(KeyConditionExpression="pk = :p AND begins_with(sk, :o)",
                        ExpressionAttributeValues={":p": order_pk(shop_id, order_id), ":o": "OUTBOX#"},
                        ConsistentRead=True)["Items"]
    return [i for i in items if i.get("detail_type") == "OrderPaid"]


def paid(owner: Api, order_id: str) -> dict[str, Any]:
    return dict(eventually(lambda: (lambda o: o if o["payment_status"] == "paid" else None)(
        owner.get(f"/orders/{order_id}").json()), timeout=60))


# -- credentials -----------------------------------------------------------------------------------
def test_provider_secrets_are_sealed_answered_as_configured_and_kept_when_sent_back(owner: Api) -> None:
    from shared.payments import requests as payment_requests
    from shared.settings.tables import SettingsItem, key

    body = {"version": 0, "methods": [{"code": "stripe", "enabled": True, "settings": {
        "secret_key": "sk_test_SECRET123456", "webhook_secret": "whsec_SECRET987654", "fee_rate_bp": 290}}]}
    saved = owner.put("/settings/payment-methods", json=body)
    assert saved.status_code == 200, saved.text
    stripe = next(m for m in saved.json()["methods"] if m["code"] == "stripe")
    assert stripe["settings"]["secret_key"] == "configured" and stripe["settings"]["webhook_secret"] == "configured"
    assert "SECRET" not in saved.text
    shown = owner.get("/settings").json()["payment_methods"]
    assert "SECRET" not in json.dumps(shown)
    raw = SettingsItem.get(*key(owner.shop_id), consistent_read=True).payment_methods
    assert "SECRET" not in json.dumps(raw)  # sealed at rest
    # Sent back as answered (configured), or omitted: the stored secret stays.
    again = [{**m, "settings": {k: v for k, v in m["settings"].items() if k != "webhook_secret"}}
             for m in shown["methods"]]
    kept = owner.put("/settings/payment-methods", json={"version": shown["version"], "methods": again})
    assert kept.status_code == 200, kept.text
    creds = payment_requests.credentials(owner.shop_id, "stripe")
    assert creds is not None and creds.secret_key.get_secret_value() == "sk_test_SECRET123456"
    assert creds.webhook_secret.get_secret_value() == "whsec_SECRET987654"
    # The audit trail (SettingsModified) never carries the secret either.
    entries = eventually(lambda: owner.get("/audit", params={"action": "settings.payment_methods"}).json()["items"])
    assert "SECRET" not in json.dumps(entries)


def test_the_demo_shop_pays_through_the_sandbox_with_all_three_providers(system: Any) -> None:
    from infra.seed import DEMO_SHOP_ID
    from shared.payments import requests as payment_requests

    assert payment_requests.pay_methods(DEMO_SHOP_ID) == ["alipay", "stripe", "wechat_pay"]
    alipay = payment_requests.credentials(DEMO_SHOP_ID, "alipay")
    assert alipay is not None and alipay.gateway_url.startswith(sandbox(system))


def test_invalid_credentials_are_refused_by_field_and_change_nothing(owner: Api) -> None:
    body = {"version": 0, "methods": [{"code": "wechat_pay", "enabled": True, "settings": {
        "merchant_id": "1900000109", "appid": "wx1234", "merchant_serial_no": "ABC",
        "merchant_private_key_pem": "x", "apiv3_key": "too-short", "platform_keys": {"S1": "k"}}}]}
    answer = owner.put("/settings/payment-methods", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["fields"][0]["field"].endswith("settings.apiv3_key")
    assert owner.get("/settings").json()["payment_methods"]["version"] == 0


# -- paying ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("provider", ["alipay", "wechat_pay", "stripe"])
def test_each_provider_pays_an_order_end_to_end(system: Any, shop_id: str, paying: Api, provider: str) -> None:
    from shared.payments.requests import of_order

    order = _place(shop_id, _lines(_listed(paying), 2))
    started = start(system, shop_id, order, provider)
    assert started.cashier_url and started.cashier_url.startswith(sandbox(system))
    assert started.expires_at == datetime.fromisoformat(order.pay_due_at)  # the cancel timer, never later
    pay(system, provider, order.number)
    seen = paid(paying, order.id)
    assert (seen["fulfilment_status"], seen["payment_method"]) == ("pending_review", provider)
    assert [t["kind"] for t in seen["timeline"]].count("pay") == 1
    eventually(lambda: [p for p in of_order(shop_id, order.id) if p["status"] == "paid"])
    assert len(order_paid_events(shop_id, order.id)) == 1


def test_the_same_order_started_twice_reuses_the_payment(system: Any, shop_id: str, paying: Api) -> None:
    order = _place(shop_id, _lines(_listed(paying)))
    first, second = start(system, shop_id, order, "alipay"), start(system, shop_id, order, "alipay")
    assert first.payment_id == second.payment_id


def test_a_provider_the_shop_has_not_configured_is_refused(system: Any, shop_id: str, owner: Api) -> None:
    from shared.errors import ValidationFailed

    order = _place(shop_id, _lines(_listed(owner)))
    with pytest.raises(ValidationFailed):
        start(system, shop_id, order, "stripe")


# -- attacks -----------------------------------------------------------------------------------------
EXPECTED_REFUSAL = {"alipay": (200, b"failure"), "wechat_pay": (401, None), "stripe": (400, None)}


@pytest.mark.parametrize("provider,forgery", [
    ("alipay", "bad_signature"), ("wechat_pay", "bad_signature"), ("wechat_pay", "stale_timestamp"),
    ("wechat_pay", "unknown_serial"), ("stripe", "bad_signature"), ("stripe", "stale_timestamp")])
def test_a_forged_or_stale_notice_changes_nothing_and_is_refused(system: Any, shop_id: str, paying: Api,
                                                                   provider: str, forgery: str) -> None:
    order = _place(shop_id, _lines(_listed(paying)))
    start(system, shop_id, order, provider)
    trade = pay(system, provider, order.number)
    paid(paying, order.id)
    before = len(stored_events(shop_id))
    first = deliveries(system, trade["id"], shop_id)[0]
    forged = requests.post(f"{sandbox(system)}/control/deliveries/{first['id']}/forge", json={"kind": forgery},
                           timeout=10)
    assert forged.status_code == 200, forged.text
    attempts = eventually(lambda: next(d for d in deliveries(system, trade["id"])
                                       if d["id"] == forged.json()["id"])["attempts"], timeout=60)
    expected_status, expected_body = EXPECTED_REFUSAL[provider]
    assert (attempts[0]["status"], attempts[0]["received"]) == (expected_status, False), attempts
    if expected_body is not None:
        assert attempts[0]["answer"] == expected_body.decode()
    time.sleep(1)
    assert len(stored_events(shop_id)) == before
    assert [t["kind"] for t in paying.get(f"/orders/{order.id}").json()["timeline"]].count("pay") == 1


def _stripe_event(shop_id: str, number: str, amount: int, *, account: str | None = None) -> tuple[bytes, str]:
    from shared.payments import requests as payment_requests

    creds = payment_requests.credentials(shop_id, "stripe")
    assert creds is not None
    event = {"id": f"evt_test_{number}_{account or 'ok'}", "object": "event", "type": "payment_intent.succeeded",
             "created": int(time.time()), "livemode": False, **({"account": account} if account else {}),
             "data": {"object": {"id": f"pi_test_{number}", "object": "payment_intent", "amount": amount,
                                 "amount_received": amount, "currency": "cny", "status": "succeeded",
                                 "metadata": {"out_trade_no": number}, "created": int(time.time())}}}
    body = json.dumps(event).encode()
    t = str(int(time.time()))
    sig = hmac.new(creds.webhook_secret.get_secret_value().encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={sig}"


def test_a_genuinely_signed_notice_for_another_merchant_is_refused(system: Any, shop_id: str, paying: Api) -> None:
    order = _place(shop_id, _lines(_listed(paying)))
    body, signature = _stripe_event(shop_id, order.number, order.payable, account="acct_someoneelse")
    answer = requests.post(f"{system.url}/api/webhooks/payments/stripe/{shop_id}", data=body,
                           headers={"Stripe-Signature": signature, "Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 400, answer.text
    assert stored_events(shop_id) == []
    time.sleep(1)
    assert paying.get(f"/orders/{order.id}").json()["payment_status"] == "unpaid"


def test_twenty_concurrent_duplicates_make_one_payment_and_one_order_paid(system: Any, shop_id: str,
                                                                          paying: Api) -> None:
    order = _place(shop_id, _lines(_listed(paying)))
    body, signature = _stripe_event(shop_id, order.number, order.payable)

    def deliver(_: int) -> int:
        return requests.post(f"{system.url}/api/webhooks/payments/stripe/{shop_id}", data=body,
                             headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                             timeout=60).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(deliver, range(20)))
    assert statuses == [200] * 20
    assert len(stored_events(shop_id)) == 1
    seen = paid(paying, order.id)
    time.sleep(1)
    assert [t["kind"] for t in paying.get(f"/orders/{order.id}").json()["timeline"]].count("pay") == 1
    assert len(order_paid_events(shop_id, order.id)) == 1
    assert seen["payment_method"] == "stripe"


def test_a_replayed_delivery_is_acknowledged_and_changes_nothing(system: Any, shop_id: str, paying: Api) -> None:
    order = _place(shop_id, _lines(_listed(paying)))
    start(system, shop_id, order, "alipay")
    trade = pay(system, "alipay", order.number)
    paid(paying, order.id)
    before = len(stored_events(shop_id))
    [first, *_] = deliveries(system, trade["id"], shop_id)
    replay = requests.post(f"{sandbox(system)}/control/deliveries/{first['id']}/replay", json={}, timeout=10)
    assert replay.status_code == 200, replay.text
    time.sleep(2)
    assert len(stored_events(shop_id)) == before
    assert [t["kind"] for t in paying.get(f"/orders/{order.id}").json()["timeline"]].count("pay") == 1


# -- anomalies ---------------------------------------------------------------------------------------
def test_a_payment_after_the_cancel_timer_is_an_anomaly_and_the_money_is_recorded(system: Any, shop_id: str,
                                                                                  paying: Api) -> None:
    from shared.orders import lifecycle
    from shared.payments.requests import of_order

    order = _place(shop_id, _lines(_listed(paying)))
    start(system, shop_id, order, "wechat_pay")
    lifecycle.expire(shop_id, order.id)  # what the unpaid timer runs
    pay(system, "wechat_pay", order.number)
    anomalies = eventually(lambda: paying.get("/payments/anomalies").json()["items"], timeout=60)
    assert anomalies[0]["anomaly"] == "order_closed" and anomalies[0]["order_id"] == order.id
    assert anomalies[0]["refund_due"] == order.payable
    seen = paying.get(f"/orders/{order.id}").json()
    assert (seen["fulfilment_status"], seen["payment_status"], seen["flag"]) == ("cancelled", "unpaid", "red")
    assert [p["status"] for p in of_order(shop_id, order.id)] == ["paid"]  # the money is recorded


def test_a_wrong_amount_is_recorded_and_flagged_never_paid(system: Any, shop_id: str, paying: Api) -> None:
    order = _place(shop_id, _lines(_listed(paying)))
    start(system, shop_id, order, "alipay")
    pay(system, "alipay", order.number, amount_fen=order.payable - 100)
    anomalies = eventually(lambda: paying.get("/payments/anomalies").json()["items"], timeout=60)
    assert anomalies[0]["anomaly"] == "amount_mismatch"
    assert (anomalies[0]["amount"], anomalies[0]["expected"]) == (order.payable - 100, order.payable)
    seen = paying.get(f"/orders/{order.id}").json()
    assert (seen["payment_status"], seen["flag"]) == ("unpaid", "red")


def test_a_refund_notice_before_the_payment_notice_pays_once_and_records_the_refund(system: Any, shop_id: str,
                                                                                     paying: Api) -> None:
    from shared.payments.requests import of_order

    order = _place(shop_id, _lines(_listed(paying), 2))
    start(system, shop_id, order, "stripe")
    pay(system, "stripe", order.number, refund_fen=100, reverse=True)
    paid(paying, order.id)

    def refunded() -> Any:
        return [p for p in of_order(shop_id, order.id) if p["refunded_total"] == 100]

    [payment] = eventually(refunded, timeout=60)
    assert payment["status"] == "partially_refunded"
    time.sleep(1)
    assert [t["kind"] for t in paying.get(f"/orders/{order.id}").json()["timeline"]].count("pay") == 1


def test_the_anomalies_list_needs_orders_view(system: Any, shop_id: str, make_staff: Any) -> None:
    assert make_staff(shop_id, "warehouse").get("/payments/anomalies").status_code == 200
    outsider = make_staff(shop_id, "auditor")
    assert outsider.get("/payments/anomalies").status_code in (200, 403)


# -- recovery ----------------------------------------------------------------------------------------
def test_a_stored_notice_whose_delivery_failed_is_applied_after_the_redrive(system: Any, shop_id: str,
                                                                            paying: Api) -> None:
    from tests.integration.test_event_delivery import control

    order = _place(shop_id, _lines(_listed(paying)))
    body, signature = _stripe_event(shop_id, order.number, order.payable)
    control(system, "faults", {"put_events": ["PaymentsOutboxFunction"], "stream_retry_delay": 0.05})
    try:
        answer = requests.post(f"{system.url}/api/webhooks/payments/stripe/{shop_id}", data=body,
                               headers={"Stripe-Signature": signature}, timeout=10)
        assert answer.status_code == 200, answer.text  # stored and acknowledged
        assert len(stored_events(shop_id)) == 1
        time.sleep(2)
        assert paying.get(f"/orders/{order.id}").json()["payment_status"] == "unpaid"
    finally:
        control(system, "faults", {})
    eventually(lambda: control(system, "redrive", {})["redriven"] >= 1 or
               paying.get(f"/orders/{order.id}").json()["payment_status"] == "paid", timeout=60)
    paid(paying, order.id)
    assert len(order_paid_events(shop_id, order.id)) == 1


# -- the buyer's pay route -----------------------------------------------------------------------------
def test_a_buyer_pays_through_the_storefront_route_and_cannot_be_sent_elsewhere(system: Any, shop_id: str,
                                                                                 paying: Api) -> None:
    from tests.integration.buyers import sign_in_buyer
    from tests.integration.test_buyers_book_and_cart import HOME, line, listed

    prd = listed(paying, qty=5)
    buyer = sign_in_buyer(system, shop_id)
    address = buyer.post("/addresses", json=HOME).json()
    quote = requests.post(f"{system.url}/api/storefront/{shop_id}/quote", json={"lines": [line(prd, 1)]},
                          timeout=30).json()
    placed = buyer.post("/orders", json={"address_id": address["id"], "lines": [line(prd, 1)],
                                         "quote_hash": quote["quote_hash"]}, headers={"Idempotency-Key": "pay-1"})
    assert placed.status_code == 201, placed.text
    order = placed.json()
    detail = buyer.get(f"/orders/{order['id']}").json()
    assert detail["pay_methods"] == ["alipay", "stripe", "wechat_pay"] and detail["payments"] == []
    back = f"{system.url}/shop/#/{shop_id}/orders/{order['id']}?paid=1"
    for bad in ({"provider": "alipay", "return_url": "https://evil.example/shop/"},  # never an open redirect
                {"provider": "paypal", "return_url": back}, {"provider": "alipay"}):
        refused = buyer.post(f"/orders/{order['id']}/payments", json=bad)
        assert refused.status_code == 422, refused.text
    other = sign_in_buyer(system, shop_id)
    assert other.post(f"/orders/{order['id']}/payments", json={"provider": "alipay", "return_url": back}).status_code == 404
    assert paying.post(f"/storefront/{shop_id}/orders/{order['id']}/payments",
                       json={"provider": "alipay", "return_url": back}).status_code == 401  # a staff token
    started = buyer.post(f"/orders/{order['id']}/payments", json={"provider": "wechat_pay", "return_url": back})
    assert started.status_code == 200, started.text
    assert started.json()["cashier_url"].startswith(sandbox(system))
    assert requests.get(started.json()["cashier_url"], timeout=10).status_code == 200
    pay(system, "wechat_pay", order["number"])
    assert paid(paying, order["id"])["payment_method"] == "wechat_pay"
    after = buyer.get(f"/orders/{order['id']}").json()
    assert after["payment_status"] == "paid" and after["pay_methods"] == []
    assert [p["status"] for p in after["payments"]] == ["paid"]
    again = buyer.post(f"/orders/{order['id']}/payments", json={"provider": "alipay", "return_url": back})
    assert again.status_code == 409, again.text
