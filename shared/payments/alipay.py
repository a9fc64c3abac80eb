"""Alipay (支付宝) open platform, RSA2: 手机网站支付 ``alipay.trade.wap.pay``, 电脑网站支付
``alipay.trade.page.pay``, ``alipay.trade.refund`` and the asynchronous notification (异步通知).

Requests: the common parameters plus ``biz_content`` (JSON), signed with our application
private key over the non-empty parameters sorted by name and joined ``k=v&…`` (``sign``
excluded). Page/wap pay is not sent by us: the buyer's browser follows the signed gateway URL.

Notifications (form POST to ``notify_url``): drop ``sign`` and ``sign_type``, sort the other
decoded parameters, join ``k=v&…`` (empty values included, as the official SDKs' check does),
and verify SHA256withRSA with *Alipay's* public key. Answer exactly ``success``; anything else
makes Alipay retry (4m, 10m, 10m, 1h, 2h, 6h, 15h). ``notify_id`` stays the same across retries.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

from shared.money import major_text, minor_units
from shared.payments import keys
from shared.payments.base import check_credentials, header, require
from shared.payments.errors import BadSignature, Malformed, ProviderRefused
from shared.payments.models import (
    AlipayCredentials,
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
)

BEIJING = timezone(timedelta(hours=8))
PRODUCT_CODES = {"wap": "QUICK_WAP_WAY", "page": "FAST_INSTANT_TRADE_PAY"}
METHODS = {"wap": "alipay.trade.wap.pay", "page": "alipay.trade.page.pay"}
ACK_BODY = b"success"
FAILURE_BODY = b"failure"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def sign_content(params: Mapping[str, str]) -> str:
    """What a request's ``sign`` covers: non-empty parameters but ``sign``, sorted, ``k=v&…``."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "")


def check_content(params: Mapping[str, str]) -> str:
    """What a notification's ``sign`` covers: every parameter but ``sign`` and ``sign_type``, sorted."""
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type"))


def beijing_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime(TIME_FORMAT)


def parse_beijing_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError as exc:
        raise Malformed(f"not an Alipay time: {text!r}") from exc


def amount(text: str | None, field: str) -> int | None:
    if text is None or text == "":
        return None
    try:
        return minor_units(text, "CNY")
    except ValueError as exc:
        raise Malformed(f"{field} is not an amount in 元 with at most 2 decimals: {text!r}", field=field) from exc


def parse_form(body: bytes) -> dict[str, str]:
    """The decoded parameters of a form body in the charset it declares (Alipay may send GBK)."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise Malformed("a form body is percent-encoded ASCII") from exc
    declared = dict(parse_qsl(text, keep_blank_values=True, encoding="latin-1")).get("charset", "utf-8")
    charset = declared.lower() if declared.lower() in ("utf-8", "gbk", "gb2312", "gb18030") else "utf-8"
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict", strict_parsing=bool(text))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed("the form body cannot be decoded") from exc
    params = dict(pairs)
    if len(params) != len(pairs):
        raise Malformed("a form parameter appears twice")
    return params


class Alipay:
    name: ProviderName = "alipay"

    # -- starting a payment ----------------------------------------------------------------------------
    def common(self, creds: AlipayCredentials, method: str, now: datetime) -> dict[str, str]:
        return {"app_id": creds.app_id, "method": method, "format": "JSON", "charset": "utf-8", "sign_type": "RSA2",
                "timestamp": beijing_time(now), "version": "1.0"}

    def signed(self, creds: AlipayCredentials, params: dict[str, str]) -> dict[str, str]:
        return {**params, "sign": keys.rsa_sign(creds.app_private_key_pem.get_secret_value(), sign_content(params).encode())}

    def payment_request(self, creds: AlipayCredentials, order: PaymentOrder, now: datetime) -> OutboundRequest:
        check_credentials(creds, "alipay")
        channel = order.channel or "wap"
        if channel not in METHODS:
            raise ValueError(f"Alipay has no {channel} channel here (wap or page)")
        if order.currency != "CNY":
            raise ValueError("Alipay domestic payments are in CNY")
        biz: dict[str, Any] = {"out_trade_no": order.out_trade_no, "total_amount": major_text(order.amount_fen, "CNY"),
                               "subject": order.subject, "product_code": PRODUCT_CODES[channel],
                               "time_expire": beijing_time(order.expires_at)}
        if channel == "wap" and order.cancel_url:
            biz["quit_url"] = order.cancel_url
        params = self.common(creds, METHODS[channel], now)
        params["notify_url"] = order.notify_url
        if order.return_url:
            params["return_url"] = order.return_url
        params["biz_content"] = json.dumps(biz, ensure_ascii=False, separators=(",", ":"))
        query = urlencode(self.signed(creds, params), encoding="utf-8")
        return OutboundRequest(method="GET", url=f"{creds.gateway_url}?{query}", browser=True)

    def payment_redirect(self, creds: AlipayCredentials, request: OutboundRequest, answer: ProviderAnswer | None,
                         now: datetime) -> PaymentRedirect:
        return PaymentRedirect(provider="alipay", url=request.url)

    # -- refunds -----------------------------------------------------------------------------------------
    def refund_request(self, creds: AlipayCredentials, refund: RefundOrder, now: datetime) -> OutboundRequest:
        check_credentials(creds, "alipay")
        biz: dict[str, Any] = {"out_trade_no": refund.out_trade_no, "refund_amount": major_text(refund.refund_fen, "CNY"),
                               "out_request_no": refund.out_refund_no}
        if refund.provider_trade_no:
            biz["trade_no"] = refund.provider_trade_no
        if refund.reason:
            biz["refund_reason"] = refund.reason
        params = self.common(creds, "alipay.trade.refund", now)
        params["biz_content"] = json.dumps(biz, ensure_ascii=False, separators=(",", ":"))
        body = urlencode(self.signed(creds, params), encoding="utf-8").encode()
        return OutboundRequest(method="POST", url=creds.gateway_url, body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})

    def refund_result(self, creds: AlipayCredentials, refund: RefundOrder, answer: ProviderAnswer,
                      now: datetime) -> RefundAccepted:
        node = verified_response(creds, answer.body, "alipay_trade_refund_response")
        if node.get("code") != "10000":
            raise ProviderRefused(f"alipay.trade.refund: {node.get('sub_code') or node.get('code')} {node.get('sub_msg', '')}",
                                  answer=node)
        # fund_change=Y: money moved by this call; N: an earlier call with this out_request_no did it, or query.
        return RefundAccepted(provider="alipay", out_refund_no=refund.out_refund_no, provider_refund_no=node.get("trade_no"),
                              status="succeeded" if node.get("fund_change") == "Y" else "pending", raw=node)

    # -- notifications -----------------------------------------------------------------------------------
    def verify_notification(self, creds: AlipayCredentials, headers: Mapping[str, str], body: bytes,
                            now: datetime) -> PaymentNotice:
        check_credentials(creds, "alipay")
        ctype = (header(headers, "Content-Type") or "application/x-www-form-urlencoded").lower()
        if "x-www-form-urlencoded" not in ctype:
            raise Malformed("an Alipay notification is a form POST")
        params = parse_form(body)
        require(params, "sign", "notify_id", "trade_status", "out_trade_no", what="the notification")
        if params.get("sign_type", "RSA2") != "RSA2":
            raise BadSignature(f"sign_type {params.get('sign_type')!r} is not accepted (RSA2 only)")
        if not keys.rsa_verify(creds.alipay_public_key_pem, check_content(params).encode("utf-8"), params["sign"]):
            raise BadSignature("the notification's sign does not verify with the Alipay public key")
        return self.notice(params)

    def notice(self, p: dict[str, str]) -> PaymentNotice:
        refunded = amount(p.get("refund_fee"), "refund_fee")
        state = p["trade_status"]
        status: PaymentStatus
        if state == "WAIT_BUYER_PAY":
            status = "pending"
        elif state in ("TRADE_SUCCESS", "TRADE_FINISHED"):
            status = "partially_refunded" if refunded else "paid"
        elif state == "TRADE_CLOSED":
            # A full refund closes the trade (with refund_fee); an unpaid timeout closes it without.
            status = "refunded" if refunded else "closed"
        else:
            raise Malformed(f"unknown trade_status {state!r}")
        return PaymentNotice(
            provider="alipay", event_id=p["notify_id"], event_type=f"{p.get('notify_type', 'trade_status_sync')}:{state}",
            out_trade_no=p["out_trade_no"], provider_trade_no=p.get("trade_no") or None, status=status,
            amount_fen=amount(p.get("total_amount"), "total_amount"), currency="CNY",
            merchant_id=p.get("seller_id") or None, app_id=p.get("app_id") or None,
            paid_at=parse_beijing_time(p.get("gmt_payment")), occurred_at=parse_beijing_time(p.get("notify_time")),
            refunded_total_fen=refunded, out_refund_no=p.get("out_biz_no") or None,
            raw={k: v for k, v in p.items() if k not in ("sign", "sign_type")})

    def acknowledge(self) -> WebhookAnswer:
        return WebhookAnswer(status=200, headers={"Content-Type": "text/plain; charset=utf-8"}, body=ACK_BODY)

    def refuse(self, error: Exception) -> WebhookAnswer:
        # Alipay reads only the body: anything but "success" is a failure and will be retried.
        return WebhookAnswer(status=200, headers={"Content-Type": "text/plain; charset=utf-8"}, body=FAILURE_BODY)


_RESPONSE_NODE = re.compile(r'"(\w+_response)"\s*:')


def verified_response(creds: AlipayCredentials, body: bytes, node_name: str) -> dict[str, Any]:
    """The ``<method>_response`` node of a synchronous answer, after checking ``sign`` over its raw text.

    The signature covers the node exactly as sent, so the raw JSON text is cut out of the body
    rather than re-serialised (re-serialising changes spacing and escapes).
    """
    try:
        text = body.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Malformed("the Alipay answer is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get(node_name), dict):
        raise Malformed(f"the Alipay answer has no {node_name}")
    node = data[node_name]
    sign = data.get("sign")
    if node.get("code") != "10000" and not sign:
        return dict(node)  # errors of the gateway itself (e.g. a bad app_id) come unsigned
    match = next((m for m in _RESPONSE_NODE.finditer(text) if m.group(1) == node_name), None)
    if match is None or not isinstance(sign, str):
        raise BadSignature("the Alipay answer is not signed")
    _, end = json.JSONDecoder().raw_decode(text, text.index("{", match.end()))
    raw_node = text[text.index("{", match.end()):end]
    if not keys.rsa_verify(creds.alipay_public_key_pem, raw_node.encode("utf-8"), sign):
        raise BadSignature("the Alipay answer's sign does not verify")
    return dict(node)


ALIPAY = Alipay()
