"""On and off shelf (上架/下架): now, scheduled (fired by the template's schedule), in bulk."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import requests

from tests.integration.conftest import Api, eventually
from tests.integration.test_catalog_products import create, put_body

SCHEDULE = "CatalogShelfFunction.EveryMinute"


def soon(seconds: float = 1.5) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def status(api: Api, product_id: str) -> str:
    return str(api.get(f"/products/{product_id}").json()["status"])


def fire(system) -> dict:
    answer = requests.post(f"{system.url}/__local/fire", json={"schedule": SCHEDULE}, timeout=60)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["result"])


def test_list_and_delist_now_and_each_is_in_the_audit_log(owner: Api):
    product = create(owner)
    listed = owner.post(f"/products/{product['id']}/list", json={})
    assert listed.status_code == 200 and listed.json() == {"id": product["id"], "status": "on_shelf", "schedule": None}
    assert owner.post(f"/products/{product['id']}/list", json={}).json()["status"] == "on_shelf"  # again: no-op
    assert owner.post(f"/products/{product['id']}/delist", json={}).json()["status"] == "off_shelf"
    assert status(owner, product["id"]) == "off_shelf"
    def actions() -> list[str] | None:
        found = [i["action"] for i in owner.get("/audit", params={"resource": "products"}).json()["items"]
                 if i["resource_id"] == product["id"] and i["action"].endswith("listed")]
        return found if len(found) >= 2 else None

    assert eventually(actions) == ["products.delisted", "products.listed"]


def test_a_product_without_an_active_sku_cannot_go_on_shelf(owner: Api):
    product = create(owner)
    disabled = [dict(s, status="disabled") for s in product["skus"]]
    assert owner.put(f"/products/{product['id']}", json=put_body(product, skus=disabled)).status_code == 200
    refused = owner.post(f"/products/{product['id']}/list", json={})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "product_not_listable"


def test_an_on_shelf_product_keeps_an_active_sku(owner: Api):
    product = create(owner)
    owner.post(f"/products/{product['id']}/list", json={})
    disabled = [dict(s, status="disabled") for s in product["skus"]]
    refused = owner.put(f"/products/{product['id']}", json=put_body(product, skus=disabled))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "on_shelf_needs_active_sku"


def test_a_scheduled_listing_is_applied_by_the_schedule_once_due(system, owner: Api):
    product = create(owner)
    scheduled = owner.post(f"/products/{product['id']}/list", json={"at": soon()})
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "off_shelf" and scheduled.json()["schedule"]["action"] == "list"
    time.sleep(1.6)
    fire(system)
    after = owner.get(f"/products/{product['id']}").json()
    assert after["status"] == "on_shelf" and after["schedule"] is None
    entry = eventually(lambda: [i for i in owner.get("/audit", params={"resource": "products"}).json()["items"]
                                if i["resource_id"] == product["id"] and i["action"] == "products.listed"])
    assert entry[0]["actor"]["id"] == "system:shelf-schedule"


def test_a_schedule_replaced_by_an_immediate_change_is_not_applied(system, owner: Api):
    product = create(owner)
    owner.post(f"/products/{product['id']}/list", json={})
    assert owner.post(f"/products/{product['id']}/delist", json={"at": soon()}).status_code == 200
    cancelled = owner.post(f"/products/{product['id']}/list", json={})  # already on shelf: drops the schedule
    assert cancelled.json() == {"id": product["id"], "status": "on_shelf", "schedule": None}
    time.sleep(1.6)
    fire(system)
    assert status(owner, product["id"]) == "on_shelf"


def test_a_scheduled_time_must_be_in_the_future(owner: Api):
    product = create(owner)
    answer = owner.post(f"/products/{product['id']}/list", json={"at": "2020-01-01T08:00:00+08:00"})
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == "at"
    assert owner.get(f"/products/{product['id']}").json()["schedule"] is None


def test_bulk_shelf_answers_per_product(owner: Api):
    first, second = create(owner), create(owner)
    ids = [first["id"], "prd_unknown", second["id"]]
    owner.language = "zh-CN"
    answer = owner.post("/products/bulk-shelf", json={"action": "list", "ids": ids})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["error"]["code"] == "product_not_found" and results[1]["error"]["message"] == "本店铺没有该商品。"
    assert status(owner, first["id"]) == status(owner, second["id"]) == "on_shelf"
    later = owner.post("/products/bulk-shelf", json={"action": "delist", "ids": [first["id"]], "at": soon(3600)})
    assert later.json()["results"][0]["schedule"]["action"] == "delist"
    too_many = owner.post("/products/bulk-shelf", json={"action": "list", "ids": [f"prd_{i}" for i in range(101)]})
    assert too_many.status_code == 422 and too_many.json()["error"]["details"]["field"] == "ids"
