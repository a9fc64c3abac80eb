"""Finding products: Chinese keywords, parts of SKU codes and barcodes, filters, sorting, pages.
The index follows the catalog table's stream, so the tests wait for it (``eventually``)."""
from __future__ import annotations

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
