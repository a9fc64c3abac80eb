"""The settings sections as pydantic models: what the API accepts and answers, and what is stored.

Each section is stored whole with its own version; an update names the version it was based on.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.model import Input, Model, schema_enum
from shared.money import Currency
from shared.privacy import MASKED_PHONE, is_masked
from shared.settings.regions import PROVINCE_CODES
from shared.uploads import PresignedPost

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Version = Annotated[int, Field(ge=0, description="The version this update is based on (optimistic lock)")]


class Strict(Input):
    """Settings input: unknown fields are an error."""


# -- profile -----------------------------------------------------------------------------
class ShopProfile(Strict):
    name: str = Field(min_length=1, max_length=60, description="Shop name shown to staff and customers")
    logo_key: str | None = Field(None, max_length=300, description="S3 key of the logo (from a logo upload)")
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=20, json_schema_extra={
        "pattern": "^(|" + _PHONE.pattern[1:-1] + "|" + MASKED_PHONE + ")$"})
    contact_email: str = Field("", max_length=120, json_schema_extra={"pattern": "^(|" + _EMAIL.pattern[1:-1] + ")$"})
    address: str = Field("", max_length=200)
    time_zone: str = Field("Asia/Shanghai", max_length=64)
    currency: Currency = "CNY"

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v and not _PHONE.match(v) and not is_masked(v):
            raise PydanticCustomError("phone", "must be a mainland mobile number or a landline")
        return v

    @field_validator("contact_email")
    @classmethod
    def _email(cls, v: str) -> str:
        if v and not _EMAIL.match(v) and not is_masked(v):
            raise PydanticCustomError("email", "must be a valid e-mail address")
        return v.lower()

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        if v not in _time_zones():
            raise PydanticCustomError("time_zone", "must be a time zone name like Asia/Shanghai")
        return v


_TZ: frozenset[str] = frozenset()


def _time_zones() -> frozenset[str]:
    global _TZ
    if not _TZ:
        _TZ = frozenset(available_timezones())
    return _TZ


class ProfileUpdate(ShopProfile):
    version: Version


class ProfileView(ShopProfile):
    version: int
    logo_url: str | None = Field(None, description="Short-lived URL of the logo image")


# -- payment methods -------------------------------------------------------------------------
FeeRate = Annotated[int, Field(ge=0, le=10000, description="Fee in basis points (60 = 0.6%)")]


class _Method(Strict):
    enabled: bool = False
    _required: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _filled_when_enabled(self) -> Any:
        settings = self.settings  # type: ignore[attr-defined]  # each method declares its settings
        missing = [f for f in self._required if not getattr(settings, f)]
        if self.enabled and missing:
            raise PydanticCustomError("method_settings_required", "enabled method needs {missing}",
                                      {"missing": ", ".join(missing)})
        return self


def _merchant_id(pattern: str, expected: str) -> Any:
    regex = re.compile(pattern)

    def check(v: str) -> str:
        if v and not regex.match(v):
            raise PydanticCustomError("merchant_id", "merchant id has the wrong format", {"expected": expected})
        return v

    return field_validator("merchant_id")(classmethod(lambda cls, v: check(v)))  # type: ignore[arg-type]


# Provider credentials (the fields ``shared.payments``' credential models need). Secrets are
# write-only: stored sealed (``shared.crypto``), answered as ``SECRET_CONFIGURED`` when stored (null when
# not), and a secret sent back as null, omitted, ``configured`` or masked keeps the stored one; "" clears
# it. The other credential fields default to null = keep the stored value (a form that does not know
# them never wipes them); "" clears them. docs/payments.md "Per-shop credentials".
SECRET_CONFIGURED = "configured"
PAYMENT_SECRETS = frozenset({"app_private_key_pem", "merchant_private_key_pem", "apiv3_key", "secret_key",
                             "webhook_secret"})
PAYMENT_KEPT = frozenset({"app_id", "alipay_public_key_pem", "appid", "merchant_serial_no", "platform_keys",
                          "account_id"})
_PEM_MAX = 8192


def _secret(description: str) -> Any:
    return Field(None, max_length=_PEM_MAX, description=f"{description}. Write-only: answers say "
                 f"'{SECRET_CONFIGURED}' once stored; null/omitted/'{SECRET_CONFIGURED}' keeps the stored one")


class AlipaySettings(Strict):
    merchant_id: str = Field("", max_length=16, description="Alipay PID (seller_id): 2088 + 12 digits")
    fee_rate_bp: FeeRate = 60
    app_id: str | None = Field(None, max_length=16, pattern=r"^(|\d{16})$", description="Open-platform APPID")
    alipay_public_key_pem: str | None = Field(None, max_length=_PEM_MAX,
                                              description="Alipay's public key (支付宝公钥), verifies notifications")
    app_private_key_pem: str | None = _secret("Our application private key (RSA2048; PEM or bare base64)")
    _check = _merchant_id(r"^2088\d{12}$", "2088 + 12 digits")


class WechatPaySettings(Strict):
    merchant_id: str = Field("", max_length=10, description="WeChat Pay mch_id: 10 digits")
    fee_rate_bp: FeeRate = 60
    appid: str | None = Field(None, max_length=32, description="The AppID bound to the merchant")
    merchant_serial_no: str | None = Field(None, max_length=64, description="Serial number of our API certificate")
    platform_keys: dict[str, Annotated[str, Field(max_length=_PEM_MAX)]] | None = Field(
        None, max_length=8, description="Keys verifying WeChat Pay's signatures by Wechatpay-Serial (platform "
                                        "certificate serials and/or PUB_KEY_ID_…)")
    merchant_private_key_pem: str | None = _secret("Our API certificate's private key (apiclient_key.pem)")
    apiv3_key: str | None = _secret("The APIv3 key (32 bytes)")
    _check = _merchant_id(r"^\d{10}$", "10 digits")


class StripeSettings(Strict):
    account_id: str | None = Field(None, max_length=64, pattern=r"^(|acct_\w+)$",
                                   description="Connect account id (acct_…), optional")
    fee_rate_bp: FeeRate = 290
    secret_key: str | None = _secret("Secret key sk_live_…/sk_test_… (or a restricted rk_…)")
    webhook_secret: str | None = _secret("The webhook endpoint's signing secret whsec_…")


class UnionPaySettings(Strict):
    merchant_id: str = Field("", max_length=15, description="UnionPay merchant number: 15 characters")
    fee_rate_bp: FeeRate = 55
    _check = _merchant_id(r"^[0-9A-Z]{15}$", "15 characters A-Z 0-9")


class BankTransferSettings(Strict):
    account_name: str = Field("", max_length=60)
    bank_name: str = Field("", max_length=60)
    # "*": the masked form (**** 5667) a role without personal_data.view sends back unchanged
    account_number: str = Field("", max_length=34, pattern=r"^[0-9A-Z *]*$")


class CashOnDeliverySettings(Strict):
    max_order_amount: int = Field(200000, ge=0, le=10**9, description="Largest order in minor units (分)")
    fee_rate_bp: FeeRate = 0


class Alipay(_Method):
    code: Literal["alipay"]
    settings: AlipaySettings = AlipaySettings()
    _required = ("merchant_id",)


class WechatPay(_Method):
    code: Literal["wechat_pay"]
    settings: WechatPaySettings = WechatPaySettings()
    _required = ("merchant_id",)


class Stripe(_Method):
    code: Literal["stripe"]
    settings: StripeSettings = StripeSettings()


class UnionPay(_Method):
    code: Literal["unionpay"]
    settings: UnionPaySettings = UnionPaySettings()
    _required = ("merchant_id",)


class BankTransfer(_Method):
    code: Literal["bank_transfer"]
    settings: BankTransferSettings = BankTransferSettings()
    _required = ("account_name", "bank_name", "account_number")


class CashOnDelivery(_Method):
    code: Literal["cash_on_delivery"]
    settings: CashOnDeliverySettings = CashOnDeliverySettings()


PaymentMethod = Annotated[Alipay | WechatPay | Stripe | UnionPay | BankTransfer | CashOnDelivery,
                          Field(discriminator="code")]
METHOD_CODES = ("alipay", "wechat_pay", "stripe", "unionpay", "bank_transfer", "cash_on_delivery")
ONLINE_PROVIDERS = ("alipay", "wechat_pay", "stripe")  # the methods paid through shared.payments


class PaymentMethods(Strict):
    methods: list[PaymentMethod] = Field(default_factory=list, max_length=len(METHOD_CODES))

    @field_validator("methods")
    @classmethod
    def _unique(cls, v: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for m in v:
            if m.code in seen:
                raise PydanticCustomError("duplicate", "contains {value} twice", {"value": m.code})
            seen.add(m.code)
        return v

    def completed(self) -> PaymentMethods:
        """All five methods, in a stable order; those not given are disabled with defaults."""
        given: dict[str, Any] = {m.code: m for m in self.methods}
        from pydantic import TypeAdapter

        adapter: TypeAdapter[Any] = TypeAdapter(PaymentMethod)
        return PaymentMethods(methods=[given.get(c) or adapter.validate_python({"code": c}) for c in METHOD_CODES])


class PaymentMethodsUpdate(PaymentMethods):
    version: Version


class PaymentMethodsView(PaymentMethods):
    version: int


# -- delivery regions --------------------------------------------------------------------------
class DeliveryRegions(Strict):
    provinces: list[str] = Field(default_factory=list, max_length=len(PROVINCE_CODES),
                                 description="GB/T 2260 province codes served")

    @field_validator("provinces")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for code in v:
            if code not in PROVINCE_CODES:
                raise PydanticCustomError("unknown_province", "unknown province code {code}", {"code": code[:12]})
            if code in seen:
                raise PydanticCustomError("duplicate", "contains {value} twice", {"value": code})
            seen.add(code)
        return sorted(v)


class DeliveryRegionsUpdate(DeliveryRegions):
    version: Version


class DeliveryRegionsView(DeliveryRegions):
    version: int


class Region(Model):
    code: str
    name_zh: str
    name_en: str


class RegionList(Model):
    items: list[Region]


# -- business hours ---------------------------------------------------------------------------
class DayHours(Strict):
    weekday: int = Field(ge=1, le=7, description="1 = Monday ... 7 = Sunday")
    closed: bool = False
    open: str = "09:00"
    close: str = "18:00"

    @field_validator("open", "close")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise PydanticCustomError("time_hhmm", "must be a time like 09:30")
        return v

    @model_validator(mode="after")
    def _order(self) -> DayHours:
        if not self.closed and self.close <= self.open:
            raise PydanticCustomError("close_before_open", "closing time must be after opening time")
        return self


class ClosedDay(Strict):
    date: date
    reason: str = Field("", max_length=60)


def _default_week() -> list[DayHours]:
    return [DayHours(weekday=d) for d in range(1, 8)]


class BusinessHours(Strict):
    weekly: list[DayHours] = Field(default_factory=_default_week, min_length=7, max_length=7,
                                   description="Each weekday 1-7 exactly once, in any order")
    closed_days: list[ClosedDay] = Field(default_factory=list, max_length=366)

    @field_validator("weekly")
    @classmethod
    def _each_day_once(cls, v: list[DayHours]) -> list[DayHours]:
        if sorted(d.weekday for d in v) != list(range(1, 8)):
            raise PydanticCustomError("weekdays", "must list each weekday 1-7 exactly once")
        return sorted(v, key=lambda d: d.weekday)

    @field_validator("closed_days")
    @classmethod
    def _unique_days(cls, v: list[ClosedDay]) -> list[ClosedDay]:
        seen: set[date] = set()
        for d in v:
            if d.date in seen:
                raise PydanticCustomError("duplicate", "contains {value} twice", {"value": d.date.isoformat()})
            seen.add(d.date)
        return sorted(v, key=lambda d: d.date)


class BusinessHoursUpdate(BusinessHours):
    version: Version


class BusinessHoursView(BusinessHours):
    version: int


# -- notifications ---------------------------------------------------------------------------
MAX_EXTRA_RECIPIENTS = 5
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


def _extra_email(v: str) -> str:
    if is_masked(v):
        return v  # sent back as it was shown (masked): shared.privacy.restore_masked keeps the stored one
    if not _EMAIL.match(v):
        raise PydanticCustomError("email", "must be a valid e-mail address")
    return v.lower()


def _extra_mobile(v: str) -> str:
    if is_masked(v):
        return v
    found = _MOBILE.match(v.replace(" ", "").replace("-", ""))
    if not found:
        raise PydanticCustomError("mobile", "must be a mainland mobile number (11 digits)")
    return f"+86{found.group(1)}"


def _no_repeats(v: list[str]) -> list[str]:
    """No address twice; masked values are left alone (two addresses may share a mask)."""
    seen: set[str] = set()
    for value in v:
        if is_masked(value):
            continue
        if value in seen:
            raise PydanticCustomError("duplicate", "contains {value} twice", {"value": value})
        seen.add(value)
    return v


ExtraEmail = Annotated[str, Field(max_length=120, json_schema_extra={"pattern": _EMAIL.pattern}),
                      AfterValidator(_extra_email)]
ExtraMobile = Annotated[str, Field(max_length=20, json_schema_extra={"pattern": "^(" + _MOBILE.pattern[1:-1] + "|"
                                                                               + MASKED_PHONE + ")$"}),
                       AfterValidator(_extra_mobile)]


class TopicChannels(Strict):
    """How one topic reaches people. In-app always reaches the members of its audience."""

    in_app: Literal[True] = Field(True, description="Always on: the bell in the admin header")
    email: bool = False
    sms: bool = False
    extra_emails: Annotated[list[ExtraEmail], AfterValidator(_no_repeats)] = Field(
        default_factory=list, max_length=MAX_EXTRA_RECIPIENTS,
        description="E-mail addresses that get the e-mails too (besides the staff of the topic's audience)")
    extra_phones: Annotated[list[ExtraMobile], AfterValidator(_no_repeats)] = Field(
        default_factory=list, max_length=MAX_EXTRA_RECIPIENTS,
        description="Mainland mobile numbers that get the SMS too (answered as +86...)")


class NotificationSettings(Strict):
    topics: dict[str, TopicChannels] = Field(default_factory=dict,
                                             description="Per topic code (see GET /settings: every topic is listed)")

    @field_validator("topics")
    @classmethod
    def _known(cls, v: dict[str, TopicChannels]) -> dict[str, TopicChannels]:
        from shared.notifications.topics import is_topic

        for code in v:
            if not is_topic(code):
                raise PydanticCustomError("unknown_topic", "unknown notification topic {code}", {"code": code[:40]})
        return v

    def completed(self) -> NotificationSettings:
        """Every registered topic, in registry order; topics not given get their defaults."""
        from shared.notifications.topics import TOPICS

        return NotificationSettings(topics={
            code: self.topics.get(code) or TopicChannels(email=t.email, sms=t.sms) for code, t in TOPICS.items()})


class NotificationSettingsUpdate(NotificationSettings):
    version: Version


class NotificationSettingsView(NotificationSettings):
    version: int


# -- approvals (separation of duties) -------------------------------------------------------
class ApprovalSettings(Strict):
    """Above these amounts, whoever created a purchase order or opened a stocktake cannot also
    approve it (submit the PO / approve the count): a second person must (issue 9, point 3)."""

    separate_approver: bool = Field(True, description="On by default")
    purchase_order_limit: int = Field(500_000, ge=0, le=10**12,
                                      description="Fen: POs whose total is above it need a second person (¥5,000)")
    stocktake_limit: int = Field(200_000, ge=0, le=10**12,
                                 description="Fen: counts whose absolute variance, valued at the SKUs' prices, "
                                             "is above it need a second person (¥2,000); 0 = always")


class ApprovalSettingsUpdate(ApprovalSettings):
    version: Version


class ApprovalSettingsView(ApprovalSettings):
    version: int


# -- delivery fee (until freight templates) ----------------------------------------------------
class DeliveryFee(Strict):
    """The shop's flat delivery fee and free-shipping threshold, in fen (the quote's ``freight``
    step; the freight-template issue replaces it)."""

    flat_fee: int = Field(0, ge=0, le=100_000_00, description="Fen charged per order (0 = free delivery)")
    free_over: int | None = Field(None, ge=0, le=10**12,
                                  description="Fen: orders whose goods total reaches it ship free (null = never)")


class DeliveryFeeUpdate(DeliveryFee):
    version: Version


class DeliveryFeeView(DeliveryFee):
    version: int


# -- orders: review rules (审单) and timers --------------------------------------------------
class ReviewConditions(Strict):
    """What must all hold for a rule to match (a condition left off is not checked)."""

    no_buyer_message: bool = Field(False, description="The buyer left no message")
    no_seller_memo: bool = Field(False, description="Staff wrote no seller memo")
    served_region: bool = Field(False, description="The receiver's province is one the shop delivers to")
    max_amount: int | None = Field(None, ge=0, le=10**12, description="Fen: the payable is at most this")
    min_amount: int | None = Field(None, ge=0, le=10**12, description="Fen: the payable is at least this")
    buyer_not_flagged: bool = Field(False, description="Neither this order nor the buyer's recent orders carry a "
                                                       "red flag (payment anomaly, staff)")


class ReviewRule(Strict):
    name: str = Field(min_length=1, max_length=40)
    priority: int = Field(ge=1, le=999, description="Lower first; the first enabled rule that matches decides")
    enabled: bool = True
    action: Literal["approve", "manual"] = Field("approve", description="approve: reviewed automatically; "
                                                                         "manual: left for staff")
    conditions: ReviewConditions = Field(default_factory=ReviewConditions)


class OrderReview(Strict):
    """Auto-review (自动审单) of paid orders: the rules by priority; no rule matching = the manual
    queue (待审核). ``finance_review``: a reviewed order then waits for finance (待财审)."""

    rules: list[ReviewRule] = Field(default_factory=list, max_length=20)
    finance_review: bool = Field(False, description="Reviewed orders wait for finance review before shipping")

    @field_validator("rules")
    @classmethod
    def _distinct_priorities(cls, v: list[ReviewRule]) -> list[ReviewRule]:
        if len({r.priority for r in v}) != len(v):
            raise PydanticCustomError("distinct_priorities", "rule priorities must differ")
        return v


class OrderReviewUpdate(OrderReview):
    version: Version


class OrderReviewView(OrderReview):
    version: int


class OrderTimers(Strict):
    """The order timers: an unpaid order cancels itself, a delivered one completes itself."""

    unpaid_cancel_minutes: int = Field(30, ge=5, le=1440, description="Minutes an order may wait for payment")
    auto_complete_days: int = Field(10, ge=1, le=30, description="Days after delivery before the order completes")


class OrderTimersUpdate(OrderTimers):
    version: Version


class OrderTimersView(OrderTimers):
    version: int


# -- all sections --------------------------------------------------------------------------
class SettingsView(Model):
    profile: ProfileView
    payment_methods: PaymentMethodsView
    delivery_regions: DeliveryRegionsView
    business_hours: BusinessHoursView
    notifications: NotificationSettingsView
    approvals: ApprovalSettingsView
    delivery_fee: DeliveryFeeView
    order_review: OrderReviewView
    order_timers: OrderTimersView


class LogoUploadRequest(Strict):
    content_type: str = Field(max_length=40, json_schema_extra=schema_enum(LOGO_TYPES))
    size: int = Field(ge=1, le=LOGO_MAX_BYTES, description=f"Bytes, at most {LOGO_MAX_BYTES}")

    @field_validator("content_type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in LOGO_TYPES:
            raise PydanticCustomError("content_type", "must be image/png, image/jpeg or image/webp")
        return v


class LogoUpload(Model):
    key: str
    upload: PresignedPost
    expires_in: int
    max_bytes: int = LOGO_MAX_BYTES
