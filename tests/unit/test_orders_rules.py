"""The orders rules that need no system: allocation (分摊), the lifecycle table, the quote pipeline."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import Conflict, ValidationFailed
from shared.orders import status
from shared.orders.allocation import allocate
from shared.orders.models import QuoteLineInput
from shared.orders.quote import STEPS, CatalogSku, Facts, price
from shared.settings.models import DeliveryFee

ULID = "01HZZZZZZZZZZZZZZZZZZZZZZ"


# -- allocation -------------------------------------------------------------------------------------
def test_allocation_of_the_domain_example() -> None:
    assert allocate(1500, [6000, 5000]) == [818, 682]


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=50))
def test_allocation_sums_exactly_and_skips_ineligible_lines(amount: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        if amount:
            with pytest.raises(ValueError):
                allocate(amount, weights)
        return
    shares = allocate(amount, weights)
    assert sum(shares) == amount
    assert all(s >= 0 for s in shares)
    assert all(s == 0 for s, w in zip(shares, weights, strict=True) if w == 0)
    last = max(i for i, w in enumerate(weights) if w)
    floors = [amount * w // sum(weights) for w in weights]
    if amount <= sum(weights):  # a capped discount: no line pays below zero
        assert all(s <= w for s, w in zip(shares, weights, strict=True))
    if floors[last] + amount - sum(floors) <= weights[last] or amount > sum(weights):
        assert [s for i, s in enumerate(shares) if i != last] == [f for i, f in enumerate(floors) if i != last]
    else:  # the remainder spilled back from a last line too small to carry it
        assert shares[last] == weights[last] and all(s >= f for s, f in zip(shares, floors, strict=True))


def test_a_remainder_too_big_for_the_last_line_spills_back() -> None:
    assert allocate(6, [3, 3, 1]) == [2, 3, 1]  # not 2/2/2: the line of 1 fen would pay -1


def test_remainder_goes_to_the_last_eligible_line_not_the_last_line() -> None:
    assert allocate(100, [1, 1, 1, 0]) == [33, 33, 34, 0]


# -- lifecycle ---------------------------------------------------------------------------------------
ACTIONS = sorted({a for _, a in status.TRANSITIONS} | {a for _, a in status.PAYMENT})


@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.booleans()), max_size=40))
def test_random_walks_stay_inside_the_table(steps: list[tuple[str, bool]]) -> None:
    state = status.State(*status.INITIAL)
    for action, held in steps:
        state = status.State(state.payment, state.fulfilment, held)
        if status.allowed(state, action):
            after = status.apply(state, action)
            assert after.fulfilment in status.FULFILMENT_STATUSES
            assert after.payment in status.PAYMENT_STATUSES
            assert after.tab in status.TABS
            assert (after.payment == "unpaid") <= (state.payment == "unpaid")  # money never "unpays"
            if action not in status.MONEY_ACTIONS:
                assert after.payment == state.payment
            state = after
        else:
            with pytest.raises(Conflict) as caught:
                status.apply(state, action)
            assert caught.value.code in {"invalid_transition", "order_held"}


def test_every_status_is_reachable_and_has_a_tab() -> None:
    seen, todo = set(), [status.INITIAL[1]]
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        todo += [to for (f, _), to in status.TRANSITIONS.items() if f == s]
    assert seen == set(status.FULFILMENT_STATUSES)
    assert set(status.TAB) == set(status.FULFILMENT_STATUSES)


def test_no_cancel_after_shipment_and_no_payment_twice() -> None:
    shipped = status.State("paid", "shipped")
    with pytest.raises(Conflict) as caught:
        status.apply(shipped, "cancel")
    assert caught.value.code == "invalid_transition"
    assert caught.value.details == {"action": "cancel", "fulfilment_status": "shipped", "payment_status": "paid"}
    with pytest.raises(Conflict):
        status.apply(status.State("paid", "pending_review"), "pay")


def test_a_held_order_is_not_reviewed() -> None:
    with pytest.raises(Conflict) as caught:
        status.apply(status.State("paid", "pending_review", held=True), "review")
    assert caught.value.code == "order_held"
    assert status.apply(status.State("paid", "pending_review"), "review").fulfilment == "to_ship"


def test_paid_then_fully_refunded_closes() -> None:
    s = status.apply(status.State(*status.INITIAL), "pay")
    s = status.apply(s, "review")
    s = status.apply(s, "ship")
    s = status.apply(s, "refund_all")
    assert (s.payment, s.fulfilment, s.tab) == ("refunded", "closed", "cancelled")


# -- quote -------------------------------------------------------------------------------------------
def _sku(n: int, price_fen: int, sellable: bool = True) -> CatalogSku:
    return CatalogSku(product_id=f"prd_{ULID}{n}", sku_id=f"sku_{ULID}{n}", name=f"商品{n}", spec_values=["红"],
                      image_ids=[], price=price_fen, currency="CNY", sellable=sellable)


def _facts(*skus: CatalogSku, flat: int = 1000, free_over: int | None = 9900) -> Facts:
    return Facts(shop_id="shp_test", skus={s.sku_id: s for s in skus},
                 delivery=DeliveryFee(flat_fee=flat, free_over=free_over))


def _line(sku: CatalogSku, qty: int) -> QuoteLineInput:
    return QuoteLineInput(product_id=sku.product_id, sku_id=sku.sku_id, qty=qty)


def test_the_steps_run_in_the_documented_order() -> None:
    assert [s.name for s in STEPS] == ["list_price", "activity_price", "threshold_offers", "coupons", "freight"]


def test_list_price_and_flat_freight_below_the_threshold() -> None:
    a, b = _sku(1, 2500), _sku(2, 1200)
    q = price([_line(a, 2), _line(b, 1)], _facts(a, b))
    assert [(line.unit_price, line.line_subtotal, line.line_payable) for line in q.lines] == [(2500, 5000, 5000),
                                                                                              (1200, 1200, 1200)]
    assert (q.subtotal, q.discount_total, q.freight, q.payable) == (6200, 0, 1000, 7200)


def test_free_shipping_from_the_threshold_and_same_sku_merged() -> None:
    a = _sku(1, 3300)
    q = price([_line(a, 1), _line(a, 2)], _facts(a))
    assert len(q.lines) == 1 and q.lines[0].qty == 3
    assert (q.subtotal, q.freight, q.payable) == (9900, 0, 9900)


def test_the_hash_changes_with_the_price() -> None:
    a = _sku(1, 3300)
    before = price([_line(a, 1)], _facts(a)).quote_hash
    assert before == price([_line(a, 1)], _facts(a)).quote_hash
    assert before != price([_line(_sku(1, 3400), 1)], _facts(_sku(1, 3400))).quote_hash


def test_unknown_and_off_shelf_skus_are_named() -> None:
    a, off = _sku(1, 100), _sku(2, 100, sellable=False)
    ghost = _sku(3, 100)
    with pytest.raises(ValidationFailed) as caught:
        price([_line(a, 1), _line(off, 1), _line(ghost, 1)], _facts(a, off))
    fields = caught.value.details["fields"]
    assert [(f["field"], f["type"]) for f in fields] == [("lines.1.sku_id", "not_on_sale"),
                                                         ("lines.2.sku_id", "unknown_sku")]


def test_an_order_level_discount_is_allocated_to_lines() -> None:
    a, b = _sku(1, 6000), _sku(2, 5000)

    class FullReduction:  # what the marketing issue's 满100减15 step will do
        name = "threshold_offers"

        def apply(self, draft, facts):  # type: ignore[no-untyped-def]
            draft.discount("offer_1", self.name, 1500)

    steps = (STEPS[0], FullReduction(), STEPS[4])
    q = price([_line(a, 1), _line(b, 1)], _facts(a, b), steps)
    assert [line.line_payable for line in q.lines] == [6000 - 818, 5000 - 682]
    assert q.discounts[0].allocation == [818, 682]
    # the free-shipping threshold counts the goods after discounts: 9500 < 9900
    assert (q.discount_total, q.freight, q.payable) == (1500, 1000, 10500)


# -- staff notices of orders -------------------------------------------------------------------------
def test_a_payment_anomaly_notice_names_the_order_the_money_and_the_refund() -> None:
    from pydantic import BaseModel

    from shared.orders.notices import payment_anomaly

    class Anomaly(BaseModel):  # the fields of payments' PaymentAnomaly (orders-design.md), read by name
        shop_id: str = "shp_1"
        event_id: str = "evt_1"
        resource_id: str = "ord_1"
        anomaly: str = "order_closed"
        number: str | None = "26120712345678"
        provider: str = "alipay"
        amount: int | None = 12900
        refund_due: int = 12900

    note = payment_anomaly(Anomaly())
    assert (note.topic, note.audience, note.link) == ("payment_anomaly", "orders.refund", "/orders/ord_1")
    assert "26120712345678" in note.title.zh and "129.00" in note.body.zh and "已取消" in note.body.zh
    assert "cancelled" in note.body.en and note.dedupe_key == "payment_anomaly:evt_1"
    unknown = payment_anomaly(Anomaly(resource_id="", anomaly="unknown_order", number=None))
    assert unknown.link == "/payments/anomalies" and "no order" in unknown.body.en
