"""One ShopDesk per test session, started exactly as ``make run`` starts it, with its data in a
temporary folder; every test gets shops and staff of its own, so tests never share records.

The system runs with ``SHOPDESK_FORBID_SCAN=1``: any DynamoDB Scan made while serving an API
request fails that request, and ``no_scans`` fails the test that caused it.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from infra import background

PASSWORD = "Test-pass-1"


class Api:
    """An HTTP client of the local API as one signed-in staff member of one shop."""

    def __init__(self, base: str, token: str | None = None, shop_id: str | None = None, language: str = "en"):
        self.base, self.token, self.shop_id, self.language = base, token, shop_id, language
        self.http = requests.Session()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Accept-Language": self.language}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        if self.shop_id:
            h["X-Shop-Id"] = self.shop_id
        return {**h, **(extra or {})}

    def call(self, method: str, path: str, *, json: Any = None, data: Any = None,
             headers: dict[str, str] | None = None, params: dict[str, Any] | None = None) -> requests.Response:
        return self.http.request(method, f"{self.base}/api{path}", json=json, data=data, params=params,
                                 headers=self.headers(headers), timeout=30)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.call("PUT", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.call("POST", path, **kw)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fuzz pass (test_fuzz_*.py) changes the demo shop at random: it goes last."""
    items.sort(key=lambda item: item.path.name.startswith("test_fuzz"))


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[background.RunningSystem]:
    data = tmp_path_factory.mktemp("shopdesk-data")
    from tests.integration import receiver

    # The loopback ports outbound webhooks may reach in this session (tests/integration/receiver.py).
    running = background.start(Path(data), extra_env={"SHOPDESK_FORBID_SCAN": "1", **receiver.ENV})
    saved = dict(os.environ)
    # The test process talks to the same local cloud and tables (to create shops and staff).
    os.environ.update(running.env)
    from shared import aws, config

    config.reset()
    aws.reset()
    try:
        yield running
    finally:
        running.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(autouse=True)
def no_scans(request: pytest.FixtureRequest) -> Iterator[None]:
    if "system" not in request.fixturenames:
        yield
        return
    system = request.getfixturevalue("system")
    before = requests.get(f"{system.url}/__local/guard", timeout=10).json()["api_scans"]
    yield
    after = requests.get(f"{system.url}/__local/guard", timeout=10).json()["api_scans"]
    assert after == before, f"{after - before} DynamoDB Scan(s) were issued while serving API requests"


def sign_in(system: background.RunningSystem, email: str, password: str = PASSWORD) -> str:
    answer = requests.post(f"{system.url}/api/auth/signin", json={"email": email, "password": password}, timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id_token"])


@pytest.fixture
def make_staff(system: background.RunningSystem) -> Callable[..., Api]:
    """``make_staff(shop_id, role)`` -> an Api signed in as a new staff member with that role."""
    from shared.identity import access, signin

    def make(shop_id: str, role: str = "owner", language: str = "en") -> Api:
        email = f"{role}-{uuid.uuid4().hex[:8]}@test.shop"
        user_id = signin.create_staff_login(email, PASSWORD)
        access.upsert_user(user_id, email, role)
        access.add_member(user_id, shop_id, {role})
        return Api(system.url, sign_in(system, email), shop_id, language)

    return make


def new_shop(name: str | None = None) -> str:
    """A new shop, once its ShopCreated event has been consumed (its profile then carries its name)."""
    from shared.identity import access
    from shared.settings import service

    shop = access.create_shop(name or f"测试店铺 {uuid.uuid4().hex[:6]}")
    eventually(lambda: service.get_settings(shop).profile.version >= 1)
    return shop


@pytest.fixture
def shop_id(system: background.RunningSystem) -> str:
    return new_shop()


@pytest.fixture
def owner(shop_id: str, make_staff: Callable[..., Api]) -> Api:
    return make_staff(shop_id, "owner")


def eventually(check: Callable[[], Any], timeout: float = 20, interval: float = 0.2) -> Any:
    """Poll until ``check`` returns something truthy (events are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s (last: {result!r})")
        time.sleep(interval)


@contextmanager
def bus_probe(system: background.RunningSystem, pattern: dict[str, Any]) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """A queue that receives the events of the bus matching ``pattern``; yields ``read()``,
    which answers (and removes) the events that arrived since the last read."""
    import boto3

    events, sqs, bus = boto3.client("events"), boto3.client("sqs"), system.env["EVENT_BUS_NAME"]
    url = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"probe-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "probe", "Arn": arn}])

    def read() -> list[dict[str, Any]]:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return [json.loads(m["Body"]) for m in got]

    try:
        yield read
    finally:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=["probe"])
        events.delete_rule(Name=rule, EventBusName=bus)
        sqs.delete_queue(QueueUrl=url)
