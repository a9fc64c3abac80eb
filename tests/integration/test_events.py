"""Events: a settings change reaches the bus through the Streams outbox and the audit consumer
records it once, however often it is delivered; a poison message ends in the DLQ."""
from __future__ import annotations

import json
import time
import uuid

import boto3

from tests.integration.conftest import Api, eventually


def queue_url(logical: str) -> str:
    sqs = boto3.client("sqs")
    return next(u for u in sqs.list_queues()["QueueUrls"] if u.lower().endswith(f"-{logical.lower()}"))


def drained(url: str) -> bool:
    """Nothing waiting and nothing in flight (a message being handled is deleted only after)."""
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def audit_count(api: Api) -> int:
    return len(api.get("/audit").json()["items"])


def envelope(shop_id: str, event_id: str) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "SettingsModified", "source": "shopdesk.settings",
            "account": "123456789012", "time": "2026-11-26T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": {"event_id": event_id, "shop_id": shop_id, "occurred_at": "2026-11-26T00:00:00.000Z",
                       "version": 1, "actor": {"id": "tester"}, "section": "profile",
                       "old": {"name": "a"}, "new": {"name": "b"}, "changed": ["name"]}}


def test_the_same_event_delivered_twice_is_recorded_once(owner: Api):
    sqs = boto3.client("sqs")
    url = queue_url("AuditQueue")
    event_id = f"evt_{uuid.uuid4().hex}"
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope(owner.shop_id, event_id)))
    eventually(lambda: audit_count(owner) >= 1)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope(owner.shop_id, event_id)))
    eventually(lambda: int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                           ["ApproximateNumberOfMessages"]) == 0)
    items = owner.get("/audit").json()["items"]
    assert [i["id"] for i in items].count(event_id.removeprefix("evt_")) == 1
    assert len([i for i in items if i["actor"]["id"] == "tester"]) == 1


def test_a_settings_change_is_published_on_the_bus_with_old_new_and_changed(owner: Api, system):
    events = boto3.client("events")
    sqs = boto3.client("sqs")
    bus = system.env["EVENT_BUS_NAME"]
    probe = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=probe, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"probe-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=bus,
                    EventPattern=json.dumps({"detail-type": ["SettingsModified"],
                                             # the new shop's own profile event may still be on its way
                                             "detail": {"shop_id": [owner.shop_id], "section": ["delivery_regions"]}}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "probe", "Arn": arn}])
    try:
        owner.put("/settings/delivery-regions", json={"version": 0, "provinces": ["110000"]})
        got = eventually(lambda: sqs.receive_message(QueueUrl=probe, WaitTimeSeconds=1).get("Messages"))
        detail = json.loads(got[0]["Body"])["detail"]
        assert detail["section"] == "delivery_regions" and detail["changed"] == ["provinces"]
        assert detail["old"] == {"provinces": []} and detail["new"] == {"provinces": ["110000"]}
        assert detail["version"] == 1 and detail["event_id"].startswith("evt_")
        assert detail["actor"]["email"].endswith("@test.shop")
    finally:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["probe"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=probe)


def test_a_message_that_always_fails_ends_in_the_dead_letter_queue(owner: Api):
    sqs = boto3.client("sqs")
    url, dlq = queue_url("AuditQueue"), queue_url("AuditDeadLetterQueue")
    # Retry quickly for this test (the template's 60 s visibility timeout would take minutes).
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    time.sleep(1.5)  # a long poll already waiting keeps the timeout it started with
    try:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"not": "an event"}))
        got = eventually(lambda: sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages"), timeout=60)
        assert json.loads(got[0]["Body"]) == {"not": "an event"}
        sqs.delete_message(QueueUrl=dlq, ReceiptHandle=got[0]["ReceiptHandle"])
    finally:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})


def test_a_replayed_event_never_overwrites_the_first_entry(owner: Api):
    """The audit writer puts with ``attribute_not_exists``: the same event id again, even with
    other content (a forged or corrupted replay), leaves the first entry as it was."""
    from shared.identity.audit import record
    from shared.settings.events import SettingsModified

    event_id = f"evt_{uuid.uuid4().hex}"
    first = envelope(owner.shop_id, event_id)
    replay = envelope(owner.shop_id, event_id)
    replay["detail"].update(actor={"id": "someone-else"}, new={"name": "forged"})
    assert record(SettingsModified.model_validate(first["detail"])) is True
    assert record(SettingsModified.model_validate(replay["detail"])) is False
    sqs = boto3.client("sqs")
    url = queue_url("AuditQueue")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(replay))
    eventually(lambda: drained(url))
    [entry] = [e for e in owner.get("/audit").json()["items"] if e["id"] == event_id.removeprefix("evt_")]
    assert entry["actor"]["id"] == "tester" and entry["after"] == {"name": "b"}
