"""Stock, warehouses, transfers, reservations and history through the real local API: what a
warehouse keeper and the orders service see. After every refusal nothing has changed, and after
every change the ledger adds up to the stock."""
from __future__ import annotations

import csv
import io
import json
import uuid

import boto3
import requests

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import (
    assert_ledger_consistent,
    by_warehouse,
    movements,
    product,
    receive,
    reserve,
    stock,
)


def order() -> str:
    return f"ord_{uuid.uuid4().hex[:12]}"


def warehouse(api: Api, name: str = "华东二仓", code: str | None = None, priority: int = 10) -> dict:
    answer = api.post("/inventory/warehouses", json={"name": name, "code": code or f"W{uuid.uuid4().hex[:6]}",
                                                      "address": "江苏省苏州市", "priority": priority})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_receipt_creates_the_default_warehouse_and_the_stock_with_its_movement(owner: Api):
    prd = product(owner)
    sku = prd["skus"][1]
    posted = receive(owner, prd, 1, 25)
    assert [(m["kind"], m["on_hand_delta"], m["on_hand_after"]) for m in posted["movements"]] == \
        [("purchase_receipt", 25, 25)]
    view = posted["stock"]
    assert view["totals"] == {"on_hand": 25, "reserved": 0, "available": 25}
    assert view["product_name"] == prd["name"] and view["sku_code"] == sku["code"]
    assert view["sku_label"] == " / ".join(sku["values"])
    assert view["warehouses"][0]["warehouse_id"] == "wh_default"
    listed = owner.get("/inventory/warehouses").json()["items"]
    assert [(w["id"], w["is_default"], w["code"]) for w in listed] == [("wh_default", True, "MAIN")]
    assert movements(owner, sku["id"])[0]["actor_email"].endswith("@test.shop")
    assert_ledger_consistent(owner, sku["id"])


def test_adjustments_add_and_remove_with_a_reason_but_never_below_available(owner: Api):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 10)
    base = {"product_id": prd["id"], "sku_id": sku_id}
    assert owner.post("/inventory/adjustments", json={**base, "delta": -3, "reason": "破损"}).status_code == 201
    assert owner.post("/inventory/adjustments", json={**base, "delta": 2, "reason": "盘盈"}).status_code == 201
    assert reserve(owner, order(), [(prd, 0, 4)]).status_code == 201
    too_many = owner.post("/inventory/adjustments", json={**base, "delta": -6, "reason": "丢失"})
    assert too_many.status_code == 409, too_many.text
    error = too_many.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"] == {"sku_id": sku_id, "warehouse_id": "wh_default", "available": 5, "requested": 6}
    assert "5" in error["message"] and sku_id in error["message"]
    assert by_warehouse(owner, sku_id) == {"wh_default": (9, 4, 5)}
    kinds = [m["kind"] for m in movements(owner, sku_id)]
    assert kinds == ["reservation", "adjustment", "adjustment", "purchase_receipt"]
    assert_ledger_consistent(owner, sku_id)


def test_bad_input_is_a_clear_4xx_and_changes_nothing(owner: Api):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 5)
    before = (stock(owner, sku_id), movements(owner, sku_id))
    base = {"product_id": prd["id"], "sku_id": sku_id}
    cases = [
        ("/inventory/receipts", {**base, "qty": -1}, 422, "qty"),
        ("/inventory/receipts", {**base, "qty": 0}, 422, "qty"),
        ("/inventory/receipts", {**base, "qty": 1.5}, 422, "qty"),
        ("/inventory/receipts", {**base, "qty": "3"}, 422, "qty"),
        ("/inventory/receipts", {**base, "sku_id": "sku_unknown", "qty": 1}, 422, "sku_id"),
        ("/inventory/receipts", {**base, "product_id": "prd_unknown", "sku_id": "sku_unknown", "qty": 1}, 422,
         "product_id"),
        ("/inventory/receipts", {**base, "qty": 1, "warehouse_id": "wh_nowhere"}, 422, "warehouse_id"),
        ("/inventory/adjustments", {**base, "delta": 0, "reason": "x"}, 422, "delta"),
        ("/inventory/adjustments", {**base, "delta": -1, "reason": ""}, 422, "reason"),
        ("/inventory/transfers", {**base, "from_warehouse_id": "wh_default", "to_warehouse_id": "wh_default", "qty": 1},
         422, "to_warehouse_id"),
        ("/inventory/transfers", {**base, "from_warehouse_id": "wh_default", "to_warehouse_id": "wh_nowhere", "qty": 1},
         422, "to_warehouse_id"),
        ("/inventory/reservations", {"order_id": order(), "lines": [{**base, "qty": -2}]}, 422, "lines.0.qty"),
        ("/inventory/reservations", {"order_id": order(), "lines": [{**base, "sku_id": "sku_unknown", "qty": 1}]},
         422, "lines.0.sku_id"),
        ("/inventory/reservations", {"order_id": order(), "lines": []}, 422, "lines"),
    ]
    for path, body, status, field in cases:
        answer = owner.post(path, json=body)
        assert answer.status_code == status, (path, body, answer.text)
        assert answer.json()["error"]["details"]["field"] == field, (body, answer.text)
    second = warehouse(owner)
    over = owner.post("/inventory/transfers", json={**base, "from_warehouse_id": "wh_default",
                                                    "to_warehouse_id": second["id"], "qty": 6})
    assert over.status_code == 409 and over.json()["error"]["code"] == "insufficient_stock"
    zh = Api(owner.base, owner.token, owner.shop_id, "zh-CN")
    assert "库存不足" in zh.post("/inventory/transfers", json={**base, "from_warehouse_id": "wh_default",
                                                            "to_warehouse_id": second["id"], "qty": 6}).json()["error"]["message"]
    assert owner.get("/inventory/stock/sku_unknown").status_code == 404
    assert (stock(owner, sku_id), movements(owner, sku_id)) == before


def test_warehouses_by_priority_transfers_and_deleting_only_empty_ones(owner: Api):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 8)
    east = warehouse(owner, "华东仓", priority=5)
    taken = owner.post("/inventory/warehouses", json={"name": "重复", "code": east["code"].lower()})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "warehouse_code_taken"
    listed = [w["id"] for w in owner.get("/inventory/warehouses").json()["items"]]
    assert listed == ["wh_default", east["id"]]  # default priority 0 first
    moved = owner.post("/inventory/transfers", json={"product_id": prd["id"], "sku_id": sku_id, "qty": 3,
                                                     "from_warehouse_id": "wh_default", "to_warehouse_id": east["id"]})
    assert moved.status_code == 201, moved.text
    assert [(m["warehouse_id"], m["on_hand_delta"]) for m in moved.json()["movements"]] == \
        [("wh_default", -3), (east["id"], 3)]
    assert by_warehouse(owner, sku_id) == {"wh_default": (5, 0, 5), east["id"]: (3, 0, 3)}
    assert moved.json()["movements"][0]["ref_id"] == moved.json()["movements"][1]["ref_id"]
    busy = owner.call("DELETE", f"/inventory/warehouses/{east['id']}")
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "warehouse_has_stock"
    assert owner.get(f"/inventory/warehouses/{east['id']}").json()["active"] is True  # reactivated
    stale = owner.put(f"/inventory/warehouses/{east['id']}", json={"name": "改名", "code": east["code"], "version": 9})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    first = owner.put(f"/inventory/warehouses/{east['id']}",
                      json={"name": "华东一号仓", "code": east["code"], "priority": 0, "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    back = owner.post("/inventory/transfers", json={"product_id": prd["id"], "sku_id": sku_id, "qty": 3,
                                                    "from_warehouse_id": east["id"], "to_warehouse_id": "wh_default"})
    assert back.status_code == 201
    assert owner.call("DELETE", f"/inventory/warehouses/{east['id']}").status_code == 200
    assert owner.get(f"/inventory/warehouses/{east['id']}").status_code == 404
    last = owner.call("DELETE", "/inventory/warehouses/wh_default")
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_warehouse"
    assert_ledger_consistent(owner, sku_id)


def test_stock_cannot_come_into_an_inactive_warehouse(owner: Api):
    prd = product(owner)
    closed = warehouse(owner, "停用仓")
    update = owner.put(f"/inventory/warehouses/{closed['id']}",
                       json={"name": closed["name"], "code": closed["code"], "active": False, "version": 1})
    assert update.status_code == 200
    refused = receive(owner, prd, 0, 1, warehouse_id=closed["id"], expect=409)
    assert refused["error"]["code"] == "warehouse_inactive"
    assert owner.get(f"/inventory/stock/{prd['skus'][0]['id']}").status_code == 404


def test_a_reservation_is_idempotent_by_order_and_release_and_deduct_answer_repeats(owner: Api):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    second = warehouse(owner, "备用仓", priority=50)
    receive(owner, prd, 0, 2)  # default warehouse (priority 0)
    receive(owner, prd, 0, 10, warehouse_id=second["id"])
    first = reserve(owner, "ord-A1", [(prd, 0, 3)])
    assert first.status_code == 201, first.text
    assert first.json()["lines"][0]["warehouse_id"] == second["id"]  # the first warehouse with enough
    again = reserve(owner, "ord-A1", [(prd, 0, 3)])
    assert again.status_code == 201 and again.json()["replayed"] is True
    assert again.json()["lines"] == first.json()["lines"]
    differs = reserve(owner, "ord-A1", [(prd, 0, 4)])
    assert differs.status_code == 409 and differs.json()["error"]["code"] == "reservation_exists"
    assert [m["kind"] for m in movements(owner, sku_id, kind="reservation")] == ["reservation"]
    assert by_warehouse(owner, sku_id)[second["id"]] == (10, 3, 7)
    released = owner.post("/inventory/reservations/ord-A1/release")
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert owner.post("/inventory/reservations/ord-A1/release").json()["replayed"] is True
    closed = owner.post("/inventory/reservations/ord-A1/deduct")
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "reservation_closed"
    assert by_warehouse(owner, sku_id)[second["id"]] == (10, 0, 10)
    assert reserve(owner, "ord-A2", [(prd, 0, 2)], warehouse_id="wh_default").status_code == 201
    shipped = owner.post("/inventory/reservations/ord-A2/deduct")
    assert shipped.status_code == 200 and shipped.json()["status"] == "deducted"
    assert owner.post("/inventory/reservations/ord-A2/deduct").json()["replayed"] is True
    assert by_warehouse(owner, sku_id) == {"wh_default": (0, 0, 0), second["id"]: (10, 0, 10)}
    assert [m["kind"] for m in movements(owner, sku_id, warehouse_id="wh_default")] == \
        ["sale", "reservation", "purchase_receipt"]
    assert owner.get("/inventory/reservations/ord-A2").json()["status"] == "deducted"
    assert owner.post("/inventory/reservations/ord-none/release").status_code == 404
    assert_ledger_consistent(owner, sku_id)


def test_an_order_reserves_all_its_lines_or_none(owner: Api):
    prd = product(owner)
    receive(owner, prd, 0, 5)
    receive(owner, prd, 1, 1)
    refused = reserve(owner, order(), [(prd, 0, 2), (prd, 1, 2)])
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["sku_id"] == prd["skus"][1]["id"]
    assert refused.json()["error"]["details"]["available"] == 1
    assert by_warehouse(owner, prd["skus"][0]["id"]) == {"wh_default": (5, 0, 5)}
    ok = reserve(owner, order(), [(prd, 0, 2), (prd, 1, 1)])
    assert ok.status_code == 201 and len(ok.json()["lines"]) == 2
    assert by_warehouse(owner, prd["skus"][1]["id"]) == {"wh_default": (1, 1, 0)}


def test_stock_list_filters_by_warehouse_product_and_low_stock(owner: Api):
    prd, other = product(owner), product(owner)
    north = warehouse(owner, "华北仓")
    for i in range(4):
        receive(owner, prd, i, 10 + i)
    receive(owner, other, 0, 3, warehouse_id=north["id"])
    sku0 = prd["skus"][0]["id"]
    settings = owner.put(f"/inventory/stock/{sku0}/settings", json={"product_id": prd["id"], "threshold": 20,
                                                                     "version": 0})
    assert settings.status_code == 200, settings.text
    assert settings.json()["warehouses"][0]["threshold"] == 20 and settings.json()["warehouses"][0]["low"] is True
    stale = owner.put(f"/inventory/stock/{sku0}/settings", json={"product_id": prd["id"], "threshold": 5, "version": 0})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    page = owner.get("/inventory/stock", params={"product_id": prd["id"], "limit": 3}).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    rest = owner.get("/inventory/stock", params={"product_id": prd["id"], "limit": 3, "cursor": page["next_cursor"]})
    assert {r["sku_id"] for r in page["items"] + rest.json()["items"]} == {s["id"] for s in prd["skus"]}
    north_rows = owner.get("/inventory/stock", params={"warehouse_id": north["id"]}).json()["items"]
    assert [(r["sku_id"], r["on_hand"]) for r in north_rows] == [(other["skus"][0]["id"], 3)]
    low = owner.get("/inventory/stock", params={"low_only": "true"}).json()["items"]
    assert [r["sku_id"] for r in low] == [sku0]
    wrong = owner.get("/inventory/stock", params={"warehouse_id": north["id"], "cursor": page["next_cursor"]})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_cursor"


def test_history_filters_and_exports_as_csv(owner: Api):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    for qty in (5, 6, 7):
        receive(owner, prd, 0, qty)
    owner.post("/inventory/adjustments", json={"product_id": prd["id"], "sku_id": sku_id, "delta": -1,
                                               "reason": "=HYPERLINK(\"x\")"})
    all_moves = movements(owner, sku_id)
    assert [m["on_hand_after"] for m in all_moves] == [17, 18, 11, 5]
    page = owner.get("/inventory/movements", params={"sku_id": sku_id, "limit": 2}).json()
    assert [m["id"] for m in page["items"]] == [m["id"] for m in all_moves[:2]]
    assert [m["kind"] for m in movements(owner, sku_id, kind="adjustment")] == ["adjustment"]
    since = all_moves[1]["at"]
    assert len(movements(owner, sku_id, **{"from": since})) == 2
    bad = owner.get("/inventory/movements", params={"sku_id": sku_id, "from": "2026-02-01", "to": "2026-01-01"})
    assert bad.status_code == 422
    exported = owner.post("/inventory/movements/export", json={"format": "csv", "filter": {"sku_id": sku_id}})
    assert exported.status_code == 200, exported.text
    assert exported.json()["rows"] == 4
    content = requests.get(exported.json()["url"], timeout=30).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][1].startswith("类型") and len(rows) == 5
    assert rows[1][9] == "'=HYPERLINK(\"x\")"  # formula neutralised
    xlsx = owner.post("/inventory/movements/export", json={"format": "xlsx", "filter": {"sku_id": sku_id,
                                                                                        "kind": "purchase_receipt"}})
    assert xlsx.status_code == 200 and xlsx.json()["rows"] == 3


def test_stock_events_reach_the_bus(system, owner: Api):
    events, sqs = boto3.client("events"), boto3.client("sqs")
    bus = system.env["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"probe-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
        {"source": ["shopdesk.inventory"], "detail": {"shop_id": [owner.shop_id]}}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "probe", "Arn": arn}])
    try:
        prd = product(owner)
        receive(owner, prd, 0, 4)
        assert reserve(owner, "ord-EV", [(prd, 0, 1)]).status_code == 201
        owner.post("/inventory/reservations/ord-EV/release")
        assert reserve(owner, "ord-EV2", [(prd, 0, 1)]).status_code == 201
        owner.post("/inventory/reservations/ord-EV2/deduct")
        seen: dict[str, dict] = {}

        def received() -> bool:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                body = json.loads(m["Body"])
                seen[f"{body['detail-type']}:{body['detail'].get('resource_id')}"] = body["detail"]
            return len(seen) >= 5

        eventually(received)
        adjusted = seen[f"StockAdjusted:{prd['skus'][0]['id']}"]
        assert (adjusted["kind"], adjusted["delta"], adjusted["on_hand_after"]) == ("purchase_receipt", 4, 4)
        assert seen["StockReserved:ord-EV"]["lines"] == [{"sku_id": prd["skus"][0]["id"], "product_id": prd["id"],
                                                         "warehouse_id": "wh_default", "qty": 1}]
        assert {"StockReleased:ord-EV", "StockReserved:ord-EV2", "StockDeducted:ord-EV2"} <= set(seen)
    finally:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["probe"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=url)


def test_the_warehouse_role_works_stock_and_customer_service_only_reads(owner: Api, make_staff):
    prd = product(owner)
    keeper = make_staff(owner.shop_id, "warehouse")
    service = make_staff(owner.shop_id, "customer_service")
    assert receive(keeper, prd, 0, 3)["stock"]["totals"]["on_hand"] == 3
    assert service.get(f"/inventory/stock/{prd['skus'][0]['id']}").status_code == 200
    denied = service.post("/inventory/receipts", json={"product_id": prd["id"], "sku_id": prd["skus"][0]["id"], "qty": 1})
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "inventory.create"
