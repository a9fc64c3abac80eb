"""A shop's provider credentials from its payment-method settings (``shared.settings``; secrets
stored sealed there). Pure: the caller reads the section (``settings.service.
payment_methods_with_secrets``) and passes one method in.

The providers' URLs are not a shop setting (a staff member could point the server's requests
anywhere): they are the providers' own, or, on the local system only, the payment sandbox's
(``SHOPDESK_PAYMENT_SANDBOX_URL``, set by ``infra/system.py``; never in the template).
"""
from __future__ import annotations

import os
from typing import Any

from shared.payments.models import AlipayCredentials, AnyCredentials, StripeCredentials, WechatPayCredentials

SANDBOX_ENV = "SHOPDESK_PAYMENT_SANDBOX_URL"
# The settings' name of each credential field (where they differ), for errors naming the field.
SETTINGS_NAME = {"seller_id": "merchant_id", "mchid": "merchant_id"}


def _sandbox() -> str | None:
    return (os.environ.get(SANDBOX_ENV) or "").rstrip("/") or None


def build(method: dict[str, Any]) -> AnyCredentials | None:
    """The credentials of one payment method (``{code, enabled, settings}``), or None when it is
    not an online provider or a required field is still empty. Raises pydantic's
    ValidationError when every field is there but one is invalid."""
    code, s = method.get("code"), method.get("settings") or {}
    base = _sandbox()
    if code == "alipay":
        fields = {"app_id": s.get("app_id"), "seller_id": s.get("merchant_id"),
                  "app_private_key_pem": s.get("app_private_key_pem"), "alipay_public_key_pem": s.get("alipay_public_key_pem")}
        if not all(fields.values()):
            return None
        return AlipayCredentials(**fields, **({"gateway_url": f"{base}/alipay/gateway.do"} if base else {}))
    if code == "wechat_pay":
        fields = {"mchid": s.get("merchant_id"), "appid": s.get("appid"), "merchant_serial_no": s.get("merchant_serial_no"),
                  "merchant_private_key_pem": s.get("merchant_private_key_pem"), "apiv3_key": s.get("apiv3_key"),
                  "platform_keys": s.get("platform_keys")}
        if not all(fields.values()):
            return None
        return WechatPayCredentials(**fields, **({"api_base": f"{base}/wechatpay"} if base else {}))
    if code == "stripe":
        fields = {"secret_key": s.get("secret_key"), "webhook_secret": s.get("webhook_secret")}
        if not all(fields.values()):
            return None
        return StripeCredentials(**fields, account_id=s.get("account_id") or None,
                                 **({"api_base": f"{base}/stripe"} if base else {}))
    return None


def configured(section: dict[str, Any]) -> dict[str, AnyCredentials]:
    """The enabled providers with complete credentials, by provider name."""
    out: dict[str, AnyCredentials] = {}
    for method in section.get("methods", []):
        if method.get("enabled"):
            creds = build(method)
            if creds is not None:
                out[creds.provider] = creds
    return out


def as_settings(creds: dict[str, Any]) -> dict[str, Any]:
    """A ``merchant-credentials.json`` entry (the sandbox's) as the settings of its method: what
    the seed writes for the demo and test shops."""
    c = {k: v for k, v in creds.items() if k not in ("provider", "gateway_url", "api_base")}
    for ours, theirs in (("merchant_id", "seller_id"), ("merchant_id", "mchid")):
        if theirs in c:
            c[ours] = c.pop(theirs)
    return c
