"""Order status changes through the domain functions the payment consumer, the buyer routes and
the desk call (no routes for them yet): paid exactly once, anomalies flagged and never paid,
cancel releases the stock in the same transaction, review, stale versions and invalid moves 409."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.errors import Conflict
from shared.events.base import Actor
from tests.integration.conftest import Api
from tests.integration.inventory import assert_ledger_consistent, by_warehouse
from tests.integration.test_orders_placing import _lines, _listed, _place

STAFF = Actor(id="staff:test")


def _facts(order, amount=None, trade="T1", provider="alipay"):  # type: ignore[no-untyped-def]
    from shared.orders.lifecycle import PaymentFacts

    return PaymentFacts(provider=provider, amount=order.payable if amount is None else amount, trade_no=trade)


def test_a_payment_applies_once_even_when_raced(shop_id: str, owner: Api) -> None:
    from shared.orders import lifecycle, queries

    order = _place(shop_id, _lines(_listed(owner), 2))
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda _: lifecycle.apply_payment(shop_id, order.id, _facts(order)).outcome,
                                 range(6)))
    assert outcomes.count("paid") == 1 and set(outcomes) == {"paid", "duplicate"}
    paid = owner.get(f"/orders/{order.id}").json()
    assert (paid["payment_status"], paid["fulfilment_status"], paid["tab"]) == ("paid", "pending_review",
                                                                               "pending_review")
    assert paid["payment_method"] == "alipay" and paid["paid_at"]
    assert [t["kind"] for t in paid["timeline"]][:2] == ["placed", "pay"]  # (then the review rules' decision)
    assert queries.counts(shop_id).model_dump() == {**dict.fromkeys(queries.counts(shop_id).model_dump(), 0),
                                                    "pending_review": 1}
    from shared.orders.tables import ORDER_SK, OrderRecord, order_pk

    assert OrderRecord.get(order_pk(shop_id, order.id), ORDER_SK).due_pk is None  # the unpaid timer stopped


def test_a_wrong_amount_is_flagged_and_never_pays(shop_id: str, owner: Api) -> None:
    from shared.orders import lifecycle

    order = _place(shop_id, _lines(_listed(owner)))
    applied = lifecycle.apply_payment(shop_id, order.id, _facts(order, amount=order.payable - 1))
    assert (applied.outcome, applied.reason) == ("anomaly", "amount_mismatch")
    again = lifecycle.apply_payment(shop_id, order.id, _facts(order, amount=order.payable - 1))
    assert again.outcome == "anomaly"
    seen = owner.get(f"/orders/{order.id}").json()
    assert (seen["payment_status"], seen["flag"]) == ("unpaid", "red")
    assert [t["kind"] for t in seen["timeline"]] == ["placed", "payment_anomaly"]  # recorded once


def test_cancel_releases_the_stock_and_a_late_payment_is_an_anomaly(shop_id: str, owner: Api) -> None:
    from shared.orders import lifecycle, queries

    prd = _listed(owner)
    sku_id = prd["skus"][0]["id"]
    order = _place(shop_id, _lines(prd, 3))
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 3, 7)
    cancelled = lifecycle.cancel(Actor(id="buyer:byr_1"), shop_id, order.id, "不想要了", by_buyer=True)
    assert (cancelled.fulfilment_status, cancelled.tab) == ("cancelled", "cancelled")
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 0, 10)
    assert_ledger_consistent(owner, sku_id)
    assert queries.counts(shop_id).cancelled == 1 and queries.counts(shop_id).pending_payment == 0
    with pytest.raises(Conflict) as caught:
        lifecycle.cancel(STAFF, shop_id, order.id, "again", by_buyer=False)
    assert caught.value.code == "invalid_transition"
    late = lifecycle.apply_payment(shop_id, order.id, _facts(order))
    assert (late.outcome, late.reason, late.order.payment_status) == ("anomaly", "order_closed", "unpaid")
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 0, 10)


def test_a_buyer_cannot_cancel_a_paid_order_and_staff_review_with_versions(shop_id: str, owner: Api) -> None:
    from shared.errors import VersionConflict
    from shared.orders import lifecycle

    order = _place(shop_id, _lines(_listed(owner)))
    paid = lifecycle.apply_payment(shop_id, order.id, _facts(order)).order
    with pytest.raises(Conflict) as caught:
        lifecycle.cancel(Actor(id="buyer:byr_1"), shop_id, order.id, "", by_buyer=True)
    assert caught.value.code == "invalid_transition"
    with pytest.raises(VersionConflict):
        lifecycle.review(STAFF, shop_id, order.id, expected_version=paid.version - 1)
    reviewed = lifecycle.review(STAFF, shop_id, order.id, expected_version=paid.version)
    assert (reviewed.fulfilment_status, reviewed.tab) == ("to_ship", "to_ship")
    with pytest.raises(Conflict) as caught:
        lifecycle.review(STAFF, shop_id, order.id, expected_version=reviewed.version)
    assert caught.value.code == "invalid_transition"


def test_the_unpaid_timer_cancels_and_releases(shop_id: str, owner: Api) -> None:
    from shared.orders import lifecycle

    prd = _listed(owner)
    order = _place(shop_id, _lines(prd, 1))
    expired = lifecycle.expire(shop_id, order.id)
    assert (expired.fulfilment_status, expired.payment_status) == ("cancelled", "unpaid")
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 0, 10)
