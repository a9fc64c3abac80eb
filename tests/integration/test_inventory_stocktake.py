"""Stocktake (盘点) through the real local API, as a warehouse keeper does it on a phone: open a
count, scan barcodes or pick SKUs, see the variances, approve; sales during the count stay
sales; refusals are a clear 4xx and change nothing; the ledger adds up afterwards."""
from __future__ import annotations

import uuid
from typing import Any

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import assert_ledger_consistent, by_warehouse, movements, product, receive, reserve
from tests.integration.test_catalog_products import category, create


def sell(api: Api, prd: dict, sku: int, qty: int) -> None:
    order_id = f"ord_{uuid.uuid4().hex[:10]}"
    assert reserve(api, order_id, [(prd, sku, qty)]).status_code == 201
    assert api.post(f"/inventory/reservations/{order_id}/deduct").status_code == 200


def open_count(api: Api, expect: int = 201, **body: Any) -> dict:
    answer = api.post("/inventory/stocktakes", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


def lines(api: Api, stocktake_id: str, show: str = "all") -> dict[str, dict]:
    out: dict[str, dict] = {}
    cursor = None
    while True:
        params = {"show": show, "limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = api.get(f"/inventory/stocktakes/{stocktake_id}", params=params)
        assert answer.status_code == 200, answer.text
        out.update({line["sku_id"]: line for line in answer.json()["lines"]})
        cursor = answer.json()["next_cursor"]
        if not cursor:
            return out


def enter(api: Api, stocktake_id: str, entries: list[dict], expect: int = 200) -> dict:
    answer = api.put(f"/inventory/stocktakes/{stocktake_id}/lines", json={"lines": entries})
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


def test_a_count_by_barcode_and_sku_posts_the_variances_and_sales_during_it_stay_sales(owner: Api, make_staff):
    keeper = make_staff(owner.shop_id, "warehouse")
    prd = product(owner)  # 4 SKUs
    skus = [s["id"] for s in prd["skus"]]
    for sku, qty in ((0, 10), (1, 5), (2, 3)):
        receive(owner, prd, sku, qty)
    count = open_count(keeper, note="月末盘点")
    assert (count["status"], count["lines_total"], count["lines_counted"]) == ("open", 3, 0)
    expected = lines(keeper, count["id"])
    assert {k: v["expected"] for k, v in expected.items()} == {skus[0]: 10, skus[1]: 5, skus[2]: 3}
    assert all(v["counted"] is None and v["variance"] is None for v in expected.values())

    sell(owner, prd, 0, 2)  # sold while the count is open, before the shelf is counted: 8 on hand
    entered = enter(keeper, count["id"], [{"code": prd["skus"][0]["barcode"].lower(), "counted": 7},
                                          {"sku_id": skus[1], "counted": 5}])
    assert entered["stocktake"]["lines_counted"] == 2
    first = {line["sku_id"]: line for line in entered["lines"]}
    assert (first[skus[0]]["on_hand_at_count"], first[skus[0]]["variance"]) == (8, -1)
    assert first[skus[1]]["variance"] == 0
    sell(owner, prd, 0, 1)  # sold after the count: 7 on hand, the shelf now holds 6
    found = enter(keeper, count["id"], [{"code": prd["skus"][3]["code"], "counted": 2}])  # not expected
    assert found["lines"][0]["added"] is True and found["lines"][0]["variance"] == 2
    assert found["stocktake"]["lines_total"] == 4
    recount = enter(keeper, count["id"], [{"sku_id": skus[1], "counted": 4}])  # a recount replaces
    assert recount["stocktake"]["lines_counted"] == 3 and recount["lines"][0]["variance"] == -1
    assert set(lines(keeper, count["id"], "variance")) == {skus[0], skus[1], skus[3]}
    assert set(lines(keeper, count["id"], "uncounted")) == {skus[2]}

    approved = keeper.post(f"/inventory/stocktakes/{count['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["lines_adjusted"]) == ("approved", 3)
    assert by_warehouse(owner, skus[0]) == {"wh_default": (6, 0, 6)}  # 7 counted, 1 sold since
    assert by_warehouse(owner, skus[1]) == {"wh_default": (4, 0, 4)}
    assert by_warehouse(owner, skus[2]) == {"wh_default": (3, 0, 3)}  # not counted: untouched
    assert by_warehouse(owner, skus[3]) == {"wh_default": (2, 0, 2)}
    [moved] = movements(owner, skus[0], kind="stocktake")
    assert (moved["on_hand_delta"], moved["ref_type"], moved["ref_id"]) == (-1, "stocktake", count["id"])
    assert all(line["posted"] for line in lines(owner, count["id"], "variance").values())
    for sku in skus:
        assert_ledger_consistent(owner, sku)

    again = keeper.post(f"/inventory/stocktakes/{count['id']}/approve")
    assert again.status_code == 200 and again.json()["status"] == "approved"
    assert len(movements(owner, skus[0], kind="stocktake")) == 1
    closed = keeper.put(f"/inventory/stocktakes/{count['id']}/lines", json={"lines": [{"sku_id": skus[2], "counted": 1}]})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "stocktake_closed"
    assert by_warehouse(owner, skus[2]) == {"wh_default": (3, 0, 3)}
    listed = owner.get("/inventory/stocktakes", params={"status": "approved"}).json()["items"]
    assert [c["id"] for c in listed] == [count["id"]]
    assert open_count(owner)["status"] == "open"  # the warehouse may be counted again


def test_bad_input_is_a_clear_4xx_and_changes_nothing(owner: Api):
    prd = product(owner)
    skus = [s["id"] for s in prd["skus"]]
    receive(owner, prd, 0, 4)
    assert open_count(owner, 422, warehouse_id="wh_nowhere")["error"]["details"]["field"] == "warehouse_id"
    assert open_count(owner, 422, category_id="cat_nowhere")["error"]["details"]["field"] == "category_id"
    count = open_count(owner)
    busy = open_count(owner, 409)
    assert busy["error"]["code"] == "stocktake_in_progress" and busy["error"]["details"]["stocktake_id"] == count["id"]
    before = lines(owner, count["id"])
    cases = [
        ([{"code": "NO-SUCH-CODE-1", "counted": 1}], "lines.0.code", "NO-SUCH-CODE-1"),
        ([{"sku_id": skus[0], "counted": 1}, {"sku_id": "sku_unknown", "counted": 1}], "lines.1.sku_id", "sku_unknown"),
        ([{"sku_id": skus[0], "code": prd["skus"][0]["code"], "counted": 1}], "lines.0", None),
        ([{"sku_id": skus[0], "counted": -1}], "lines.0.counted", None),
        ([{"sku_id": skus[0], "counted": 1.5}], "lines.0.counted", None),
        ([{"sku_id": skus[0], "counted": 1}, {"code": prd["skus"][0]["barcode"], "counted": 2}], "lines.1.code", None),
        ([], "lines", None),
    ]
    for entries, field, named in cases:
        answer = owner.put(f"/inventory/stocktakes/{count['id']}/lines", json={"lines": entries})
        assert answer.status_code == 422, (entries, answer.text)
        error = answer.json()["error"]
        assert field in [f["field"] for f in error["details"]["fields"]], (entries, answer.text)
        if named:
            assert named in error["message"]
    zh = Api(owner.base, owner.token, owner.shop_id, "zh-CN")
    unknown = zh.put(f"/inventory/stocktakes/{count['id']}/lines", json={"lines": [{"code": "ZZ-404", "counted": 1}]})
    assert "没有条码或编码为 ZZ-404 的 SKU" in unknown.json()["error"]["message"]
    assert lines(owner, count["id"]) == before
    assert owner.get("/inventory/stocktakes/stk_nowhere").status_code == 404
    assert owner.post("/inventory/stocktakes/stk_nowhere/approve").status_code == 404

    cancelled = owner.post(f"/inventory/stocktakes/{count['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    for method, path, body in (("PUT", "lines", {"lines": [{"sku_id": skus[0], "counted": 9}]}),
                               ("POST", "approve", None)):
        refused = owner.call(method, f"/inventory/stocktakes/{count['id']}/{path}", json=body)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "stocktake_closed", refused.text
    assert lines(owner, count["id"]) == before
    assert by_warehouse(owner, skus[0]) == {"wh_default": (4, 0, 4)}
    assert movements(owner, skus[0], kind="stocktake") == []


def test_approving_needs_inventory_approve(owner: Api, make_staff):
    prd = product(owner)
    receive(owner, prd, 0, 4)
    role = owner.post("/roles", json={"name_zh": "盘点员", "name_en": "Counter",
                                      "permissions": ["inventory.view", "inventory.create", "inventory.edit"]},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert role.status_code == 201, role.text
    counter = make_staff(owner.shop_id, "marketing")
    counter_id = counter.get("/me").json()["user"]["id"]
    version = owner.get(f"/staff/{counter_id}").json()["version"]
    assert owner.put(f"/staff/{counter_id}", json={"version": version, "name": "小王",
                                                   "roles": [role.json()["code"]]}).status_code == 200
    count = open_count(counter)
    enter(counter, count["id"], [{"sku_id": prd["skus"][0]["id"], "counted": 3}])
    denied = counter.post(f"/inventory/stocktakes/{count['id']}/approve")
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "inventory.approve"
    assert by_warehouse(owner, prd["skus"][0]["id"]) == {"wh_default": (4, 0, 4)}
    assert owner.post(f"/inventory/stocktakes/{count['id']}/approve").json()["status"] == "approved"
    assert by_warehouse(owner, prd["skus"][0]["id"]) == {"wh_default": (3, 0, 3)}


def test_a_category_count_takes_its_subtree_and_refuses_other_skus(owner: Api):
    top = category(owner)
    sub = category(owner, parent_id=top)
    inside, below, outside = create(owner, category_id=top), create(owner, category_id=sub), create(owner)
    for prd in (inside, below, outside):
        receive(owner, prd, 0, 5)
    eventually(lambda: len(owner.get("/products", params={"category_id": top}).json()["items"]) == 2)
    count = open_count(owner, category_id=top)
    assert count["category_id"] == top and count["lines_total"] == 2
    assert set(lines(owner, count["id"])) == {inside["skus"][0]["id"], below["skus"][0]["id"]}
    refused = owner.put(f"/inventory/stocktakes/{count['id']}/lines",
                        json={"lines": [{"code": outside["skus"][0]["barcode"], "counted": 1}]})
    assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] == "lines.0.code"
    found = enter(owner, count["id"], [{"code": below["skus"][1]["code"], "counted": 1}])  # in the subtree, no stock
    assert found["lines"][0]["added"] is True


def test_the_demo_shop_has_a_past_approved_stocktake(system, make_staff):
    keeper = make_staff("shp_demo", "warehouse")
    [past] = keeper.get("/inventory/stocktakes", params={"status": "approved"}).json()["items"][-1:]
    assert past["lines_adjusted"] >= 1 and past["category_name"] and past["note"] == "月末盘点"
    assert lines(keeper, past["id"], "variance")
    assert all(line["posted"] for line in lines(keeper, past["id"], "variance").values())


def counted_stocktake(owner: Api, skus_wanted: int = 8) -> tuple[dict, dict[str, int]]:
    """An open count of ``skus_wanted`` SKUs (10 on hand each), every one counted with a variance:
    the SKU -> the units counted."""
    found: list[str] = []
    while len(found) < skus_wanted:
        prd = product(owner)  # 4 SKUs
        for i, sku in enumerate(prd["skus"]):
            receive(owner, prd, i, 10)
            found.append(sku["id"])
    counted = {sku: 10 + (n % 3) - 1 if n % 3 != 1 else 13 for n, sku in enumerate(found)}  # 9, 13, 11, ...
    count = open_count(owner)
    enter(owner, count["id"], [{"sku_id": s, "counted": c} for s, c in counted.items()])
    return count, counted


def assert_posted_once(owner: Api, count: dict, counted: dict[str, int]) -> None:
    """Every line's variance posted as exactly one stocktake movement; stock = what was counted."""
    for sku, units in counted.items():
        posted = [m for m in movements(owner, sku, kind="stocktake") if m["ref_id"] == count["id"]]
        assert [m["on_hand_delta"] for m in posted] == [units - 10], (sku, posted)
        assert by_warehouse(owner, sku) == {"wh_default": (units, 0, units)}
        assert_ledger_consistent(owner, sku)
    shown = owner.get(f"/inventory/stocktakes/{count['id']}").json()["stocktake"]
    assert (shown["status"], shown["lines_adjusted"]) == ("approved", len(counted))


def test_an_approval_interrupted_mid_way_resumes_and_posts_each_line_once(owner: Api, monkeypatch):
    """The approving process dies after some lines are posted (a crash injected between two
    lines' transactions); approving again continues with the lines not posted yet."""
    from shared.auth.context import AuthContext
    from shared.auth.permissions import ALL
    from shared.inventory import stocktake

    count, counted = counted_stocktake(owner)
    real_post, done = stocktake._post_line, []

    class Crash(BaseException):
        """Not an error the code could catch and carry on after: the process is gone."""

    def dying_post(ctx, header, line):
        if len(done) == 3:
            raise Crash()
        real_post(ctx, header, line)
        done.append(line.sku_id)

    monkeypatch.setattr(stocktake, "_post_line", dying_post)
    ctx = AuthContext(user_id="keeper", email="keeper@test.shop", shop_id=owner.shop_id, roles=frozenset({"owner"}),
                      permissions=ALL)
    try:
        stocktake.approve(ctx, count["id"])
        raise AssertionError("the injected crash did not happen")
    except Crash:
        pass
    monkeypatch.undo()
    midway = owner.get(f"/inventory/stocktakes/{count['id']}").json()["stocktake"]
    assert (midway["status"], midway["lines_adjusted"]) == ("approving", 3)
    assert owner.put(f"/inventory/stocktakes/{count['id']}/lines",
                     json={"lines": [{"sku_id": done[0], "counted": 1}]}).status_code == 409
    resumed = owner.post(f"/inventory/stocktakes/{count['id']}/approve")
    assert resumed.status_code == 200 and resumed.json()["status"] == "approved", resumed.text
    assert_posted_once(owner, count, counted)


def test_two_approvals_at_once_post_each_line_once(owner: Api, make_staff):
    from concurrent.futures import ThreadPoolExecutor

    keeper = make_staff(owner.shop_id, "warehouse")
    count, counted = counted_stocktake(owner)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda api: api.post(f"/inventory/stocktakes/{count['id']}/approve"),
                                [owner, keeper, owner, keeper]))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert {a.json()["status"] for a in answers} <= {"approved", "approving"}
    assert_posted_once(owner, count, counted)
