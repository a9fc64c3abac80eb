"""The storefront's public reads for shoppers (issue 11 point 3's API): keyword search of
on-shelf products, the category tree, the shop card."""
from __future__ import annotations

import requests

from tests.integration.conftest import eventually
from tests.integration.test_catalog_categories import category
from tests.integration.test_catalog_products import create


def get(system, shop_id: str, path: str, **params) -> requests.Response:
    return requests.get(f"{system.url}/api/storefront/{shop_id}{path}", params=params, timeout=30)


def test_keyword_search_finds_on_shelf_products_by_chinese_words_only(system, shop_id, owner):
    dress = create(owner, name="夏季碎花连衣裙")
    shirt = create(owner, name="男士纯棉衬衫")
    hidden = create(owner, name="长款连衣裙")  # matches, stays off shelf
    for prd in (dress, shirt):
        assert owner.post(f"/products/{prd['id']}/list", json={}).status_code == 200

    def found(q: str) -> list[str]:
        answer = get(system, shop_id, "/search", q=q)
        assert answer.status_code == 200, answer.text
        return [p["id"] for p in answer.json()["items"]]

    assert eventually(lambda: found("连衣裙") == [dress["id"]], timeout=30)  # the off-shelf one is not shown
    assert eventually(lambda: found("碎花连衣裙") == [dress["id"]], timeout=30)
    assert eventually(lambda: found("衬衫") == [shirt["id"]], timeout=30)
    item = get(system, shop_id, "/search", q="衬衫").json()["items"][0]
    assert set(item) == {"id", "name", "brand", "category_id", "currency", "main_image", "price_min", "price_max"}
    assert hidden["id"] not in found("长款连衣裙")
    assert get(system, shop_id, "/search").status_code == 422
    assert get(system, shop_id, "/search", q="x" * 41).status_code == 422


def test_the_category_tree_and_the_shop_card(system, shop_id, owner):
    women = category(owner, "女装")
    category(owner, "连衣裙", women)
    tree = get(system, shop_id, "/categories")
    assert tree.status_code == 200
    [top] = [c for c in tree.json()["items"] if c["id"] == women]
    assert top["name"] == "女装" and [c["name"] for c in top["children"]] == ["连衣裙"]
    assert "product_count" not in tree.text
    card = get(system, shop_id, "/shop")
    assert card.status_code == 200 and card.json()["shop_id"] == shop_id and card.json()["currency"] == "CNY"
    assert card.json()["name"] and "contact" not in card.text
    assert get(system, "shp_nosuchshop", "/shop").status_code == 404
