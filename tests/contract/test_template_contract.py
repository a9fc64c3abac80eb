"""template.yaml is the one description of the infrastructure: these tests keep the code and
the template from drifting apart (routes, handlers, tables, indexes, queues, events, OpenAPI)."""
from __future__ import annotations

import importlib.util
import inspect
import json
import sys
from pathlib import Path

import pytest

from infra.stack import ROOT, Stack
from shared.db import ShopItem
from shared.events.registry import EVENTS, SCHEMA_DIR, render

STACK = Stack.load(region="us-east-1", prefix="contract")
FUNCTIONS = STACK.functions()


def load_module(logical: str):
    props = FUNCTIONS[logical]
    module_file = props["Handler"].rpartition(".")[0]
    path = ROOT / props["CodeUri"] / f"{module_file}.py"
    name = f"_contract_{logical}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


API_FUNCTIONS = [n for n, p in FUNCTIONS.items() if any(e["Type"] == "Api" for e in p.get("Events", {}).values())]


@pytest.mark.parametrize("logical", sorted(FUNCTIONS))
def test_every_handler_in_the_template_exists_in_its_code(logical):
    attr = FUNCTIONS[logical]["Handler"].rpartition(".")[2]
    assert callable(getattr(load_module(logical), attr, None)), f"{logical}: {FUNCTIONS[logical]['Handler']} not found"


@pytest.mark.parametrize("logical", sorted(API_FUNCTIONS))
def test_routes_in_code_and_api_events_in_the_template_are_the_same_both_ways(logical):
    app = load_module(logical).app
    in_code = {(s.method, s.path) for s in app.specs}
    chalice_routes = {(m, path) for path, methods in app.chalice.routes.items() for m in methods}
    in_template = {(r.method, r.path) for r in STACK.routes() if r.function == logical}
    assert in_code == chalice_routes
    assert in_code - in_template == set(), f"routes without a template API event: {in_code - in_template}"
    assert in_template - in_code == set(), f"template API events without a route: {in_template - in_code}"


@pytest.mark.parametrize("logical", sorted(API_FUNCTIONS))
def test_public_routes_are_exactly_those_without_the_authorizer(logical):
    app = load_module(logical).app
    public_in_code = {(s.method, s.path) for s in app.specs if s.access == "public"}
    public_in_template = {(r.method, r.path) for r in STACK.routes() if r.function == logical and r.public}
    assert public_in_code == public_in_template


def test_every_route_demands_a_permission_unless_declared_public_or_signed_in():
    for logical in API_FUNCTIONS:
        for spec in load_module(logical).app.specs:
            assert spec.access == "public" or spec.permission, f"{spec.method} {spec.path} has no permission"


def _models() -> list[type[ShopItem]]:
    import shared.catalog.tables
    import shared.events.outbox
    import shared.identity.audit
    import shared.identity.tables
    import shared.inventory.tables
    import shared.purchasing.tables
    import shared.settings.tables  # noqa: F401

    seen, todo = [], list(ShopItem.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if hasattr(cls.Meta, "table_env"):
            seen.append(cls)
    return seen


def _table_of(env_name: str) -> dict:
    ref = STACK.template["Globals"]["Function"]["Environment"]["Variables"].get(env_name)
    assert ref and "Ref" in ref, f"{env_name} is not a table variable of the template's Globals"
    return STACK.resources[ref["Ref"]]["Properties"]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_table_and_index_the_code_uses_exists_in_the_template_with_its_keys(model):
    table = _table_of(model.Meta.table_env)
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    assert keys == {"HASH": model._hash_keyname, "RANGE": model._range_keyname}
    declared = {g["IndexName"]: {k["KeyType"]: k["AttributeName"] for k in g["KeySchema"]}
                for g in table.get("GlobalSecondaryIndexes", [])}
    for name, index in model._indexes.items():
        index_keys = {k["KeyType"]: k["AttributeName"] for k in index._get_schema()["key_schema"]}
        assert declared.get(name) == index_keys, f"{model.__name__} uses index {name} with keys {index_keys}"


def test_outbox_tables_have_a_stream_a_ttl_and_a_publisher():
    publishers = {p["Stream"]["Fn::GetAtt"][0] for _, _, p in STACK.events_of("DynamoDB")}
    for env_name in ("SETTINGS_TABLE", "IDENTITY_TABLE", "CATALOG_TABLE", "INVENTORY_TABLE", "PURCHASING_TABLE"):
        logical = STACK.template["Globals"]["Function"]["Environment"]["Variables"][env_name]["Ref"]
        props = STACK.resources[logical]["Properties"]
        assert props["StreamSpecification"]["StreamViewType"] in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
        assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
        assert logical in publishers


def test_every_queue_consumer_reports_partial_failures_and_its_queue_has_a_dlq():
    for function, _, props in STACK.events_of("SQS"):
        assert props.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], function
        queue = props["Queue"]["Fn::GetAtt"][0]
        assert "RedrivePolicy" in STACK.resources[queue]["Properties"], f"{queue} has no DLQ"


def test_the_openapi_document_is_valid_and_lists_every_route():
    from openapi_spec_validator import validate

    from shared.http.openapi import document

    specs = [s for logical in API_FUNCTIONS for s in load_module(logical).app.specs]
    doc = document(specs)
    validate(doc)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == {(r.method, r.path) for r in STACK.routes()}
    put = doc["paths"]["/settings/profile"]["put"]
    assert put["x-permission"] == "settings.edit"
    assert "requestBody" in put and {"401", "403", "409", "422"} <= set(put["responses"])


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.detail_type())
def test_event_schemas_in_docs_match_the_models(event):
    path = Path(SCHEMA_DIR) / f"{event.detail_type()}.json"
    assert path.exists(), "run: python -m shared.events.registry --write"
    assert path.read_text(encoding="utf-8") == render(event), "run: python -m shared.events.registry --write"


def test_every_event_class_in_shared_is_in_the_catalog():
    import pkgutil

    import shared
    from shared.events.base import DomainEvent, RecordModified

    for info in pkgutil.walk_packages(shared.__path__, "shared."):
        if info.name.endswith(".events"):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DomainEvent) and cls not in (DomainEvent, RecordModified) \
                        and not cls.__name__.startswith("_"):
                    assert cls in EVENTS, f"{cls.__name__} is missing from shared/events/registry.py"


def test_the_notifications_rule_routes_exactly_the_registered_events():
    from shared.notifications.triggers import TRIGGERS, builder

    pattern = json.loads(STACK.resources["NotificationsRule"]["Properties"]["EventPattern"])
    assert sorted(pattern["detail-type"]) == sorted(TRIGGERS), "see docs/notifications.md: register in both places"
    assert all(callable(builder(name)) for name in TRIGGERS)
