"""Catalog events reach the bus through the outbox (with what changed) and the audit log."""
from __future__ import annotations

import json
import uuid

import boto3

from tests.integration.conftest import Api, eventually
from tests.integration.test_catalog_products import create, put_body


def probe(system, shop_id: str, detail_types: list[str]):
    events, sqs = boto3.client("events"), boto3.client("sqs")
    bus = system.env["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"probe-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
        {"source": ["shopdesk.catalog"], "detail-type": detail_types, "detail": {"shop_id": [shop_id]}}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "probe", "Arn": arn}])

    def received() -> list[dict]:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [json.loads(m["Body"]) for m in got]

    def close() -> None:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["probe"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=url)

    return received, close


def test_a_price_change_publishes_product_modified_and_sku_price_changed(system, owner: Api):
    product = create(owner)
    received, close = probe(system, owner.shop_id, ["ProductModified", "SkuPriceChanged"])
    try:
        skus = [dict(s, price=s["price"] + 500) if i == 1 else s for i, s in enumerate(product["skus"])]
        assert owner.put(f"/products/{product['id']}", json=put_body(product, skus=skus)).status_code == 200
        seen: dict[str, dict] = {}
        eventually(lambda: seen.update({m["detail-type"]: m["detail"] for m in received()}) or len(seen) == 2)
        price = seen["SkuPriceChanged"]
        assert price["resource_id"] == product["id"] and price["sku_id"] == product["skus"][1]["id"]
        assert (price["old_price"], price["new_price"]) == (product["skus"][1]["price"], product["skus"][1]["price"] + 500)
        modified = seen["ProductModified"]
        assert modified["changed"] == ["skus"]
        assert list(modified["new"]["skus"]) == [product["skus"][1]["id"]]  # only the SKU that changed
        from shared import crypto  # the actor's e-mail travels sealed with the shop's key

        assert crypto.unseal(owner.shop_id, "actor_email", modified["actor"]["email"]).endswith("@test.shop")
        assert modified["event_id"].startswith("evt_")
    finally:
        close()


def test_catalog_events_become_readable_audit_entries(owner: Api):
    product = create(owner)
    cat = owner.post("/categories", json={"name": "审计分类"}).json()
    owner.put(f"/products/{product['id']}", json=put_body(product, name="改名后的连衣裙", category_id=cat["id"]))
    owner.post(f"/products/{product['id']}/list", json={})

    def actions() -> list[str] | None:
        items = owner.get("/audit").json()["items"]
        found = [i["action"] for i in items if i["resource_id"] in (product["id"], cat["id"])]
        return found if len(found) >= 4 else None

    assert eventually(actions)[:4] == ["products.listed", "products.modified", "categories.created", "products.created"]
    modified = next(i for i in owner.get("/audit", params={"resource": "products"}).json()["items"]
                    if i["action"] == "products.modified")
    assert modified["before"]["name"] == product["name"] and modified["after"]["name"] == "改名后的连衣裙"
    assert set(modified["changed"]) == {"name", "category_id"}


def test_a_catalog_event_delivered_twice_is_recorded_once(owner: Api):
    from tests.integration.test_events import queue_url

    sqs = boto3.client("sqs")
    event_id = f"evt_{uuid.uuid4().hex}"
    message = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "ProductListed", "source": "shopdesk.catalog",
               "detail": {"event_id": event_id, "shop_id": owner.shop_id, "occurred_at": "2026-11-26T00:00:00.000Z",
                          "version": 1, "actor": {"id": "tester"}, "resource": "products", "resource_id": "prd_x",
                          "scheduled": False}}
    for _ in range(2):
        sqs.send_message(QueueUrl=queue_url("AuditQueue"), MessageBody=json.dumps(message))
    eventually(lambda: any(i["resource_id"] == "prd_x" for i in owner.get("/audit").json()["items"]))
    eventually(lambda: int(sqs.get_queue_attributes(QueueUrl=queue_url("AuditQueue"), AttributeNames=["All"])
                           ["Attributes"]["ApproximateNumberOfMessages"]) == 0)
    assert [i["resource_id"] for i in owner.get("/audit").json()["items"]].count("prd_x") == 1
