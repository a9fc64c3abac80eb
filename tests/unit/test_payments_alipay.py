"""Alipay: the signed page/wap pay request, the notification's verification (signed by the
sandbox's Alipay key, verified with the Alipay public key the shop holds), the answers."""
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from infra.payment_sandbox import notifications as provider_side
from shared import payments
from shared.payments import BadSignature, Malformed, PaymentOrder
from shared.payments.alipay import ALIPAY, check_content, sign_content
from shared.payments.keys import rsa_sign, rsa_verify
from tests.unit.payments_keys import credentials, sandbox

NOW = datetime(2026, 3, 1, 4, 0, 0, tzinfo=UTC)  # 12:00 in Beijing


def test_the_signed_contents_are_the_documented_strings():
    params = {"b": "2", "a": "1", "sign": "S", "sign_type": "RSA2", "c": ""}
    assert check_content(params) == "a=1&b=2&c="      # notifications: all but sign and sign_type
    assert sign_content(params) == "a=1&b=2&sign_type=RSA2"  # requests: non-empty, all but sign


def test_a_page_pay_request_is_signed_by_the_app_key_with_yuan_amounts_and_expiry():
    creds = credentials("alipay")
    order = PaymentOrder(out_trade_no="SD20260301001", amount_fen=12910, subject="连衣裙", channel="page",
                         notify_url="https://shop.example/notify", return_url="https://shop.example/back",
                         expires_at=NOW + timedelta(minutes=30))
    request = ALIPAY.payment_request(creds, order, NOW)
    assert request.browser and request.method == "GET"
    assert request.url.startswith(creds.gateway_url + "?")
    params = dict(parse_qsl(urlsplit(request.url).query))
    assert params["method"] == "alipay.trade.page.pay" and params["sign_type"] == "RSA2" and params["charset"] == "utf-8"
    assert params["timestamp"] == "2026-03-01 12:00:00" and params["app_id"] == creds.app_id
    biz = json.loads(params["biz_content"])
    assert biz == {"out_trade_no": "SD20260301001", "total_amount": "129.10", "subject": "连衣裙",
                   "product_code": "FAST_INSTANT_TRADE_PAY", "time_expire": "2026-03-01 12:30:00"}
    # what Alipay checks: the app's public key over the sorted non-empty parameters
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    assert rsa_verify(sandbox()["alipay"]["app_public_key_pem"], content.encode(), params["sign"])
    assert payments.start_payment(creds, order, now=NOW, send=lambda _: pytest.fail("nothing is sent")).url == request.url


def notify(trade_status="TRADE_SUCCESS", amount_fen=12900, **over):
    trade = {"provider_trade_no": "2026030122001400000000000001", "out_trade_no": "SD20260301001", "buyer_id": "2088000000000001",
             "subject": "连衣裙", "amount_fen": amount_fen, "created_at": NOW.isoformat(), "paid_at": NOW.isoformat(),
             "refunded_fen": over.pop("refunded_fen", 0)}
    params = provider_side.alipay_notify(sandbox(), trade, trade_status, NOW, **over)
    return params


def verify(params, creds=None):
    return payments.verify_notification(creds or credentials("alipay"), {"Content-Type": "application/x-www-form-urlencoded"},
                                        urlencode(params).encode(), now=NOW)


def test_a_notification_signed_by_alipay_verifies_and_normalises():
    params = notify()
    notice = verify(params)
    assert notice.provider == "alipay" and notice.status == "paid"
    assert notice.event_id == params["notify_id"]
    assert notice.amount_fen == 12900 and notice.currency == "CNY"
    assert notice.out_trade_no == "SD20260301001" and notice.provider_trade_no == "2026030122001400000000000001"
    assert notice.merchant_id == sandbox()["alipay"]["seller_id"] and notice.app_id == sandbox()["alipay"]["app_id"]
    assert notice.paid_at == NOW
    assert "buyer_id" in notice.raw and "buyer_id" not in notice.raw_without_personal_data()


def test_a_gbk_notification_verifies_in_its_charset():
    params = {**notify(), "charset": "gbk"}
    params = provider_side.alipay_sign(sandbox()["alipay"]["alipay_private_key_pem"], params)
    body = urlencode(params, encoding="gbk").encode()
    notice = payments.verify_notification(credentials("alipay"), {}, body, now=NOW)
    assert notice.raw["subject"] == "连衣裙"


@pytest.mark.parametrize("field", ["total_amount", "out_trade_no", "trade_status", "seller_id"])
def test_a_changed_field_breaks_the_signature(field):
    params = notify()
    params[field] = params[field][:-1] + ("1" if params[field][-1] != "1" else "2")
    with pytest.raises(BadSignature):
        verify(params)


def test_a_flipped_signature_byte_or_a_foreign_key_is_refused():
    params = notify()
    params["sign"] = ("B" if params["sign"][0] != "B" else "C") + params["sign"][1:]
    with pytest.raises(BadSignature):
        verify(params)
    other = {**notify()}
    content = "&".join(f"{k}={v}" for k, v in sorted(other.items()) if k not in ("sign", "sign_type"))
    other["sign"] = rsa_sign(sandbox()["alipay"]["app_private_key_pem"], content.encode())  # the app's key is not Alipay's
    with pytest.raises(BadSignature):
        verify(other)
    with pytest.raises(BadSignature):
        verify({**notify(), "sign_type": "RSA"})


@pytest.mark.parametrize(("amount", "fen"), [("0.01", 1), ("129.00", 12900), ("129.1", 12910)])
def test_yuan_amounts_become_exact_fen(amount, fen):
    params = {k: v for k, v in notify().items() if k not in ("sign",)}
    params["total_amount"] = amount
    params = provider_side.alipay_sign(sandbox()["alipay"]["alipay_private_key_pem"], params)
    assert verify(params).amount_fen == fen


@pytest.mark.parametrize("amount", ["1e3", "12.345", "-1", ""])
def test_signed_but_unreadable_amounts_are_malformed(amount):
    params = {k: v for k, v in notify().items() if k != "sign"}
    params["total_amount"] = amount
    params = provider_side.alipay_sign(sandbox()["alipay"]["alipay_private_key_pem"], params)
    if amount == "":
        assert verify(params).amount_fen is None
        return
    with pytest.raises(Malformed):
        verify(params)


def test_refund_and_close_notices():
    partial = verify(notify(refund={"out_refund_no": "RF1"}, refunded_fen=2900))
    assert partial.status == "partially_refunded" and partial.refunded_total_fen == 2900 and partial.out_refund_no == "RF1"
    full = verify(notify("TRADE_CLOSED", refund={"out_refund_no": "RF2"}, refunded_fen=12900))
    assert full.status == "refunded" and full.refunded_total_fen == 12900
    assert verify(notify("TRADE_CLOSED")).status == "closed"  # an unpaid timeout: no refund_fee
    assert verify(notify("TRADE_FINISHED")).status == "paid"


def test_malformed_bodies_are_refused_before_any_key_is_used():
    creds = credentials("alipay")
    for body in (b"not=a&valid", b"\xff\xfe", b"a=1&a=2", urlencode({"sign": "x"}).encode()):
        with pytest.raises((Malformed, BadSignature)):
            payments.verify_notification(creds, {}, body, now=NOW)
    with pytest.raises(Malformed):
        payments.verify_notification(creds, {"Content-Type": "application/json"}, b"{}", now=NOW)


def test_the_answers_are_exactly_success_or_not():
    assert payments.acknowledge("alipay").body == b"success"
    refused = payments.refuse("alipay", BadSignature("x"))
    assert refused.body != b"success" and refused.status == 200


def test_a_refund_answer_is_verified_over_the_raw_response_node():
    creds = credentials("alipay")
    raw = '{"code":"10000","msg":"Success","trade_no":"2026","out_trade_no":"SD20260301001","fund_change":"Y","refund_fee":"29.00"}'
    sign = rsa_sign(sandbox()["alipay"]["alipay_private_key_pem"], raw.encode())
    body = f'{{"alipay_trade_refund_response":{raw},"sign":"{sign}"}}'.encode()
    refund = payments.RefundOrder(out_trade_no="SD20260301001", out_refund_no="RF1", refund_fen=2900, total_fen=12900)
    answer = payments.ProviderAnswer(status=200, body=body)
    assert ALIPAY.refund_result(creds, refund, answer, NOW).status == "succeeded"
    with pytest.raises(BadSignature):
        ALIPAY.refund_result(creds, refund, payments.ProviderAnswer(status=200, body=body.replace(b"29.00", b"92.00")), NOW)
