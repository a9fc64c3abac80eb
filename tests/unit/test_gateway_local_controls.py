"""The gateway's ``/__local`` controls exist only when the local system hands them in, and the
template declares no such route (issue 9, point 11). A gateway on a loopback port, no cloud."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from infra.runtime.gateway import Gateway
from infra.stack import TEMPLATE, Stack, load_template


def serve(controls):  # type: ignore[no-untyped-def]
    stack = Stack.load(region="us-east-1", prefix="unit")
    gateway = Gateway(stack, pool=None, verifiers={}, stage="local", openapi=dict,  # type: ignore[arg-type]
                      controls=controls)
    return gateway, f"http://127.0.0.1:{gateway.serve('127.0.0.1', 0)}"


@pytest.fixture
def without_controls() -> Iterator[str]:
    gateway, url = serve(None)
    yield url
    gateway.stop()


@pytest.fixture
def with_controls() -> Iterator[tuple[str, list[dict]]]:
    calls: list[dict] = []
    gateway, url = serve({"health": lambda body: {"ok": True}, "poke": lambda body: calls.append(body) or {"ok": 1}})
    yield url, calls
    gateway.stop()


def test_a_gateway_not_given_controls_has_no_local_endpoints(without_controls: str):
    for path in ("/__local/health", "/__local/guard", "/__local/fire"):
        assert requests.get(without_controls + path, timeout=10).status_code == 404
        assert requests.post(without_controls + path, json={}, timeout=10).status_code in (404, 405)  # a static path


def test_controls_answer_same_origin_json_and_nothing_else(with_controls):
    url, calls = with_controls
    assert requests.get(url + "/__local/health", timeout=10).json() == {"ok": True}
    assert requests.post(url + "/__local/poke", json={"n": 1}, headers={"Origin": url}, timeout=10).status_code == 200
    refused = [
        requests.post(url + "/__local/poke", data='{"n": 2}', headers={"Content-Type": "text/plain"}, timeout=10),
        requests.post(url + "/__local/poke", data={"n": "3"}, timeout=10),
        requests.post(url + "/__local/poke", json={"n": 4}, headers={"Origin": "http://127.0.0.1:1"}, timeout=10),
        requests.post(url + "/__local/poke", json={"n": 5}, headers={"Sec-Fetch-Site": "same-site"}, timeout=10),
        requests.post(url + "/__local/poke", json={"n": 6}, headers={"Host": "rebound.example"}, timeout=10),
        requests.put(url + "/__local/poke", json={"n": 7}, timeout=10),
    ]
    assert [r.status_code for r in refused] == [415, 415, 403, 403, 403, 405]
    assert calls == [{"n": 1}]
    assert all("Access-Control-Allow-Origin" not in r.headers for r in refused)


def test_the_template_has_no_local_route_and_never_sets_the_local_allowances():
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "__local" not in text and "__local" not in repr(load_template())
    assert "SHOPDESK_LOCAL_WEBHOOK_PORTS" not in text and "SHOPDESK_CORS_ORIGINS" not in text
