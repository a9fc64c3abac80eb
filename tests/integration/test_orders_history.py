"""The demo order history (issue 11 point 12, ``infra/seed_orders.py``): what the seed writes is
what the desk shows and what the domain can act on - counts that match the lists, valid
statuses only, timelines that end where the order stands, personal data sealed and masked,
and the orders placed "now" hold stock and can be cancelled by their timer."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.orders import status
from tests.integration.conftest import Api
from tests.integration.inventory import assert_ledger_consistent, product, receive


def _shop_with_catalog(owner: Api) -> list[dict[str, Any]]:
    made = []
    for _ in range(3):
        prd = product(owner)
        assert owner.post(f"/products/{prd['id']}/list", json={}).status_code == 200
        for sku in range(len(prd["skus"])):
            receive(owner, prd, sku, 50)
        made.append(prd)
    return made


def test_the_seeded_history_is_what_the_desk_shows(shop_id: str, owner: Api, make_staff: Callable[..., Api]) -> None:
    from infra.seed_orders import UNPAID_NOW, seed_history

    _shop_with_catalog(owner)
    tabs = seed_history(shop_id, orders=120, days=30, seed=7)
    assert sum(tabs.values()) == 120 and tabs["pending_payment"] == UNPAID_NOW
    assert {"completed", "cancelled", "shipped"} <= set(tabs), tabs

    counts = owner.get("/orders/counts").json()
    assert {t: n for t, n in counts.items() if n} == dict(tabs)
    seen = 0
    for tab in status.TABS:
        cursor, ids = None, []
        while True:
            page = owner.get("/orders", params={"tab": tab, "limit": 50, **({"cursor": cursor} if cursor else {})}).json()
            ids += [o["id"] for o in page["items"]]
            assert all(o["tab"] == tab for o in page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(ids) == tabs.get(tab, 0), tab
        created = [o["created_at"] for o in owner.get("/orders", params={"tab": tab, "limit": 50}).json()["items"]]
        assert created == sorted(created, reverse=True)
        seen += len(ids)
    assert seen == 120

    done = owner.get("/orders", params={"tab": "completed", "limit": 1}).json()["items"][0]
    detail = owner.get(f"/orders/{done['id']}").json()
    kinds = [t["kind"] for t in detail["timeline"]]
    assert kinds[0] == "placed" and kinds[-1] == "complete" and "pay" in kinds
    assert detail["payment_status"] == "paid" and detail["payable"] == sum(x["line_payable"] for x in detail["lines"])
    assert detail["receiver"]["name"] and "*" not in detail["receiver"]["mobile"]
    by_number = owner.get("/orders", params={"number": done["number"]}).json()["items"]
    assert [o["id"] for o in by_number] == [done["id"]]

    marketing = make_staff(shop_id, "marketing")
    assert "*" in marketing.get(f"/orders/{done['id']}").json()["receiver"]["mobile"]


def test_the_orders_placed_now_hold_stock_and_their_timer_can_cancel_them(shop_id: str, owner: Api) -> None:
    from infra.seed_orders import UNPAID_NOW, seed_history
    from shared.orders import lifecycle

    prds = _shop_with_catalog(owner)
    seed_history(shop_id, orders=20, days=10, seed=3)
    unpaid = owner.get("/orders", params={"tab": "pending_payment", "limit": 50}).json()["items"]
    assert len(unpaid) == UNPAID_NOW  # the history itself holds no unpaid order
    reserved = sum(owner.get(f"/inventory/stock/{s['id']}").json()["totals"]["reserved"]
                   for p in prds for s in p["skus"])
    assert reserved == 2 * UNPAID_NOW  # two units in each order placed now
    for order in unpaid:
        lifecycle.expire(shop_id, order["id"])
    after = sum(owner.get(f"/inventory/stock/{s['id']}").json()["totals"]["reserved"] for p in prds for s in p["skus"])
    assert after == 0
    assert owner.get("/orders/counts").json()["pending_payment"] == 0
    for p in prds:
        for s in p["skus"]:
            assert_ledger_consistent(owner, s["id"])
