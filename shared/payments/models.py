"""The data of the payment layer: what the shop asks for, what providers send back, one notice type.

Money is integer minor units (分) everywhere; providers' own units are converted at the edge
(``shared.money.minor_units`` for Alipay's 元 strings). Credentials are passed in by the caller
(orders will read them from the shop's payment-method settings); nothing here reads globals.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from shared.money import Currency

ProviderName = Literal["alipay", "wechat_pay", "stripe"]
PROVIDERS: tuple[ProviderName, ...] = ("alipay", "wechat_pay", "stripe")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# -- credentials: one model per provider -------------------------------------------------------------------
class AlipayCredentials(_Frozen):
    provider: Literal["alipay"] = "alipay"
    app_id: str = Field(pattern=r"^\d{16}$", description="The open-platform application id (APPID)")
    seller_id: str = Field(pattern=r"^2088\d{12}$", description="The merchant's PID (2088 + 12 digits)")
    app_private_key_pem: SecretStr = Field(description="Our application private key (RSA2048; PEM or bare base64)")
    alipay_public_key_pem: str = Field(description="Alipay's public key (支付宝公钥), verifies notifications")
    gateway_url: str = "https://openapi.alipay.com/gateway.do"


class WechatPayCredentials(_Frozen):
    provider: Literal["wechat_pay"] = "wechat_pay"
    mchid: str = Field(pattern=r"^\d{8,10}$", description="商户号")
    appid: str = Field(min_length=1, max_length=32, description="The AppID bound to the merchant")
    merchant_serial_no: str = Field(min_length=1, max_length=64, description="Serial number of our API certificate")
    merchant_private_key_pem: SecretStr = Field(description="Our API certificate's private key (apiclient_key.pem)")
    apiv3_key: SecretStr = Field(description="The APIv3 key: 32 bytes, decrypts notification resources")
    platform_keys: dict[str, str] = Field(
        min_length=1,
        description="Keys that verify WeChat Pay's signatures, by Wechatpay-Serial: platform certificates by their "
                    "serial and/or the 微信支付公钥 by its PUB_KEY_ID_… (keep both during the migration)")
    api_base: str = "https://api.mch.weixin.qq.com"

    @field_validator("apiv3_key")
    @classmethod
    def _key_is_32_bytes(cls, v: SecretStr) -> SecretStr:
        if len(v.get_secret_value().encode()) != 32:
            raise ValueError("the APIv3 key has 32 bytes")
        return v


class StripeCredentials(_Frozen):
    provider: Literal["stripe"] = "stripe"
    account_id: str | None = Field(None, pattern=r"^acct_\w+$")
    secret_key: SecretStr = Field(description="sk_live_… / sk_test_… (or a restricted rk_…)")
    webhook_secret: SecretStr = Field(description="The endpoint's signing secret, whsec_…")
    api_base: str = "https://api.stripe.com"


ProviderCredentials = Annotated[AlipayCredentials | WechatPayCredentials | StripeCredentials,
                                Field(discriminator="provider")]
AnyCredentials = AlipayCredentials | WechatPayCredentials | StripeCredentials


# -- what the shop asks for --------------------------------------------------------------------------------
Channel = Literal["wap", "page", "h5", "native", "checkout", "payment_intent"]
DEFAULT_CHANNEL: dict[ProviderName, Channel] = {"alipay": "wap", "wechat_pay": "h5", "stripe": "checkout"}


class PaymentOrder(_Frozen):
    """One payment request for one order; the order decides every value."""

    out_trade_no: str = Field(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z_\-*]+$",
                              description="Our order number, unique per merchant (the providers' limit: 6-32 chars)")
    amount_fen: int = Field(gt=0, le=10**11)
    currency: Currency = "CNY"
    subject: str = Field(min_length=1, max_length=128)
    notify_url: str = Field(min_length=1, max_length=256)
    return_url: str | None = Field(None, max_length=256, description="Where the buyer's browser goes after paying")
    cancel_url: str | None = Field(None, max_length=256, description="Where the buyer goes on cancel (Stripe, Alipay wap)")
    expires_at: datetime = Field(description="The payment request's expiry; never later than the order's own timer")
    client_ip: str = "127.0.0.1"
    channel: Channel | None = None

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("expires_at needs a time zone")
        return v


class RefundOrder(_Frozen):
    out_trade_no: str = Field(min_length=6, max_length=32)
    provider_trade_no: str | None = Field(None, description="trade_no / transaction_id / payment_intent id")
    out_refund_no: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_\-|*@]+$",
                               description="Our refund number: out_request_no / out_refund_no / idempotency key")
    refund_fen: int = Field(gt=0, le=10**11)
    total_fen: int = Field(gt=0, le=10**11, description="The payment's amount (WeChat Pay requires it)")
    currency: Currency = "CNY"
    reason: str = Field("", max_length=80)
    notify_url: str | None = Field(None, max_length=256, description="WeChat Pay refunds only; the others notify the payment's URL")


# -- talking to providers -----------------------------------------------------------------------------------
class OutboundRequest(_Frozen):
    """A signed request to a provider. ``browser``: the buyer's browser navigates to ``url`` (Alipay's
    page/wap pay); otherwise our server sends it and reads the answer."""

    method: Literal["GET", "POST"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: bytes = b""
    browser: bool = False


class ProviderAnswer(_Frozen):
    status: int
    headers: dict[str, str] = Field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class PaymentRedirect(_Frozen):
    """Where to send the buyer to pay (a cashier page), and the provider's handle of the payment."""

    provider: ProviderName
    url: str | None = Field(description="The cashier page the buyer's browser opens (None: see code_url / client_secret)")
    provider_ref: str | None = Field(None, description="checkout session id / payment intent id")
    code_url: str | None = Field(None, description="WeChat Native: the weixin:// link a QR code encodes")
    client_secret: str | None = Field(None, description="Stripe PaymentIntent: what Stripe.js confirms in the page")


class RefundAccepted(_Frozen):
    provider: ProviderName
    out_refund_no: str
    provider_refund_no: str | None
    status: Literal["succeeded", "pending"]
    raw: dict[str, Any]


class WebhookAnswer(_Frozen):
    """What the webhook route answers the provider: the provider decides what counts as received."""

    status: int
    headers: dict[str, str]
    body: bytes


# -- the one notice type ------------------------------------------------------------------------------------
PaymentStatus = Literal["pending", "paid", "closed", "partially_refunded", "refunded", "refund_pending",
                        "refund_failed", "ignored"]

# Fields of ``raw`` that identify the buyer: drop or encrypt before storing raw payloads.
PERSONAL_FIELDS = frozenset({"buyer_id", "buyer_logon_id", "buyer_open_id", "openid", "payer", "user_received_account",
                             "billing_details", "customer_details", "customer_email", "receipt_email", "shipping",
                             "shipping_details"})


class PaymentNotice(_Frozen):
    """A verified provider notification, normalised.

    ``event_id`` is the dedupe key (Alipay ``notify_id``, WeChat Pay notification ``id``, Stripe
    event ``id``): the same across the provider's retries. ``amount_fen`` is the payment's total;
    ``refunded_total_fen`` (Alipay ``refund_fee``, Stripe ``amount_refunded``) and ``refund_fen``
    (one refund: WeChat Pay ``amount.refund``) are filled where the provider says them.
    ``ignored`` marks events that need no action but must be acknowledged.
    """

    provider: ProviderName
    event_id: str
    event_type: str
    out_trade_no: str | None
    provider_trade_no: str | None
    status: PaymentStatus
    amount_fen: int | None
    currency: str | None
    merchant_id: str | None = None
    app_id: str | None = None
    paid_at: datetime | None = None
    occurred_at: datetime | None = None
    refund_fen: int | None = None
    refunded_total_fen: int | None = None
    out_refund_no: str | None = None
    provider_refund_no: str | None = None
    raw: dict[str, Any]

    def raw_without_personal_data(self) -> dict[str, Any]:
        stripped: dict[str, Any] = _strip(self.raw)
        return stripped


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in PERSONAL_FIELDS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value
