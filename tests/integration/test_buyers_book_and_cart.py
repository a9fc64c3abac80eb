"""The buyer's address book (sealed at rest, regions checked) and server cart (merge rules,
concurrent changes), through the storefront API (issue 11 points 1-2)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.integration.buyers import BuyerApi, sign_in_buyer
from tests.integration.conftest import Api
from tests.integration.inventory import product, receive

HOME = {"name": "王芳", "mobile": "13912345678", "province": "330000", "city": "330100", "district": "330106",
        "detail": "文三路 90 号 7 幢"}


def listed(owner: Api, qty: int = 10, sizes: list[str] | None = None) -> dict[str, Any]:
    prd = product(owner, sizes=sizes) if sizes else product(owner)
    assert owner.post(f"/products/{prd['id']}/list", json={}).status_code == 200
    receive(owner, prd, 0, qty)
    return prd


def line(prd: dict[str, Any], qty: int = 1, sku: int = 0) -> dict[str, Any]:
    return {"product_id": prd["id"], "sku_id": prd["skus"][sku]["id"], "qty": qty}


# -- regions ------------------------------------------------------------------------------------------
def test_regions_go_from_provinces_to_cities_to_districts(system, shop_id):
    import requests

    base = f"{system.url}/api/storefront/{shop_id}/regions"
    provinces = requests.get(base, timeout=30).json()["items"]
    assert len(provinces) == 34 and {"code": "330000", "name": "浙江省", "name_en": "Zhejiang", "level": "province",
                                     "has_children": True} in provinces
    cities = requests.get(base, params={"parent": "330000"}, timeout=30).json()["items"]
    assert {"330100", "330200"} <= {c["code"] for c in cities} and all(c["level"] == "city" for c in cities)
    districts = requests.get(base, params={"parent": "330100"}, timeout=30).json()["items"]
    assert "330106" in {d["code"] for d in districts} and not any(d["has_children"] for d in districts)
    beijing = requests.get(base, params={"parent": "110000"}, timeout=30).json()["items"]
    assert [c["name"] for c in beijing] == ["北京市"]  # GB/T 2260's 市辖区 shown as the municipality
    assert requests.get(base, params={"parent": "999900"}, timeout=30).status_code == 404
    assert requests.get(base, params={"parent": "abc"}, timeout=30).status_code == 422


# -- addresses ----------------------------------------------------------------------------------------
def test_the_address_book_keeps_one_default_and_stores_personal_fields_sealed(system, shop_id):
    buyer = sign_in_buyer(system, shop_id)
    first = buyer.post("/addresses", json=HOME)
    assert first.status_code == 201, first.text
    home = first.json()
    assert home["is_default"] and home["mobile"] == "+8613912345678"
    assert (home["province_name"], home["city_name"], home["district_name"]) == ("浙江省", "杭州市", "西湖区")
    office = buyer.post("/addresses", json={**HOME, "name": "李雷", "detail": "科技园 1 号", "is_default": True}).json()
    listed_now = buyer.get("/addresses").json()["items"]
    assert [a["id"] for a in listed_now] == [office["id"], home["id"]]
    assert [a["is_default"] for a in listed_now] == [True, False]

    changed = buyer.put(f"/addresses/{home['id']}", json={**HOME, "detail": "文三路 100 号", "version": 2})
    assert changed.status_code == 200 and changed.json()["detail"] == "文三路 100 号", changed.text
    stale = buyer.put(f"/addresses/{home['id']}", json={**HOME, "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"

    assert buyer.delete(f"/addresses/{office['id']}").status_code == 200
    [left] = buyer.get("/addresses").json()["items"]
    assert left["id"] == home["id"] and left["is_default"]

    from shared.aws import client
    from shared.buyers.tables import AddressItem, buyer_pk

    raw = client("dynamodb").get_item(TableName=AddressItem.Meta.table_name, Key={
        "pk": {"S": buyer_pk(shop_id, buyer.buyer_id)}, "sk": {"S": f"ADDR#{home['id']}"}})["Item"]
    text = str(raw)
    for secret in ("王芳", "13912345678", "文三路"):
        assert secret not in text
    assert "330106" in text  # region codes are plain (delivery rules read them)


def test_another_buyers_address_is_not_found_and_bad_addresses_are_named(system, shop_id):
    mine, other = sign_in_buyer(system, shop_id), sign_in_buyer(system, shop_id)
    home = mine.post("/addresses", json=HOME).json()
    for call in (other.put(f"/addresses/{home['id']}", json={**HOME, "version": 1}),
                 other.delete(f"/addresses/{home['id']}")):
        assert call.status_code == 404, call.text
    assert other.get("/addresses").json()["items"] == []
    cases = [({**HOME, "province": "990000"}, "province"), ({**HOME, "city": "110100"}, "city"),
             ({**HOME, "district": "330201"}, "district"), ({**HOME, "mobile": "123"}, "mobile"),
             ({**HOME, "name": ""}, "name"), ({**HOME, "x": 1}, "x"), ({**HOME, "detail": "x" * 121}, "detail"),
             ({k: v for k, v in HOME.items() if k != "district"}, "district")]
    for body, field in cases:
        answer = mine.post("/addresses", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in [f["field"] for f in answer.json()["error"]["details"]["fields"]], answer.text
    assert mine.call("POST", "/addresses", data=b"[1", headers={"Content-Type": "application/json"}).status_code == 400
    huge = mine.post("/addresses", json={**HOME, "name": "名" * 300000})
    assert huge.status_code == 400 and huge.json()["error"]["code"] == "payload_too_large"
    assert len(mine.get("/addresses").json()["items"]) == 1  # nothing changed
    assert mine.put("/addresses/not-an-id", json={**HOME, "version": 1}).status_code == 404


def test_the_address_book_is_bounded(system, shop_id):
    buyer = sign_in_buyer(system, shop_id)
    for _ in range(20):
        assert buyer.post("/addresses", json=HOME).status_code == 201
    full = buyer.post("/addresses", json=HOME)
    assert full.status_code == 422 and full.json()["error"]["code"] == "address_book_full"


# -- cart -----------------------------------------------------------------------------------------------
def test_the_cart_is_priced_by_the_pipeline_and_changes_line_by_line(system, shop_id, owner):
    prd = listed(owner, sizes=["S", "M"])
    buyer = sign_in_buyer(system, shop_id)
    assert buyer.get("/cart").json()["lines"] == []
    cart = buyer.post("/cart/items", json=line(prd, 2)).json()
    cart = buyer.post("/cart/items", json=line(prd, 1)).json()
    assert [(x["sku_id"], x["qty"]) for x in cart["lines"]] == [(prd["skus"][0]["id"], 3)]
    cart = buyer.post("/cart/items", json=line(prd, 1, sku=1)).json()
    price0, price1 = prd["skus"][0]["price"], prd["skus"][1]["price"]
    assert cart["quote"]["subtotal"] == 3 * price0 + price1 and cart["lines"][0]["name"] == prd["name"]
    cart = buyer.put(f"/cart/items/{prd['skus'][0]['id']}", json={"qty": 5}).json()
    assert cart["lines"][0]["qty"] == 5
    cart = buyer.delete(f"/cart/items/{prd['skus'][1]['id']}").json()
    assert [x["sku_id"] for x in cart["lines"]] == [prd["skus"][0]["id"]]
    gone = buyer.delete(f"/cart/items/{prd['skus'][1]['id']}")
    assert gone.status_code == 422 and "sku_id" in gone.text
    # Off shelf: kept, marked unavailable, not priced.
    assert owner.post(f"/products/{prd['id']}/delist", json={}).status_code == 200
    cart = buyer.get("/cart").json()
    assert cart["lines"][0]["available"] is False and cart["quote"] is None
    refused = buyer.post("/cart/items", json=line(prd, 1))
    assert refused.status_code == 422 and refused.json()["error"]["details"]["fields"][0]["type"] == "not_on_sale"


def test_bad_cart_input_is_named_and_changes_nothing(system, shop_id, owner):
    prd = listed(owner)
    other_shop_owner_prd = prd  # same ids under another shop are unknown there
    buyer = sign_in_buyer(system, shop_id)
    buyer.post("/cart/items", json=line(prd, 1))
    before = buyer.get("/cart").json()
    cases = [({**line(prd), "qty": 0}, "qty"), ({**line(prd), "qty": -3}, "qty"), ({**line(prd), "qty": 10 ** 9}, "qty"),
             ({**line(prd), "price": 1}, "price"),
             ({**line(prd), "sku_id": "sku_" + "0" * 26}, "sku_id"), ({"sku_id": prd["skus"][0]["id"], "qty": 1}, "product_id")]
    for body, field in cases:
        answer = buyer.post("/cart/items", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in [f["field"] for f in answer.json()["error"]["details"]["fields"]], answer.text
    assert buyer.put(f"/cart/items/{prd['skus'][0]['id']}", json={"qty": -1}).status_code == 422
    assert buyer.put("/cart/items/nonsense", json={"qty": 1}).status_code == 404
    from tests.integration.conftest import new_shop

    stranger = sign_in_buyer(system, new_shop())
    elsewhere = stranger.post("/cart/items", json=line(other_shop_owner_prd, 1))
    assert elsewhere.status_code == 422 and elsewhere.json()["error"]["details"]["fields"][0]["type"] == "unknown_sku"
    after = buyer.get("/cart").json()
    assert after["lines"] == before["lines"] and after["version"] == before["version"]


def test_merging_the_signed_out_cart_takes_the_larger_quantity_and_names_what_it_dropped(system, shop_id, owner):
    prd = listed(owner, sizes=["S", "M", "L"])
    off = listed(owner)
    assert owner.post(f"/products/{off['id']}/delist", json={}).status_code == 200
    buyer = sign_in_buyer(system, shop_id)
    buyer.post("/cart/items", json=line(prd, 4, sku=0))
    buyer.post("/cart/items", json=line(prd, 1, sku=1))
    merged = buyer.post("/cart/merge", json={"lines": [line(prd, 2, sku=0), line(prd, 3, sku=1), line(prd, 1, sku=2),
                                                       line(off, 1), {**line(prd), "sku_id": "sku_" + "1" * 26}]})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert [(x["sku_id"], x["qty"]) for x in body["lines"]] == [
        (prd["skus"][0]["id"], 4), (prd["skus"][1]["id"], 3), (prd["skus"][2]["id"], 1)]
    assert sorted(d["reason"] for d in body["dropped"]) == ["not_on_sale", "unknown_sku"]
    again = buyer.post("/cart/merge", json={"lines": [line(prd, 2, sku=0)]}).json()
    assert [x["qty"] for x in again["lines"]] == [4, 3, 1]  # merging twice changes nothing


def test_concurrent_cart_changes_all_land(system, shop_id, owner):
    prd = listed(owner, sizes=["S", "M", "L", "XL"])
    buyer = sign_in_buyer(system, shop_id)

    def add(i: int) -> int:
        return BuyerApi.post(buyer, "/cart/items", json=line(prd, 1, sku=i % 4)).status_code

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(add, range(16))) == [200] * 16
    cart = buyer.get("/cart").json()
    assert sorted(x["qty"] for x in cart["lines"]) == [4, 4, 4, 4] and cart["version"] == 16


def test_another_buyers_cart_is_their_own(system, shop_id, owner):
    prd = listed(owner)
    mine, other = sign_in_buyer(system, shop_id), sign_in_buyer(system, shop_id)
    mine.post("/cart/items", json=line(prd, 2))
    assert other.get("/cart").json()["lines"] == []
    assert other.delete(f"/cart/items/{prd['skus'][0]['id']}").status_code == 422
    assert mine.get("/cart").json()["lines"][0]["qty"] == 2
