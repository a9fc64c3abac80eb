"""What staff do to orders at the desk, through the real local API: review (one and bulk),
finance review, memo, coloured flag, hold/release, cancel. Versions (409 version_conflict),
invalid moves (409 invalid_transition), every change on the timeline and on the bus; another
shop's order 404, a role without the permission 403, bad bodies 4xx that change nothing."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.conftest import Api, bus_probe, eventually, new_shop
from tests.integration.inventory import assert_ledger_consistent, by_warehouse
from tests.integration.test_orders_placing import _lines, _listed, _place


def _paid(shop_id: str, order: Any) -> None:
    """Paid, and the review rules' consumer has put it in the review queue (the shop has no rule)."""
    from shared.orders import lifecycle, views

    applied = lifecycle.apply_payment(shop_id, order.id, lifecycle.PaymentFacts("wechat_pay", order.payable, "W1"))
    assert applied.outcome == "paid"
    eventually(lambda: any(t.entry == "review_queue" for t in views.timeline(shop_id, order.id)), timeout=40)


def _read(api: Api, order_id: str) -> dict[str, Any]:
    answer = api.get(f"/orders/{order_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_review_moves_a_paid_order_to_ship_once_and_stale_versions_conflict(system: Any, shop_id: str,
                                                                           owner: Api) -> None:
    order = _place(shop_id, _lines(_listed(owner)))
    early = owner.post(f"/orders/{order.id}/review", json={"version": order.version})
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_transition"  # not paid yet
    _paid(shop_id, order)
    seen = _read(owner, order.id)
    assert "review" in seen["actions"]
    stale = owner.post(f"/orders/{order.id}/review", json={"version": order.version})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert _read(owner, order.id)["fulfilment_status"] == "pending_review"  # the conflict changed nothing

    with bus_probe(system, {"detail-type": ["OrderReviewed"], "detail": {"shop_id": [shop_id]}}) as read:
        done = owner.post(f"/orders/{order.id}/review", json={"version": seen["version"]})
        assert done.status_code == 200, done.text
        body = done.json()
        assert (body["fulfilment_status"], body["tab"], body["version"]) == ("to_ship", "to_ship", seen["version"] + 1)
        assert [t["kind"] for t in body["timeline"]] == ["placed", "pay", "review_queue", "review"]
        assert "review" not in body["actions"]
        [event] = eventually(read, timeout=30)
        assert event["detail"]["resource_id"] == order.id and event["detail"]["to_fulfilment"] == "to_ship"
    again = owner.post(f"/orders/{order.id}/review", json={"version": body["version"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    counts = owner.get("/orders/counts").json()
    assert (counts["pending_review"], counts["to_ship"]) == (0, 1)


def test_memo_flag_and_hold_are_on_the_timeline_and_hold_blocks_review(shop_id: str, owner: Api) -> None:
    order = _place(shop_id, _lines(_listed(owner)))
    _paid(shop_id, order)
    version = _read(owner, order.id)["version"]
    memo = owner.put(f"/orders/{order.id}/memo", json={"memo": "顾客要求周末送达", "version": version})
    assert memo.status_code == 200, memo.text
    assert memo.json()["memo"] == "顾客要求周末送达" and memo.json()["version"] == version + 1
    stale = owner.put(f"/orders/{order.id}/flag", json={"flag": "red", "version": version})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    flag = owner.put(f"/orders/{order.id}/flag", json={"flag": "purple", "version": version + 1})
    assert flag.status_code == 200 and flag.json()["flag"] == "purple"

    held = owner.post(f"/orders/{order.id}/hold", json={"reason": "地址待确认"})
    assert held.status_code == 200, held.text
    assert held.json()["held"] is True and "release" in held.json()["actions"] and "review" not in held.json()["actions"]
    twice = owner.post(f"/orders/{order.id}/hold", json={"reason": "again"})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "invalid_transition"
    blocked = owner.post(f"/orders/{order.id}/review", json={"version": held.json()["version"]})
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "order_held"
    row = owner.get("/orders", params={"tab": "pending_review"}).json()["items"][0]
    assert (row["id"], row["held"], row["flag"], row["memo"]) == (order.id, True, "purple", "顾客要求周末送达")

    released = owner.post(f"/orders/{order.id}/release", json={})
    assert released.status_code == 200 and released.json()["held"] is False
    assert owner.post(f"/orders/{order.id}/release", json={}).status_code == 409
    cleared = owner.put(f"/orders/{order.id}/flag", json={"flag": None, "version": released.json()["version"]})
    assert cleared.status_code == 200 and cleared.json()["flag"] is None
    kinds = [t["kind"] for t in cleared.json()["timeline"]]
    assert kinds == ["placed", "pay", "review_queue", "memo", "flag", "held", "released", "flag"]
    reviewed = owner.post(f"/orders/{order.id}/review", json={"version": cleared.json()["version"]})
    assert reviewed.status_code == 200 and reviewed.json()["fulfilment_status"] == "to_ship"


def test_staff_cancel_releases_stock_and_a_paid_order_stays_paid(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    sku_id = prd["skus"][0]["id"]
    unpaid = _place(shop_id, _lines(prd, 2))
    paid = _place(shop_id, _lines(prd, 3))
    _paid(shop_id, paid)
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 5, 5)
    missing = owner.post(f"/orders/{unpaid.id}/cancel", json={"version": unpaid.version})
    assert missing.status_code == 422 and "reason" in missing.text
    stale = owner.post(f"/orders/{unpaid.id}/cancel", json={"version": 99, "reason": "缺货"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 5, 5)

    done = owner.post(f"/orders/{unpaid.id}/cancel", json={"version": unpaid.version, "reason": "缺货"})
    assert done.status_code == 200, done.text
    assert (done.json()["fulfilment_status"], done.json()["payment_status"]) == ("cancelled", "unpaid")
    version = _read(owner, paid.id)["version"]
    done = owner.post(f"/orders/{paid.id}/cancel", json={"version": version, "reason": "顾客电话取消"})
    assert (done.json()["fulfilment_status"], done.json()["payment_status"]) == ("cancelled", "paid")
    assert done.json()["timeline"][-1]["kind"] == "cancel" and done.json()["timeline"][-1]["note"] == "顾客电话取消"
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 0, 10)
    assert_ledger_consistent(owner, sku_id)
    again = owner.post(f"/orders/{paid.id}/cancel", json={"version": done.json()["version"], "reason": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert owner.get("/orders/counts").json()["cancelled"] == 2


def test_bulk_review_and_bulk_flag_answer_per_order(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    orders = [_place(shop_id, _lines(prd)) for _ in range(3)]
    for order in orders[:2]:
        _paid(shop_id, order)
    owner.post(f"/orders/{orders[1].id}/hold", json={"reason": "核实中"})
    ids = [o.id for o in orders]
    answer = owner.post("/orders/bulk-review", json={"ids": ids}, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["ok"] for r in results] == [True, False, False]
    assert results[0]["fulfilment_status"] == "to_ship"
    assert results[1]["error"]["code"] == "order_held" and "挂起" in results[1]["error"]["message"]
    assert results[2]["error"]["code"] == "invalid_transition"

    flagged = owner.post("/orders/bulk", json={"action": "flag", "ids": ids, "flag": "yellow"})
    assert flagged.status_code == 200 and all(r["ok"] for r in flagged.json()["results"])
    assert {_read(owner, i)["flag"] for i in ids} == {"yellow"}
    memo = owner.post("/orders/bulk", json={"action": "memo", "ids": ids[:1], "memo": "优先发"})
    assert memo.status_code == 200 and _read(owner, ids[0])["memo"] == "优先发"
    unknown = owner.post("/orders/bulk", json={"action": "flag", "ids": ["ord_01HZZZZZZZZZZZZZZZZZZZZZZZ"],
                                               "flag": "red"})
    assert unknown.json()["results"][0]["error"]["code"] == "order_not_found"


def test_bad_bodies_other_shops_and_roles_change_nothing(shop_id: str, owner: Api,
                                                          make_staff: Callable[..., Api]) -> None:
    order = _place(shop_id, _lines(_listed(owner)))
    before = _read(owner, order.id)
    bad = [
        ("put", "memo", {"memo": "x" * 501, "version": 1}), ("put", "memo", {"memo": "x"}),
        ("put", "flag", {"flag": "orange", "version": 1}), ("put", "flag", {"flag": "red", "version": "one"}),
        ("post", "hold", {"reason": ""}), ("post", "hold", {"reason": "x", "extra": 1}),
        ("post", "cancel", {"reason": "x", "version": -1}), ("post", "review", {}),
    ]
    for method, action, body in bad:
        answer = getattr(owner, method)(f"/orders/{order.id}/{action}", json=body)
        assert answer.status_code in (400, 422), (action, body, answer.text)
    for body in ({"ids": []}, {"ids": ["nope"]}, {"ids": [order.id, order.id]}):
        assert owner.post("/orders/bulk-review", json=body).status_code == 422
    assert owner.post("/orders/bulk", json={"action": "memo", "ids": [order.id]}).status_code == 422
    assert owner.post("/orders/bulk", json={"action": "ship", "ids": [order.id]}).status_code == 422
    assert _read(owner, order.id) == before

    stranger = make_staff(new_shop(), "owner")
    for method, action, body in (("post", "cancel", {"reason": "x", "version": 1}),
                                 ("put", "memo", {"memo": "x", "version": 1}), ("post", "hold", {"reason": "x"})):
        assert getattr(stranger, method)(f"/orders/{order.id}/{action}", json=body).status_code == 404
    warehouse = make_staff(shop_id, "warehouse")
    refused = warehouse.post(f"/orders/{order.id}/cancel", json={"reason": "x", "version": before["version"]})
    assert refused.status_code == 403 and refused.json()["error"]["details"]["permission"] == "orders.cancel"
    finance = make_staff(shop_id, "finance")
    assert finance.put(f"/orders/{order.id}/memo", json={"memo": "x", "version": 1}).status_code == 403
    assert _read(owner, order.id) == before
