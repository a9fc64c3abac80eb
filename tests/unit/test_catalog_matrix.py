"""The SKU matrix: every spec combination exactly once, and spec edits that keep what the
merchant entered (property-based: hypothesis generates the specs and the edits)."""
from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from shared.catalog.matrix import Sku, Spec, combinations, compare, in_matrix_order, merge, size

NAMES = ["颜色", "尺码", "材质", "款式"]
VALUES = ["红", "蓝", "黑", "白", "S", "M", "L", "XL", "棉", "麻", "A", "B"]


def ids():
    counter = itertools.count()
    return lambda: f"new_{next(counter)}"


@st.composite
def spec_lists(draw, max_specs=3):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=0, max_size=max_specs, unique=True))
    return [Spec(name, tuple(draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=4, unique=True)))) for name in names]


@st.composite
def priced_skus(draw, specs):
    return [Sku(id=f"sku_{i}", values=combo, price=draw(st.integers(0, 10**6)), cost_price=draw(st.none() | st.integers(0, 10**6)),
                code=f"C{i}", status=draw(st.sampled_from(["active", "disabled"])))
            for i, combo in enumerate(combinations(specs))]


@st.composite
def specs_and_skus(draw):
    specs = draw(spec_lists())
    return specs, draw(priced_skus(specs))


def with_added_values(draw, specs):
    grown = []
    for spec in specs:
        values = list(spec.values)
        for extra in draw(st.lists(st.sampled_from([v + "+" for v in VALUES]), max_size=2, unique=True)):
            if extra not in values:
                values.insert(draw(st.integers(0, len(values))), extra)
        grown.append(Spec(spec.name, tuple(values)))
    return grown


def assert_is_the_matrix(specs, skus):
    assert [s.values for s in skus] == combinations(specs)
    assert len({s.id for s in skus}) == len(skus)


def test_the_matrix_is_the_cartesian_product_in_spec_then_value_order():
    specs = [Spec("颜色", ("红", "蓝")), Spec("尺码", ("S", "M", "L"))]
    assert combinations(specs) == [("红", "S"), ("红", "M"), ("红", "L"), ("蓝", "S"), ("蓝", "M"), ("蓝", "L")]
    assert size(specs) == 6
    assert combinations([]) == [()] and size([]) == 1


def test_compare_names_missing_extra_and_repeated_combinations():
    specs = [Spec("颜色", ("红", "蓝")), Spec("尺码", ("S",))]
    mismatch = compare(specs, [("红", "S"), ("红", "S"), ("绿", "S")])
    assert mismatch.missing == [("蓝", "S")] and mismatch.extra == [("绿", "S")] and mismatch.duplicates == [("红", "S")]
    assert not compare(specs, [("蓝", "S"), ("红", "S")])


@given(specs_and_skus())
def test_merging_with_the_same_specs_changes_nothing(case):
    specs, skus = case
    assert merge(specs, skus, specs, ids()) == skus


@given(st.data())
def test_adding_values_adds_skus_and_keeps_every_existing_one_unchanged(data):
    specs, skus = data.draw(specs_and_skus())
    grown = with_added_values(data.draw, specs)
    merged = merge(specs, skus, grown, ids())
    assert_is_the_matrix(grown, merged)
    by_id = {s.id: s for s in merged}
    for old in skus:
        assert by_id[old.id] == old  # same id, values, prices, codes, status
    new = [s for s in merged if s.id.startswith("new_")]
    assert len(new) == size(grown) - size(specs)
    assert all(s.code == "" and s.barcode == "" for s in new)


@given(st.data())
def test_removing_values_drops_their_skus_and_keeps_the_others(data):
    specs, skus = data.draw(specs_and_skus())
    shrunk = [Spec(s.name, tuple(v for v in s.values if data.draw(st.booleans())) or s.values[:1]) for s in specs]
    merged = merge(specs, skus, shrunk, ids())
    assert_is_the_matrix(shrunk, merged)
    kept = {s.values for s in skus}
    assert all(s in skus for s in merged)  # nothing new, nothing altered
    assert {s.values for s in merged} <= kept


@given(st.data())
def test_any_spec_edit_gives_the_matrix_without_duplicates_and_reuses_ids_at_most_once(data):
    specs, skus = data.draw(specs_and_skus())
    new_specs = data.draw(spec_lists())
    merged = merge(specs, skus, new_specs, ids())
    assert_is_the_matrix(new_specs, merged)
    old_ids = {s.id for s in skus}
    assert all(s.id in old_ids or s.id.startswith("new_") for s in merged)


def test_a_new_spec_gives_its_first_value_to_the_existing_skus():
    specs = [Spec("颜色", ("红", "蓝"))]
    skus = [Sku("a", ("红",), price=100, code="R"), Sku("b", ("蓝",), price=200, code="B")]
    merged = merge(specs, skus, [*specs, Spec("尺码", ("S", "M"))], ids())
    assert [(s.id, s.values, s.price, s.code) for s in merged] == [
        ("a", ("红", "S"), 100, "R"), ("new_0", ("红", "M"), 100, ""),
        ("b", ("蓝", "S"), 200, "B"), ("new_1", ("蓝", "M"), 200, "")]


def test_a_new_value_copies_prices_from_the_sku_sharing_most_values():
    specs = [Spec("颜色", ("红", "蓝")), Spec("尺码", ("S", "M"))]
    skus = [Sku(f"s{i}", combo, price=(i + 1) * 100, strike_price=(i + 1) * 150, weight_g=300)
            for i, combo in enumerate(combinations(specs))]
    merged = merge(specs, skus, [specs[0], Spec("尺码", ("S", "M", "L"))], ids())
    red_l = next(s for s in merged if s.values == ("红", "L"))
    assert red_l.id.startswith("new_") and red_l.price == 100 and red_l.strike_price == 150 and red_l.weight_g == 300


def test_in_matrix_order_sorts_skus_given_in_any_order():
    specs = [Spec("尺码", ("S", "M"))]
    assert [s.id for s in in_matrix_order(specs, [Sku("m", ("M",)), Sku("s", ("S",))])] == ["s", "m"]
