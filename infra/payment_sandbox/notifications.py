"""The notifications the providers send, built and signed the providers' way.

This is the *provider's* side, written apart from ``shared/payments`` (the merchant's side) so
that a test that signs here and verifies there checks two implementations against each other.
Only the RSA/HMAC primitives are shared.

A notification is stored once (its body fixed: the dedupe id inside it never changes) and signed
at each attempt where the provider does so (WeChat Pay and Stripe sign every delivery afresh, so
a retry hours later still has a fresh timestamp).
"""
from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from shared.money import major_text
from shared.payments.keys import hmac_sha256_hex, rsa_sign

BEIJING = timezone(timedelta(hours=8))
# Retry schedules in seconds after each failed attempt (DOMAIN.md §3): the sandbox multiplies them
# by its retry_scale, so tests see the same sequence compressed.
RETRY_SCHEDULES: dict[str, list[float]] = {
    "alipay": [240, 600, 600, 3600, 7200, 21600, 54000],
    "wechat_pay": [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600],
    # Stripe documents "up to three days with an exponential back off", not a table: an approximation.
    "stripe": [60, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000],
}


def beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


# -- Alipay ------------------------------------------------------------------------------------------------
def alipay_sign(private_pem: str, params: dict[str, str]) -> dict[str, str]:
    """Alipay signs the notification over every parameter but sign/sign_type, sorted by name."""
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type"))
    return {**params, "sign_type": "RSA2", "sign": rsa_sign(private_pem, content.encode())}


def alipay_notify(keys: dict[str, Any], trade: dict[str, Any], status: str, now: datetime, *,
                  refund: dict[str, Any] | None = None, amount_fen: int | None = None) -> dict[str, str]:
    a = keys["alipay"]
    total = major_text(amount_fen if amount_fen is not None else trade["amount_fen"], "CNY")
    params = {
        "notify_time": beijing(now), "notify_type": "trade_status_sync", "notify_id": secrets.token_hex(18),
        "charset": "utf-8", "version": "1.0", "app_id": a["app_id"], "auth_app_id": a["app_id"],
        "trade_no": trade["provider_trade_no"], "out_trade_no": trade["out_trade_no"], "seller_id": a["seller_id"],
        "buyer_id": trade["buyer_id"], "trade_status": status, "total_amount": total, "subject": trade["subject"],
        "gmt_create": beijing(datetime.fromisoformat(trade["created_at"])),
    }
    if trade.get("paid_at"):
        paid = major_text(trade["amount_fen"], "CNY")
        params.update({"gmt_payment": beijing(datetime.fromisoformat(trade["paid_at"])), "receipt_amount": paid,
                       "buyer_pay_amount": paid, "invoice_amount": paid, "point_amount": "0.00",
                       "fund_bill_list": json.dumps([{"amount": paid, "fundChannel": "ALIPAYACCOUNT"}],
                                                    separators=(",", ":"))})
    if refund is not None:
        params.update({"refund_fee": major_text(trade["refunded_fen"], "CNY"), "gmt_refund": beijing(now) + ".000",
                       "out_biz_no": refund["out_refund_no"]})
    if status == "TRADE_CLOSED":
        params["gmt_close"] = beijing(now)
    return alipay_sign(a["alipay_private_key_pem"], params)


def alipay_body(params: dict[str, str]) -> bytes:
    return urlencode(params, encoding="utf-8").encode()


# -- WeChat Pay -----------------------------------------------------------------------------------------
def wechat_encrypt(apiv3_key: str, data: dict[str, Any], associated_data: str) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_urlsafe(9)[:12]
    plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    cipher = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), plain, associated_data.encode())
    return {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(cipher).decode(),
            "associated_data": associated_data, "nonce": nonce}


def wechat_transaction(keys: dict[str, Any], trade: dict[str, Any], amount_fen: int | None = None) -> dict[str, Any]:
    w = keys["wechat_pay"]
    total = amount_fen if amount_fen is not None else trade["amount_fen"]
    return {"appid": w["appid"], "mchid": w["mchid"], "out_trade_no": trade["out_trade_no"],
            "transaction_id": trade["provider_trade_no"], "trade_type": trade.get("trade_type", "MWEB"),
            "trade_state": "SUCCESS", "trade_state_desc": "支付成功", "bank_type": "OTHERS", "attach": "",
            "success_time": rfc3339(datetime.fromisoformat(trade["paid_at"])), "payer": {"openid": trade["buyer_id"]},
            "amount": {"total": total, "payer_total": total, "currency": trade["currency"], "payer_currency": trade["currency"]}}


def wechat_refund(keys: dict[str, Any], trade: dict[str, Any], refund: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"mchid": keys["wechat_pay"]["mchid"], "out_trade_no": trade["out_trade_no"],
            "transaction_id": trade["provider_trade_no"], "out_refund_no": refund["out_refund_no"],
            "refund_id": refund["refund_id"], "refund_status": "SUCCESS", "success_time": rfc3339(now),
            "user_received_account": "支付用户零钱",
            "amount": {"total": trade["amount_fen"], "refund": refund["amount_fen"], "payer_total": trade["amount_fen"],
                       "payer_refund": refund["amount_fen"]}}


def wechat_envelope(keys: dict[str, Any], event_type: str, summary: str, original_type: str, data: dict[str, Any],
                    now: datetime) -> bytes:
    envelope = {"id": f"EV-{secrets.token_hex(10)}", "create_time": rfc3339(now), "resource_type": "encrypt-resource",
                "event_type": event_type, "summary": summary,
                "resource": {"original_type": original_type,
                             **wechat_encrypt(keys["wechat_pay"]["apiv3_key"], data, original_type)}}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def wechat_headers(keys: dict[str, Any], body: bytes, *, serial_choice: str = "random", timestamp: int | None = None,
                   signtest: bool = False) -> dict[str, str]:
    """WeChat Pay's signature headers; during the public-key migration it signs with either key."""
    w = keys["wechat_pay"]
    use_cert = secrets.randbelow(2) == 0 if serial_choice == "random" else serial_choice == "certificate"
    serial, private = (w["platform_serial"], w["platform_key_pem"]) if use_cert else (w["public_key_id"], w["public_key_private_pem"])
    ts, nonce = str(timestamp if timestamp is not None else int(time.time())), secrets.token_hex(16)
    signature = rsa_sign(private, ts.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n")
    if signtest:
        signature = "WECHATPAY/SIGNTEST/" + signature[19:]
    return {"Content-Type": "application/json", "Wechatpay-Serial": serial, "Wechatpay-Signature": signature,
            "Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}


# -- Stripe ----------------------------------------------------------------------------------------------
def stripe_event(event_type: str, obj: dict[str, Any], now: datetime) -> bytes:
    event = {"id": "evt_" + secrets.token_urlsafe(18).replace("-", "").replace("_", "")[:24], "object": "event",
             "api_version": "2024-10-28.acacia", "created": int(now.timestamp()), "data": {"object": obj},
             "livemode": False, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
             "type": event_type}
    return json.dumps(event, ensure_ascii=False, indent=2).encode()


def stripe_headers(secret: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    ts = timestamp if timestamp is not None else int(time.time())
    signature = hmac_sha256_hex(secret, f"{ts}.".encode() + body)
    return {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": f"t={ts},v1={signature}",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}


def now_utc() -> datetime:
    return datetime.now(UTC)
