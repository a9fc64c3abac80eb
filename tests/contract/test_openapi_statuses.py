"""The OpenAPI document tells the truth about errors: every status an operation can answer is
among its documented responses, with the one error schema. The statuses are derived here, from
the route declarations, independently of shared/http/openapi.py (which a change could break):

- 400 for a body (malformed JSON, over 256 KiB), a query (invalid cursor), a shop route
  (missing X-Shop-Id) or an idempotent route (key reused with another body);
- 401 for every route that is not public; 403 for a registry permission;
- 404 for shop routes (not a member) and path parameters (no such record, or not of its form);
- 409 for versioned updates, idempotent routes (still running) and signed-in writes;
- 422 for bodies and queries (and domain rules of writes); 429 everywhere (the stage's limit);
- whatever a route declares beyond that (``errors=``).
The fuzz pass (tests/integration/test_fuzz_api.py) checks the same at run time: a status a
response carries that the document does not list fails it.
"""
from __future__ import annotations

import re

import pytest

from shared.http.app import SHOP_MEMBER, SIGNED_IN, RouteSpec
from shared.http.openapi import document
from shared.ids import PATH_PARAMETERS
from tests.contract.test_template_contract import API_FUNCTIONS, load_module

SPECS = sorted((s for logical in API_FUNCTIONS for s in load_module(logical).app.specs), key=lambda s: (s.path, s.method))
DOC = document(SPECS)


def expected(spec: RouteSpec) -> set[int]:
    found = {429, *spec.errors}
    if spec.body is not None:
        found |= {400, 422}
    if spec.query is not None:
        found |= {400, 422}
    if spec.access == "shop":
        found |= {400, 404}
    if spec.idempotent:
        found |= {400, 409}
    if spec.access != "public":
        found.add(401)
        if spec.method != "GET":
            found |= {409, 422}
    if spec.permission not in (None, SIGNED_IN, SHOP_MEMBER):
        found.add(403)
    if "{" in spec.path:
        found.add(404)
    if spec.body is not None and "version" in spec.body.model_fields:
        found.add(409)
    return found


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.method} {s.path}")
def test_every_status_an_operation_can_answer_is_documented_with_the_error_schema(spec: RouteSpec) -> None:
    responses = DOC["paths"][spec.path][spec.method.lower()]["responses"]
    documented = {int(code) for code in responses}
    missing = expected(spec) - documented
    assert not missing, f"{spec.method} {spec.path} can answer {sorted(missing)}, which the document does not list"
    assert spec.status in documented
    for code, answer in responses.items():
        # A provider's webhook (raw=True) refuses in the provider's own format (docs/payments.md),
        # except the gateway's and the app's own 404/429.
        if int(code) >= 400 and (not spec.raw or int(code) in (404, 429)):
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, code


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.method} {s.path}")
def test_path_parameters_carry_their_id_pattern_and_an_example_of_that_form(spec: RouteSpec) -> None:
    op = DOC["paths"][spec.path][spec.method.lower()]
    for name in re.findall(r"\{(\w+)\}", spec.path):
        assert name in PATH_PARAMETERS, f"{name}: add its pattern to shared/ids.py PATH_PARAMETERS"
        (param,) = [p for p in op["parameters"] if p["in"] == "path" and p["name"] == name]
        assert param["schema"]["pattern"] == PATH_PARAMETERS[name]
        assert all(re.fullmatch(PATH_PARAMETERS[name], e) for e in param["schema"]["examples"])


def test_creates_and_lists_link_to_the_operations_that_take_their_ids() -> None:
    links = DOC["paths"]["/products"]["post"]["responses"]["201"]["links"]
    assert links["get_product"] == {"operationId": "get_product", "parameters": {"product_id": "$response.body#/id"}}
    listed = DOC["paths"]["/products"]["get"]["responses"]["200"]["links"]
    assert listed["get_product"]["parameters"] == {"product_id": "$response.body#/items/0/id"}
    # No link hands a fuzzer or a client the first member of a staff list (it may be the caller).
    assert not any("user_id" in link.get("parameters", {})
                   for op in DOC["paths"]["/staff"].values() for r in op["responses"].values()
                   for link in r.get("links", {}).values())
