"""Marketing's models (issue 12): the activities and the coupons the price engine reads.

Money is integer 分. A percent is what the buyer PAYS, as the shops say it: ``pay_percent`` 80 is
8折 (20% off), 1..99 (100 would be no discount, 0 free). Validation names the field and the reason
(``shared.i18n`` has the zh-CN/en messages of each ``field.<type>``).

Activities (``Activity``, one of):
- ``TimedDiscount`` 限时折扣: per SKU a pay percent or a fixed price, a window, a per-buyer limit.
- ``FlashSale`` 秒杀: per SKU an exclusive price and a quota of units; an order with a flash-sale
  line gets no other discount (DOMAIN.md §5.1).
- ``ThresholdOffer`` 满减/满折/满赠: tiers on the amount (满100减15) or the number of items (满2件9折)
  of the lines in its scope; a tier gives an amount off, a pay percent, a gift, or several.

Coupons: ``CouponTemplate`` (what staff define) and ``Coupon`` (one buyer's instance, with the
window computed at claim by ``CouponTemplate.window_for``).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Annotated, Literal, TypeVar

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.ids import ULID_PATTERN, id_pattern
from shared.model import Input, Instant

MAX_MONEY = 10**10  # 1 亿元 in 分: a bound for a typo, not a business rule
PRODUCT_ID = Field(pattern=id_pattern("prd_"))
SKU_ID = Field(pattern=id_pattern("sku_"))
PayPercent = Annotated[int, Field(ge=1, le=99, description="what the buyer pays, 80 = 8折 (20% off)")]
Money = Annotated[int, Field(ge=0, le=MAX_MONEY, description="fen")]
Limit = Annotated[int, Field(ge=1, le=9999)]
ACTIVITY_ID = f"^act_{ULID_PATTERN}$"
TEMPLATE_ID = f"^cpt_{ULID_PATTERN}$"
COUPON_ID = f"^cpn_{ULID_PATTERN}$"


class Window(Input):
    """A time window: starts at ``starts_at`` (inclusive), ends at ``ends_at`` (exclusive)."""

    starts_at: Instant
    ends_at: Instant

    @field_validator("ends_at")
    @classmethod
    def _ordered(cls, v: datetime, info: ValidationInfo) -> datetime:
        _after(v, info.data.get("starts_at"), "starts_at")
        return v

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


class Scope(Input):
    """Which lines an offer or a coupon counts: all, or the listed categories/products/SKUs."""

    kind: Literal["all", "categories", "products", "skus"] = "all"
    ids: list[str] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _ids_fit(self) -> Scope:
        prefix = {"all": None, "categories": "cat_", "products": "prd_", "skus": "sku_"}[self.kind]
        if prefix is None:
            if self.ids:
                raise PydanticCustomError("scope_ids_not_allowed", "must be empty when the scope is all")
            return self
        if not self.ids:
            raise PydanticCustomError("scope_ids_required", "must name at least one {kind}", {"kind": self.kind})
        bad = [i for i in self.ids if not i.startswith(prefix) or len(i) != len(prefix) + 26]
        if bad:
            raise PydanticCustomError("scope_id", "{value} is not an id of {kind}", {"value": bad[0][:40], "kind": self.kind})
        if len(set(self.ids)) != len(self.ids):
            raise PydanticCustomError("duplicate", "contains {value} twice", {"value": _first_twice(self.ids)})
        return self

    def matches(self, product_id: str, sku_id: str, categories: frozenset[str]) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "skus":
            return sku_id in self.ids
        if self.kind == "products":
            return product_id in self.ids
        return not categories.isdisjoint(self.ids)

    @property
    def specificity(self) -> int:
        """The narrower scope wins a line two threshold offers both count (SKU > product > category > all)."""
        return {"skus": 3, "products": 2, "categories": 1, "all": 0}[self.kind]


def _after(end: datetime | None, start: datetime | None, start_name: str) -> None:
    if end is not None and start is not None and end <= start:
        raise PydanticCustomError("end_before_start", "must be after {start}", {"start": start_name})


def _one_of(v: int | None, info: ValidationInfo, other: str, names: str) -> int | None:
    if other not in info.data:  # the other field failed: its own error says why
        return v
    if (v is None) == (info.data[other] is None):
        raise PydanticCustomError("one_of", "give exactly one of {names}", {"names": names})
    return v


def _first_twice(values: list[str]) -> str:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return ""


# -- activities ------------------------------------------------------------------------------------
class DiscountedSku(Input):
    product_id: str = PRODUCT_ID
    sku_id: str = SKU_ID
    pay_percent: PayPercent | None = None
    fixed_price: Money | None = Field(None, validate_default=True)

    @field_validator("fixed_price")
    @classmethod
    def _one_price(cls, v: int | None, info: ValidationInfo) -> int | None:
        return _one_of(v, info, "pay_percent", "pay_percent, fixed_price")

    def unit_price(self, list_price: int) -> int:
        """Never above the list price (a fixed price above it is no discount)."""
        if self.fixed_price is not None:
            return min(self.fixed_price, list_price)
        assert self.pay_percent is not None
        return list_price * self.pay_percent // 100


class TimedDiscount(Window):
    """限时折扣."""

    kind: Literal["timed_discount"] = "timed_discount"
    activity_id: str = Field(pattern=ACTIVITY_ID)
    name: str = Field(min_length=1, max_length=60)
    items: list[DiscountedSku] = Field(min_length=1, max_length=500)
    per_buyer_limit: Limit | None = Field(None, description="units per buyer at this price; none = no limit")

    @field_validator("items")
    @classmethod
    def _skus_once(cls, items: list[DiscountedSku]) -> list[DiscountedSku]:
        return _once(items)


class FlashSku(Input):
    product_id: str = PRODUCT_ID
    sku_id: str = SKU_ID
    price: Money
    quota: Limit


class FlashSale(Window):
    """秒杀: exclusive price; the quota is taken from inventory's flash-sale path, not here."""

    kind: Literal["flash_sale"] = "flash_sale"
    activity_id: str = Field(pattern=ACTIVITY_ID)
    name: str = Field(min_length=1, max_length=60)
    items: list[FlashSku] = Field(min_length=1, max_length=50)
    per_buyer_limit: Limit = 1

    @field_validator("items")
    @classmethod
    def _skus_once(cls, items: list[FlashSku]) -> list[FlashSku]:
        return _once(items)


Item = TypeVar("Item", DiscountedSku, FlashSku)


def _once(items: list[Item]) -> list[Item]:
    seen = [i.sku_id for i in items]
    if len(set(seen)) != len(seen):
        raise PydanticCustomError("duplicate", "contains {value} twice", {"value": _first_twice(seen)})
    return items


class Gift(Input):
    product_id: str = PRODUCT_ID
    sku_id: str = SKU_ID
    qty: Limit = 1


class Tier(Input):
    """One step of a threshold offer: reach ``at`` (fen, or items for a qty offer) and get the benefits."""

    at: int = Field(ge=1, le=MAX_MONEY)
    amount_off: int | None = Field(None, ge=1, le=MAX_MONEY, description="fen")
    pay_percent: PayPercent | None = None
    gift: Gift | None = Field(None, validate_default=True)

    @field_validator("pay_percent")
    @classmethod
    def _not_both(cls, v: int | None, info: ValidationInfo) -> int | None:
        if v is not None and info.data.get("amount_off") is not None:
            raise PydanticCustomError("one_of", "give exactly one of {names}", {"names": "amount_off, pay_percent"})
        return v

    @field_validator("gift")
    @classmethod
    def _some_benefit(cls, v: Gift | None, info: ValidationInfo) -> Gift | None:
        if v is None and info.data.get("amount_off") is None and info.data.get("pay_percent") is None:
            raise PydanticCustomError("tier_benefit", "give amount_off, pay_percent or a gift")
        return v


class ThresholdOffer(Window):
    """满减 / 满折 / 满赠: the best tier reached counts (no repeating 每满 tiers yet)."""

    kind: Literal["threshold"] = "threshold"
    activity_id: str = Field(pattern=ACTIVITY_ID)
    name: str = Field(min_length=1, max_length=60)
    basis: Literal["amount", "qty"] = "amount"
    scope: Scope = Field(default_factory=Scope)
    tiers: list[Tier] = Field(min_length=1, max_length=10)
    with_discounted: bool = Field(True, description="lines already at an activity price count too (false: no 折上折)")

    @field_validator("tiers")
    @classmethod
    def _tiers_climb(cls, tiers: list[Tier], info: ValidationInfo) -> list[Tier]:
        for i, (low, high) in enumerate(pairwise(tiers)):
            if high.at <= low.at:
                raise PydanticCustomError("tiers_ascending", "tier {index} must need more than the one before",
                                          {"index": i + 1})
            if _kind(high) != _kind(low) or _benefit_rank(high) < _benefit_rank(low):
                raise PydanticCustomError("tiers_benefit",
                                          "tier {index} must give the same kind of benefit, at least as much as the one before",
                                          {"index": i + 1})
        if info.data.get("basis") == "amount":
            for i, t in enumerate(tiers):
                if t.amount_off is not None and t.amount_off >= t.at:
                    raise PydanticCustomError("tier_off_not_below_threshold",
                                              "tier {index}: the amount off must be below the amount to reach",
                                              {"index": i})
        return tiers


def _kind(t: Tier) -> str:
    return "amount" if t.amount_off is not None else "percent" if t.pay_percent is not None else "gift"


def _benefit_rank(t: Tier) -> int:
    # Tiers of one offer give one kind of discount and a higher tier at least as much: then more
    # in the cart never means less off (a property the tests check).
    return t.amount_off if t.amount_off is not None else 100 - t.pay_percent if t.pay_percent is not None else 0


Activity = Annotated[TimedDiscount | FlashSale | ThresholdOffer, Field(discriminator="kind")]


# -- coupons ---------------------------------------------------------------------------------------
class CouponTemplate(Input):
    """券模板. Validity: fixed ``starts_at``/``ends_at``, or ``days_after_claim`` from the claim."""

    template_id: str = Field(pattern=TEMPLATE_ID)
    name: str = Field(min_length=1, max_length=60)
    amount_off: int | None = Field(None, ge=1, le=MAX_MONEY, description="fen")
    pay_percent: PayPercent | None = Field(None, validate_default=True)
    cap: int | None = Field(None, ge=1, le=MAX_MONEY, description="the most a percent coupon takes off, fen")
    threshold: Money = Field(0, description="the eligible amount after earlier discounts must reach it (0: none)")
    scope: Scope = Field(default_factory=Scope)
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    days_after_claim: int | None = Field(None, ge=1, le=3650, validate_default=True)
    total: int | None = Field(None, ge=1, le=10**7, description="coupons to hand out; none = unlimited")
    per_customer: int | None = Field(1, ge=1, le=100, description="coupons one buyer may hold; none = unlimited")
    issued_by: Literal["claim", "staff", "rule"] = "claim"
    with_discounted: bool = Field(True, description="lines discounted by an activity or offer count too")

    @field_validator("pay_percent")
    @classmethod
    def _one_value(cls, v: int | None, info: ValidationInfo) -> int | None:
        return _one_of(v, info, "amount_off", "amount_off, pay_percent")

    @field_validator("cap")
    @classmethod
    def _cap_of_percent(cls, v: int | None, info: ValidationInfo) -> int | None:
        if v is not None and info.data.get("pay_percent") is None:
            raise PydanticCustomError("cap_percent_only", "is for percent coupons only")
        return v

    @field_validator("threshold")
    @classmethod
    def _above_amount_off(cls, v: int, info: ValidationInfo) -> int:
        off = info.data.get("amount_off")
        if v and off is not None and off >= v:
            raise PydanticCustomError("threshold_not_above_amount_off", "must be above the amount off ({amount_off})",
                                      {"amount_off": off})
        return v

    @field_validator("ends_at")
    @classmethod
    def _ordered(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        _after(v, info.data.get("starts_at"), "starts_at")
        return v

    @field_validator("days_after_claim")
    @classmethod
    def _one_validity(cls, v: int | None, info: ValidationInfo) -> int | None:
        start, end = info.data.get("starts_at"), info.data.get("ends_at")
        if "ends_at" not in info.data:  # ends_at itself failed: its own error says why
            return v
        fixed = start is not None and end is not None
        if (v is None) != fixed or (v is not None and (start or end)):
            raise PydanticCustomError("validity", "give either starts_at and ends_at, or days_after_claim")
        return v

    def window_for(self, claimed_at: datetime) -> tuple[datetime, datetime]:
        """The validity of a coupon claimed at ``claimed_at`` (a fixed window, or N days from it)."""
        if self.days_after_claim is not None:
            return claimed_at, claimed_at + timedelta(days=self.days_after_claim)
        assert self.starts_at is not None and self.ends_at is not None
        return self.starts_at, self.ends_at

    def saving(self, eligible: int) -> int:
        """What the coupon takes off an eligible amount (fen), before the never-below-zero cap."""
        if self.amount_off is not None:
            return self.amount_off
        assert self.pay_percent is not None
        off = eligible * (100 - self.pay_percent) // 100
        return off if self.cap is None else min(off, self.cap)


class Coupon(Input):
    """One buyer's coupon: the template as it was at claim, and its own window and state."""

    coupon_id: str = Field(pattern=COUPON_ID)
    template: CouponTemplate
    claimed_at: Instant
    valid_from: Instant
    valid_until: Instant
    status: Literal["unused", "used", "expired"] = "unused"

    @field_validator("valid_until")
    @classmethod
    def _window(cls, v: datetime, info: ValidationInfo) -> datetime:
        _after(v, info.data.get("valid_from"), "valid_from")
        return v

    @classmethod
    def claimed(cls, coupon_id: str, template: CouponTemplate, claimed_at: datetime) -> Coupon:
        start, end = template.window_for(claimed_at)
        return cls(coupon_id=coupon_id, template=template, claimed_at=claimed_at, valid_from=start, valid_until=end)

    def usable_at(self, now: datetime) -> bool:
        return self.status == "unused" and self.valid_from <= now < self.valid_until
