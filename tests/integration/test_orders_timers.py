"""The order timers through the scheduler's fire hook (/__local/fire): an unpaid order past its
payment time cancels itself and its stock returns, a paid one and a fresh one are untouched, a
second run changes nothing; a delivered order completes after the shop's days. The orders are
placed with the clock set back (what "placed 16 minutes ago" means), the schedule runs now."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

from shared import clock
from shared.events.base import Actor
from tests.integration.conftest import Api
from tests.integration.inventory import by_warehouse
from tests.integration.test_orders_placing import _lines, _listed, _place

SCHEDULE = "OrdersTimerFunction.EveryMinute"


def fire(system: Any) -> dict[str, int]:
    answer = requests.post(f"{system.url}/__local/fire", json={"schedule": SCHEDULE}, timeout=120)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["result"])


def _pay(shop_id: str, order: Any) -> None:
    from shared.orders import lifecycle

    assert lifecycle.apply_payment(shop_id, order.id, lifecycle.PaymentFacts("stripe", order.payable, f"pi_{order.id}")
                                   ).outcome == "paid"


def test_an_unpaid_order_cancels_itself_and_its_stock_returns(system: Any, shop_id: str, owner: Api) -> None:
    timers = owner.put("/settings/order-timers", json={"unpaid_cancel_minutes": 15, "auto_complete_days": 7,
                                                       "version": 0})
    assert timers.status_code == 200, timers.text
    prd = _listed(owner)
    sku_id = prd["skus"][0]["id"]
    with clock.frozen(clock.now() - timedelta(minutes=16)):
        unpaid = _place(shop_id, _lines(prd, 2))
        paid = _place(shop_id, _lines(prd, 3))
        _pay(shop_id, paid)
    fresh = _place(shop_id, _lines(prd, 1))
    placed_at, due_at = (datetime.fromisoformat(t) for t in (unpaid.created_at, unpaid.pay_due_at))
    assert due_at - placed_at == timedelta(minutes=15)
    # (the running system's own minutely schedule may get there first: either way the timer fired once)
    result = fire(system)
    assert set(result) == {"expired", "completed", "skipped"}, result
    gone = owner.get(f"/orders/{unpaid.id}").json()
    assert (gone["fulfilment_status"], gone["payment_status"], gone["tab"]) == ("cancelled", "unpaid", "cancelled")
    last = gone["timeline"][-1]
    assert (last["kind"], last["note"], last["by"]) == ("expire", "unpaid_timeout", "system:order_timer")
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 4, 6)  # the 2 units are back
    # (no ledger walk here: the set-back clock dates the reservations before the goods receipt)
    assert owner.get(f"/orders/{paid.id}").json()["payment_status"] == "paid"
    assert owner.get(f"/orders/{paid.id}").json()["fulfilment_status"] == "pending_review"
    assert owner.get(f"/orders/{fresh.id}").json()["fulfilment_status"] == "pending_payment"

    fire(system)  # again: nothing more happens to it
    again = owner.get(f"/orders/{unpaid.id}").json()
    assert (again["version"], len(again["timeline"])) == (gone["version"], len(gone["timeline"]))
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 4, 6)
    counts = owner.get("/orders/counts").json()
    assert (counts["cancelled"], counts["pending_payment"], counts["pending_review"]) == (1, 1, 1)


def test_a_delivered_order_completes_after_the_shops_days(system: Any, shop_id: str, owner: Api) -> None:
    from shared.orders import lifecycle

    staff = Actor.system("test-shipments")  # the shipments issue ships and delivers; here the lifecycle does

    def delivered() -> Any:
        order = _place(shop_id, _lines(prd))
        _pay(shop_id, order)
        for action in ("review", "ship", "deliver"):
            lifecycle.transition(shop_id, order.id, action, staff)
        return order

    prd = _listed(owner)
    with clock.frozen(clock.now() - timedelta(days=11)):
        old = delivered()
    recent = delivered()
    assert owner.get(f"/orders/{old.id}").json()["fulfilment_status"] == "delivered"

    fire(system)
    done = owner.get(f"/orders/{old.id}").json()
    assert (done["fulfilment_status"], done["tab"]) == ("completed", "completed")
    assert done["timeline"][-1]["kind"] == "complete" and done["timeline"][-1]["by"] == "system:order_timer"
    assert owner.get(f"/orders/{recent.id}").json()["fulfilment_status"] == "delivered"
