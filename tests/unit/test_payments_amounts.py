import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.money import major_text, minor_units


@pytest.mark.parametrize(("text", "fen"), [("0.01", 1), ("129.00", 12900), ("129.1", 12910), ("129", 12900),
                                           ("0", 0), ("99999999.99", 9999999999)])
def test_yuan_strings_become_exact_fen(text, fen):
    assert minor_units(text, "CNY") == fen


@pytest.mark.parametrize("text", ["1e3", "12.345", "0.001", "-1", "-0.01", "", " 1", "1 ", "1,000", "01.00", ".5", "5.",
                                  "NaN", "Infinity", "１.00", "0x10", "1_000"])
def test_anything_but_plain_yuan_with_two_decimals_is_refused(text):
    with pytest.raises(ValueError):
        minor_units(text, "CNY")


def test_zero_decimal_currencies_take_no_decimals():
    assert minor_units("1500", "JPY") == 1500
    with pytest.raises(ValueError):
        minor_units("15.00", "JPY")
    assert major_text(1500, "JPY") == "1500"


@given(st.integers(min_value=0, max_value=10**12))
def test_fen_to_yuan_text_and_back_is_exact(fen):
    text = major_text(fen, "CNY")
    assert len(text.split(".")[1]) == 2
    assert minor_units(text, "CNY") == fen


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_only_non_negative_integers_are_written_as_yuan(bad):
    with pytest.raises(ValueError):
        major_text(bad, "CNY")
