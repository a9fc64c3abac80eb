"""Pure parts of the local runtime: schedule expressions and event filter patterns."""
from datetime import UTC, datetime

import pytest

from infra.runtime.pollers import matches
from infra.runtime.scheduler import next_fire

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_rate_expressions_add_their_interval():
    assert (next_fire("rate(5 minutes)", T0) - T0).total_seconds() == 300
    assert (next_fire("rate(1 day)", T0) - T0).total_seconds() == 86400


def test_aws_cron_with_question_mark_and_year_fires_at_the_next_matching_minute():
    assert next_fire("cron(10 16 * * ? *)", T0) == datetime(2026, 11, 26, 16, 10, tzinfo=UTC)


def test_unknown_expressions_are_refused():
    with pytest.raises(ValueError):
        next_fire("every day", T0)


OUTBOX = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "OUTBOX#"}]}}}}


def record(event_name, sk):
    return {"eventName": event_name, "dynamodb": {"Keys": {"sk": {"S": sk}}}}


def test_outbox_filter_takes_only_inserted_outbox_items():
    assert matches(OUTBOX, record("INSERT", "OUTBOX#evt_1"))
    assert not matches(OUTBOX, record("MODIFY", "OUTBOX#evt_1"))
    assert not matches(OUTBOX, record("INSERT", "SETTINGS"))
    assert not matches(OUTBOX, {"eventName": "INSERT"})


def test_path_parameters_of_template_routes_are_matched():
    from infra.stack import Stack

    routes = {(r.method, r.path): r for r in Stack.load(region="us-east-1", prefix="t").routes()}
    found = routes[("POST", "/staff/{user_id}/disable")].pattern.match("/staff/abc-123/disable")
    assert found and found.groupdict() == {"user_id": "abc-123"}
    assert not routes[("POST", "/staff/{user_id}/disable")].pattern.match("/staff/a/b/disable")
