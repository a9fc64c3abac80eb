"""Finding products: Chinese keywords, parts of SKU codes and barcodes, filters, sorting, pages.
The index follows the catalog table's stream, so the tests wait for it (``eventually``)."""
from __future__ import annotations

import pytest

from tests.integration.conftest import Api, eventually, new_shop
from tests.integration.test_catalog_products import body, category, create


def ids(api: Api, **params) -> list[str]:
    answer = api.get("/products", params=params)
    assert answer.status_code == 200, answer.text
    return [p["id"] for p in answer.json()["items"]]


def test_a_chinese_word_finds_the_longer_name_and_other_words_do_not(owner: Api):
    dress = create(owner, name="夏季碎花连衣裙")
    shirt = create(owner, name="男士纯棉衬衫")
    eventually(lambda: len(ids(owner)) == 2)  # both indexed
    assert ids(owner, q="连衣裙") == [dress["id"]]
    assert ids(owner, q="碎花 夏季") == [dress["id"]]
    assert ids(owner, q="衬衫") == [shirt["id"]]
    assert set(ids(owner, q="棉")) == {shirt["id"]}
    assert ids(owner, q="连衣裤") == []


def test_part_of_a_sku_code_or_barcode_finds_its_product(owner: Api):
    product = create(owner)
    other = create(owner)
    code, barcode = product["skus"][3]["code"], product["skus"][3]["barcode"]
    eventually(lambda: len(ids(owner)) == 2)
    assert ids(owner, q=code[2:8].lower()) == [product["id"]]
    assert ids(owner, q=barcode[4:11]) == [product["id"]]
    assert other["id"] not in ids(owner, q=code)


def test_a_renamed_product_is_found_by_its_new_name_only(owner: Api):
    product = create(owner, name="春季针织开衫")
    eventually(lambda: ids(owner, q="开衫"))
    from tests.integration.test_catalog_products import put_body

    assert owner.put(f"/products/{product['id']}", json=put_body(product, name="秋季羊毛大衣")).status_code == 200
    eventually(lambda: ids(owner, q="大衣") == [product["id"]] and ids(owner, q="开衫") == [])


def test_filters_by_category_subtree_status_and_price_with_and_without_keywords(owner: Api):
    women = category(owner, "女装")
    dresses = category(owner, "裙子", women)
    shoes = category(owner, "鞋靴")
    cheap = create(owner, name="碎花半身裙", category_id=dresses, price=5900)
    dear = create(owner, name="真丝连衣裙", category_id=dresses, price=59900)
    boots = create(owner, name="短靴", category_id=shoes, price=29900)
    owner.post(f"/products/{dear['id']}/list", json={})
    eventually(lambda: len(ids(owner)) == 3 and ids(owner, status="on_shelf") == [dear["id"]])
    assert set(ids(owner, category_id=women)) == {cheap["id"], dear["id"]}
    assert ids(owner, category_id=shoes) == [boots["id"]]
    assert ids(owner, status="off_shelf", category_id=women) == [cheap["id"]]
    assert ids(owner, price_min=20000, price_max=40000) == [boots["id"]]
    assert ids(owner, sort="price", order="asc") == [cheap["id"], boots["id"], dear["id"]]
    assert ids(owner, sort="price", order="desc", price_max=30000) == [boots["id"], cheap["id"]]
    eventually(lambda: ids(owner, q="裙") and set(ids(owner, q="裙")) == {cheap["id"], dear["id"]})
    assert ids(owner, q="裙", status="on_shelf") == [dear["id"]]
    assert ids(owner, q="裙", category_id=shoes) == []
    assert ids(owner, q="裙", price_max=10000) == [cheap["id"]]


def test_sorting_by_created_and_updated(owner: Api):
    first, second = create(owner, name="第一件"), create(owner, name="第二件")
    eventually(lambda: len(ids(owner)) == 2)
    assert ids(owner) == [second["id"], first["id"]]
    assert ids(owner, order="asc") == [first["id"], second["id"]]
    from tests.integration.test_catalog_products import put_body

    owner.put(f"/products/{first['id']}", json=put_body(first, name="第一件（改）"))
    eventually(lambda: ids(owner, sort="updated") == [first["id"], second["id"]])


def test_pages_with_a_cursor_cover_everything_once_with_and_without_keywords(owner: Api):
    made = {create(owner, name=f"棉麻衬衫 {i}", codes=False)["id"] for i in range(5)}
    eventually(lambda: len(ids(owner, q="棉麻衬衫")) == 5 and len(ids(owner)) == 5)
    for params in ({}, {"q": "棉麻衬衫"}):
        seen, cursor = [], None
        while True:
            page = owner.get("/products", params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})}).json()
            assert len(page["items"]) <= 2
            seen += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(made) and len(seen) == 5, params
    forged = owner.get("/products", params={"cursor": "forged"})
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "invalid_cursor"
    first = owner.get("/products", params={"limit": 2}).json()["next_cursor"]
    assert owner.get("/products", params={"limit": 2, "cursor": first, "q": "衬衫"}).status_code == 400


def test_another_shops_products_are_never_found(owner: Api, make_staff):
    create(owner, name="独家爆款连衣裙")
    stranger = make_staff(new_shop(), "owner")
    stranger.post("/products", json=body(name="普通连衣裙"))
    eventually(lambda: ids(owner, q="爆款") and ids(owner))
    eventually(lambda: ids(stranger, q="连衣裙") and ids(stranger))
    assert ids(stranger, q="爆款") == [] and len(ids(stranger)) == 1


def pages(api: Api, **params) -> list[dict]:
    """Every page of a list, following its cursor."""
    found, cursor = [], None
    while True:
        answer = api.get("/products", params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        found.append(answer.json())
        cursor = found[-1]["next_cursor"]
        if not cursor:
            return found


def page_ids(found: list[dict]) -> list[str]:
    return [p["id"] for page in found for p in page["items"]]


def test_search_results_sorted_by_price_both_ways_across_pages(owner: Api):
    prices = [45900, 5900, 12900, 29900, 12900, 8800]
    made = [create(owner, name=f"碎花连衣裙 {i}", price=price, codes=False) for i, price in enumerate(prices)]
    decoy = create(owner, name="碎花连帽衫 配 连衣裙", price=100, codes=False)  # both 3-grams, not the words
    create(owner, name="男士纯棉衬衫", price=200, codes=False)
    eventually(lambda: len(ids(owner, q="碎花连衣裙")) == 6 and len(ids(owner)) == 8)
    cheapest_first = [p["id"] for p in sorted(made, key=lambda p: (p["price_min"], p["id"]))]
    for order, expected in (("asc", cheapest_first), ("desc", cheapest_first[::-1])):
        found = pages(owner, q="碎花连衣裙", sort="price", order=order, limit=4)
        assert page_ids(found) == expected, order
        assert [len(page["items"]) for page in found] == [4, 2] and not any(page["truncated"] for page in found)
    assert page_ids(pages(owner, q="连衣裙", sort="price", order="asc", limit=3)) == [decoy["id"], *cheapest_first]
    within = pages(owner, q="碎花连衣裙", sort="price", order="asc", price_min=8000, price_max=30000, limit=2)
    assert page_ids(within) == [i for i, p in zip(cheapest_first, sorted(prices), strict=True) if 8000 <= p <= 30000]


def test_search_results_sorted_by_last_update(owner: Api):
    from tests.integration.test_catalog_products import put_body

    first, second, third = (create(owner, name=f"羊毛大衣 {i}", codes=False) for i in range(3))
    eventually(lambda: len(ids(owner, q="羊毛大衣")) == 3)
    assert ids(owner, q="羊毛大衣", sort="updated") == [third["id"], second["id"], first["id"]]
    edited = owner.put(f"/products/{first['id']}", json=put_body(first, name="羊毛大衣（加厚）"))
    assert edited.status_code == 200, edited.text
    latest_first = [first["id"], third["id"], second["id"]]
    eventually(lambda: ids(owner, q="羊毛大衣", sort="updated") == latest_first)
    assert page_ids(pages(owner, q="大衣", sort="updated", order="asc", limit=1)) == latest_first[::-1]
    assert page_ids(pages(owner, q="羊毛大衣", sort="updated", limit=2)) == latest_first


def test_a_sorted_search_cursor_belongs_to_its_query(owner: Api):
    for i in range(3):
        create(owner, name=f"真丝围巾 {i}", price=1000 * (i + 1), codes=False)
    eventually(lambda: len(ids(owner, q="围巾")) == 3)
    cursor = owner.get("/products", params={"q": "围巾", "sort": "price", "limit": 1}).json()["next_cursor"]
    assert cursor
    assert owner.get("/products", params={"q": "围巾", "sort": "price", "limit": 1, "cursor": cursor}).status_code == 200
    for other in ({"q": "围巾", "sort": "updated"}, {"q": "围巾", "sort": "price", "order": "asc"},
                  {"q": "真丝", "sort": "price"}, {"sort": "price"}, {"q": "围巾"}):
        answer = owner.get("/products", params={**other, "limit": 1, "cursor": cursor})
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_cursor", other


@pytest.mark.parametrize("params, field", [
    ({"sort": "name"}, "sort"),
    ({"q": "裙", "sort": "stock"}, "sort"),
    ({"q": "裙", "sort": "price", "order": "up"}, "order"),
    ({"order": "random"}, "order"),
])
def test_an_unknown_sort_or_order_is_refused(owner: Api, params: dict, field: str):
    answer = owner.get("/products", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["field"] == field


def test_a_sorted_search_with_more_candidates_than_it_sorts_says_so(owner: Api, monkeypatch: pytest.MonkeyPatch):
    """The bound, made small in-process (against the same local cloud) instead of 1,001 products."""
    from shared.catalog import search
    from shared.catalog.models import ProductQuery

    made = [create(owner, name=f"针织开衫 {i}", price=1000 * (5 - i), codes=False)["id"] for i in range(5)]
    eventually(lambda: len(ids(owner, q="针织开衫")) == 5)
    assert not any(page["truncated"] for page in pages(owner, q="针织开衫", sort="price"))
    monkeypatch.setattr(search, "SORT_WINDOW", 3)
    page = search.list_products(owner.shop_id, ProductQuery(q="针织开衫", sort="price", order="asc"))
    assert page.truncated
    assert [p.id for p in page.items] == [made[4], made[3], made[2]]  # the newest three, cheapest first
