"""The price engine's marketing steps (issue 12 point 3), pure functions over a quote's lines and
the ``Offers`` passed in its facts (``Facts.offers``; none = the steps do nothing, as before).

Order (DOMAIN.md §5.1; the pipeline's ``STEPS``): list price → **activity price** → **threshold
offers** → **coupons** → freight.

1. ``activity_price``: per line the lowest of its list price, a running 限时折扣 of its SKU, and
   the buyer's member price: the larger saving, never both (no 折上折). A running 秒杀 price wins
   over all of them and makes the order a flash-sale order: no threshold offer, no coupon.
   A 限时折扣 whose per-buyer limit the line would pass (units bought before + this line) does
   not apply to the line (list price, and a ``limit`` hint): one unit price per line.
2. ``threshold_offers``: a line counts toward at most ONE offer, chosen statically (the narrowest
   scope, then the smallest activity id), so offers never compete for lines and more in the cart
   never means less off. Each offer's tier is the highest reached by the amount of its lines AFTER
   the activity price (or their number of items); the discount is allocated to those lines.
   Gifts of the reached tier are reported (``Outcome.gifts``), not added as lines yet.
3. ``coupons``: one coupon per order. Its eligible amount is the payable of the lines in its scope
   after the earlier steps; below the threshold it is not usable ("差 X 元可用" hint); a value at
   or above the eligible amount is refused (DOMAIN.md §5.2). The buyer's choice (``coupon_choice``)
   is a coupon id, ``None`` (no coupon) or ``AUTO``: the largest saving, ties by earliest expiry,
   then the smallest coupon id. A chosen coupon that cannot be used: 422 on ``coupon_id``.

Allocation (分摊) is the pipeline's ``Draft.discount``: pro rata to the lines' payable, floor
shares, remainder to the last eligible line in SKU order (so a cart allocates the same in any
line order), shares sum exactly, never below zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeAlias

from shared.errors import field_error
from shared.marketing.models import Coupon, FlashSale, Gift, ThresholdOffer, Tier, TimedDiscount
from shared.money import CURRENCY_EXPONENT

# The orders pipeline's Draft, DraftLine and Facts (shared/orders/quote.py), named here without
# importing them: shared.orders imports this module, and shared has no import cycles, not even
# for type checking (tests/contract/test_module_boundaries.py).
Draft: TypeAlias = Any
DraftLine: TypeAlias = Any
Facts: TypeAlias = Any

AUTO = "auto"
MEMBER = "member"


@dataclass(frozen=True)
class Hint:
    """Something the buyer could still get: ``short`` more fen (basis amount) or items (qty)."""

    kind: Literal["coupon", "threshold", "limit"]
    source: str  # the coupon id or activity id
    short: int
    basis: Literal["amount", "qty"] = "amount"


@dataclass(frozen=True)
class CouponOption:
    """One wallet coupon as this cart sees it: its saving, or why it cannot be used."""

    coupon_id: str
    usable: bool
    saving: int = 0
    reason: str | None = None  # not_valid_now, flash_sale, no_eligible_line, below_threshold, value_not_below_amount, no_saving
    short: int = 0  # for below_threshold: the fen still missing


@dataclass
class Outcome:
    """What the marketing steps decided besides the prices (the storefront and checkout show it)."""

    line_sources: dict[str, str] = field(default_factory=dict)  # sku id -> activity id or MEMBER
    flash_sale: bool = False
    gifts: list[Gift] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    coupons: list[CouponOption] = field(default_factory=list)
    coupon_id: str | None = None  # the coupon applied


@dataclass
class Offers:
    """Marketing's facts of one quote: what is running for the cart's SKUs and the buyer's wallet.

    ``bought``: units this buyer already bought at an activity's price, by (activity id, SKU id).
    ``categories``: the cart's products' categories (with their ancestors) for category scopes.
    """

    now: datetime
    activities: list[TimedDiscount | FlashSale | ThresholdOffer] = field(default_factory=list)
    coupons: list[Coupon] = field(default_factory=list)
    coupon_choice: str | None = AUTO
    member_prices: dict[str, int] = field(default_factory=dict)
    bought: dict[tuple[str, str], int] = field(default_factory=dict)
    categories: dict[str, frozenset[str]] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)

    def running(self) -> list[TimedDiscount | FlashSale | ThresholdOffer]:
        return [a for a in self.activities if a.running(self.now)]


@dataclass(frozen=True)
class Line:
    """What marketing reads of a quote line."""

    product_id: str
    sku_id: str
    qty: int
    list_price: int  # unit
    unit_price: int  # unit, after the activity price
    payable: int  # the line after the discounts so far
    categories: frozenset[str] = frozenset()

    @property
    def discounted(self) -> bool:
        return self.unit_price < self.list_price or self.payable < self.unit_price * self.qty


# -- 1. activity price ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivityPrice:
    unit_price: int
    source: str | None  # activity id, MEMBER, or None (list price)
    flash: bool = False


def activity_price(line: Line, offers: Offers, hints: list[Hint] | None = None) -> ActivityPrice:
    """The unit price of one line at its best activity (see the module's rule 1)."""
    running = offers.running()
    for a in running:
        if isinstance(a, FlashSale):
            for item in a.items:
                if item.sku_id == line.sku_id:
                    return ActivityPrice(min(item.price, line.list_price), a.activity_id, flash=True)
    best = ActivityPrice(line.list_price, None)
    for a in sorted((a for a in running if isinstance(a, TimedDiscount)), key=lambda a: a.activity_id):
        for d in a.items:
            if d.sku_id != line.sku_id:
                continue
            if a.per_buyer_limit is not None:
                left = a.per_buyer_limit - offers.bought.get((a.activity_id, line.sku_id), 0)
                if line.qty > left:
                    if hints is not None:
                        hints.append(Hint("limit", a.activity_id, line.qty - max(left, 0), "qty"))
                    continue
            price = d.unit_price(line.list_price)
            if price < best.unit_price:
                best = ActivityPrice(price, a.activity_id)
    member = offers.member_prices.get(line.sku_id)
    if member is not None and member < best.unit_price:
        best = ActivityPrice(member, MEMBER)
    return best


def check_flash_limits(lines: list[Line], offers: Offers) -> None:
    """A 秒杀 line above the per-buyer limit is refused (422 on the line's qty), not repriced."""
    for i, line in enumerate(lines):
        for a in offers.running():
            if isinstance(a, FlashSale) and any(item.sku_id == line.sku_id for item in a.items):
                left = a.per_buyer_limit - offers.bought.get((a.activity_id, line.sku_id), 0)
                if line.qty > left:
                    raise field_error(f"lines.{i}.qty", "flash_sale_limit", limit=a.per_buyer_limit, left=max(left, 0))


# -- 2. threshold offers ----------------------------------------------------------------------------
@dataclass(frozen=True)
class OfferResult:
    offer: ThresholdOffer
    eligible: list[bool]  # per line
    reached: Tier | None
    amount: int  # the discount, fen
    hint: Hint | None


def offer_of_each_line(lines: list[Line], offers: Offers) -> list[ThresholdOffer | None]:
    """The one threshold offer each line counts toward: the narrowest scope, then the smallest id."""
    candidates = sorted((a for a in offers.running() if isinstance(a, ThresholdOffer)),
                        key=lambda a: (-a.scope.specificity, a.activity_id))
    out: list[ThresholdOffer | None] = []
    for line in lines:
        out.append(next((a for a in candidates if a.scope.matches(line.product_id, line.sku_id, line.categories)
                         and (a.with_discounted or not line.discounted)), None))
    return out


def threshold_offers(lines: list[Line], offers: Offers) -> list[OfferResult]:
    assigned = offer_of_each_line(lines, offers)
    results = []
    ids = {a.activity_id: a for a in assigned if a is not None}
    for offer in (ids[k] for k in sorted(ids)):
        eligible = [a is offer for a in assigned]
        value = sum((line.payable if offer.basis == "amount" else line.qty)
                    for line, e in zip(lines, eligible, strict=True) if e)
        amount_base = sum(line.payable for line, e in zip(lines, eligible, strict=True) if e)
        reached = None
        hint = None
        for tier in offer.tiers:
            if value >= tier.at:
                reached = tier
            else:
                hint = Hint("threshold", offer.activity_id, tier.at - value, offer.basis)
                break
        results.append(OfferResult(offer, eligible, reached, _tier_discount(reached, amount_base), hint))
    return results


def _tier_discount(tier: Tier | None, amount: int) -> int:
    if tier is None:
        return 0
    if tier.amount_off is not None:
        return min(tier.amount_off, amount)
    if tier.pay_percent is not None:
        return amount * (100 - tier.pay_percent) // 100
    return 0


# -- 3. coupons -------------------------------------------------------------------------------------
def coupon_eligible(coupon: Coupon, lines: list[Line]) -> list[bool]:
    t = coupon.template
    return [t.scope.matches(line.product_id, line.sku_id, line.categories) and (t.with_discounted or not line.discounted)
            for line in lines]


def coupon_option(coupon: Coupon, lines: list[Line], offers: Offers, flash_sale: bool) -> CouponOption:
    cid = coupon.coupon_id
    if not coupon.usable_at(offers.now):
        return CouponOption(cid, False, reason="not_valid_now")
    if flash_sale:
        return CouponOption(cid, False, reason="flash_sale")
    eligible = coupon_eligible(coupon, lines)
    amount = sum(line.payable for line, e in zip(lines, eligible, strict=True) if e)
    if not any(eligible) or amount <= 0:
        return CouponOption(cid, False, reason="no_eligible_line")
    if amount < coupon.template.threshold:
        return CouponOption(cid, False, reason="below_threshold", short=coupon.template.threshold - amount)
    saving = coupon.template.saving(amount)
    if saving >= amount:
        return CouponOption(cid, False, reason="value_not_below_amount")
    if saving <= 0:
        return CouponOption(cid, False, reason="no_saving")
    return CouponOption(cid, True, saving=saving)


def best_coupon(options: list[CouponOption], coupons: list[Coupon]) -> CouponOption | None:
    """The largest saving; ties by the earliest expiry, then the smallest coupon id."""
    until = {c.coupon_id: c.valid_until for c in coupons}
    usable = [o for o in options if o.usable]
    return min(usable, key=lambda o: (-o.saving, until[o.coupon_id], o.coupon_id), default=None)


def choose_coupon(lines: list[Line], offers: Offers, flash_sale: bool) -> tuple[list[CouponOption], CouponOption | None]:
    """Every wallet coupon's option, and the one to apply (the buyer's choice, or the best)."""
    options = [coupon_option(c, lines, offers, flash_sale) for c in sorted(offers.coupons, key=lambda c: c.coupon_id)]
    choice = offers.coupon_choice
    if choice is None:
        return options, None
    if choice == AUTO:
        return options, best_coupon(options, offers.coupons)
    picked = next((o for o in options if o.coupon_id == choice), None)
    if picked is None:
        raise field_error("coupon_id", "unknown_coupon")
    if not picked.usable:
        assert picked.reason is not None
        raise field_error("coupon_id", f"coupon_{picked.reason}", short=picked.short, amount=major_units(picked.short))
    return options, picked


def major_units(fen: int, currency: str = "CNY") -> str:
    """500 → "5.00" (the amount as a buyer reads it, without float)."""
    exp = CURRENCY_EXPONENT[currency]
    whole, frac = divmod(fen, 10**exp)
    return f"{whole}.{frac:0{exp}d}" if exp else str(whole)


def hint_message(hint: Hint, language: str, currency: str = "CNY") -> str:
    """"差 5.00 元可用" and the like, in the buyer's language."""
    from shared.i18n import message

    key = f"hint.{hint.kind}_{hint.basis}" if hint.kind == "threshold" else f"hint.{hint.kind}"
    return message(key, language, amount=major_units(hint.short, currency), count=hint.short)


# -- the pipeline's steps ---------------------------------------------------------------------------
def _lines(draft: Draft, offers: Offers) -> list[Line]:
    return [_line(d, offers) for d in draft.lines]


def _line(d: DraftLine, offers: Offers) -> Line:
    return Line(product_id=d.sku.product_id, sku_id=d.sku.sku_id, qty=d.qty, list_price=d.unit_list_price,
                unit_price=d.unit_price, payable=d.payable, categories=offers.categories.get(d.sku.product_id, frozenset()))


class ActivityPriceStep:
    name = "activity_price"

    def apply(self, draft: Draft, facts: Facts) -> None:
        offers = facts.offers
        if offers is None:
            return
        offers.outcome = outcome = Outcome()
        lines = _lines(draft, offers)
        check_flash_limits(lines, offers)
        for d, line in zip(draft.lines, lines, strict=True):
            found = activity_price(line, offers, outcome.hints)
            d.unit_price = found.unit_price
            if found.source is not None:
                outcome.line_sources[line.sku_id] = found.source
            outcome.flash_sale = outcome.flash_sale or found.flash


class ThresholdOffersStep:
    name = "threshold_offers"

    def apply(self, draft: Draft, facts: Facts) -> None:
        offers = facts.offers
        if offers is None or offers.outcome.flash_sale:
            return
        for result in threshold_offers(_lines(draft, offers), offers):
            if result.amount:
                draft.discount(result.offer.activity_id, self.name, result.amount, result.eligible)
            if result.reached is not None and result.reached.gift is not None:
                offers.outcome.gifts.append(result.reached.gift)
            if result.hint is not None:
                offers.outcome.hints.append(result.hint)


class CouponsStep:
    name = "coupons"

    def apply(self, draft: Draft, facts: Facts) -> None:
        offers = facts.offers
        if offers is None:
            return
        lines = _lines(draft, offers)
        options, picked = choose_coupon(lines, offers, offers.outcome.flash_sale)
        offers.outcome.coupons = options
        offers.outcome.hints += [Hint("coupon", o.coupon_id, o.short) for o in options if o.reason == "below_threshold"]
        if picked is None:
            return
        coupon = next(c for c in offers.coupons if c.coupon_id == picked.coupon_id)
        draft.discount(picked.coupon_id, self.name, picked.saving, coupon_eligible(coupon, lines))
        offers.outcome.coupon_id = picked.coupon_id
