"""Auto-review (自动审单) through the real local system: the shop's rules (PUT
/settings/order-review) applied by the OrderPaid consumer by priority; an order no rule approves
waits in 待审核 and the reviewers get an in-app notice; a redelivered event changes nothing; the
finance step (待财审) and its route; bad rule sets are refused by field."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.conftest import Api, eventually
from tests.integration.test_orders_placing import _lines, _listed, _place


def _pay(shop_id: str, order: Any) -> None:
    from shared.orders import lifecycle

    assert lifecycle.apply_payment(shop_id, order.id, lifecycle.PaymentFacts("alipay", order.payable, f"T{order.id}")
                                   ).outcome == "paid"


def _rules(owner: Api, rules: list[dict[str, Any]], finance: bool = False) -> None:
    version = owner.get("/settings").json()["order_review"]["version"]
    answer = owner.put("/settings/order-review", json={"rules": rules, "finance_review": finance, "version": version})
    assert answer.status_code == 200, answer.text


def _settled(owner: Api, order_id: str) -> dict[str, Any]:
    """The order once the review consumer decided (an auto review or the review queue)."""
    def decided() -> dict[str, Any] | None:
        body = owner.get(f"/orders/{order_id}").json()
        kinds = {t["kind"] for t in body["timeline"]}
        # (DynamoDB Local may show a transaction's items one by one: wait for the order itself)
        return body if "review_queue" in kinds or body["fulfilment_status"] != "pending_review" else None

    return dict(eventually(decided, timeout=40))


def _paid_event(shop_id: str, order_id: str) -> Any:
    from shared.events.base import Actor
    from shared.orders.events import OrderPaid
    from shared.orders.views import load_order

    rec = load_order(shop_id, order_id)
    return OrderPaid(shop_id=shop_id, actor=Actor.system("payment:alipay"), resource_id=order_id, number=rec.number,
                     from_fulfilment="pending_payment", to_fulfilment="pending_review", from_payment="unpaid",
                     to_payment="paid", provider="alipay", amount=int(rec.payable))


def test_rules_by_priority_approve_or_queue_and_a_redelivery_changes_nothing(shop_id: str, owner: Api) -> None:
    from shared.orders import review_rules

    regions = owner.put("/settings/delivery-regions", json={"provinces": ["330000"], "version": 0})
    assert regions.status_code == 200, regions.text
    prd = _listed(owner, qty=20)
    one = _place(shop_id, _lines(prd, 1))
    unit = one.payable
    _rules(owner, [
        {"name": "普通订单自动审", "priority": 20, "conditions": {
            "no_buyer_message": True, "no_seller_memo": True, "served_region": True, "max_amount": unit * 3,
            "buyer_not_flagged": True}},
        {"name": "大额人工审", "priority": 10, "action": "manual", "conditions": {"min_amount": unit * 2}},
    ])
    plain = one
    message = _place(shop_id, _lines(prd, 1), message="请用顺丰发货", buyer="byr_2")
    large = _place(shop_id, _lines(prd, 2), buyer="byr_3")
    for order in (plain, message, large):
        _pay(shop_id, order)

    auto = _settled(owner, plain.id)
    assert (auto["fulfilment_status"], auto["tab"]) == ("to_ship", "to_ship")
    assert auto["timeline"][-1]["kind"] == "review" and auto["timeline"][-1]["note"] == "普通订单自动审"
    assert auto["timeline"][-1]["by"].startswith("system")

    queued = _settled(owner, message.id)
    assert queued["fulfilment_status"] == "pending_review" and queued["timeline"][-1]["kind"] == "review_queue"
    big = _settled(owner, large.id)
    assert big["fulfilment_status"] == "pending_review"
    assert (big["timeline"][-1]["kind"], big["timeline"][-1]["note"]) == ("review_queue", "大额人工审")

    # the reviewers hear of each order left for them, once
    def notices() -> list[dict[str, Any]]:
        items = owner.get("/notifications", params={"limit": 50}).json()["items"]
        return [n for n in items if n["topic"] == "order_review"]

    found = eventually(lambda: len(notices()) >= 2 and notices(), timeout=40)
    assert sorted(n["data"]["order_id"] for n in found) == sorted([message.id, large.id])
    assert any(message.number in n["title"]["zh-CN"] and "review" in n["title"]["en"] for n in found)
    counts = owner.get("/orders/counts").json()
    assert (counts["pending_review"], counts["to_ship"]) == (2, 1)

    # the same events again (SQS delivers at least once): nothing moves, nothing is added
    for order, seen in ((plain, auto), (message, queued), (large, big)):
        review_rules.on_order_paid(_paid_event(shop_id, order.id))
        again = owner.get(f"/orders/{order.id}").json()
        assert (again["version"], len(again["timeline"])) == (seen["version"], len(seen["timeline"]))


def test_a_flagged_buyer_and_a_held_order_wait_for_staff(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    _rules(owner, [{"name": "未标记买家", "priority": 1, "conditions": {"buyer_not_flagged": True}}])
    earlier = _place(shop_id, _lines(prd), buyer="byr_bad")
    flagged = owner.put(f"/orders/{earlier.id}/flag", json={"flag": "red", "version": earlier.version})
    assert flagged.status_code == 200
    later = _place(shop_id, _lines(prd), buyer="byr_bad")
    held = _place(shop_id, _lines(prd), buyer="byr_ok")
    assert owner.post(f"/orders/{held.id}/hold", json={"reason": "核实地址"}).status_code == 200
    fine = _place(shop_id, _lines(prd), buyer="byr_fine")
    for order in (later, held, fine):
        _pay(shop_id, order)
    assert _settled(owner, later.id)["fulfilment_status"] == "pending_review"
    assert _settled(owner, held.id)["fulfilment_status"] == "pending_review"
    assert _settled(owner, fine.id)["fulfilment_status"] == "to_ship"


def test_the_finance_step_sends_reviewed_orders_to_finance(shop_id: str, owner: Api,
                                                          make_staff: Callable[..., Api]) -> None:
    prd = _listed(owner)
    _rules(owner, [{"name": "全部自动", "priority": 1}], finance=True)
    order = _place(shop_id, _lines(prd))
    _pay(shop_id, order)
    waiting = _settled(owner, order.id)
    assert (waiting["fulfilment_status"], waiting["tab"]) == ("finance_review", "finance_review")
    service = make_staff(shop_id, "customer_service")
    assert service.post(f"/orders/{order.id}/finance-review", json={"version": waiting["version"]}).status_code == 403
    finance = make_staff(shop_id, "finance")
    seen = finance.get(f"/orders/{order.id}").json()
    assert seen["actions"] == ["finance_approve"]
    done = finance.post(f"/orders/{order.id}/finance-review", json={"version": waiting["version"]})
    assert done.status_code == 200, done.text
    assert (done.json()["fulfilment_status"], done.json()["timeline"][-1]["kind"]) == ("to_ship", "finance_approve")

    # staff review goes to finance too while the step is on
    _rules(owner, [], finance=True)
    manual = _place(shop_id, _lines(prd))
    _pay(shop_id, manual)
    queued = _settled(owner, manual.id)
    reviewed = service.post(f"/orders/{manual.id}/review", json={"version": queued["version"]})
    assert reviewed.status_code == 200 and reviewed.json()["fulfilment_status"] == "finance_review"
    counts = owner.get("/orders/counts").json()
    assert (counts["finance_review"], counts["to_ship"]) == (1, 1)


def test_bad_rule_sets_are_refused_by_field_and_change_nothing(owner: Api) -> None:
    before = owner.get("/settings").json()["order_review"]
    bad = [
        {"rules": [{"name": "a", "priority": 1}, {"name": "b", "priority": 1}]},
        {"rules": [{"name": "a", "priority": 0}]},
        {"rules": [{"name": "", "priority": 1}]},
        {"rules": [{"name": "a", "priority": 1, "action": "reject"}]},
        {"rules": [{"name": "a", "priority": 1, "conditions": {"vip": True}}]},
        {"rules": [{"name": "a", "priority": 1, "conditions": {"max_amount": -1}}]},
        {"rules": [{"name": f"r{i}", "priority": i + 1} for i in range(21)]},
    ]
    for body in bad:
        answer = owner.put("/settings/order-review", json={**body, "version": before["version"]})
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"]["details"]["field"].startswith("rules"), answer.text
    assert owner.get("/settings").json()["order_review"] == before
    assert before == {"rules": [], "finance_review": False, "version": 0}
