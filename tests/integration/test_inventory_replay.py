"""Replays change nothing: the same reservation request twice (with or without an
Idempotency-Key) is one reservation and one movement; an inventory event delivered twice to a
consumer (the audit log) is recorded once."""
from __future__ import annotations

import json
import uuid

import boto3

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import assert_ledger_consistent, by_warehouse, movements, product, receive, reserve
from tests.integration.test_events import queue_url


def test_the_same_reservation_twice_is_one_reservation_and_one_movement(owner: Api):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 5)
    body = {"order_id": "ord-R1", "lines": [{"sku_id": sku_id, "product_id": prd["id"], "qty": 2}]}
    keyed = [owner.post("/inventory/reservations", json=body, headers={"Idempotency-Key": "k-R1"}) for _ in range(2)]
    plain = reserve(owner, "ord-R1", [(prd, 0, 2)])
    assert [a.status_code for a in keyed] + [plain.status_code] == [201, 201, 201]
    assert keyed[0].json() == keyed[1].json()  # the first answer, repeated
    assert plain.json()["replayed"] is True
    for _ in range(2):
        assert owner.post("/inventory/reservations/ord-R1/release").status_code == 200
    assert by_warehouse(owner, sku_id) == {"wh_default": (5, 0, 5)}
    assert [m["kind"] for m in movements(owner, sku_id)] == ["release", "reservation", "purchase_receipt"]
    assert_ledger_consistent(owner, sku_id)


def test_an_inventory_event_consumed_twice_is_recorded_once(owner: Api):
    sqs = boto3.client("sqs")
    url = queue_url("AuditQueue")
    event_id = f"evt_{uuid.uuid4().hex}"
    detail = {"event_id": event_id, "shop_id": owner.shop_id, "occurred_at": "2026-11-26T00:00:00.000Z", "version": 1,
              "actor": {"id": "replayer"}, "resource": "reservations", "resource_id": "ord-replayed",
              "lines": [{"sku_id": "sku_x", "product_id": "prd_x", "warehouse_id": "wh_default", "qty": 1}]}
    envelope = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "StockReserved", "source": "shopdesk.inventory",
                "account": "123456789012", "time": "2026-11-26T00:00:00Z", "region": "us-east-1", "resources": [],
                "detail": detail}
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope))

    def entries() -> list[dict]:
        items = owner.get("/audit", params={"resource": "reservations"}).json()["items"]
        return [i for i in items if i["resource_id"] == "ord-replayed"]

    eventually(entries)
    eventually(lambda: int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                           ["ApproximateNumberOfMessages"]) == 0)
    found = entries()
    assert len(found) == 1 and found[0]["action"] == "reservations.reserved"
