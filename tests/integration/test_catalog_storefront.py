"""The public storefront API: on-shelf products only, no sign-in, cacheable for a minute."""
from __future__ import annotations

import requests

from tests.integration.conftest import Api, eventually
from tests.integration.test_catalog_products import category, create, put_body


def public(system, path: str, **params) -> requests.Response:
    return requests.get(f"{system.url}/api/storefront{path}", params=params, timeout=30)


def listed(system, shop_id: str, **params) -> list[str]:
    answer = public(system, f"/{shop_id}/products", **params)
    assert answer.status_code == 200, answer.text
    return [p["id"] for p in answer.json()["items"]]


def test_shoppers_see_on_shelf_products_without_signing_in(system, owner: Api):
    on = create(owner, name="上架的连衣裙")
    off = create(owner, name="仓库中的连衣裙")
    owner.post(f"/products/{on['id']}/list", json={})
    eventually(lambda: listed(system, owner.shop_id) == [on["id"]])
    answer = public(system, f"/{owner.shop_id}/products")
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    detail = public(system, f"/{owner.shop_id}/products/{on['id']}")
    assert detail.status_code == 200 and detail.headers["Cache-Control"] == "public, max-age=60"
    item = detail.json()
    assert item["name"] == "上架的连衣裙" and len(item["skus"]) == 6
    assert "cost_price" not in item["skus"][0] and "code" not in item["skus"][0]
    assert public(system, f"/{owner.shop_id}/products/{off['id']}").status_code == 404
    assert public(system, f"/{owner.shop_id}/products/prd_unknown").status_code == 404


def test_a_product_taken_off_shelf_vanishes_at_once(system, owner: Api):
    product = create(owner)
    owner.post(f"/products/{product['id']}/list", json={})
    eventually(lambda: product["id"] in listed(system, owner.shop_id))
    assert owner.post(f"/products/{product['id']}/delist", json={}).status_code == 200
    assert product["id"] not in listed(system, owner.shop_id)  # no waiting for the index
    assert public(system, f"/{owner.shop_id}/products/{product['id']}").status_code == 404


def test_disabled_skus_are_not_offered_and_categories_filter(system, owner: Api):
    shoes = category(owner, "鞋")
    boots = category(owner, "靴子", shoes)
    product = create(owner, category_id=boots)
    other = create(owner)
    skus = [dict(s, status="disabled") if i == 0 else s for i, s in enumerate(product["skus"])]
    owner.put(f"/products/{product['id']}", json=put_body(product, skus=skus))
    for p in (product, other):
        owner.post(f"/products/{p['id']}/list", json={})
    eventually(lambda: len(listed(system, owner.shop_id)) == 2)
    assert listed(system, owner.shop_id, category_id=shoes) == [product["id"]]
    offered = public(system, f"/{owner.shop_id}/products/{product['id']}").json()["skus"]
    assert len(offered) == 5 and product["skus"][0]["id"] not in {s["id"] for s in offered}


def test_another_shop_id_shows_nothing_of_this_shop(system, owner: Api):
    product = create(owner)
    owner.post(f"/products/{product['id']}/list", json={})
    eventually(lambda: listed(system, owner.shop_id))
    assert listed(system, "shp_someone_else") == []
    assert public(system, f"/shp_someone_else/products/{product['id']}").status_code == 404


def test_the_demo_shop_opens_with_a_catalog(system):
    from infra.seed import DEMO_PRODUCTS

    on_shelf = sum(1 for p in DEMO_PRODUCTS if p[-1])
    names = eventually(lambda: (lambda items: items if len(items) == on_shelf else None)(
        [p["name"] for p in public(system, "/shp_demo/products", limit=50).json()["items"]]))
    assert "夏季碎花连衣裙" in names
    dress = next(p for p in public(system, "/shp_demo/products", limit=50).json()["items"] if p["name"] == "夏季碎花连衣裙")
    detail = public(system, f"/shp_demo/products/{dress['id']}").json()
    assert [s["name"] for s in detail["specs"]] == ["颜色", "尺码"] and len(detail["skus"]) == 8


def test_each_sku_shows_its_stock_state_and_flash_sale_without_counts(system, owner: Api):
    from tests.integration.inventory import receive
    from tests.integration.test_inventory_alerts import threshold

    prd = create(owner)
    owner.post(f"/products/{prd['id']}/list", json={})
    receive(owner, prd, 0, 20)  # plenty
    receive(owner, prd, 1, 3)
    threshold(owner, prd, 1, 5)  # 3 left, safety stock 5: low
    put = owner.put(f"/inventory/stock/{prd['skus'][2]['id']}/settings",
                    json={"product_id": prd["id"], "shards": 4, "version": 0})
    assert put.status_code == 200, put.text
    receive(owner, prd, 2, 8)  # a flash-sale SKU
    skus = {s["id"]: s for s in public(system, f"/{owner.shop_id}/products/{prd['id']}").json()["skus"]}
    states = [(skus[s["id"]]["stock_state"], skus[s["id"]]["flash_sale"]) for s in prd["skus"][:4]]
    assert states == [("in_stock", False), ("low", False), ("in_stock", True), ("sold_out", False)]
    assert all("available" not in s for s in skus.values())  # shoppers see a state, never a count
