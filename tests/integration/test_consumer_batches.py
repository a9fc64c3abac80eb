"""A consumer fed a batch of good and poisoned messages: the good ones take effect once, only
the poisoned ones come back (``batchItemFailures``), and after ``maxReceiveCount`` receives only
they land in the dead-letter queue. Behaviour, through the function the template names (the same
in-process invocation the local runtime's SQS poller makes) and through the real queue."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3

from infra.runtime.functions import Function
from infra.stack import Stack
from tests.integration.conftest import Api, eventually
from tests.integration.test_events import drained, envelope, queue_url

CONSUMER = "AuditConsumerFunction"


def consumer() -> Function:
    stack = Stack.load(region="us-east-1", prefix="batch")
    return Function(CONSUMER, stack.functions()[CONSUMER], max_containers=1)


def batch(bodies: list[str]) -> tuple[dict[str, Any], list[str]]:
    """An SQS event as Lambda delivers it: every record with its own message id."""
    ids = [str(uuid.uuid4()) for _ in bodies]
    records = [{"messageId": i, "receiptHandle": f"rh-{i}", "body": b,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(int(time.time() * 1000)),
                               "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000))},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{CONSUMER}", "awsRegion": "us-east-1"}
               for i, b in zip(ids, bodies, strict=True)]
    return {"Records": records}, ids


def come_back(fn: Function, event: dict[str, Any]) -> list[str]:
    """The ids of the records Lambda would deliver again: those named in ``batchItemFailures``,
    or all of them when the invocation fails (powertools raises when every record failed)."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    try:
        answer = fn.invoke(event)
    except BatchProcessingError:
        return sorted(r["messageId"] for r in event["Records"])
    return sorted(f["itemIdentifier"] for f in answer["batchItemFailures"])


def entries(api: Api, actor: str) -> list[dict[str, Any]]:
    return [e for e in api.get("/audit", params={"limit": 100}).json()["items"] if e["actor"]["id"] == actor]


def good_events(shop_id: str, actor: str, names: list[str]) -> list[str]:
    """Audit-able events by ``actor``, each naming one of ``names`` as the new shop name."""
    out = []
    for name in names:
        event = envelope(shop_id, f"evt_{uuid.uuid4().hex}")
        event["detail"]["actor"] = {"id": actor}
        event["detail"]["new"] = {"name": name}
        out.append(json.dumps(event))
    return out


def poisoned() -> list[str]:
    return ["{not json", json.dumps({"detail-type": "SettingsModified", "source": "shopdesk.settings", "id": "x",
                                     "detail": {"event_id": f"evt_{uuid.uuid4().hex}"}})]  # no shop: unrecordable


def test_only_the_poisoned_messages_of_a_batch_come_back_and_the_good_ones_take_effect_once(owner: Api):
    actor = f"batch-{uuid.uuid4().hex[:8]}"
    good = good_events(owner.shop_id, actor, [f"good {n}" for n in range(3)])
    bad = poisoned()
    bodies = [good[0], bad[0], good[1], bad[1], good[2]]
    event, ids = batch(bodies)
    fn = consumer()

    assert come_back(fn, event) == sorted([ids[1], ids[3]])
    recorded = entries(owner, actor)
    assert sorted(e["after"]["name"] for e in recorded) == ["good 0", "good 1", "good 2"]

    # Lambda redelivers what failed; a second delivery of everything changes nothing either.
    again, again_ids = batch([bad[0], bad[1]])
    assert come_back(fn, again) == sorted(again_ids)
    everything, every_id = batch(bodies)
    assert come_back(fn, everything) == sorted([every_id[1], every_id[3]])
    assert sorted(e["id"] for e in entries(owner, actor)) == sorted(e["id"] for e in recorded)


def test_through_the_queue_only_the_poisoned_messages_reach_the_dead_letter_queue(owner: Api):
    sqs = boto3.client("sqs")
    url, dlq = queue_url("AuditQueue"), queue_url("AuditDeadLetterQueue")
    actor = f"queue-{uuid.uuid4().hex[:8]}"
    good = good_events(owner.shop_id, actor, [f"queued {n}" for n in range(4)])
    bad = poisoned()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})  # retry within the test
    time.sleep(1.5)  # a long poll already waiting keeps the timeout it started with
    try:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b}
                                                      for i, b in enumerate([good[0], bad[0], good[1], good[2],
                                                                             bad[1], good[3]])])
        eventually(lambda: len(entries(owner, actor)) == 4)
        dead: list[str] = []

        def both_dead() -> bool:
            for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"])
                if m["Body"] in bad or m["Body"] in good:
                    dead.append(m["Body"])
            return len(dead) >= 2

        eventually(both_dead, timeout=90)
        assert sorted(dead) == sorted(bad)
        eventually(lambda: drained(url))
        assert sorted(e["after"]["name"] for e in entries(owner, actor)) == [f"queued {n}" for n in range(4)]
    finally:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
