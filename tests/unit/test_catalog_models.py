"""Product input: prices are whole minor units, SKUs match the spec matrix, descriptions are
made safe."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.catalog.models import BulkShelf, ProductCreate, ProductQuery, ShelfChange, sanitize_description

SPECS = [{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["S", "M"]}]


def product(**overrides):
    skus = [{"values": [c, s], "price": 12900} for c in ("红", "蓝") for s in ("S", "M")]
    return {"name": "夏季碎花连衣裙", "specs": SPECS, "skus": skus, **overrides}


def errors(data) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        ProductCreate.model_validate(data)
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in err.value.errors()}


def test_a_product_with_a_full_matrix_is_accepted():
    p = ProductCreate.model_validate(product())
    assert len(p.skus) == 4 and p.currency == "CNY"


@pytest.mark.parametrize("price", [-1, 12.5, "129", None, 10**9 + 1, True])
def test_prices_must_be_whole_non_negative_minor_units(price):
    data = product()
    data["skus"][0]["price"] = price
    assert "skus.0.price" in errors(data)


@given(st.integers(min_value=0, max_value=10**9))
def test_every_whole_price_in_range_is_accepted(price):
    data = product()
    data["skus"][1]["price"] = price
    assert ProductCreate.model_validate(data).skus[1].price == price


def test_strike_price_below_price_is_refused():
    data = product()
    data["skus"][0]["strike_price"] = 100
    assert errors(data) == {"skus.0.strike_price": "strike_below_price"}


def test_skus_must_match_the_matrix_exactly():
    data = product()
    data["skus"] = data["skus"][:3]
    assert errors(data) == {"skus": "sku_matrix"}
    data = product()
    data["skus"][3]["values"] = ["绿", "M"]
    assert errors(data) == {"skus": "sku_matrix"}
    data = product()
    data["skus"][3]["values"] = ["红", "S"]
    assert errors(data) == {"skus": "sku_matrix"}


def test_duplicate_spec_values_names_and_codes_are_refused():
    assert errors(product(specs=[{"name": "颜色", "values": ["红", "红"]}])) == {"specs.0.values": "duplicate"}
    assert "specs" in errors(product(specs=[SPECS[0], {"name": "颜色", "values": ["S"]}]))
    data = product()
    data["skus"][0]["code"] = data["skus"][1]["code"] = "HJ-1"
    assert errors(data) == {"skus": "duplicate"}


def test_too_many_combinations_are_refused_before_anything_else():
    specs = [{"name": "颜色", "values": [f"c{i}" for i in range(25)]}, {"name": "尺码", "values": [f"s{i}" for i in range(25)]}]
    assert errors(product(specs=specs, skus=[{"price": 1}]))["specs"] == "too_many_skus"


def test_without_specs_there_is_exactly_one_sku():
    assert ProductCreate.model_validate({"name": "围巾", "skus": [{"price": 5900}]}).skus[0].values == []
    assert errors({"name": "围巾", "skus": [{"price": 5900}, {"price": 100}]}) == {"skus": "sku_matrix"}


def test_descriptions_keep_a_safe_subset_of_html():
    dirty = ('<p onclick="steal()">纯棉<b>面料</b><script>alert(1)</script></p><img src=x onerror=alert(1)>'
             '<a href="javascript:alert(1)">link</a><style>p{}</style><ul><li>机洗</li></ul>')
    assert sanitize_description(dirty) == "<p>纯棉<b>面料</b></p>link<ul><li>机洗</li></ul>"
    assert ProductCreate.model_validate(product(description=dirty)).description == sanitize_description(dirty)
    assert sanitize_description("plain text, 5 < 6") == "plain text, 5 &lt; 6"


def test_a_scheduled_time_must_be_in_the_future():
    assert ShelfChange.model_validate({"at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}).at
    with pytest.raises(ValidationError):
        ShelfChange.model_validate({"at": "2020-01-01T00:00:00Z"})
    with pytest.raises(ValidationError):
        BulkShelf.model_validate({"action": "list", "ids": [f"p{i}" for i in range(101)]})


def test_a_price_range_must_not_be_upside_down():
    with pytest.raises(ValidationError):
        ProductQuery.model_validate({"price_min": "500", "price_max": "100"})
    assert ProductQuery.model_validate({"price_min": "100", "price_max": "500"}).price_max == 500
