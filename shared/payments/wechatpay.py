"""WeChat Pay API v3 (微信支付): H5 / Native prepay, domestic refunds, and notifications.

Our requests carry ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
timestamp=…,serial_no=…`` where the signature is SHA256withRSA (our API certificate's key) over
``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n``.

WeChat Pay's answers and notifications carry ``Wechatpay-Serial/-Signature/-Timestamp/-Nonce``:
the signature covers ``TIMESTAMP\\nNONCE\\nRAW_BODY\\n`` (the raw bytes: re-serialised JSON would
not verify). ``Wechatpay-Serial`` names the key: a platform certificate serial or, for merchants
on the 微信支付公钥, ``PUB_KEY_ID_…``; during the migration either may sign, so both are kept.
A timestamp 5 minutes or more from our clock is refused, as the official SDKs do. The
notification's ``resource`` is AEAD_AES_256_GCM under the APIv3 key. Answers: 2xx with no body
means received; 4xx/5xx with ``{"code":"FAIL","message":"失败"}`` means retry (the HTTP status
decides; a 200 carrying FAIL is *not* retried).
"""
from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

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
    WebhookAnswer,
    WechatPayCredentials,
)

TOLERANCE_SECONDS = 300
SCHEME = "WECHATPAY2-SHA256-RSA2048"
# WeChat Pay probes merchants with deliberately wrong signatures carrying this prefix.
SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/"
FAIL_BODY = json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False).encode()
PATHS = {"h5": "/v3/pay/transactions/h5", "native": "/v3/pay/transactions/native"}
REFUND_PATH = "/v3/refund/domestic/refunds"
TRADE_STATES: dict[str, PaymentStatus] = {"SUCCESS": "paid", "NOTPAY": "pending", "USERPAYING": "pending",
                                         "CLOSED": "closed", "REVOKED": "closed", "PAYERROR": "closed",
                                         "REFUND": "partially_refunded"}
REFUND_EVENTS: dict[str, PaymentStatus] = {"REFUND.SUCCESS": "refunded", "REFUND.ABNORMAL": "refund_pending",
                                          "REFUND.CLOSED": "refund_failed"}


def rfc3339(moment: datetime) -> str:
    """WeChat Pay's time format: RFC 3339 with the offset, in Beijing time (2018-06-08T10:34:56+08:00)."""
    return moment.astimezone(timezone(timedelta(hours=8))).isoformat(timespec="seconds")


def parse_rfc3339(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise Malformed(f"not an RFC 3339 time: {text!r}") from exc


def signed_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def decrypt_resource(apiv3_key: str, resource: Mapping[str, Any]) -> dict[str, Any]:
    """Decrypt a notification's ``resource`` (AEAD_AES_256_GCM; nonce 12 bytes, associated data may be empty)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise Malformed(f"resource algorithm {resource.get('algorithm')!r} is not AEAD_AES_256_GCM")
    require(resource, "ciphertext", "nonce", what="the resource")
    try:
        plain = AESGCM(apiv3_key.encode()).decrypt(str(resource["nonce"]).encode(), base64.b64decode(resource["ciphertext"]),
                                                   str(resource.get("associated_data") or "").encode())
    except (InvalidTag, ValueError) as exc:
        raise Malformed("the resource does not decrypt with the APIv3 key") from exc
    return json_object(plain, "the decrypted resource")


_AMOUNT = "an amount in 分"  # names a malformed amount in the error


def h5_with_return(h5_url: str, return_url: str | None) -> str:
    """WeChat Pay H5: the merchant appends ``redirect_url`` (URL-encoded) to the ``h5_url`` of the
    prepay answer, and WeChat sends the payer's browser there after paying (the page then asks
    our server whether the order is paid; the notification decides)."""
    if not return_url:
        return h5_url
    from urllib.parse import quote

    return f"{h5_url}{'&' if '?' in h5_url else '?'}redirect_url={quote(return_url, safe='')}"


class WechatPay:
    name: ProviderName = "wechat_pay"

    # -- signing our requests, verifying theirs --------------------------------------------------------
    def authorization(self, creds: WechatPayCredentials, method: str, url: str, body: bytes, timestamp: int,
                      nonce: str) -> str:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
        signature = keys.rsa_sign(creds.merchant_private_key_pem.get_secret_value(), message)
        return (f'{SCHEME} mchid="{creds.mchid}",nonce_str="{nonce}",signature="{signature}",'
                f'timestamp="{timestamp}",serial_no="{creds.merchant_serial_no}"')

    def request(self, creds: WechatPayCredentials, method: str, path: str, payload: dict[str, Any], now: datetime) -> OutboundRequest:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        url = creds.api_base.rstrip("/") + path
        auth = self.authorization(creds, method, url, body, int(now.timestamp()), secrets.token_hex(16).upper())
        return OutboundRequest(method="POST", url=url, body=body, headers={
            "Authorization": auth, "Content-Type": "application/json", "Accept": "application/json",
            "User-Agent": "ShopDesk-payments/1"})

    def verify_signature(self, creds: WechatPayCredentials, headers: Mapping[str, str], body: bytes, now: datetime) -> None:
        """Check a message of WeChat Pay (notification or answer); raises, or returns when genuine."""
        serial, signature = header(headers, "Wechatpay-Serial"), header(headers, "Wechatpay-Signature")
        timestamp, nonce = header(headers, "Wechatpay-Timestamp"), header(headers, "Wechatpay-Nonce")
        if not (serial and signature and timestamp and nonce):
            raise Malformed("Wechatpay-Serial, -Signature, -Timestamp and -Nonce are required")
        if not timestamp.isdigit():
            raise Malformed("Wechatpay-Timestamp is not Unix seconds")
        key = creds.platform_keys.get(serial)
        if key is None:
            raise BadSignature(f"no platform certificate or public key with serial {serial}", serial=serial)
        if signature.startswith(SIGNTEST_PREFIX):
            raise BadSignature("a signature probe (WECHATPAY/SIGNTEST/): refused as every wrong signature is")
        if abs(now.timestamp() - int(timestamp)) >= TOLERANCE_SECONDS:
            raise StaleTimestamp(f"Wechatpay-Timestamp {timestamp} is 5 minutes or more from now")
        if not keys.rsa_verify(key, signed_message(timestamp, nonce, body), signature):
            raise BadSignature("Wechatpay-Signature does not verify")

    # -- starting a payment ------------------------------------------------------------------------------
    def payment_request(self, creds: WechatPayCredentials, order: PaymentOrder, now: datetime) -> OutboundRequest:
        check_credentials(creds, "wechat_pay")
        channel = order.channel or "h5"
        if channel not in PATHS:
            raise ValueError(f"WeChat Pay has no {channel} channel here (h5 or native)")
        payload: dict[str, Any] = {
            "appid": creds.appid, "mchid": creds.mchid, "description": order.subject, "out_trade_no": order.out_trade_no,
            "time_expire": rfc3339(order.expires_at), "notify_url": order.notify_url,
            "amount": {"total": order.amount_fen, "currency": order.currency}}
        if channel == "h5":
            payload["scene_info"] = {"payer_client_ip": order.client_ip, "h5_info": {"type": "Wap"}}
        return self.request(creds, "POST", PATHS[channel], payload, now)

    def answer(self, creds: WechatPayCredentials, answer: ProviderAnswer, now: datetime, what: str) -> dict[str, Any]:
        if not 200 <= answer.status < 300:
            detail = json_object(answer.body, what) if answer.body else {}
            raise ProviderRefused(f"{what}: HTTP {answer.status} {detail.get('code', '')} {detail.get('message', '')}",
                                  answer=detail)
        self.verify_signature(creds, answer.headers, answer.body, now)
        return json_object(answer.body, what)

    def payment_redirect(self, creds: WechatPayCredentials, request: OutboundRequest, answer: ProviderAnswer | None,
                         now: datetime) -> PaymentRedirect:
        assert answer is not None, "WeChat Pay payments are created by a server call"
        data = self.answer(creds, answer, now, "the prepay answer")
        if data.get("h5_url"):
            return PaymentRedirect(provider="wechat_pay", url=str(data["h5_url"]))
        if data.get("code_url"):
            return PaymentRedirect(provider="wechat_pay", url=None, code_url=str(data["code_url"]))
        raise Malformed("the prepay answer has neither h5_url nor code_url")

    # -- refunds --------------------------------------------------------------------------------------------
    def refund_request(self, creds: WechatPayCredentials, refund: RefundOrder, now: datetime) -> OutboundRequest:
        check_credentials(creds, "wechat_pay")
        payload: dict[str, Any] = {"out_refund_no": refund.out_refund_no,
                                   "amount": {"refund": refund.refund_fen, "total": refund.total_fen,
                                              "currency": refund.currency}}
        if refund.provider_trade_no:
            payload["transaction_id"] = refund.provider_trade_no
        else:
            payload["out_trade_no"] = refund.out_trade_no
        if refund.reason:
            payload["reason"] = refund.reason
        if refund.notify_url:
            payload["notify_url"] = refund.notify_url
        return self.request(creds, "POST", REFUND_PATH, payload, now)

    def refund_result(self, creds: WechatPayCredentials, refund: RefundOrder, answer: ProviderAnswer,
                      now: datetime) -> RefundAccepted:
        data = self.answer(creds, answer, now, "the refund answer")
        state = data.get("status")
        if state in ("CLOSED", "ABNORMAL"):
            raise ProviderRefused(f"refund {refund.out_refund_no} is {state}", answer=data)
        return RefundAccepted(provider="wechat_pay", out_refund_no=refund.out_refund_no,
                              provider_refund_no=data.get("refund_id"),
                              status="succeeded" if state == "SUCCESS" else "pending", raw=data)

    # -- notifications --------------------------------------------------------------------------------------
    def verify_notification(self, creds: WechatPayCredentials, headers: Mapping[str, str], body: bytes,
                            now: datetime) -> PaymentNotice:
        check_credentials(creds, "wechat_pay")
        self.verify_signature(creds, headers, body, now)
        envelope = json_object(body, "the notification")
        require(envelope, "id", "event_type", "resource", what="the notification")
        if envelope.get("resource_type", "encrypt-resource") != "encrypt-resource" or not isinstance(envelope["resource"], dict):
            raise Malformed("the notification's resource is not an encrypt-resource")
        data = decrypt_resource(creds.apiv3_key.get_secret_value(), envelope["resource"])
        event_type = str(envelope["event_type"])
        base = {"provider": "wechat_pay", "event_id": str(envelope["id"]), "event_type": event_type,
                "occurred_at": parse_rfc3339(envelope.get("create_time")),
                "raw": {**{k: v for k, v in envelope.items() if k != "resource"}, "resource": data}}
        amount: dict[str, Any] = data["amount"] if isinstance(data.get("amount"), dict) else {}
        if event_type.startswith("TRANSACTION."):
            require(data, "out_trade_no", "trade_state", what="the transaction")
            status = TRADE_STATES.get(str(data["trade_state"]))
            if status is None:
                raise Malformed(f"unknown trade_state {data['trade_state']!r}")
            return PaymentNotice(**base, out_trade_no=data["out_trade_no"], provider_trade_no=data.get("transaction_id"),
                                 status=status, amount_fen=minor_amount(amount.get("total"), _AMOUNT), currency=amount.get("currency"),
                                 merchant_id=data.get("mchid"), app_id=data.get("appid"),
                                 paid_at=parse_rfc3339(data.get("success_time")))
        if event_type in REFUND_EVENTS:
            require(data, "out_trade_no", "out_refund_no", what="the refund")
            total, refunded = minor_amount(amount.get("total"), _AMOUNT), minor_amount(amount.get("refund"), _AMOUNT)
            status = REFUND_EVENTS[event_type]
            if status == "refunded" and total is not None and refunded is not None and refunded < total:
                status = "partially_refunded"
            return PaymentNotice(**base, out_trade_no=data["out_trade_no"], provider_trade_no=data.get("transaction_id"),
                                 status=status, amount_fen=total, currency=amount.get("currency", "CNY"),
                                 merchant_id=data.get("mchid"), refund_fen=refunded,
                                 out_refund_no=data.get("out_refund_no"), provider_refund_no=data.get("refund_id"))
        return PaymentNotice(**base, out_trade_no=data.get("out_trade_no"), provider_trade_no=data.get("transaction_id"),
                             status="ignored", amount_fen=None, currency=None, merchant_id=data.get("mchid"))

    def acknowledge(self) -> WebhookAnswer:
        return WebhookAnswer(status=204, headers={}, body=b"")

    def refuse(self, error: Exception) -> WebhookAnswer:
        status = 401 if isinstance(error, BadSignature | StaleTimestamp) else 400 if isinstance(error, Malformed) else 500
        return WebhookAnswer(status=status, headers={"Content-Type": "application/json; charset=utf-8"}, body=FAIL_BODY)



WECHAT_PAY = WechatPay()
