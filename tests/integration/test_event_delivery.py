"""No event is lost, and one id follows a request through its events (docs/security.md "No
event is lost", docs/architecture.md "Observability"):

- publishing that fails past the stream's retries leaves the batch's pointers in the table's
  on-failure queue, and the redrive delivers the event afterwards, once;
- the request id the API answers is the ``correlation_id`` of the event it caused, in the
  outbox publisher's error log and in the EMF metrics;
- a custom role's new permissions reach its members through the retried RoleModified consumer,
  even when the request that changed it died right after its commit;
- operator metrics (refused reservations) are written as EMF.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
import requests

from tests.integration.conftest import Api, bus_probe, eventually
from tests.integration.test_events import queue_url


def control(system, name: str, body: dict) -> dict:
    answer = requests.post(f"{system.url}/__local/{name}", json=body, timeout=120)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def waiting(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def probe(system, owner: Api) -> Iterator[Callable[[], list[dict]]]:
    """This shop's delivery-region changes as they arrive on the bus."""
    with bus_probe(system, {"detail-type": ["SettingsModified"],
                            "detail": {"shop_id": [owner.shop_id], "section": ["delivery_regions"]}}) as read:
        yield read


def audit_entries(api: Api, action: str) -> list[dict]:
    return [e for e in api.get("/audit", params={"action": action}).json()["items"]]


def test_an_event_whose_publishing_fails_past_its_retries_is_delivered_after_the_redrive(system, owner: Api, probe):
    failures = queue_url("SettingsOutboxFailureQueue")
    before = waiting(failures)
    # PutEvents fails for the settings table's publisher only; its stream retries come quickly.
    control(system, "faults", {"put_events": ["SettingsOutboxFunction"], "stream_retry_delay": 0.05})
    try:
        changed = owner.put("/settings/delivery-regions", json={"version": 0, "provinces": ["310000"]})
        assert changed.status_code == 200, changed.text
        request_id = changed.headers["x-amzn-RequestId"]
        eventually(lambda: waiting(failures) > before, timeout=60)
        assert probe() == []  # not on the bus
        assert not audit_entries(owner, "settings.delivery_regions")
    finally:
        control(system, "faults", {})
    # The failure was logged with the request's correlation id, for whoever investigates.
    log = Path(system.log).read_text(encoding="utf-8", errors="replace")
    failed_lines = [json.loads(line) for line in log.splitlines()
                    if line.startswith("{") and "publishing the outbox failed" in line]
    assert any(request_id in json.dumps(line.get("events")) for line in failed_lines)

    report = control(system, "redrive", {})
    assert report["redriven"] >= 1 and report["failed"] == 0, report
    assert waiting(failures) == 0
    [event] = eventually(probe)
    assert event["detail"]["new"] == {"provinces": ["310000"]}
    assert event["detail"]["correlation_id"] == request_id
    eventually(lambda: audit_entries(owner, "settings.delivery_regions"))
    # Redriving again finds nothing, and the audit log holds the change once.
    assert control(system, "redrive", {})["redriven"] == 0
    assert len(audit_entries(owner, "settings.delivery_regions")) == 1


def test_a_request_id_follows_the_request_into_its_event_and_the_publishers_metrics(system, owner: Api, probe):
    changed = owner.put("/settings/delivery-regions", json={"version": 0, "provinces": ["110000"]})
    assert changed.status_code == 200
    request_id = changed.headers["x-amzn-RequestId"]
    [event] = eventually(probe)
    assert event["detail"]["correlation_id"] == request_id
    metrics = Path(system.log).parent / "metrics.jsonl"

    def published() -> list[dict]:
        lines = [json.loads(line) for line in metrics.read_text().splitlines()] if metrics.exists() else []
        return [m for m in lines if "EventsPublished" in m and m.get("correlation_id") == request_id]

    [emf] = eventually(published)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ShopDesk"
    assert emf["function"] == "SettingsOutboxFunction" and emf["service"] == "shopdesk"


def test_a_role_change_reaches_its_members_even_if_the_request_died_after_its_commit(system, owner: Api, make_staff):
    from pynamodb.transactions import TransactWrite

    from shared.db import connection
    from shared.events.base import Actor, changed_fields
    from shared.events.outbox import outbox_item
    from shared.identity.events import RoleModified
    from shared.identity.tables import RoleRecord

    role = owner.post("/roles", json={"name_zh": "只看商品", "name_en": "Catalog viewer", "permissions": ["catalog.view"]})
    assert role.status_code == 201, role.text
    code = role.json()["code"]
    member = make_staff(owner.shop_id, code)  # holds the role; its permissions not resolved yet
    assert member.get("/settings").status_code == 403
    # What PUT /roles/{code} commits - the role and its RoleModified event in one transaction -
    # and nothing after it, as if the function had crashed right after the commit.
    rec = RoleRecord.get(f"SHOP#{owner.shop_id}", f"ROLE#{code}", consistent_read=True)
    old = {"name_zh": rec.name_zh, "name_en": rec.name_en, "permissions": sorted(rec.permissions)}
    new = {**old, "permissions": ["catalog.view", "settings.view"]}
    event = RoleModified(shop_id=owner.shop_id, actor=Actor(id="test"), resource_id=code, old=old, new=new,
                         changed=changed_fields(old, new))
    with TransactWrite(connection=connection()) as tx:
        tx.update(rec, actions=[RoleRecord.permissions.set(set(new["permissions"])), RoleRecord.version.add(1)],
                  condition=RoleRecord.version == rec.version)
        tx.save(outbox_item("IDENTITY_TABLE", event))
    eventually(lambda: member.get("/settings").status_code == 200, timeout=30)
    assert member.get("/me").json()["current"]["permissions"] == ["catalog.view", "settings.view"]


def test_a_refused_reservation_is_counted_for_the_operator(system, owner: Api):
    from tests.integration.inventory import product, receive

    prd = product(owner)
    receive(owner, prd, 0, 2)
    order = f"ord-{uuid.uuid4().hex[:8]}"
    refused = owner.post("/inventory/reservations", json={
        "order_id": order, "lines": [{"sku_id": prd["skus"][0]["id"], "product_id": prd["id"], "qty": 3}]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_stock"
    metrics = Path(system.log).parent / "metrics.jsonl"
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    [emf] = [m for m in lines if "ReservationsRefused" in m and m.get("order_id") == order]
    assert emf["shop_id"] == owner.shop_id and emf["correlation_id"] == refused.headers["x-amzn-RequestId"]
