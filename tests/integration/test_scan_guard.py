"""The Scan guard's own test (infra/runtime/guard.py): a DynamoDB Scan made while an API request
is served fails that request (with SHOPDESK_FORBID_SCAN=1, as the suite runs) and is counted; a
Query there is fine; a Scan outside any request (a scheduled job, in another thread at the same
moment) is not refused. Real calls to DynamoDB Local through botocore, the hook the gateway uses."""
from __future__ import annotations

import threading

import boto3
import pytest

from infra.runtime import guard
from shared.keys import shop_pk
from shared.settings.tables import SETTINGS_SK


@pytest.fixture
def settings_table(system, monkeypatch) -> str:
    monkeypatch.setenv("SHOPDESK_FORBID_SCAN", "1")
    guard.install()
    return str(system.env["SETTINGS_TABLE"])


def test_a_scan_inside_an_api_request_is_refused_and_counted(settings_table, owner):
    dynamodb = boto3.client("dynamodb")
    before = guard.counters["api_scans"]
    with guard.api_request(), pytest.raises(guard.ScanInRequestPath, match=settings_table):
        dynamodb.scan(TableName=settings_table, Limit=1)
    assert guard.counters["api_scans"] == before + 1
    with guard.api_request():  # a Query, which is what a request should do, goes through
        found = dynamodb.query(TableName=settings_table, KeyConditionExpression="pk = :pk AND sk = :sk",
                               ExpressionAttributeValues={":pk": {"S": shop_pk(owner.shop_id)}, ":sk": {"S": SETTINGS_SK}})
    assert found["Count"] == 1
    assert guard.counters["api_scans"] == before + 1


def test_a_scan_outside_requests_is_allowed_even_while_a_request_runs(settings_table, owner):
    dynamodb = boto3.client("dynamodb")
    inside, outside = threading.Event(), {}

    def scheduled_job() -> None:
        inside.wait(10)
        outside["items"] = dynamodb.scan(TableName=settings_table, Limit=1)["Count"]

    job = threading.Thread(target=scheduled_job)
    job.start()
    with guard.api_request():
        inside.set()
        job.join(30)
    assert outside == {"items": 1}


def test_without_the_switch_a_scan_in_a_request_is_counted_not_refused(settings_table, monkeypatch):
    monkeypatch.delenv("SHOPDESK_FORBID_SCAN")
    before = guard.counters["api_scans"]
    with guard.api_request():
        boto3.client("dynamodb").scan(TableName=settings_table, Limit=1)
    assert guard.counters["api_scans"] == before + 1
