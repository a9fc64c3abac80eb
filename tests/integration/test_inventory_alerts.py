"""Low-stock alerts through the real local system: a StockLow event once per crossing of the
safety stock (not once per sale), a notification for the owner and the warehouse staff (not
customer service), e-mail and SMS by the shop's settings read back from the local cloud, no
duplicates when an event is delivered twice, and the daily digest once per shop and day."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest
import requests

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import assert_ledger_consistent, product, receive, reserve, stock
from tests.integration.test_staff_api import sent_emails, sent_sms

DIGEST = "InventoryDigestFunction.Daily"


def threshold(api: Api, prd: dict, sku: int, value: int | None, **extra: Any) -> dict:
    sku_id = prd["skus"][sku]["id"]
    answer = api.get(f"/inventory/stock/{sku_id}")
    version = answer.json()["warehouses"][0]["version"] if answer.status_code == 200 else 0
    put = api.put(f"/inventory/stock/{sku_id}/settings",
                  json={"product_id": prd["id"], "threshold": value, "version": version, **extra})
    assert put.status_code == 200, put.text
    return dict(put.json())


def sell(api: Api, prd: dict, sku: int, qty: int) -> None:
    """An order takes units (reservation: available goes down) and ships (sale)."""
    order_id = f"ord_{uuid.uuid4().hex[:10]}"
    assert reserve(api, order_id, [(prd, sku, qty)]).status_code == 201
    assert api.post(f"/inventory/reservations/{order_id}/deduct").status_code == 200


def notes(api: Api, topic: str) -> list[dict]:
    answer = api.get("/notifications", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    return [n for n in answer.json()["items"] if n["topic"] == topic]


def login_of(api: Api) -> str:
    return str(api.get("/me").json()["user"]["login"])


class Probe:
    """A queue subscribed to the shop's inventory events on the bus (what was published, how often)."""

    def __init__(self, system, shop_id: str) -> None:
        self.events, self.sqs = boto3.client("events"), boto3.client("sqs")
        self.bus = system.env["EVENT_BUS_NAME"]
        self.url = self.sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.rule = f"probe-{uuid.uuid4().hex[:8]}"
        self.events.put_rule(Name=self.rule, EventBusName=self.bus, EventPattern=json.dumps(
            {"source": ["shopdesk.inventory"], "detail-type": ["StockLow", "StockDigestCompiled"],
             "detail": {"shop_id": [shop_id]}}))
        self.events.put_targets(Rule=self.rule, EventBusName=self.bus, Targets=[{"Id": "probe", "Arn": arn}])
        self.seen: list[dict] = []

    def drain(self) -> list[dict]:
        for m in self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []):
            self.seen.append(json.loads(m["Body"]))
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        return self.seen

    def close(self) -> None:
        self.events.remove_targets(Rule=self.rule, EventBusName=self.bus, Ids=["probe"])
        self.events.delete_rule(Name=self.rule, EventBusName=self.bus)
        self.sqs.delete_queue(QueueUrl=self.url)


@pytest.fixture
def probe(system, shop_id: str):
    p = Probe(system, shop_id)
    yield p
    p.close()


@pytest.fixture
def team(shop_id: str, make_staff) -> dict[str, Api]:
    return {role: make_staff(shop_id, role) for role in ("owner", "warehouse", "customer_service")}


def test_an_alert_fires_once_per_crossing_reaches_the_right_staff_and_rearms(system, team, probe):
    owner, keeper, service = team["owner"], team["warehouse"], team["customer_service"]
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    topics = {"low_stock": {"email": True, "sms": True, "extra_phones": [mobile]}}
    assert owner.put("/settings/notifications", json={"version": 0, "topics": topics}).status_code == 200
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 10)
    assert threshold(owner, prd, 0, 5)["warehouses"][0]["low"] is False
    sell(owner, prd, 0, 3)  # 7 left: above
    sell(owner, prd, 0, 2)  # 5 left: at the safety stock -> the alert
    sell(owner, prd, 0, 1)  # 4: still low, no second alert
    assert reserve(owner, f"ord_{uuid.uuid4().hex[:8]}", [(prd, 0, 2)]).status_code == 201  # 2 available

    [note] = eventually(lambda: notes(keeper, "low_stock"), timeout=40)
    assert note["title"]["zh-CN"].startswith("库存预警") and note["title"]["en"].startswith("Low stock")
    assert prd["name"] in note["title"]["zh-CN"] and "红色 / S" in note["title"]["en"]
    assert "可用库存 5" in note["body"]["zh-CN"] and "预警值 5" in note["body"]["zh-CN"]
    assert "5 available" in note["body"]["en"] and note["link"] == f"/inventory/stock/{sku_id}"
    assert note["data"]["warehouse_id"] == "wh_default" and note["data"]["threshold"] == 5
    assert len(eventually(lambda: notes(owner, "low_stock"))) == 1
    assert notes(service, "low_stock") == []  # customer service views stock, does not act on it
    [mail] = eventually(lambda: sent_emails(system, login_of(owner)))
    assert "库存预警" in mail["subject"] and "Low stock" in mail["subject"]
    assert len(eventually(lambda: sent_sms(system, mobile))) == 1
    assert sent_emails(system, login_of(service)) == []

    receive(owner, prd, 0, 10)  # 12 available: above again, re-armed (no event for that)
    sell(owner, prd, 0, 8)  # 4 available: the second crossing
    eventually(lambda: len(notes(keeper, "low_stock")) == 2, timeout=40)
    time.sleep(3)  # anything else in flight would land now
    assert len(notes(keeper, "low_stock")) == 2 and len(notes(owner, "low_stock")) == 2
    assert len(sent_sms(system, mobile)) == 2
    lows = [e for e in eventually(lambda: len(probe.drain()) >= 2 and probe.seen) if e["detail-type"] == "StockLow"]
    assert [(e["detail"]["available"], e["detail"]["threshold"]) for e in lows] == [(5, 5), (4, 5)]
    assert stock(owner, sku_id)["warehouses"][0]["low"] is True
    assert_ledger_consistent(owner, sku_id)


def test_a_stocklow_event_delivered_twice_notifies_nobody_twice(system, team, probe):
    from shared.inventory.events import StockLow
    from shared.keys import shop_pk
    from shared.notifications.delivery import send
    from shared.notifications.tables import DeliveryRecord
    from shared.notifications.triggers import builder

    owner, keeper = team["owner"], team["warehouse"]
    prd = product(owner)
    receive(owner, prd, 1, 3)
    threshold(owner, prd, 1, 3)  # a threshold at the current stock: low now, one alert
    [event] = eventually(lambda: probe.drain())
    eventually(lambda: notes(keeper, "low_stock"))
    # The first delivery is finished (notes, then e-mail/SMS, then the marker): a redelivery
    # racing an unfinished one is SQS's visibility timeout's business, not this test's.
    marker = (shop_pk(owner.shop_id), f"DELIVERY#{event['detail']['event_id']}")
    eventually(lambda: DeliveryRecord.get(*marker, consistent_read=True).status == "done")
    again = builder("StockLow")(StockLow.model_validate(event["detail"]))  # type: ignore[misc]
    assert again is not None and send(again).duplicate is True
    boto3.client("events").put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"],
                                                "Detail": json.dumps(event["detail"]),
                                                "EventBusName": system.env["EVENT_BUS_NAME"]}])
    eventually(lambda: len(probe.drain()) >= 2)  # the replay went round the bus
    time.sleep(3)
    assert len(notes(keeper, "low_stock")) == 1 and len(notes(owner, "low_stock")) == 1
    assert len(sent_emails(system, login_of(owner))) == 1


def test_a_flash_sale_sku_alerts_on_the_sum_of_its_shards(team, probe):
    owner, keeper = team["owner"], team["warehouse"]
    prd = product(owner)
    receive(owner, prd, 2, 40)
    view = threshold(owner, prd, 2, 10, shards=4)
    assert view["warehouses"][0]["shards"] == 4
    for _ in range(6):
        assert reserve(owner, f"ord_{uuid.uuid4().hex[:8]}", [(prd, 2, 5)]).status_code == 201  # 10 left
    [event] = eventually(lambda: probe.drain())
    assert (event["detail"]["available"], event["detail"]["threshold"]) == (10, 10)
    assert reserve(owner, f"ord_{uuid.uuid4().hex[:8]}", [(prd, 2, 3)]).status_code == 201
    time.sleep(3)
    assert len(probe.drain()) == 1
    assert len(eventually(lambda: notes(keeper, "low_stock"))) == 1


def test_the_daily_digest_lists_the_low_skus_once_a_day(system, team):
    owner, keeper = team["owner"], team["warehouse"]
    prd = product(owner)
    for sku, qty in ((0, 2), (1, 8), (3, 20)):
        receive(owner, prd, sku, qty)
    threshold(owner, prd, 0, 5)
    threshold(owner, prd, 1, 8)
    threshold(owner, prd, 3, 5)  # 20 > 5: not low

    def fire() -> dict:
        answer = requests.post(f"{system.url}/__local/fire", json={"schedule": DIGEST}, timeout=120)
        assert answer.status_code == 200, answer.text
        return dict(answer.json()["result"])

    assert fire()["digests"] >= 1
    [digest] = eventually(lambda: notes(keeper, "stock_digest"), timeout=40)
    assert digest["data"]["count"] == 2 and "2" in digest["title"]["zh-CN"]
    for sku in (0, 1):
        assert " / ".join(prd["skus"][sku]["values"]) in digest["body"]["zh-CN"]
    assert " / ".join(prd["skus"][3]["values"]) not in digest["body"]["en"]
    assert digest["link"] == "/inventory/stock?low_only=true"
    fire()  # the same day again: nothing new
    time.sleep(3)
    assert len(notes(keeper, "stock_digest")) == 1 and len(notes(owner, "stock_digest")) == 1
    assert len([m for m in sent_emails(system, login_of(owner)) if "库存日报" in m["subject"]]) == 1
