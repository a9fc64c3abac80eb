"""The pure parts of staged saves: which SKU revisions a product names, when a save's leftovers
count as abandoned, which codes a save claims and releases, and how many events an outbox
item and a PutEvents call carry."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared import clock
from shared.catalog import matrix, staging
from shared.catalog.events import SkuPriceChanged
from shared.catalog.products import _claim_changes
from shared.catalog.tables import ProductRecord, parse_sku_sk, sku_sk
from shared.events import outbox
from shared.events.base import Actor

ids = st.text("abcdefghjkmnpqrstvwxyz0123456789", min_size=1, max_size=8).map(lambda s: f"sku_{s}")
revs = st.sampled_from(["", "01J0000000000000000000000A", "01J0000000000000000000000B"])


@given(st.dictionaries(ids, revs, max_size=50))
def test_a_product_names_exactly_the_revisions_it_was_given(named):
    product = ProductRecord("SHOP#s#PRD#p", "PRODUCT", sku_revs=staging.grouped(named))
    live = staging.live_keys(product)
    assert live == {sku_sk(sku_id, rev) for sku_id, rev in named.items()}
    assert {parse_sku_sk(k) for k in live} == set(named.items())


def test_a_product_saved_before_revisions_names_every_sku_item():
    assert staging.live_keys(ProductRecord("SHOP#s#PRD#p", "PRODUCT")) is None
    assert sku_sk("sku_1") == "SKU#sku_1" and parse_sku_sk("SKU#sku_1") == ("sku_1", "")


def test_a_save_is_abandoned_only_after_it_can_no_longer_commit():
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    with clock.frozen(start):
        token = staging.new_token()
    assert abs(staging.token_time(token) - start) < timedelta(milliseconds=1)
    assert staging.COMMIT_WITHIN < staging.ABANDONED_AFTER
    assert not staging.abandoned(token, start + staging.COMMIT_WITHIN)
    assert not staging.abandoned(token, start + staging.ABANDONED_AFTER)
    assert staging.abandoned(token, start + staging.ABANDONED_AFTER + timedelta(seconds=1))
    assert staging.abandoned("", start)  # written before tokens existed


def sku(sku_id: str, code: str = "", barcode: str = "") -> matrix.Sku:
    return matrix.Sku(id=sku_id, values=(), price=1, strike_price=None, cost_price=None, weight_g=0, volume_cm3=0,
                      code=code, barcode=barcode, status="active")


def test_a_save_claims_new_codes_in_sku_order_and_releases_dropped_ones_regardless_of_case():
    before = [sku("a", "hj-1", "690001"), sku("b", "HJ-2")]
    after = [sku("a", "HJ-1", "690002"), sku("b", "HJ-3"), sku("c", "hj-4", "690001")]
    claims, releases = _claim_changes(before, after)
    assert claims == [("SKUCODE", "HJ-3"), ("SKUCODE", "hj-4"), ("BARCODE", "690002")]
    assert releases == [("SKUCODE", "HJ-2")]


def price_event(n: int) -> SkuPriceChanged:
    return SkuPriceChanged(shop_id="shp_1", actor=Actor.system("test"), resource_id="prd_1", sku_id=f"sku_{n}",
                           values=["红色", "M"], currency="CNY", old_price=100, new_price=200 + n)


@given(st.integers(min_value=1, max_value=700))
def test_bundles_carry_every_event_once_in_order_within_the_item_size(n):
    events = [price_event(i) for i in range(n)]
    items = outbox.outbox_bundles("CATALOG_TABLE", events)
    carried = [json.loads(e["detail"])["event_id"] for item in items for e in json.loads(item.detail)]
    assert carried == [e.event_id for e in events]
    assert all(len(item.detail) < 400_000 for item in items)
    assert len({item.sk for item in items}) == len(items)


@given(st.lists(st.integers(min_value=10, max_value=120_000), max_size=40))
def test_put_events_calls_hold_at_most_ten_entries_and_256_kb(sizes):
    entries = [{"Source": "s", "DetailType": "d", "Detail": "x" * size} for size in sizes]
    calls = outbox._calls(entries)
    assert [e for call in calls for e in call] == entries
    assert all(len(call) <= 10 and sum(len(e["Detail"]) + 2 for e in call) <= 256 * 1024 for call in calls)
