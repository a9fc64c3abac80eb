"""The admin SPA's API types (frontend/src/api/schema.d.ts) are generated from the OpenAPI
document (infra/openapi_types.py); these tests fail when the checked-in file is stale."""
from __future__ import annotations

import difflib

import pytest

from infra.openapi_types import TYPES_FILE, build_document, render


@pytest.fixture(scope="module")
def doc():
    return build_document()


def test_the_checked_in_typescript_types_are_those_of_the_current_api(doc):
    expected = render(doc)
    current = TYPES_FILE.read_text(encoding="utf-8")
    if current != expected:
        diff = "".join(list(difflib.unified_diff(current.splitlines(True), expected.splitlines(True),
                                                 "checked in", "generated now", n=1))[:60])
        pytest.fail(f"{TYPES_FILE.name} is stale: run `make types`\n{diff}")


def test_schema_names_are_the_models_own_names(doc):
    # Two API models of one name get their module path in the name (``shared__x__Model``), which
    # differs between the running system's imports and this one's: give each model its own name.
    clashes = [name for name in doc["components"]["schemas"] if "__" in name]
    assert clashes == []
