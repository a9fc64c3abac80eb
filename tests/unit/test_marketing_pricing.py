"""The price engine's marketing steps (issue 12 point 3) through the one pipeline, ``price``:
DOMAIN.md's worked example, the conflict rules, coupons, hints, bad input, and properties."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.errors import ValidationFailed
from shared.marketing.models import Coupon, CouponTemplate, FlashSale, Scope, ThresholdOffer, TimedDiscount
from shared.marketing.pricing import AUTO, MEMBER, Hint, Offers, Outcome, hint_message
from shared.orders.models import Quote, QuoteLineInput
from shared.orders.quote import CatalogSku, Facts, price, price_with_offers
from shared.settings.models import DeliveryFee

ULID = "01HZZZZZZZZZZZZZZZZZZZZZZ"
NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
START, END = NOW - timedelta(days=1), NOW + timedelta(days=1)
CAT_A, CAT_B = f"cat_{ULID}A", f"cat_{ULID}B"


def _id(prefix: str, n: int) -> str:
    return f"{prefix}_{ULID[:24]}{n:02d}"


def _sku(n: int, price_fen: int) -> CatalogSku:
    return CatalogSku(product_id=_id("prd", n), sku_id=_id("sku", n), name=f"商品{n}", spec_values=[],
                      image_ids=[], price=price_fen, currency="CNY", sellable=True)


def _line(sku: CatalogSku, qty: int = 1) -> QuoteLineInput:
    return QuoteLineInput(product_id=sku.product_id, sku_id=sku.sku_id, qty=qty)


def _offers(*activities: Any, coupons: tuple[Coupon, ...] = (), choice: str | None = AUTO, **kw: Any) -> Offers:
    return Offers(now=NOW, activities=list(activities), coupons=list(coupons), coupon_choice=choice, **kw)


def _price(skus: list[CatalogSku], lines: list[QuoteLineInput], offers: Offers | None) -> tuple[Quote, Outcome]:
    facts = Facts(shop_id="shp_test", skus={s.sku_id: s for s in skus},
                  delivery=DeliveryFee(flat_fee=0, free_over=None), offers=offers)
    return price_with_offers(lines, facts)


def _full_reduction(n: int, *tiers: tuple[int, int], scope: Scope | None = None, **kw: Any) -> ThresholdOffer:
    return ThresholdOffer(activity_id=_id("act", n), name="满减", starts_at=START, ends_at=END,
                          tiers=[{"at": at, "amount_off": off} for at, off in tiers], scope=scope or Scope(), **kw)


def _timed(n: int, sku: CatalogSku, **price_kw: Any) -> TimedDiscount:
    limit = price_kw.pop("per_buyer_limit", None)
    return TimedDiscount(activity_id=_id("act", n), name="限时折扣", starts_at=START, ends_at=END,
                         per_buyer_limit=limit,
                         items=[{"product_id": sku.product_id, "sku_id": sku.sku_id, **price_kw}])


def _coupon(n: int, *, until: datetime = END, **template: Any) -> Coupon:
    t = CouponTemplate(template_id=_id("cpt", n), name=f"券{n}", starts_at=START, ends_at=until, **template)
    return Coupon.claimed(_id("cpn", n), t, START)


# -- DOMAIN.md §5.3's worked example ------------------------------------------------------------
def test_the_domain_example_full_reduction_allocates_818_and_682() -> None:
    a, b = _sku(1, 6000), _sku(2, 5000)
    q, _ = _price([a, b], [_line(a), _line(b)], _offers(_full_reduction(1, (10000, 1500))))
    assert [d.amount for d in q.discounts] == [1500] and q.discounts[0].allocation == [818, 682]
    assert [ln.line_payable for ln in q.lines] == [5182, 4318]  # refunding L1 returns 6000 − 818 = 5182
    assert (q.subtotal, q.discount_total, q.payable) == (11000, 1500, 9500)
    # the same cart the other way round allocates the same to each SKU
    q2, _ = _price([a, b], [_line(b), _line(a)], _offers(_full_reduction(1, (10000, 1500))))
    assert q2.discounts[0].allocation == [682, 818]


def test_without_offers_the_quote_is_what_it_was() -> None:
    a, b = _sku(1, 6000), _sku(2, 5000)
    lines = [_line(a, 2), _line(b)]
    bare = price(lines, Facts(shop_id="shp_test", skus={a.sku_id: a, b.sku_id: b},
                              delivery=DeliveryFee(flat_fee=0, free_over=None)))
    empty, outcome = _price([a, b], lines, _offers())
    assert bare == empty and bare.discounts == [] and outcome == Outcome()


# -- activity price -------------------------------------------------------------------------------
def test_timed_discount_vs_member_price_takes_the_larger_saving_not_both() -> None:
    a = _sku(1, 10000)
    q, out = _price([a], [_line(a)], _offers(_timed(1, a, pay_percent=80), member_prices={a.sku_id: 8500}))
    assert (q.lines[0].unit_list_price, q.lines[0].unit_price) == (10000, 8000)
    assert out.line_sources == {a.sku_id: _id("act", 1)}
    q, out = _price([a], [_line(a)], _offers(_timed(1, a, pay_percent=80), member_prices={a.sku_id: 7500}))
    assert q.lines[0].unit_price == 7500 and out.line_sources == {a.sku_id: MEMBER}


def test_a_fixed_price_and_the_lowest_of_two_discounts() -> None:
    a = _sku(1, 10000)
    q, out = _price([a], [_line(a, 3)], _offers(_timed(1, a, fixed_price=9000), _timed(2, a, pay_percent=85)))
    assert q.lines[0].unit_price == 8500 and q.lines[0].line_subtotal == 25500 and out.line_sources[a.sku_id] == _id("act", 2)


def test_an_activity_outside_its_window_does_not_price() -> None:
    a = _sku(1, 10000)
    later = TimedDiscount(activity_id=_id("act", 1), name="明天", starts_at=END, ends_at=END + timedelta(days=1),
                          items=[{"product_id": a.product_id, "sku_id": a.sku_id, "pay_percent": 50}])
    q, _ = _price([a], [_line(a)], _offers(later))
    assert q.lines[0].unit_price == 10000


def test_above_the_per_buyer_limit_the_line_is_at_list_price_with_a_hint() -> None:
    a = _sku(1, 10000)
    act = _timed(1, a, pay_percent=80, per_buyer_limit=3)
    q, _ = _price([a], [_line(a, 2)], _offers(act, bought={(act.activity_id, a.sku_id): 1}))
    assert q.lines[0].unit_price == 8000
    q, out = _price([a], [_line(a, 3)], _offers(act, bought={(act.activity_id, a.sku_id): 1}))
    assert q.lines[0].unit_price == 10000 and Hint("limit", act.activity_id, 1, "qty") in out.hints


def test_a_flash_sale_line_makes_an_order_without_other_discounts() -> None:
    a, b = _sku(1, 10000), _sku(2, 5000)
    flash = FlashSale(activity_id=_id("act", 9), name="秒杀", starts_at=START, ends_at=END,
                      items=[{"product_id": a.product_id, "sku_id": a.sku_id, "price": 1990, "quota": 100}])
    offers = _offers(flash, _full_reduction(1, (5000, 500)), coupons=(_coupon(1, amount_off=300),))
    q, out = _price([a, b], [_line(a), _line(b)], offers)
    assert [ln.unit_price for ln in q.lines] == [1990, 5000] and q.discounts == [] and out.flash_sale
    assert [(o.usable, o.reason) for o in out.coupons] == [(False, "flash_sale")]
    with pytest.raises(ValidationFailed) as caught:
        _price([a], [_line(a, 2)], _offers(flash))
    assert caught.value.fields[0]["field"] == "lines.0.qty" and caught.value.fields[0]["type"] == "flash_sale_limit"


# -- threshold offers -----------------------------------------------------------------------------
def test_the_threshold_counts_the_amount_after_the_activity_price_and_hints_the_gap() -> None:
    a = _sku(1, 12000)
    q, out = _price([a], [_line(a)], _offers(_timed(1, a, pay_percent=80), _full_reduction(2, (10000, 1500))))
    assert q.lines[0].unit_price == 9600 and q.discounts == []
    assert out.hints == [Hint("threshold", _id("act", 2), 400)]  # 差 4 元 to 满100减15
    assert hint_message(out.hints[0], "zh-CN") == "再买 4.00 元可享下一档优惠"


def test_the_highest_tier_reached_counts_and_the_next_one_is_hinted() -> None:
    a = _sku(1, 7000)
    offer = _full_reduction(1, (10000, 1500), (20000, 4000))
    q, out = _price([a], [_line(a, 2)], _offers(offer))
    assert q.discount_total == 1500 and out.hints == [Hint("threshold", offer.activity_id, 6000)]
    q, out = _price([a], [_line(a, 3)], _offers(offer))
    assert q.discount_total == 4000 and out.hints == []


def test_two_items_ten_percent_off_and_a_gift() -> None:
    a, b = _sku(1, 3000), _sku(2, 4500)
    offer = ThresholdOffer(activity_id=_id("act", 1), name="满2件9折", starts_at=START, ends_at=END, basis="qty",
                           tiers=[{"at": 2, "pay_percent": 90},
                                  {"at": 3, "pay_percent": 80, "gift": {"product_id": b.product_id, "sku_id": b.sku_id}}])
    q, out = _price([a, b], [_line(a), _line(b)], _offers(offer))
    assert q.discount_total == 750 and sum(q.discounts[0].allocation) == 750 and out.gifts == []
    assert out.hints == [Hint("threshold", offer.activity_id, 1, "qty")]
    q, out = _price([a, b], [_line(a, 2), _line(b)], _offers(offer))
    assert q.discount_total == 2100 and [g.sku_id for g in out.gifts] == [b.sku_id]


def test_no_discount_on_discount_when_the_offer_says_so() -> None:
    a, b = _sku(1, 8000), _sku(2, 8000)
    offer = _full_reduction(2, (10000, 1000), with_discounted=False)
    q, _ = _price([a, b], [_line(a), _line(b)], _offers(_timed(1, a, pay_percent=90), offer))
    assert q.discounts == []  # only b (8000) counts: below 满100
    q, _ = _price([a, b], [_line(a), _line(b, 2)], _offers(_timed(1, a, pay_percent=90), offer))
    assert q.discounts[0].allocation == [0, 1000]


def test_a_line_counts_toward_the_narrowest_offer_only() -> None:
    a, b = _sku(1, 6000), _sku(2, 6000)
    shop_wide = _full_reduction(1, (10000, 1000))
    on_a = _full_reduction(2, (5000, 500), scope=Scope(kind="skus", ids=[a.sku_id]))
    q, out = _price([a, b], [_line(a), _line(b)], _offers(shop_wide, on_a))
    assert sorted((d.source, d.allocation) for d in q.discounts) == [(on_a.activity_id, [500, 0])]
    assert out.hints == [Hint("threshold", shop_wide.activity_id, 4000)]  # b alone is 6000 of 10000


# -- coupons --------------------------------------------------------------------------------------
def test_the_coupon_threshold_is_tested_after_the_offers_and_a_chosen_one_below_it_is_refused() -> None:
    a, b = _sku(1, 6000), _sku(2, 5000)
    coupon = _coupon(1, amount_off=2000, threshold=10000)
    offers = _offers(_full_reduction(9, (10000, 1500)), coupons=(coupon,))
    q, out = _price([a, b], [_line(a), _line(b)], offers)
    assert q.discount_total == 1500 and out.coupon_id is None
    assert out.hints[-1] == Hint("coupon", coupon.coupon_id, 500)  # 9500 after 满减: 差 5 元可用
    with pytest.raises(ValidationFailed) as caught:
        _price([a, b], [_line(a), _line(b)], _offers(_full_reduction(9, (10000, 1500)), coupons=(coupon,),
                                                     choice=coupon.coupon_id))
    assert caught.value.fields == [{"field": "coupon_id", "type": "coupon_below_threshold",
                                    "params": {"short": 500, "amount": "5.00"}}]
    assert "差 5.00 元可用" in caught.value.body("zh-CN")["error"]["message"]
    assert hint_message(out.hints[-1], "zh-CN") == "差 5.00 元可用"
    assert hint_message(out.hints[-1], "en") == "Spend 5.00 more on eligible items to use this coupon"


def test_the_best_coupon_is_applied_ties_go_to_the_earliest_expiry_and_the_buyer_may_change_it() -> None:
    a = _sku(1, 20000)
    twenty = _coupon(1, amount_off=2000, until=END + timedelta(days=5))
    twenty_sooner = _coupon(2, amount_off=2000, until=END)
    percent = _coupon(3, pay_percent=95)  # 1000 off
    q, out = _price([a], [_line(a)], _offers(coupons=(twenty, twenty_sooner, percent)))
    assert out.coupon_id == twenty_sooner.coupon_id and q.discounts[0].source == twenty_sooner.coupon_id
    assert [(o.coupon_id, o.saving) for o in out.coupons] == [(twenty.coupon_id, 2000), (twenty_sooner.coupon_id, 2000),
                                                              (percent.coupon_id, 1000)]
    q, out = _price([a], [_line(a)], _offers(coupons=(twenty, percent), choice=percent.coupon_id))
    assert q.discount_total == 1000 and out.coupon_id == percent.coupon_id
    q, out = _price([a], [_line(a)], _offers(coupons=(twenty, percent), choice=None))
    assert q.discount_total == 0 and out.coupon_id is None


def test_a_category_coupon_is_allocated_to_its_lines_only() -> None:
    a, b, c = _sku(1, 3000), _sku(2, 5000), _sku(3, 7000)
    coupon = _coupon(1, amount_off=2000, threshold=8000, scope=Scope(kind="categories", ids=[CAT_A]))
    cats = {a.product_id: frozenset({CAT_A}), b.product_id: frozenset({CAT_B}), c.product_id: frozenset({CAT_A, CAT_B})}
    q, _ = _price([a, b, c], [_line(a), _line(b), _line(c)], _offers(coupons=(coupon,), categories=cats))
    assert q.discounts[0].allocation == [600, 0, 1400]


def test_a_percent_coupon_stops_at_its_cap_and_a_coupon_worth_the_whole_amount_is_refused() -> None:
    a = _sku(1, 50000)
    q, _ = _price([a], [_line(a)], _offers(coupons=(_coupon(1, pay_percent=80, cap=5000),)))
    assert q.discount_total == 5000
    b = _sku(2, 1500)
    _, out = _price([b], [_line(b)], _offers(coupons=(_coupon(2, amount_off=1500),)))
    assert out.coupons[0].reason == "value_not_below_amount" and out.coupon_id is None


def test_unknown_used_and_expired_coupons() -> None:
    a = _sku(1, 5000)
    used = _coupon(1, amount_off=100).model_copy(update={"status": "used"})
    expired = _coupon(2, amount_off=100, until=NOW)
    _, out = _price([a], [_line(a)], _offers(coupons=(used, expired)))
    assert [o.reason for o in out.coupons] == ["not_valid_now", "not_valid_now"] and out.coupon_id is None
    for choice, reason in [(_id("cpn", 7), "unknown_coupon"), (used.coupon_id, "coupon_not_valid_now")]:
        with pytest.raises(ValidationFailed) as caught:
            _price([a], [_line(a)], _offers(coupons=(used,), choice=choice))
        assert caught.value.fields[0]["type"] == reason


def test_a_coupon_claimed_with_n_days_is_valid_n_days_from_the_claim() -> None:
    t = CouponTemplate(template_id=_id("cpt", 1), name="新人券", amount_off=500, threshold=3000, days_after_claim=7)
    c = Coupon.claimed(_id("cpn", 1), t, NOW)
    assert (c.valid_from, c.valid_until) == (NOW, NOW + timedelta(days=7))
    assert c.usable_at(NOW + timedelta(days=6)) and not c.usable_at(NOW + timedelta(days=7))


# -- overlaps and claims (shared.marketing.rules) ----------------------------------------------------
def test_a_sku_in_two_price_activities_at_once_is_refused_and_threshold_offers_may_overlap() -> None:
    from shared.marketing.rules import check_no_overlap

    a, b = _sku(1, 10000), _sku(2, 10000)
    running = _timed(1, a, pay_percent=80)
    flash = FlashSale(activity_id=_id("act", 2), name="秒杀", starts_at=START + timedelta(hours=1), ends_at=END,
                      items=[{"product_id": b.product_id, "sku_id": b.sku_id, "price": 1, "quota": 1},
                             {"product_id": a.product_id, "sku_id": a.sku_id, "price": 1, "quota": 1}])
    with pytest.raises(ValidationFailed) as caught:
        check_no_overlap(flash, [running, _full_reduction(3, (100, 10))])
    assert caught.value.fields == [{"field": "items.1.sku_id", "type": "activity_overlap",
                                    "params": {"activity": "限时折扣", "activity_id": running.activity_id}}]
    after = flash.model_copy(update={"starts_at": END, "ends_at": END + timedelta(hours=1)})
    check_no_overlap(after, [running])  # back to back is not at the same time
    check_no_overlap(running, [running])  # an activity does not overlap itself (an update)
    check_no_overlap(_full_reduction(4, (100, 10)), [_full_reduction(3, (100, 10))])


def test_a_claim_is_refused_when_used_up_over_the_limit_expired_or_staff_only() -> None:
    from shared.marketing.rules import check_claim

    t = CouponTemplate(template_id=_id("cpt", 1), name="券", amount_off=500, starts_at=START, ends_at=END,
                       total=100, per_customer=2)
    check_claim(t, NOW, claimed=99, held_by_buyer=1)
    cases = [({"claimed": 100, "held_by_buyer": 0}, NOW, "coupon_used_up"),
             ({"claimed": 5, "held_by_buyer": 2}, NOW, "coupon_claim_limit"),
             ({"claimed": 5, "held_by_buyer": 0}, END, "coupon_expired")]
    for counts, when, reason in cases:
        with pytest.raises(ValidationFailed) as caught:
            check_claim(t, when, **counts)
        assert caught.value.fields[0]["field"] == "code" and caught.value.fields[0]["type"] == reason
    staff_only = t.model_copy(update={"issued_by": "staff"})
    with pytest.raises(ValidationFailed):
        check_claim(staff_only, NOW, claimed=0, held_by_buyer=0)
    check_claim(staff_only, NOW, claimed=0, held_by_buyer=0, by_staff=True)


# -- bad input ------------------------------------------------------------------------------------
def _errors(model: Any, **fields: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model(**fields)
    return [(".".join(str(p) for p in e["loc"]), e["type"]) for e in caught.value.errors()]


COUPON = {"template_id": _id("cpt", 1), "name": "券", "days_after_claim": 7}


@pytest.mark.parametrize(("fields", "expected"), [
    ({"pay_percent": 0}, [("pay_percent", "greater_than_equal")]),
    ({"pay_percent": 100}, [("pay_percent", "less_than_equal")]),
    ({"pay_percent": 80, "cap": -1}, [("cap", "greater_than_equal")]),
    ({"amount_off": 500, "threshold": -1}, [("threshold", "greater_than_equal")]),
    ({"amount_off": 500, "threshold": 500}, [("threshold", "threshold_not_above_amount_off")]),
    ({"amount_off": 500, "pay_percent": 80}, [("pay_percent", "one_of")]),
    ({}, [("pay_percent", "one_of")]),
    ({"amount_off": 500, "cap": 100}, [("cap", "cap_percent_only")]),
    ({"amount_off": 500, "days_after_claim": None}, [("days_after_claim", "validity")]),
    ({"amount_off": 500, "days_after_claim": None, "starts_at": "2026-02-01", "ends_at": "2026-01-01"},
     [("ends_at", "end_before_start")]),
    ({"amount_off": 500, "scope": {"kind": "categories", "ids": []}}, [("scope", "scope_ids_required")]),
    ({"amount_off": 500, "scope": {"kind": "products", "ids": [_id("sku", 1)]}}, [("scope", "scope_id")]),
    ({"amount_off": 500, "scope": {"kind": "all", "ids": [_id("prd", 1)]}}, [("scope", "scope_ids_not_allowed")]),
])
def test_bad_coupon_templates_name_the_field(fields: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _errors(CouponTemplate, **{**COUPON, **fields}) == expected


def test_bad_activities_name_the_field() -> None:
    a = _sku(1, 1000)
    item = {"product_id": a.product_id, "sku_id": a.sku_id}
    base = {"activity_id": _id("act", 1), "name": "x", "starts_at": START, "ends_at": END}
    assert _errors(TimedDiscount, **{**base, "ends_at": START, "items": [{**item, "pay_percent": 80}]}) == [
        ("ends_at", "end_before_start")]
    assert _errors(TimedDiscount, **{**base, "items": [item]}) == [("items.0.fixed_price", "one_of")]
    assert _errors(TimedDiscount, **{**base, "items": [{**item, "pay_percent": 80}, {**item, "fixed_price": 1}]}) == [
        ("items", "duplicate")]
    assert _errors(ThresholdOffer, **{**base, "tiers": [{"at": 20000, "amount_off": 4000},
                                                        {"at": 10000, "amount_off": 1500}]}) == [("tiers", "tiers_ascending")]
    assert _errors(ThresholdOffer, **{**base, "tiers": [{"at": 10000, "amount_off": 1500},
                                                        {"at": 20000, "amount_off": 1000}]}) == [("tiers", "tiers_benefit")]
    assert _errors(ThresholdOffer, **{**base, "tiers": [{"at": 10000, "amount_off": 10000}]}) == [
        ("tiers", "tier_off_not_below_threshold")]
    assert _errors(ThresholdOffer, **{**base, "tiers": [{"at": 10000}]}) == [("tiers.0.gift", "tier_benefit")]
    assert _errors(FlashSale, **{**base, "items": [{**item, "price": -1, "quota": 0}]}) == [
        ("items.0.price", "greater_than_equal"), ("items.0.quota", "greater_than_equal")]


def test_every_reason_a_buyer_reads_has_both_languages() -> None:
    from shared.i18n import MESSAGES

    types = ["end_before_start", "one_of", "duplicate", "scope_ids_required", "scope_ids_not_allowed", "scope_id",
             "tier_benefit", "tiers_ascending", "tiers_benefit", "tier_off_not_below_threshold", "cap_percent_only",
             "threshold_not_above_amount_off", "validity", "flash_sale_limit", "unknown_coupon",
             "coupon_not_valid_now", "coupon_flash_sale", "coupon_no_eligible_line", "coupon_below_threshold",
             "coupon_value_not_below_amount", "coupon_no_saving", "activity_overlap", "coupon_not_claimable",
             "coupon_expired", "coupon_used_up", "coupon_claim_limit"]
    assert [t for t in types if f"field.{t}" not in MESSAGES] == []
    hints = [Hint("coupon", "c", 1), Hint("threshold", "a", 1), Hint("threshold", "a", 1, "qty"), Hint("limit", "a", 1, "qty")]
    assert all(hint_message(h, lang) != hint_message(h, "en" if lang == "zh-CN" else "zh-CN") and "{" not in
               hint_message(h, lang) for h in hints for lang in ("zh-CN", "en"))


# -- properties -----------------------------------------------------------------------------------
POOL = [_sku(n, p) for n, p in enumerate([990, 2500, 4800, 12000, 39900, 100], start=1)]
CATS = {s.product_id: frozenset({CAT_A if n % 2 else CAT_B}) for n, s in enumerate(POOL)}


@st.composite
def scopes(draw: st.DrawFn) -> Scope:
    kind = draw(st.sampled_from(["all", "categories", "products", "skus"]))
    if kind == "all":
        return Scope()
    if kind == "categories":
        return Scope(kind=kind, ids=[draw(st.sampled_from([CAT_A, CAT_B]))])
    picked = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique_by=lambda s: s.sku_id))
    return Scope(kind=kind, ids=[s.product_id if kind == "products" else s.sku_id for s in picked])


@st.composite
def threshold_offer(draw: st.DrawFn, n: int) -> ThresholdOffer:
    basis = draw(st.sampled_from(["amount", "qty"]))
    ats = sorted(draw(st.lists(st.integers(1, 5) if basis == "qty" else st.integers(1000, 60000),
                               min_size=1, max_size=3, unique=True)))
    percent = draw(st.booleans())
    offs = sorted(draw(st.lists(st.integers(1, 99) if percent else st.integers(1, 900), min_size=len(ats),
                                max_size=len(ats))))
    tiers = [{"at": at, "pay_percent": 100 - off} if percent else {"at": at, "amount_off": off}
             for at, off in zip(ats, offs, strict=True)]
    return ThresholdOffer(activity_id=_id("act", n), name="满", starts_at=START, ends_at=END, basis=basis,
                          scope=draw(scopes()), tiers=tiers, with_discounted=draw(st.booleans()))


@st.composite
def coupon(draw: st.DrawFn, n: int) -> Coupon:
    threshold = draw(st.sampled_from([0, 1000, 5000, 20000]))
    value: dict[str, Any] = (
        {"amount_off": draw(st.integers(1, max(threshold - 1, 1) if threshold else 30000))} if draw(st.booleans())
        else {"pay_percent": draw(st.integers(1, 99)), "cap": draw(st.none() | st.integers(1, 5000))})
    until = END + timedelta(hours=draw(st.integers(0, 3)))
    return _coupon(n, until=until, threshold=threshold, scope=draw(scopes()),
                   with_discounted=draw(st.booleans()), **value)


@st.composite
def markets(draw: st.DrawFn) -> Offers:
    timed = [_timed(10 + i, s, pay_percent=draw(st.integers(1, 99)))
             for i, s in enumerate(draw(st.lists(st.sampled_from(POOL), max_size=3, unique_by=lambda s: s.sku_id)))]
    offers_ = [draw(threshold_offer(20 + i)) for i in range(draw(st.integers(0, 3)))]
    coupons = [draw(coupon(30 + i)) for i in range(draw(st.integers(0, 4)))]
    members = draw(st.dictionaries(st.sampled_from([s.sku_id for s in POOL]), st.integers(0, 40000), max_size=2))
    return _offers(*timed, *offers_, coupons=tuple(coupons), member_prices=members, categories=CATS)


carts = st.dictionaries(st.integers(0, len(POOL) - 1), st.integers(1, 5), min_size=1, max_size=len(POOL))


def _quote(cart: dict[int, int], offers: Offers, order: list[int] | None = None) -> tuple[Quote, Outcome]:
    keys = order if order is not None else list(cart)
    return _price(POOL, [_line(POOL[k], cart[k]) for k in keys], offers)


@settings(max_examples=300, deadline=None)
@given(carts, markets())
def test_payable_is_never_negative_and_each_discount_is_allocated_exactly(cart: dict[int, int], offers: Offers) -> None:
    q, out = _quote(cart, offers)
    assert q.payable >= 0 and all(ln.line_payable >= 0 for ln in q.lines)
    assert q.payable == q.subtotal - q.discount_total + q.freight
    for d in q.discounts:
        assert sum(d.allocation) == d.amount > 0 and all(s >= 0 for s in d.allocation)
    for i, ln in enumerate(q.lines):
        assert sum(a.amount for a in ln.allocations) == sum(d.allocation[i] for d in q.discounts)
        assert ln.unit_price <= ln.unit_list_price
    coupons = [d.source for d in q.discounts if d.step == "coupons"]
    assert coupons == ([out.coupon_id] if out.coupon_id else [])


@settings(max_examples=300, deadline=None)
@given(carts, markets())
def test_a_coupon_never_applies_below_its_threshold_and_the_auto_pick_saves_the_most(cart: dict[int, int],
                                                                                      offers: Offers) -> None:
    q, out = _quote(cart, offers)
    by_id = {c.coupon_id: c for c in offers.coupons}
    used = [d for d in q.discounts if d.step == "coupons"]
    if used:
        c = by_id[used[0].source]
        before = sum(ln.line_payable + (used[0].allocation[i]) for i, ln in enumerate(q.lines)
                     if used[0].allocation[i] or _in_scope(c, q, i))
        assert before >= c.template.threshold and used[0].amount < before
        assert [o.saving for o in out.coupons if o.coupon_id == c.coupon_id] == [used[0].amount]
    best = max([0] + [_quote(cart, _with_choice(offers, c.coupon_id))[0].discount_total - _without(cart, offers)
                      for c in offers.coupons if _usable(cart, offers, c.coupon_id)])
    assert q.discount_total - _without(cart, offers) == best


def _in_scope(c: Coupon, q: Quote, i: int) -> bool:
    ln = q.lines[i]
    discounted = ln.unit_price < ln.unit_list_price or any(a.step != "coupons" for a in ln.allocations)
    return c.template.scope.matches(ln.product_id, ln.sku_id, CATS[ln.product_id]) and (
        c.template.with_discounted or not discounted)


def _with_choice(offers: Offers, choice: str | None) -> Offers:
    return Offers(now=offers.now, activities=offers.activities, coupons=offers.coupons, coupon_choice=choice,
                  member_prices=offers.member_prices, categories=offers.categories)


def _without(cart: dict[int, int], offers: Offers) -> int:
    return _quote(cart, _with_choice(offers, None))[0].discount_total


def _usable(cart: dict[int, int], offers: Offers, coupon_id: str) -> bool:
    try:
        _quote(cart, _with_choice(offers, coupon_id))
    except ValidationFailed:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(carts, markets(), st.randoms(use_true_random=False))
def test_the_same_cart_prices_the_same_in_any_line_order(cart: dict[int, int], offers: Offers, rnd: random.Random) -> None:
    order = list(cart)
    q1, out1 = _quote(cart, offers, order)
    rnd.shuffle(order)
    q2, out2 = _quote(cart, offers, order)
    by_sku = {ln.sku_id: ln for ln in q2.lines}
    assert q1.payable == q2.payable and q1.quote_hash == _quote(cart, offers, list(cart))[0].quote_hash
    assert sorted((d.source, d.amount) for d in q1.discounts) == sorted((d.source, d.amount) for d in q2.discounts)
    assert all(by_sku[ln.sku_id].line_payable == ln.line_payable for ln in q1.lines)
    assert out1.coupon_id == out2.coupon_id and sorted(map(repr, out1.hints)) == sorted(map(repr, out2.hints))


@settings(max_examples=200, deadline=None)
@given(carts, markets(), st.integers(0, len(POOL) - 1), st.integers(1, 3))
def test_adding_an_item_never_raises_the_unit_price_of_the_others(cart: dict[int, int], offers: Offers, extra: int,
                                                                  qty: int) -> None:
    q1, _ = _quote(cart, offers)
    more = {**cart, extra: cart.get(extra, 0) + qty}
    q2, _ = _quote(more, offers)
    after = {ln.sku_id: ln.unit_price for ln in q2.lines}
    assert all(after[ln.sku_id] <= ln.unit_price for ln in q1.lines if ln.sku_id != POOL[extra].sku_id)


@settings(max_examples=200, deadline=None)
@given(carts, markets(), st.integers(0, len(POOL) - 1), st.integers(1, 3))
def test_adding_an_item_never_lowers_the_threshold_discount(cart: dict[int, int], offers: Offers, extra: int,
                                                            qty: int) -> None:
    no_coupons = _with_choice(offers, None)
    q1, _ = _quote(cart, no_coupons)
    q2, _ = _quote({**cart, extra: cart.get(extra, 0) + qty}, no_coupons)
    assert q2.discount_total >= q1.discount_total
