"""The payment sandbox of the running system plays Alipay, WeChat Pay and Stripe: a buyer pays on
its cashier page, and it delivers signed notifications to a small merchant receiver (in this
test process) that verifies them with ``shared.payments`` and answers as each provider expects.
Retries, duplicates, out-of-order delivery, refunds, expiry and forged notifications are played
through the sandbox's control API. No orders are involved."""
from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from pydantic import TypeAdapter

from shared import payments
from shared.payments import PaymentOrder, ProviderCredentials, RefundOrder
from shared.payments.alipay import check_content
from shared.payments.keys import rsa_verify
from tests.integration.conftest import eventually


class Receiver:
    """The merchant's webhook as docs/payments.md describes it: verify, dedupe on event_id, check
    amount/merchant/app, acknowledge. ``fail[out_trade_no] = n`` answers the first n genuine
    notifications of that trade with a (transient) failure."""

    def __init__(self, creds: dict[str, Any]) -> None:
        self.creds = creds
        self.expect: dict[str, int] = {}
        self.fail: dict[str, int] = {}
        self.seen: set[str] = set()
        self.records: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def answer(self, provider: str, headers: dict[str, str], body: bytes) -> payments.WebhookAnswer:
        creds = self.creds[provider]
        try:
            notice = payments.verify_notification(creds, headers, body)
        except payments.PaymentError as error:
            self.records.append({"provider": provider, "verdict": type(error).__name__})
            return payments.refuse(provider, error)
        record = {"provider": provider, "event_id": notice.event_id, "type": notice.event_type, "status": notice.status,
                  "out_trade_no": notice.out_trade_no, "notice": notice}
        with self.lock:
            if self.fail.get(notice.out_trade_no or "", 0) > 0:
                self.fail[notice.out_trade_no or ""] -= 1
                self.records.append({**record, "verdict": "failed_on_purpose"})
                return payments.refuse(provider, RuntimeError("the shop's database is down"))
            if notice.event_id in self.seen:
                self.records.append({**record, "verdict": "duplicate"})
                return payments.acknowledge(provider)
            self.seen.add(notice.event_id)
            try:
                if notice.status != "ignored":
                    payments.check_notice(notice, self.expect[notice.out_trade_no or ""], creds)
                verdict = "accepted"
            except payments.NoticeMismatch as mismatch:
                verdict = "mismatch:" + ",".join(p["field"] for p in mismatch.problems)
            self.records.append({**record, "verdict": verdict})
        return payments.acknowledge(provider)

    def of(self, out_trade_no: str, verdict: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("out_trade_no") == out_trade_no and (verdict is None or r["verdict"] == verdict)]


@pytest.fixture(scope="module")
def sandbox(system: Any) -> Iterator[str]:
    base = f"{system.url}/__sandbox/pay"
    before = requests.get(f"{base}/control/config", timeout=10).json()
    # Compressed provider schedules: Alipay's 4-minute first retry comes after 0.24 s.
    requests.post(f"{base}/control/config", json={"retry_scale": 0.001, "duplicates": 0}, timeout=10).raise_for_status()
    yield base
    requests.post(f"{base}/control/config", json=before, timeout=10)


@pytest.fixture(scope="module")
def creds(system: Any, sandbox: str) -> dict[str, Any]:
    data = json.loads((Path(system.info["data_dir"]) / "payment-sandbox" / "merchant-credentials.json").read_text())
    return {k: TypeAdapter(ProviderCredentials).validate_python(v) for k, v in data.items()}


@pytest.fixture(scope="module")
def receiver(creds: dict[str, Any], sandbox: str) -> Iterator[tuple[Receiver, str]]:
    state = Receiver(creds)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = state.answer(self.path.strip("/"), dict(self.headers.items()), body)
            self.send_response(answer.status)
            for k, v in answer.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    requests.post(f"{sandbox}/stripe/v1/webhook_endpoints", data={"url": f"{url}/stripe", "enabled_events[0]": "*"},
                  headers={"Authorization": f"Bearer {creds['stripe'].secret_key.get_secret_value()}"},
                  timeout=10).raise_for_status()
    yield state, url
    server.shutdown()


def new_order(receiver: tuple[Receiver, str], provider: str, amount: int = 12900, **over: Any) -> PaymentOrder:
    state, url = receiver
    number = "IT" + uuid.uuid4().hex[:14].upper()
    state.expect[number] = amount
    fields = {"out_trade_no": number, "amount_fen": amount, "subject": "真丝连衣裙 × 1", "notify_url": f"{url}/{provider}",
              "return_url": "http://127.0.0.1:9/back", "expires_at": datetime.now(UTC) + timedelta(minutes=31), **over}
    return PaymentOrder(**fields)


def open_cashier(url: str, lang: str | None = None) -> requests.Response:
    page = requests.get(url, params={"lang": lang} if lang else None, timeout=10)
    assert page.status_code == 200, page.text
    return page


def pay_on_cashier(page: requests.Response) -> requests.Response:
    action = re.search(r'<form method="post" action="([^"]+)/pay', page.text)
    assert action, page.text
    return requests.post(action.group(1) + "/pay", timeout=10, allow_redirects=False)


def trade_of(sandbox: str, provider: str, out_trade_no: str) -> dict[str, Any]:
    answer = requests.get(f"{sandbox}/control/trades", params={"provider": provider, "out_trade_no": out_trade_no}, timeout=10)
    return dict(answer.json()["trade"])


def ours(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deliveries to this module's receiver: the sandbox's one Stripe account also sends every
    event to the shops' own webhooks registered on it (the demo shop's, other tests' shops)."""
    return [d for d in found if "/webhooks/payments/" not in d["url"]]


def deliveries(sandbox: str, trade_id: str) -> list[dict[str, Any]]:
    return ours(requests.get(f"{sandbox}/control/deliveries", params={"trade": trade_id}, timeout=10).json()["deliveries"])


def paid_trade(sandbox: str, receiver: tuple[Receiver, str], creds: dict[str, Any], provider: str,
               **over: Any) -> tuple[str, dict[str, Any]]:
    """A trade paid through the control API, once every notification of the payment was received."""
    order = new_order(receiver, provider, **over)
    trade = create(sandbox, creds, provider, order)
    sent = ours(requests.post(f"{sandbox}/control/trades/{trade['id']}/pay", json={}, timeout=10).json()["deliveries"])
    eventually(lambda: len(receiver[0].of(order.out_trade_no, "accepted")) == len(sent))
    eventually(lambda: all(d["state"] == "delivered" for d in deliveries(sandbox, trade["id"])))
    return order.out_trade_no, trade


def create(sandbox: str, creds: dict[str, Any], provider: str, order: PaymentOrder) -> dict[str, Any]:
    redirect = payments.start_payment(creds[provider], order)
    assert redirect.url
    requests.get(redirect.url, timeout=10).raise_for_status()  # Alipay creates the trade when the buyer arrives
    return trade_of(sandbox, provider, order.out_trade_no)


# -- paying on the cashier page ----------------------------------------------------------------------------------
def test_alipay_buyer_pays_on_the_cashier_and_the_notice_is_retried_until_success(sandbox, receiver, creds):
    state, _ = receiver
    order = new_order(receiver, "alipay", 12910)
    state.fail[order.out_trade_no] = 2
    redirect = payments.start_payment(creds["alipay"], order)
    page = open_cashier(redirect.url)
    assert "¥129.10" in page.text and order.out_trade_no in page.text and "确认支付" in page.text
    assert "Pay now" in open_cashier(page.url.split("?")[0], "en").text
    back = pay_on_cashier(page)
    assert back.status_code == 303 and back.headers["Location"].startswith("http://127.0.0.1:9/back?")
    returned = dict(parse_qsl(urlsplit(back.headers["Location"]).query))
    assert returned["out_trade_no"] == order.out_trade_no and returned["total_amount"] == "129.10"
    assert rsa_verify(creds["alipay"].alipay_public_key_pem, check_content(returned).encode(), returned["sign"])

    accepted = eventually(lambda: state.of(order.out_trade_no, "accepted"))
    assert accepted[0]["status"] == "paid" and accepted[0]["notice"].amount_fen == 12910
    trade = trade_of(sandbox, "alipay", order.out_trade_no)
    [delivery] = deliveries(sandbox, trade["id"])
    assert delivery["state"] == "delivered"
    assert [(a["status"], a["answer"], a["received"]) for a in delivery["attempts"]] == [
        (200, "failure", False), (200, "failure", False), (200, "success", True)]
    # the same notify_id on every attempt: it is the dedupe key
    assert {r["event_id"] for r in state.of(order.out_trade_no)} == {delivery["event_id"]}
    assert len(state.of(order.out_trade_no)) == 3
    assert open_cashier_status(page.url) == 409  # paid: the cashier does not take it twice


def open_cashier_status(url: str) -> int:
    return requests.get(url, timeout=10).status_code


def test_wechat_pay_h5_prepay_answer_is_signed_and_the_http_status_decides_retries(sandbox, receiver, creds):
    state, _ = receiver
    order = new_order(receiver, "wechat_pay", 1)
    state.fail[order.out_trade_no] = 1
    redirect = payments.start_payment(creds["wechat_pay"], order)  # verifies the sandbox's signed answer
    page = open_cashier(redirect.url)
    assert "¥0.01" in page.text
    assert pay_on_cashier(page).status_code == 200  # no redirect_url given: the cashier says paid
    accepted = eventually(lambda: state.of(order.out_trade_no, "accepted"))
    notice = accepted[0]["notice"]
    assert notice.status == "paid" and notice.amount_fen == 1 and notice.merchant_id == creds["wechat_pay"].mchid
    [delivery] = deliveries(sandbox, trade_of(sandbox, "wechat_pay", order.out_trade_no)["id"])
    assert [(a["status"], a["received"]) for a in delivery["attempts"]] == [(500, False), (204, True)]
    assert json.loads(delivery["attempts"][0]["answer"]) == {"code": "FAIL", "message": "失败"}


def test_wechat_pay_refuses_a_request_whose_signature_does_not_match(sandbox, receiver, creds):
    order = new_order(receiver, "wechat_pay")
    request = payments.provider("wechat_pay").payment_request(creds["wechat_pay"], order, datetime.now(UTC))
    forged = request.model_copy(update={"body": request.body.replace(b'"total":12900', b'"total":1')})
    answer = payments.send_http(forged)
    assert answer.status == 401 and json.loads(answer.body)["code"] == "SIGN_ERROR"
    with pytest.raises(requests.HTTPError):
        requests.get(f"{sandbox}/control/trades", params={"provider": "wechat_pay", "out_trade_no": order.out_trade_no},
                     timeout=10).raise_for_status()


def test_alipay_refuses_a_pay_url_changed_after_signing(sandbox, receiver, creds):
    order = new_order(receiver, "alipay")
    url = payments.start_payment(creds["alipay"], order).url
    page = requests.get(url.replace("129.00", "1.00"), timeout=10)
    assert page.status_code == 400 and "isv.invalid-signature" in page.text


def test_stripe_checkout_session_pays_and_both_events_arrive_signed(sandbox, receiver, creds):
    state, _ = receiver
    order = new_order(receiver, "stripe", 8800, return_url="http://127.0.0.1:9/ok?session={CHECKOUT_SESSION_ID}")
    redirect = payments.start_payment(creds["stripe"], order)
    assert redirect.provider_ref and redirect.provider_ref.startswith("cs_")
    back = pay_on_cashier(open_cashier(redirect.url))
    assert back.headers["Location"] == f"http://127.0.0.1:9/ok?session={redirect.provider_ref}"
    eventually(lambda: len(state.of(order.out_trade_no, "accepted")) == 2)
    types = {r["type"]: r["notice"] for r in state.of(order.out_trade_no, "accepted")}
    assert set(types) == {"checkout.session.completed", "payment_intent.succeeded"}
    assert all(n.status == "paid" and n.amount_fen == 8800 and n.currency == "CNY" for n in types.values())
    again = payments.start_payment(creds["stripe"], order)  # the same Idempotency-Key: the same session
    assert again.provider_ref == redirect.provider_ref


# -- duplicates, replays, forgeries ------------------------------------------------------------------------------
def test_duplicate_deliveries_are_acknowledged_and_processed_once(sandbox, receiver, creds):
    state, _ = receiver
    order = new_order(receiver, "wechat_pay")
    trade = create(sandbox, creds, "wechat_pay", order)
    requests.post(f"{sandbox}/control/trades/{trade['id']}/pay", json={"duplicates": 2}, timeout=10).raise_for_status()
    eventually(lambda: len(state.of(order.out_trade_no)) == 3)
    assert [r["verdict"] for r in state.of(order.out_trade_no)] == ["accepted", "duplicate", "duplicate"]
    [delivery] = deliveries(sandbox, trade["id"])
    assert [a.get("duplicate", False) for a in delivery["attempts"]] == [False, True, True]
    assert all(a["received"] for a in delivery["attempts"])


FORGERIES = [("alipay", "bad_signature", "BadSignature"),
             ("wechat_pay", "bad_signature", "BadSignature"), ("wechat_pay", "stale_timestamp", "StaleTimestamp"),
             ("wechat_pay", "signtest", "BadSignature"), ("wechat_pay", "unknown_serial", "BadSignature"),
             ("stripe", "bad_signature", "BadSignature"), ("stripe", "stale_timestamp", "StaleTimestamp")]


@pytest.mark.parametrize(("provider", "kind", "error"), FORGERIES)
def test_forged_notifications_are_refused_and_change_nothing(sandbox, receiver, creds, provider, kind, error):
    state, _ = receiver
    number, trade = paid_trade(sandbox, receiver, creds, provider)
    first = deliveries(sandbox, trade["id"])[0]
    before = len(state.records)
    forged = requests.post(f"{sandbox}/control/deliveries/{first['id']}/forge", json={"kind": kind}, timeout=10).json()
    done = eventually(lambda: next(d for d in deliveries(sandbox, trade["id"]) if d["id"] == forged["id"])["attempts"])
    assert [r["verdict"] for r in state.records[before:]] == [error]
    refused = payments.refuse(provider, getattr(payments, error)("forged"))
    assert (done[0]["status"], done[0]["answer"].encode()) == (refused.status, refused.body)
    assert not done[0]["received"] and len(done) == 1  # refused, and never retried
    assert len(state.of(number, "accepted")) == len([d for d in deliveries(sandbox, trade["id"]) if "forge" not in d])


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay", "stripe"])
def test_a_genuine_notice_for_another_amount_is_flagged_not_accepted(sandbox, receiver, creds, provider):
    state, _ = receiver
    number, trade = paid_trade(sandbox, receiver, creds, provider)
    first = deliveries(sandbox, trade["id"])[0]
    requests.post(f"{sandbox}/control/deliveries/{first['id']}/forge", json={"kind": "wrong_amount", "amount_fen": 100},
                  timeout=10).raise_for_status()
    flagged = eventually(lambda: [r for r in state.of(number) if r["verdict"].startswith("mismatch")])
    assert flagged[0]["verdict"] == "mismatch:amount" and flagged[0]["notice"].amount_fen == 100


@pytest.mark.parametrize("provider", ["alipay", "wechat_pay", "stripe"])
def test_a_replay_later_is_the_same_event_and_is_processed_once(sandbox, receiver, creds, provider):
    state, _ = receiver
    number, trade = paid_trade(sandbox, receiver, creds, provider)
    first = deliveries(sandbox, trade["id"])[0]
    requests.post(f"{sandbox}/control/deliveries/{first['id']}/replay", json={"delay": 0.5}, timeout=10).raise_for_status()
    duplicate = eventually(lambda: state.of(number, "duplicate"))
    assert duplicate[0]["event_id"] == first["event_id"]
    assert len(state.of(number, "accepted")) == len(deliveries(sandbox, trade["id"])) - 1


# -- refunds, out of order, expiry ---------------------------------------------------------------------------------
def refund(creds: dict[str, Any], provider: str, number: str, trade: dict[str, Any], amount: int, refund_no: str) -> Any:
    return payments.request_refund(creds[provider], RefundOrder(
        out_trade_no=number, provider_trade_no=trade["provider_trade_no"], out_refund_no=refund_no, refund_fen=amount,
        total_fen=trade["amount_fen"], reason="质量问题"))


def test_alipay_refunds_notify_the_payments_url_partial_then_full(sandbox, receiver, creds):
    state, _ = receiver
    number, trade = paid_trade(sandbox, receiver, creds, "alipay")
    assert refund(creds, "alipay", number, trade, 2900, "RF1").status == "succeeded"
    partial = eventually(lambda: [r for r in state.of(number, "accepted") if r["status"] == "partially_refunded"])
    assert partial[0]["notice"].refunded_total_fen == 2900 and partial[0]["notice"].out_refund_no == "RF1"
    assert refund(creds, "alipay", number, trade, 2900, "RF1").status == "pending"  # the same request: fund_change N
    assert refund(creds, "alipay", number, trade, 10000, "RF2").status == "succeeded"
    full = eventually(lambda: [r for r in state.of(number, "accepted") if r["status"] == "refunded"])
    assert full[0]["notice"].refunded_total_fen == 12900 and full[0]["type"].endswith("TRADE_CLOSED")
    assert trade_of(sandbox, "alipay", number)["refunded_fen"] == 12900
    with pytest.raises(payments.ProviderRefused):
        refund(creds, "alipay", number, trade, 1, "RF3")


def test_wechat_pay_and_stripe_refunds_send_their_refund_notices(sandbox, receiver, creds):
    state, _ = receiver
    number, trade = paid_trade(sandbox, receiver, creds, "wechat_pay")
    assert refund(creds, "wechat_pay", number, trade, 12900, "RF1").status == "pending"  # PROCESSING, then the notice
    notice = eventually(lambda: [r for r in state.of(number, "accepted") if r["type"] == "REFUND.SUCCESS"])[0]["notice"]
    assert notice.status == "refunded" and notice.refund_fen == 12900 and notice.out_refund_no == "RF1"

    number, trade = paid_trade(sandbox, receiver, creds, "stripe")
    assert refund(creds, "stripe", number, trade, 4000, "RF1").status == "succeeded"
    seen = eventually(lambda: {r["type"]: r for r in state.of(number, "accepted") if r["type"].startswith(("charge.", "refund."))}
                      if len(state.of(number, "accepted")) >= 4 else None)
    assert seen["charge.refunded"]["status"] == "partially_refunded"
    assert seen["charge.refunded"]["notice"].refunded_total_fen == 4000
    assert seen["refund.created"]["status"] == "ignored"


def test_stripe_can_deliver_the_refund_before_the_payment(sandbox, receiver, creds):
    state, _ = receiver
    order = new_order(receiver, "stripe")
    trade = create(sandbox, creds, "stripe", order)
    requests.post(f"{sandbox}/control/trades/{trade['id']}/pay", json={"refund_fen": 12900, "reverse": True},
                  timeout=10).raise_for_status()
    eventually(lambda: len(state.of(order.out_trade_no)) == 4)
    order_seen = [r["type"] for r in state.of(order.out_trade_no)]
    assert order_seen.index("charge.refunded") < order_seen.index("payment_intent.succeeded")
    assert order_seen[-1] == "checkout.session.completed"


def test_unpaid_trades_close_when_they_expire_and_say_so_where_the_provider_does(sandbox, receiver, creds):
    state, _ = receiver
    for provider, kind in (("alipay", "trade_status_sync:TRADE_CLOSED"), ("stripe", "checkout.session.expired")):
        order = new_order(receiver, provider)
        trade = create(sandbox, creds, provider, order)
        closed = requests.post(f"{sandbox}/control/trades/{trade['id']}/expire", timeout=10).json()
        assert closed["status"] == "closed"
        notice = eventually(lambda o=order: state.of(o.out_trade_no, "accepted"))[0]
        assert notice["type"] == kind and notice["status"] == "closed"
        assert requests.get(f"{sandbox}/cashier/{trade['id']}", timeout=10).status_code == 409


@pytest.mark.parametrize(("provider", "attempts"), [("alipay", 8), ("wechat_pay", 16)])
def test_a_merchant_that_never_answers_right_is_given_up_after_the_providers_schedule(sandbox, receiver, creds, provider,
                                                                                        attempts):
    state, _ = receiver
    order = new_order(receiver, provider)
    state.fail[order.out_trade_no] = 1000
    trade = create(sandbox, creds, provider, order)
    requests.post(f"{sandbox}/control/config", json={"retry_scale": 0.00002}, timeout=10).raise_for_status()
    try:
        requests.post(f"{sandbox}/control/trades/{trade['id']}/pay", json={}, timeout=10).raise_for_status()
        [delivery] = eventually(lambda: [d for d in deliveries(sandbox, trade["id"]) if d["state"] == "gave_up"], timeout=30)
    finally:
        requests.post(f"{sandbox}/control/config", json={"retry_scale": 0.001}, timeout=10)
    assert len(delivery["attempts"]) == attempts and not any(a["received"] for a in delivery["attempts"])
    assert len(state.of(order.out_trade_no, "failed_on_purpose")) == attempts


def test_the_sandbox_keeps_its_keys_trades_and_pending_retries_across_restarts(tmp_path):
    from infra.payment_sandbox import PaymentSandbox

    first = PaymentSandbox(tmp_path / "ps", retry_scale=1000)
    first.start("http://127.0.0.1:9/__sandbox/pay")
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    trade = first.new_trade("alipay", "wap", {"out_trade_no": "KEEP000001", "amount_fen": 100, "subject": "x",
                                              "notify_url": "http://127.0.0.1:9/n", "expires_at": expires})
    first.pay(trade)
    eventually(lambda: deliveries_of(first, trade["id"])[0]["attempts"])  # refused (nothing listens): a retry is due later
    keys = first.keys
    first.stop()
    second = PaymentSandbox(tmp_path / "ps", retry_scale=1000)
    assert second.keys == keys
    assert second.trade(trade["id"])["status"] == "paid"
    assert deliveries_of(second, trade["id"])[0]["state"] == "pending"
    second.stop()
    assert oct((tmp_path / "ps" / "keys.json").stat().st_mode & 0o777) == "0o600"


def deliveries_of(sandbox: Any, trade_id: str) -> list[dict[str, Any]]:
    return list(sandbox.store.find("delivery", ref=trade_id))
