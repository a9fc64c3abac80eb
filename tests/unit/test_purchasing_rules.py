"""Pure purchasing rules: the moving-average cost (property-based) and the webhook signature."""
from __future__ import annotations

import hashlib
import hmac
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.purchasing import signing
from shared.purchasing.cost import moving_average


def test_the_first_cost_is_the_unit_cost_and_half_a_fen_rounds_up():
    assert moving_average(0, None, 5, 1234) == 1234
    assert moving_average(10, None, 5, 1234) == 1234  # uncosted stock takes the receipt's cost
    assert moving_average(0, 999, 5, 1234) == 1234
    assert moving_average(1, 1000, 1, 1001) == 1001  # 1000.5 -> 1001
    assert moving_average(3, 1000, 1, 1001) == 1000  # 1000.25 -> 1000
    assert moving_average(10, 1000, 7, 1333) == 1137


@given(st.integers(0, 10**6), st.integers(0, 10**8), st.integers(1, 10**6), st.integers(0, 10**8))
def test_the_average_is_the_exact_weighted_mean_rounded_half_up(on_hand, avg, qty, unit_cost):
    result = moving_average(on_hand, avg, qty, unit_cost)
    if on_hand == 0:
        assert result == unit_cost
        return
    exact = Decimal(on_hand * avg + qty * unit_cost) / Decimal(on_hand + qty)
    assert result == int(exact.quantize(Decimal(1), ROUND_HALF_UP))
    assert min(avg, unit_cost) <= result <= max(avg, unit_cost)


def test_signatures_are_hmac_sha256_of_timestamp_dot_body_and_checked_in_constant_time():
    body = b'{"type":"shipment_notice"}'
    expected = hmac.new(b"whsec_test", b"1764147600." + body, hashlib.sha256).hexdigest()
    assert signing.sign("whsec_test", 1764147600, body) == expected
    assert signing.signature_valid("whsec_test", "1764147600", body, expected.upper())
    assert not signing.signature_valid("whsec_test", "1764147601", body, expected)
    assert not signing.signature_valid("whsec_other", "1764147600", body, expected)
    assert not signing.signature_valid("whsec_test", "1764147600", body, "")
    headers = signing.headers("whsec_test", 1764147600, body, "evt_1")
    assert headers == {"X-ShopDesk-Timestamp": "1764147600", "X-ShopDesk-Signature": expected,
                       "X-ShopDesk-Event-Id": "evt_1"}


def test_timestamps_count_within_five_minutes_either_way():
    now = 1_764_147_600.0
    assert signing.timestamp_fresh("1764147600", now)
    assert signing.timestamp_fresh(str(int(now) - 300), now) and signing.timestamp_fresh(str(int(now) + 300), now)
    assert not signing.timestamp_fresh(str(int(now) - 301), now)
    assert not signing.timestamp_fresh("yesterday", now) and not signing.timestamp_fresh("", now)
