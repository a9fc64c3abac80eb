"""The whole API fuzzed from its own OpenAPI document (schemathesis), a bounded pass in every
``make test``: as an owner and as a warehouse clerk of the demo shop, fixed seed, few examples
per operation. Any 5xx, an undocumented status, a body or content type that does not match the
document, or an unsupported method not answered 405 fails the test, and its output carries a
curl line reproducing each failing request. ``make fuzz`` is the deeper pass (tests/fuzz/deep.py).

This module runs last in the session (tests/integration/conftest.py): the fuzzer changes the
demo shop's records at random, which no other test may then depend on.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from infra import background
from infra.seed import DEMO_SHOP_ID
from tests.fuzz import harness

SEED = 19
# Bounded so the pass adds little to `make test`: the document's examples, a few generated
# requests per operation, and short stateful sequences along the document's links. The
# coverage phase (boundary values, every unsupported method) is `make fuzz`'s: 10x the requests.
EXAMPLES = {"owner": 3, "warehouse": 2}
PHASES = {"owner": "examples,fuzzing,stateful", "warehouse": "fuzzing"}


@pytest.fixture(scope="module")
def target(system: background.RunningSystem) -> harness.Target:
    return harness.prepare(system.url, DEMO_SHOP_ID, list(EXAMPLES))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", list(EXAMPLES))
def test_every_operation_answers_generated_requests_as_documented(target: harness.Target, role: str,
                                                                  tmp_path: Path) -> None:
    outcome = harness.run(target, role, examples=EXAMPLES[role], seed=SEED, report_dir=tmp_path,
                          phases=PHASES[role])
    print(harness.Totals([outcome]).table())
    assert outcome.report, f"schemathesis wrote no report:\n{outcome.output[-6000:]}"
    # Every operation the harness selects was exercised, not skipped or errored (the harness
    # leaves out only what would end its own session: see tests/fuzz/schemathesis.toml).
    ops = outcome.report["operations"]
    assert ops["tested"] == ops["selected"] >= 100 and ops["errored"] == 0, ops
    assert ops["total"] - ops["selected"] <= 1, ops
    assert not outcome.failed, outcome.output[-30000:]


def test_an_unsupported_method_answers_405_with_allow_and_the_error_shape(system: background.RunningSystem) -> None:
    import requests

    for method, path in (("TRACE", "/api/audit"), ("PUT", "/api/products/bulk-shelf"), ("BREW", "/api/settings")):
        answer = requests.request(method, f"{system.url}{path}", timeout=30)
        assert answer.status_code == 405, (method, path, answer.status_code)
        assert answer.json()["error"]["code"] == "method_not_allowed"
    answer = requests.request("TRACE", f"{system.url}/api/products/bulk-shelf", timeout=30)
    assert answer.headers["Allow"] == "OPTIONS, POST"


def test_dates_out_of_range_and_made_up_sessions_answer_4xx_naming_the_field(target: harness.Target) -> None:
    import requests

    headers = {"Authorization": f"Bearer {target.tokens['owner']}", "X-Shop-Id": target.shop_id}
    answer = requests.get(f"{target.url}/api/audit/export", params={"format": "xlsx", "resource": "stock",
                          "to": "1753-06-21T09:05:37.3Z"}, headers=headers, timeout=30)
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == "to", answer.text
    answer = requests.post(f"{target.url}/api/auth/new-password", json={
        "email": "owner@demo.shop", "session": "x" * 40, "new_password": "Made-up-pass-1"}, timeout=30)
    assert answer.status_code == 401 and answer.json()["error"]["details"]["field"] == "session", answer.text
    answer = requests.get(f"{target.url}/api/products/prd_{'x' * 2000}", headers=headers, timeout=30)
    assert answer.status_code == 404 and answer.json()["error"]["details"]["field"] == "product_id", answer.text
    answer = requests.get(f"{target.url}/api/audit", params={"cursor": "not-a-cursor"}, headers=headers, timeout=30)
    assert answer.status_code == 400 and answer.json()["error"]["details"]["field"] == "cursor", answer.text
