"""Search tokens: one rule for Chinese and for latin text and codes.

Text is normalised (NFKC, lower case, letters and digits only: "HJ-2024 红色" -> "hj2024红色")
and indexed by its n-grams. Names and brands get 1-, 2- and 3-grams (a Chinese query is often
one or two characters: 裙, 外套); SKU codes and barcodes get 3-grams only (a part of a code
shorter than three characters finds too much to be useful).

A query term of one or two characters looks up that one token; a longer term looks up its
3-grams (non-overlapping, plus the last one, which covers the term). Several 3-grams can occur
in a text without the term itself ("连衣 ... 衣裙"), so candidates are verified with ``matches``.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_QUERY_TOKENS = 12


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def grams(text: str, n: int) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def text_tokens(text: str) -> set[str]:
    s = normalize(text)
    return grams(s, 1) | grams(s, 2) | grams(s, 3)


def code_tokens(code: str) -> set[str]:
    return grams(normalize(code), 3)


def index_tokens(texts: Iterable[str], codes: Iterable[str]) -> set[str]:
    """Every token under which a product is indexed (its name and brand; its codes)."""
    found: set[str] = set()
    for text in texts:
        found |= text_tokens(text)
    for code in codes:
        found |= code_tokens(code)
    return found


def query_terms(query: str) -> list[str]:
    """The normalised words of a query (space separates terms; every term must match)."""
    terms = [normalize(part) for part in query.split()]
    return list(dict.fromkeys(t for t in terms if t))


def query_tokens(terms: Iterable[str]) -> list[str]:
    tokens: list[str] = []
    for term in terms:
        if len(term) < 3:
            tokens.append(term)
            continue
        starts = list(range(0, len(term) - 2, 3))
        if starts[-1] != len(term) - 3:
            starts.append(len(term) - 3)
        tokens.extend(term[i:i + 3] for i in starts)
    return list(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]


def matches(terms: Iterable[str], texts: Iterable[str], codes: Iterable[str]) -> bool:
    """Every term occurs in a text (name, brand) or, when 3+ characters, in a code."""
    normal_texts = [normalize(t) for t in texts]
    normal_codes = [normalize(c) for c in codes]
    for term in terms:
        if any(term in t for t in normal_texts):
            continue
        if len(term) >= 3 and any(term in c for c in normal_codes):
            continue
        return False
    return True
