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
EXAMPLES = {"owner": 4, "warehouse": 3}


@pytest.fixture(scope="module")
def target(system: background.RunningSystem) -> harness.Target:
    return harness.prepare(system.url, DEMO_SHOP_ID, list(EXAMPLES))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", list(EXAMPLES))
def test_every_operation_answers_generated_requests_as_documented(target: harness.Target, role: str,
                                                                  tmp_path: Path) -> None:
    outcome = harness.run(target, role, examples=EXAMPLES[role], seed=SEED, report_dir=tmp_path)
    print(harness.Totals([outcome]).table())
    assert outcome.report, f"schemathesis wrote no report:\n{outcome.output[-6000:]}"
    # Every operation of the document was exercised, not skipped or errored.
    ops = outcome.report["operations"]
    assert ops["tested"] == ops["total"] >= 100 and ops["errored"] == 0, ops
    assert not outcome.failed, outcome.output[-30000:]
