"""Search tokens: a Chinese query finds a longer Chinese name, part of a code finds its
product, and verification removes what only shares tokens."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.catalog.tokens import code_tokens, index_tokens, matches, normalize, query_terms, query_tokens


def found(query: str, name: str, codes=()) -> bool:
    indexed = index_tokens([name], codes)
    terms = query_terms(query)
    return set(query_tokens(terms)) <= indexed and matches(terms, [name], codes)


def test_normalize_folds_width_and_case_and_drops_punctuation():
    assert normalize("ＨＪ-2024 红色/Ｍ") == "hj2024红色m"


def test_a_chinese_word_finds_the_name_that_contains_it():
    assert found("连衣裙", "夏季碎花连衣裙")
    assert found("碎花", "夏季碎花连衣裙")
    assert found("裙", "夏季碎花连衣裙")
    assert not found("衬衫", "夏季碎花连衣裙")


def test_every_word_of_the_query_must_match():
    assert found("夏季 连衣裙", "夏季碎花连衣裙")
    assert not found("冬季 连衣裙", "夏季碎花连衣裙")


def test_latin_words_match_case_insensitively():
    assert found("dress", "Summer Floral DRESS")
    assert found("T恤", "纯棉短袖T恤")


def test_part_of_a_sku_code_or_barcode_finds_the_product():
    codes = ["HJ-2024-RED-M", "6901234567892"]
    assert found("2024-red", "连衣裙", codes)
    assert found("4567", "连衣裙", codes)
    assert not found("9999", "连衣裙", codes)


def test_one_or_two_characters_do_not_match_inside_codes():
    assert not found("hj", "连衣裙", ["HJ-2024"])


def test_shared_trigrams_without_the_term_are_rejected_by_verification():
    name = "连衣 花 衣裙"  # has 连衣 and 衣裙 but not 连衣裙
    terms = query_terms("连衣裙")
    assert not matches(terms, [name], [])


def test_long_queries_use_a_bounded_number_of_tokens_that_cover_the_term():
    tokens = query_tokens(query_terms("abcdefghij"))
    assert tokens == ["abc", "def", "ghi", "hij"]
    assert len(query_tokens(query_terms("x" * 40 + " " + "y" * 40))) <= 12


@given(st.text(alphabet="夏季碎花连衣裙红蓝色棉麻abcXYZ0123-", min_size=3, max_size=30), st.data())
def test_any_substring_of_a_name_finds_it(name, data):
    normal = normalize(name)
    if len(normal) < 1:
        return
    start = data.draw(st.integers(0, len(normal) - 1))
    end = data.draw(st.integers(start + 1, len(normal)))
    assert found(normal[start:end], name)


@given(st.text(alphabet="ABCDEF0123456789-", min_size=3, max_size=20), st.data())
def test_any_part_of_three_or_more_characters_of_a_code_finds_it(code, data):
    normal = normalize(code)
    if len(normal) < 3:
        assert code_tokens(code) == set()
        return
    start = data.draw(st.integers(0, len(normal) - 3))
    end = data.draw(st.integers(start + 3, len(normal)))
    assert found(normal[start:end], "商品", [code])
