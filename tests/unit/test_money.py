from hypothesis import given
from hypothesis import strategies as st

from shared.money import Money

amounts = st.integers(min_value=-(10**12), max_value=10**12)


@given(amounts, amounts)
def test_adding_then_subtracting_gives_back_the_amount(a, b):
    assert (Money(amount=a) + Money(amount=b)) - Money(amount=b) == Money(amount=a)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10000))
def test_basis_point_share_is_rounded_half_up_and_never_exceeds_the_whole(amount, bp):
    share = Money(amount=amount).percent_bp(bp).amount
    exact = amount * bp / 10000
    assert abs(share - exact) <= 0.5
    assert 0 <= share <= amount


def test_currencies_do_not_mix():
    import pytest

    with pytest.raises(ValueError):
        Money(amount=1, currency="CNY") + Money(amount=1, currency="USD")


def test_format_shows_minor_units_as_decimals():
    assert Money(amount=12900).format() == "129.00 CNY"
    assert Money(amount=-5, currency="USD").format() == "-0.05 USD"
    assert Money(amount=1500, currency="JPY").format() == "1,500 JPY"
