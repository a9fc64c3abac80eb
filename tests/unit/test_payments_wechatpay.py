"""WeChat Pay API v3: request signing, notification signatures over the raw body, key choice by
Wechatpay-Serial (platform certificate or 微信支付公钥), the 5-minute window, AES-256-GCM resources."""
import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra.payment_sandbox import notifications as provider_side
from shared import payments
from shared.payments import BadSignature, Malformed, PaymentOrder, StaleTimestamp
from shared.payments.keys import rsa_verify
from shared.payments.wechatpay import WECHAT_PAY, decrypt_resource, signed_message
from tests.unit.payments_keys import credentials, sandbox

NOW = datetime(2026, 3, 1, 4, 0, 0, tzinfo=UTC)
TRADE = {"out_trade_no": "SD20260301001", "provider_trade_no": "4200000000202603010000000001", "buyer_id": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
         "amount_fen": 12900, "currency": "CNY", "paid_at": NOW.isoformat(), "trade_type": "MWEB"}


def test_the_signed_message_is_timestamp_nonce_body_each_with_a_newline():
    assert signed_message("1700000000", "abc", b'{"a": 1}') == b'1700000000\nabc\n{"a": 1}\n'


def test_an_h5_prepay_request_is_signed_with_the_merchant_key():
    creds = credentials("wechat_pay")
    order = PaymentOrder(out_trade_no="SD20260301001", amount_fen=12900, subject="连衣裙", notify_url="https://shop.example/n",
                         expires_at=NOW + timedelta(minutes=30), client_ip="203.0.113.9")
    request = WECHAT_PAY.payment_request(creds, order, NOW)
    assert request.url == creds.api_base + "/v3/pay/transactions/h5"
    body = json.loads(request.body)
    assert body["amount"] == {"total": 12900, "currency": "CNY"} and body["time_expire"] == "2026-03-01T12:30:00+08:00"
    assert body["scene_info"] == {"payer_client_ip": "203.0.113.9", "h5_info": {"type": "Wap"}}
    assert body["mchid"] == creds.mchid and body["appid"] == creds.appid
    scheme, _, rest = request.headers["Authorization"].partition(" ")
    fields = {k: v.strip('"') for k, v in (p.split("=", 1) for p in rest.split(","))}
    assert scheme == "WECHATPAY2-SHA256-RSA2048" and fields["serial_no"] == creds.merchant_serial_no
    message = f"POST\n/__sandbox/pay/wechatpay/v3/pay/transactions/h5\n{fields['timestamp']}\n{fields['nonce_str']}\n".encode()
    assert rsa_verify(sandbox()["wechat_pay"]["merchant_public_key_pem"], message + request.body + b"\n", fields["signature"])


def notification(event_type="TRANSACTION.SUCCESS", data=None, original_type="transaction"):
    data = data or provider_side.wechat_transaction(sandbox(), TRADE)
    return provider_side.wechat_envelope(sandbox(), event_type, "支付成功", original_type, data, NOW)


def verify(body, headers, now=None):
    return payments.verify_notification(credentials("wechat_pay"), headers, body, now=now or NOW)


@pytest.mark.parametrize("key", ["certificate", "public_key"])
def test_notifications_signed_by_either_key_verify_and_decrypt(key):
    body = notification()
    headers = provider_side.wechat_headers(sandbox(), body, serial_choice=key, timestamp=int(NOW.timestamp()))
    expected = sandbox()["wechat_pay"]["platform_serial" if key == "certificate" else "public_key_id"]
    assert headers["Wechatpay-Serial"] == expected
    notice = verify(body, headers)
    assert notice.status == "paid" and notice.amount_fen == 12900 and notice.currency == "CNY"
    assert notice.event_id == json.loads(body)["id"] and notice.out_trade_no == "SD20260301001"
    assert notice.merchant_id == sandbox()["wechat_pay"]["mchid"] and notice.app_id == sandbox()["wechat_pay"]["appid"]
    assert notice.paid_at == NOW and notice.provider_trade_no == TRADE["provider_trade_no"]
    assert "payer" in notice.raw["resource"] and "payer" not in notice.raw_without_personal_data()["resource"]


def test_header_names_are_matched_whatever_their_case():
    body = notification()
    headers = {k.lower(): v for k, v in provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp())).items()}
    assert verify(body, headers).status == "paid"


def test_a_flipped_body_byte_or_signature_byte_is_refused():
    body = notification()
    headers = provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()))
    reserialised = json.dumps(json.loads(body), ensure_ascii=False, indent=1).encode()  # same JSON, other bytes
    for bad_body in (body.replace(b'"summary"', b'"Summary"'), reserialised, body + b" "):
        with pytest.raises(BadSignature):
            verify(bad_body, headers)
    sig = headers["Wechatpay-Signature"]
    with pytest.raises(BadSignature):
        verify(body, {**headers, "Wechatpay-Signature": sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]})


def test_an_unknown_serial_and_the_signtest_probe_are_refused():
    body = notification()
    headers = provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()))
    with pytest.raises(BadSignature):
        verify(body, {**headers, "Wechatpay-Serial": "PUB_KEY_ID_0000000000000000000000"})
    probe = provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()), signtest=True)
    assert probe["Wechatpay-Signature"].startswith("WECHATPAY/SIGNTEST/")
    with pytest.raises(BadSignature):
        verify(body, probe)


@pytest.mark.parametrize(("offset", "stale"), [(-299, False), (-300, True), (-3600, True), (299, False), (300, True)])
def test_timestamps_five_minutes_or_more_away_are_stale(offset, stale):
    body = notification()
    headers = provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()) + offset)
    if stale:
        with pytest.raises(StaleTimestamp):
            verify(body, headers)
    else:
        assert verify(body, headers).status == "paid"


def test_missing_headers_and_undecryptable_resources_are_malformed():
    body = notification()
    headers = provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()))
    with pytest.raises(Malformed):
        verify(body, {k: v for k, v in headers.items() if k != "Wechatpay-Nonce"})
    envelope = json.loads(body)
    envelope["resource"]["associated_data"] = "refund"  # the tag covers it: a changed AAD does not decrypt
    with pytest.raises(Malformed):
        decrypt_resource(credentials("wechat_pay").apiv3_key.get_secret_value(), envelope["resource"])


def test_the_resource_is_aes_256_gcm_with_the_apiv3_key_nonce_and_associated_data():
    key = sandbox()["wechat_pay"]["apiv3_key"]
    cipher = AESGCM(key.encode()).encrypt(b"0123456789ab", b'{"out_trade_no":"X1"}', b"")
    resource = {"algorithm": "AEAD_AES_256_GCM", "nonce": "0123456789ab", "associated_data": "",
                "ciphertext": base64.b64encode(cipher).decode()}
    assert decrypt_resource(key, resource) == {"out_trade_no": "X1"}


def test_refund_notices_say_partial_or_full():
    refund = {"out_refund_no": "RF1", "refund_id": "50300000000000000000000000001", "amount_fen": 2900}
    data = provider_side.wechat_refund(sandbox(), TRADE, refund, NOW)
    body = notification("REFUND.SUCCESS", data, "refund")
    notice = verify(body, provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp())))
    assert notice.status == "partially_refunded" and notice.refund_fen == 2900 and notice.amount_fen == 12900
    assert notice.out_refund_no == "RF1" and notice.provider_refund_no == refund["refund_id"]
    full = dict(data, amount={**data["amount"], "refund": 12900})
    body = notification("REFUND.SUCCESS", full, "refund")
    assert verify(body, provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()))).status == "refunded"
    body = notification("REFUND.ABNORMAL", data, "refund")
    assert verify(body, provider_side.wechat_headers(sandbox(), body, timestamp=int(NOW.timestamp()))).status == "refund_pending"


def test_the_answers_let_the_http_status_decide():
    ok = payments.acknowledge("wechat_pay")
    assert ok.status in (200, 204) and ok.body == b""
    for error, status in ((BadSignature("x"), 401), (StaleTimestamp("x"), 401), (Malformed("x"), 400), (RuntimeError("db"), 500)):
        refused = payments.refuse("wechat_pay", error)
        assert refused.status == status
        assert json.loads(refused.body) == {"code": "FAIL", "message": "失败"}
