"""The one consumer helper (shared/events/consumer.py): typed records, only the failed ones
retried, the correlation id carried from the event into the handler's logs and the events it
creates, failures counted for the operator."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest

from shared import observability
from shared.events.base import Actor
from shared.events.consumer import consume, consume_messages
from shared.identity.events import ShopCreated, StaffDisabled
from shared.uploads import S3Notification


@dataclass
class Context:
    function_name: str = "SettingsShopCreatedFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:SettingsShopCreatedFunction"
    aws_request_id: str = "req-1"


def message(detail: dict, detail_type: str = "ShopCreated", source: str = "shopdesk.identity") -> str:
    return json.dumps({"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type, "source": source,
                       "account": "123456789012", "time": "2026-12-07T00:00:00Z", "region": "us-east-1",
                       "resources": [], "detail": detail})


def sqs_event(*bodies: str) -> dict:
    return {"Records": [{"messageId": f"m{i}", "receiptHandle": f"r{i}", "body": body, "attributes": {
        "ApproximateReceiveCount": "1", "SentTimestamp": "1", "SenderId": "x", "ApproximateFirstReceiveTimestamp": "1"},
        "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}
        for i, body in enumerate(bodies)]}


def shop_created(shop: str, correlation: str | None = "corr-1") -> dict:
    return ShopCreated(shop_id=shop, resource_id=shop, new={"name": "花间集"}, actor=Actor(id="u1"),
                       correlation_id=correlation).model_dump(mode="json")


@pytest.fixture
def metrics_file(tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("SHOPDESK_METRICS_FILE", str(path))
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    return path


def test_only_the_failed_and_the_poisoned_records_are_reported_for_retry(metrics_file):
    handled: list[ShopCreated] = []

    def handle(event: ShopCreated) -> None:
        if event.shop_id == "shp_broken":
            raise RuntimeError("the handler failed")
        handled.append(event)

    answer = consume(sqs_event(
        message(shop_created("shp_1")),
        "not json at all",
        message(shop_created("shp_broken")),
        message({"shop_id": "shp_2", "resource_id": "u"}, detail_type="StaffDisabled"),  # not this consumer's type
        message({"shop_id": "shp_3"}),  # a ShopCreated without its fields
        message(shop_created("shp_4")),
    ), Context(), ShopCreated, handle)
    assert sorted(f["itemIdentifier"] for f in answer["batchItemFailures"]) == ["m1", "m2", "m3", "m4"]
    assert [type(e) for e in handled] == [ShopCreated, ShopCreated]
    assert [e.shop_id for e in handled] == ["shp_1", "shp_4"] and handled[0].new == {"name": "花间集"}
    failures = [json.loads(line) for line in metrics_file.read_text().splitlines()]
    assert [f["ConsumerFailures"] for f in failures] == [[1.0]] * 4
    assert {f["consumer"] for f in failures} == {"SettingsShopCreatedFunction"}
    assert any(f.get("detail_type") == "ShopCreated" and "the handler failed" in f["error"] for f in failures)


def test_the_handler_runs_under_the_events_correlation_id_and_new_events_inherit_it(metrics_file):
    seen: list[tuple[str | None, str | None]] = []

    def handle(event: ShopCreated) -> None:
        caused = StaffDisabled(shop_id=event.shop_id, resource_id="u2")
        seen.append((observability.correlation_id(), caused.correlation_id))

    consume(sqs_event(message(shop_created("shp_1", "req-abc")), message(shop_created("shp_2", "req-def"))),
            Context(), ShopCreated, handle)
    assert seen == [("req-abc", "req-abc"), ("req-def", "req-def")]
    assert observability.correlation_id() is None  # nothing leaks past the invocation


def test_a_consumer_may_take_several_event_types_and_gets_each_as_its_own_class(metrics_file):
    got: list[type] = []
    disabled = StaffDisabled(shop_id="shp_1", resource_id="u9").model_dump(mode="json")
    answer = consume(sqs_event(message(shop_created("shp_1")), message(disabled, detail_type="StaffDisabled")),
                     Context(), (ShopCreated, StaffDisabled), lambda e: got.append(type(e)))
    assert answer["batchItemFailures"] == [] and got == [ShopCreated, StaffDisabled]


def test_an_event_from_another_source_under_a_known_name_is_refused(metrics_file):
    answer = consume(sqs_event(message(shop_created("shp_1"), source="evil.source")), Context(), ShopCreated,
                     lambda e: None)
    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == ["m0"]


def test_other_messages_are_parsed_as_their_model(metrics_file):
    keys: list[list[str]] = []
    body = json.dumps({"Records": [{"eventName": "ObjectCreated:Post", "s3": {"object": {"key": "uploads%2Fa.png"}}}]})
    answer = consume_messages(sqs_event(body, json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}), "[1, 2]"),
                              Context(), S3Notification, lambda n: keys.append(n.created_keys()))
    assert keys == [["uploads/a.png"], []]
    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == ["m2"]


def test_an_outbox_batch_mixing_two_requests_counts_each_requests_events_under_its_own_id(metrics_file, monkeypatch):
    from shared.events import outbox

    monkeypatch.setattr(outbox, "put_entries", lambda entries: None)  # the bus itself is not under test here

    def insert(detail: dict) -> dict:
        return {"eventName": "INSERT", "dynamodb": {"NewImage": {
            "sk": {"S": f"{outbox.OUTBOX_PREFIX}{uuid.uuid4()}"}, "source": {"S": "shopdesk.identity"},
            "detail_type": {"S": "ShopCreated"}, "detail": {"S": json.dumps(detail)}}}}

    batch = {"Records": [insert(shop_created("shp_1", "req-a")), insert(shop_created("shp_2", "req-b")),
                         insert(shop_created("shp_3", "req-a"))]}
    assert outbox.publisher()(batch, Context(function_name="IdentityOutboxFunction")) == {"published": 3}
    lines = [json.loads(line) for line in metrics_file.read_text().splitlines()]
    assert sorted((m["correlation_id"], m["EventsPublished"]) for m in lines) == [("req-a", [2.0]), ("req-b", [1.0])]
    assert {m["function"] for m in lines} == {"IdentityOutboxFunction"}
