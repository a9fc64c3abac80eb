"""Product lists and keyword search for the back office; on-shelf lists for the storefront.

Browsing reads the listing entries of one scope (``<status>#<category>``: a category's entries
cover its whole subtree) in the order asked for: created (the sort key, a ULID), updated or
price (the ``lst_updated`` / ``lst_price`` indexes). One Query per page.

Searching intersects posting lists. Each query token's first ``PROBE`` postings are read; a
list shorter than that is known completely. The shortest complete list (or, if none is, the
first token's) drives: its postings are walked in order, candidates not in another complete
list are dropped, and the rest are read (BatchGetItem, strongly consistent) and verified
against the query and the filters. At most ``EXAMINE`` candidates are looked at per request;
the cursor carries the driving token and the position reached.

A search sorted by price or last update must see all its matches before it can show the first:
it collects the driver's newest ``SORT_WINDOW`` candidates, sorts the verified ones and pages
through them (``search_sorted``); a longer list makes the page ``truncated``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.catalog import images
from shared.catalog.categories import load_tree
from shared.catalog.models import ProductQuery, ProductSummary
from shared.catalog.products import summary
from shared.catalog.tables import (
    PRODUCT_SK,
    ListingRecord,
    ProductRecord,
    TokenRecord,
    entry_sk,
    listing_pk,
    product_pk,
    token_pk,
)
from shared.catalog.tokens import matches, query_terms, query_tokens
from shared.pagination import Page, decode_cursor, encode_cursor

PROBE = 200
EXAMINE = 400
SORT_WINDOW = 1000  # candidates a search sorted by price or update collects (see docs/catalog.md)
SUMMARY_ATTRIBUTES = ["pk", "sk", "kind", "name", "brand", "category_id", "currency", "images", "status",
                      "scheduled_action", "scheduled_at", "price_min", "price_max", "sku_count", "version",
                      "created_at", "updated_at", "sku_codes", "barcodes", "stock_available", "stock_state"]


def scope(status: str | None, category_id: str | None) -> str:
    which = {"on_shelf": "ON", "off_shelf": "OFF"}.get(status or "", "ANY")
    return f"{which}#{category_id or 'ALL'}"


def read_products(shop_id: str, product_ids: list[str], consistent: bool = True) -> dict[str, ProductRecord]:
    """Product items (without descriptions); strongly consistent unless asked otherwise, so the
    status is the current one."""
    if not product_ids:
        return {}
    keys = [(product_pk(shop_id, pid), PRODUCT_SK) for pid in dict.fromkeys(product_ids)]
    return {p.product_id: p for p in ProductRecord.batch_get(keys, consistent_read=consistent,
                                                               attributes_to_get=SUMMARY_ATTRIBUTES)}


def list_products(shop_id: str, query: ProductQuery) -> Page[ProductSummary]:
    terms = query_terms(query.q or "")
    return search(shop_id, query, terms) if terms else browse(shop_id, query)


def from_entry(shop_id: str, data: dict[str, Any]) -> ProductSummary:
    """A listing entry's columns; its main image (an image id) becomes a signed thumbnail URL."""
    image = data.get("main_image")
    return ProductSummary(**{**data, "main_image": images.main_image_url(shop_id, data["id"], [image] if image else [])})


def _price(query: ProductQuery) -> Any:
    low, high = query.price_min, query.price_max
    if low is not None and high is not None:
        return ListingRecord.prc.between(low, high)
    if low is not None:
        return ListingRecord.prc >= low
    if high is not None:
        return ListingRecord.prc <= high
    return None


def _stock(query: ProductQuery) -> Any:
    """Entries written before stock was shown have no ``stk``: their products show "out"."""
    if query.stock_state is None:
        return None
    if query.stock_state == "out":
        return (ListingRecord.stk == "out") | ListingRecord.stk.does_not_exist()
    return ListingRecord.stk == query.stock_state


def _both(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else a & b


def browse(shop_id: str, query: ProductQuery) -> Page[ProductSummary]:
    """One Query; filters that are not part of the key (price with other sorts, stock state) are
    a FilterExpression: a page may come back short (``limit`` entries read), the cursor goes on."""
    pk = listing_pk(shop_id, scope(query.status, query.category_id))
    key = f"{pk}:{query.sort}:{query.order}:{query.price_min}:{query.price_max}:{query.stock_state}"
    kwargs: dict[str, Any] = {"scan_index_forward": query.order == "asc", "limit": query.limit,
                              "last_evaluated_key": decode_cursor(query.cursor, key)}
    price, stock = _price(query), _stock(query)
    if query.sort == "price":
        results = ListingRecord.by_price.query(pk, price, filter_condition=stock, **kwargs)
    elif query.sort == "updated":
        results = ListingRecord.by_updated.query(pk, filter_condition=_both(price, stock), **kwargs)
    else:
        results = ListingRecord.query(pk, filter_condition=_both(price, stock), **kwargs)
    items = [from_entry(shop_id, entry.summary) for entry in results]
    return Page[ProductSummary](items=items, next_cursor=encode_cursor(results.last_evaluated_key, key))


def _postings(shop_id: str, token: str, limit: int, forward: bool, start: dict[str, Any] | None = None,
              upto: str | None = None) -> tuple[list[str], dict[str, Any] | None]:
    """A token's postings (product ids) in creation order; ``upto``: created no later than that product."""
    found = TokenRecord.query(token_pk(shop_id, token), TokenRecord.sk <= entry_sk(upto) if upto else None,
                              scan_index_forward=forward, limit=limit, last_evaluated_key=start,
                              attributes_to_get=["pk", "sk", "kind"])
    ids = [p.sk.removeprefix("PRD#") for p in found]
    return ids, found.last_evaluated_key


@dataclass
class Plan:
    """How to intersect: the driving token, the posting lists known completely, and the driver's
    first postings (read by the probe) with where its list goes on."""

    driver: str
    known: dict[str, set[str]]
    head: list[str]
    more: dict[str, Any] | None

    def in_all_known(self, product_id: str) -> bool:
        return all(product_id in ids for token, ids in self.known.items() if token != self.driver)


def plan(shop_id: str, tokens: list[str], forward: bool, upto: str | None = None) -> Plan | None:
    """Probe each token's first ``PROBE`` postings; None when a token has none at all."""
    known: dict[str, set[str]] = {}
    heads: dict[str, tuple[list[str], dict[str, Any] | None]] = {}
    for token in tokens:
        ids, more = _postings(shop_id, token, PROBE, forward, upto=upto)
        if more is None:
            if not ids:
                return None
            known[token] = set(ids)
        heads[token] = ids, more
    driver = min(known, key=lambda t: len(known[t])) if known else tokens[0]
    return Plan(driver, known, *heads[driver])


def matcher(shop_id: str, query: ProductQuery, terms: list[str]) -> Callable[[ProductRecord], bool]:
    """The verification: every term really occurs (no n-gram false positive) and the filters hold
    (category subtree, status, stock state, price)."""
    subtree = set(load_tree(shop_id).subtree(query.category_id)) if query.category_id else None

    def wanted(p: ProductRecord) -> bool:
        return (matches(terms, [p.name, p.brand or ""], [*(p.sku_codes or []), *(p.barcodes or [])])
                and (subtree is None or p.category_id in subtree)
                and (query.status is None or p.status == query.status)
                and (query.stock_state is None or (p.stock_state or "out") == query.stock_state)
                and (query.price_min is None or int(p.price_min) >= query.price_min)
                and (query.price_max is None or int(p.price_min) <= query.price_max))

    return wanted


def search(shop_id: str, query: ProductQuery, terms: list[str]) -> Page[ProductSummary]:
    tokens = query_tokens(terms)
    filters = (f"{'|'.join(terms)}:{query.category_id}:{query.status}:{query.price_min}:{query.price_max}"
               f":{query.stock_state}")
    if query.sort != "created":
        return search_sorted(shop_id, query, terms, tokens, f"{shop_id}:search:{query.sort}:{query.order}:{filters}")
    forward = query.order == "asc"
    key = f"{shop_id}:search:{filters}:{forward}"
    state = decode_cursor(query.cursor, key)
    known: dict[str, set[str]] = {}
    if state:
        driver, start = str(state["t"]), dict(state["k"])
    else:
        found = plan(shop_id, tokens, forward)
        if found is None:
            return Page[ProductSummary](items=[])
        driver, known, start = found.driver, found.known, None
    wanted = matcher(shop_id, query, terms)

    items: list[ProductSummary] = []
    examined = 0
    next_key: dict[str, Any] | None = None
    while True:
        ids, more = _postings(shop_id, driver, 100, forward, start)
        candidates = [i for i in ids if all(i in known[t] for t in known if t != driver)]
        products = read_products(shop_id, candidates)
        stopped_at = None
        for n, product_id in enumerate(ids):
            examined += 1
            product = products.get(product_id)
            if product is not None and wanted(product):
                items.append(summary(product))
            if len(items) >= query.limit and n < len(ids) - 1:
                stopped_at = product_id
                break
        if stopped_at is not None:
            next_key = {"pk": {"S": token_pk(shop_id, driver)}, "sk": {"S": entry_sk(stopped_at)}}
            break
        next_key, start = more, more
        if more is None or len(items) >= query.limit or examined >= EXAMINE:
            break
    cursor = encode_cursor({"t": driver, "k": next_key}, key) if next_key else None
    return Page[ProductSummary](items=items, next_cursor=cursor)


def search_sorted(shop_id: str, query: ProductQuery, terms: list[str], tokens: list[str], key: str,
                  ) -> Page[ProductSummary]:
    """A search sorted by price or last update. The order is of all matches, so they are all
    collected first: the driver's newest ``SORT_WINDOW`` postings (``truncated`` when it has
    more), intersected, read (eventually consistent: the cost is per item) and verified. Every
    page repeats that bounded collection; the cursor carries the newest product of the first
    page's window (products created since do not shift the pages) and the sort key and id of
    the last product shown."""
    state = decode_cursor(query.cursor, key)
    top = str(state["top"]) if state else None
    after = (state["a"][0], str(state["a"][1])) if state else None
    found = plan(shop_id, tokens, forward=False, upto=top)
    if found is None:
        return Page[ProductSummary](items=[])
    window, more = list(found.head), found.more
    while more is not None and len(window) <= SORT_WINDOW:
        # One more than the window: a full last page is not mistaken for a cut-off list.
        ids, more = _postings(shop_id, found.driver, SORT_WINDOW + 1 - len(window), False, more, upto=top)
        window += ids
    truncated = len(window) > SORT_WINDOW
    window = window[:SORT_WINDOW]
    wanted = matcher(shop_id, query, terms)
    products = read_products(shop_id, [i for i in window if found.in_all_known(i)], consistent=False)

    def sort_key(p: ProductRecord) -> tuple[Any, str]:
        return (int(p.price_min) if query.sort == "price" else str(p.updated_at)), p.product_id

    descending = query.order == "desc"
    ranked = sorted(((sort_key(p), p) for p in products.values() if wanted(p)), key=lambda kp: kp[0],
                    reverse=descending)
    if after is not None:
        ranked = [(k, p) for k, p in ranked if (k < after if descending else k > after)]
    shown = ranked[:query.limit]
    cursor = None
    if len(ranked) > len(shown):
        cursor = encode_cursor({"top": top or window[0], "a": list(shown[-1][0])}, key)
    return Page[ProductSummary](items=[summary(p) for _, p in shown], next_cursor=cursor, truncated=truncated)


def on_shelf(shop_id: str, category_id: str | None, limit: int, cursor: str | None,
             ) -> tuple[list[ProductRecord], str | None]:
    """A page of the storefront's list. The entries are eventually consistent; each product's
    status is read consistently, so a product taken off shelf is gone at once."""
    pk = listing_pk(shop_id, scope("on_shelf", category_id))
    key = f"storefront:{pk}"
    entries = ListingRecord.query(pk, scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor, key),
                                  attributes_to_get=["pk", "sk", "kind"])
    ids = [e.sk.removeprefix("PRD#") for e in entries]
    products = read_products(shop_id, ids)
    shown = [products[i] for i in ids if i in products and products[i].status == "on_shelf"]
    return shown, encode_cursor(entries.last_evaluated_key, key)
