"""Products and SKUs through the real local API: what a merchant sees when entering goods."""
from __future__ import annotations

import uuid

import pytest

from tests.integration.conftest import Api, eventually, new_shop

COLORS, SIZES = ["红色", "蓝色"], ["S", "M", "L"]


def unique(prefix: str = "HJ") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


def body(name: str = "夏季碎花连衣裙", *, colors=COLORS, sizes=SIZES, price: int = 12900, codes: bool = True,
         category_id: str | None = None, **extra) -> dict:
    """A product with a 颜色 x 尺码 matrix; codes are unique per call."""
    tag = unique()
    specs = [{"name": "颜色", "values": colors}, {"name": "尺码", "values": sizes}]
    skus = [{"values": [c, s], "price": price + 100 * i, "strike_price": price + 100 * i + 5000, "cost_price": price // 2,
             "weight_g": 250, "code": f"{tag}-{i}" if codes else "", "barcode": f"69{tag[2:]}{i:03d}" if codes else ""}
            for i, (c, s) in enumerate((c, s) for c in colors for s in sizes)]
    return {"name": name, "brand": "花间集", "category_id": category_id, "specs": specs, "skus": skus,
            "attributes": [{"name": "面料", "value": "100% 棉"}], **extra}


def create(api: Api, **kw) -> dict:
    answer = api.post("/products", json=body(**kw))
    assert answer.status_code == 201, answer.text
    return answer.json()


def category(api: Api, name: str | None = None, parent_id: str | None = None) -> str:
    answer = api.post("/categories", json={"name": name or unique("分类"), "parent_id": parent_id})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def count_in(api: Api, category_id: str) -> int:
    def walk(nodes):
        for n in nodes:
            if n["id"] == category_id:
                return n["own_product_count"]
            found = walk(n["children"])
            if found is not None:
                return found
        return None

    return walk(api.get("/categories").json()["items"])


def put_body(product: dict, **changes) -> dict:
    keep = ("name", "description", "category_id", "brand", "currency", "attributes", "specs", "skus", "version")
    data = {k: product[k] for k in keep}
    return {**data, **changes}


def test_a_new_product_is_off_shelf_with_one_sku_per_combination_in_matrix_order(owner: Api):
    cat = category(owner)
    created = create(owner, category_id=cat, description='<p onclick="x()">纯棉<script>alert(1)</script></p>')
    assert created["status"] == "off_shelf" and created["version"] == 1 and created["sku_count"] == 6
    assert [s["values"] for s in created["skus"]] == [[c, s] for c in COLORS for s in SIZES]
    assert created["price_min"] == 12900 and created["price_max"] == 13400
    assert created["description"] == "<p>纯棉</p>"
    read = owner.get(f"/products/{created['id']}").json()
    assert read == created
    assert count_in(owner, cat) == 1


def test_a_product_without_specs_has_a_single_sku(owner: Api):
    answer = owner.post("/products", json={"name": "真丝围巾", "skus": [{"price": 5900, "code": unique()}]})
    assert answer.status_code == 201, answer.text
    assert [s["values"] for s in answer.json()["skus"]] == [[]]


def test_an_update_keeps_sku_ids_by_values_and_a_named_id_survives_a_rename(owner: Api):
    product = create(owner)
    skus = product["skus"]
    changed = [dict(s, price=s["price"] + 1000) for s in skus]
    renamed = [dict(s, values=["酒红" if s["values"][0] == "红色" else s["values"][0], s["values"][1]]) for s in changed]
    specs = [{"name": "颜色", "values": ["酒红", "蓝色"]}, product["specs"][1]]
    answer = owner.put(f"/products/{product['id']}", json=put_body(product, specs=specs, skus=renamed, name="夏季新款连衣裙"))
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert saved["version"] == 2 and saved["name"] == "夏季新款连衣裙"
    assert [s["id"] for s in saved["skus"]] == [s["id"] for s in skus]
    assert [s["price"] for s in saved["skus"]] == [s["price"] + 1000 for s in skus]
    without_ids = [{k: v for k, v in s.items() if k != "id"} for s in saved["skus"]]
    again = owner.put(f"/products/{product['id']}", json=put_body(saved, skus=without_ids))
    assert again.status_code == 200 and again.json()["version"] == 2  # nothing changed: nothing written


def test_adding_a_spec_value_adds_skus_and_keeps_the_prices_already_entered(owner: Api):
    product = create(owner)
    specs = [{"name": "颜色", "values": ["红色", "蓝色", "黑色"]}, {"name": "尺码", "values": ["S", "M", "L", "XL"]}]
    answer = owner.put(f"/products/{product['id']}/specs", json={"version": 1, "specs": specs})
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert saved["sku_count"] == 12 and saved["version"] == 2
    by_values = {tuple(s["values"]): s for s in saved["skus"]}
    for old in product["skus"]:
        assert by_values[tuple(old["values"])] == old
    black_m = by_values[("黑色", "M")]
    assert black_m["price"] == by_values[("红色", "M")]["price"] and black_m["code"] == ""
    fewer = [{"name": "颜色", "values": ["蓝色"]}, {"name": "尺码", "values": ["S", "M", "L", "XL"]}]
    shrunk = owner.put(f"/products/{product['id']}/specs", json={"version": 2, "specs": fewer}).json()
    assert [s["values"][0] for s in shrunk["skus"]] == ["蓝色"] * 4
    assert {s["id"] for s in shrunk["skus"]} <= {s["id"] for s in saved["skus"]}


def test_a_stale_version_answers_409_and_keeps_the_newer_data(owner: Api):
    product = create(owner)
    assert owner.put(f"/products/{product['id']}", json=put_body(product, name="第一次修改")).status_code == 200
    stale = owner.put(f"/products/{product['id']}", json=put_body(product, name="过期的修改"))
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert stale.json()["error"]["details"] == {"expected": 1, "current": 2}
    assert owner.get(f"/products/{product['id']}").json()["name"] == "第一次修改"
    specs = owner.put(f"/products/{product['id']}/specs", json={"version": 1, "specs": product["specs"]})
    assert specs.status_code == 409


def _skus(**change):
    return [{"values": [c, s], "price": 100, **change} for c in COLORS for s in SIZES]


BAD_INPUTS = [
    # (body changes, field named in the error)
    ({"skus": [{**s, "price": -1} if i == 0 else s for i, s in enumerate(_skus())]}, "skus.0.price"),
    ({"skus": [{**s, "price": 99.5} if i == 2 else s for i, s in enumerate(_skus())]}, "skus.2.price"),
    ({"skus": [{**s, "price": "129"} if i == 1 else s for i, s in enumerate(_skus())]}, "skus.1.price"),
    ({"skus": [{**s, "cost_price": -5} if i == 0 else s for i, s in enumerate(_skus())]}, "skus.0.cost_price"),
    ({"skus": [{**s, "strike_price": 50} if i == 0 else s for i, s in enumerate(_skus())]}, "skus.0.strike_price"),
    ({"skus": _skus()[:5]}, "skus"),
    ({"skus": [*_skus(), {"values": ["绿色", "S"], "price": 1}]}, "skus"),
    ({"skus": [{"values": ["红色"], "price": 1}]}, "skus"),
    ({"specs": [{"name": "颜色", "values": ["红色", "红色"]}, {"name": "尺码", "values": SIZES}]}, "specs.0.values"),
    ({"specs": [{"name": "颜色", "values": [f"色{i}" for i in range(30)]}, {"name": "尺码", "values": [f"码{i}" for i in range(21)]}]},
     "specs"),
    ({"skus": [{**s, "code": "SAME-1"} for s in _skus()]}, "skus"),
    ({"name": ""}, "name"),
    ({"name": "长" * 61}, "name"),
    ({"currency": "BTC"}, "currency"),
    ({"is_featured": True}, "is_featured"),
    ({"category_id": "cat_not_in_this_shop"}, "category_id"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_INPUTS)
def test_bad_input_names_the_field_and_changes_nothing(owner: Api, changes, field):
    cat = category(owner)
    data = {**body(category_id=cat, codes=False), **changes}
    answer = owner.post("/products", json=data)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    names = [f["field"] for f in error["details"].get("fields", [])] or [error["details"].get("field")]
    assert any(n == field or n.startswith(field + ".") for n in names), (names, field)
    assert all(f["message"] for f in error["details"].get("fields", []))
    assert count_in(owner, cat) == 0


def test_a_sku_code_or_barcode_of_another_product_is_refused_until_that_product_gives_it_up(owner: Api):
    first = create(owner)
    taken = body()
    taken["skus"][4]["code"] = first["skus"][0]["code"].lower()  # codes are unique regardless of case
    answer = owner.post("/products", json=taken)
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "sku_code_taken" and error["details"]["field"] == "skus.4.code"
    taken = body()
    taken["skus"][1]["barcode"] = first["skus"][2]["barcode"]
    answer = owner.post("/products", json=taken)
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "barcode_taken"
    # first gives its code up: the other product can take it now
    freed = [dict(s, code=unique()) if i == 0 else s for i, s in enumerate(first["skus"])]
    assert owner.put(f"/products/{first['id']}", json=put_body(first, skus=freed)).status_code == 200
    retry = body()
    retry["skus"][4]["code"] = first["skus"][0]["code"]
    assert owner.post("/products", json=retry).status_code == 201


def test_codes_of_another_shop_are_free(owner: Api, make_staff):
    first = create(owner)
    other = make_staff(new_shop(), "owner")
    same = body()
    same["skus"][0]["code"] = first["skus"][0]["code"]
    assert other.post("/products", json=same).status_code == 201


def test_a_save_bigger_than_one_transaction_is_staged_and_reads_back_whole(owner: Api):
    """40 SKUs with codes and barcodes: 40 + 80 claims + 3 writes, more than one transaction
    takes (test_catalog_staged_saves.py has the rest)."""
    cat = category(owner)
    big = body(colors=[f"色{i}" for i in range(8)], sizes=["S", "M", "L", "XL", "XXL"], category_id=cat)
    answer = owner.post("/products", json=big)
    assert answer.status_code == 201, answer.text
    assert owner.get(f"/products/{answer.json()['id']}").json() == answer.json()
    assert count_in(owner, cat) == 1


def test_delete_needs_off_shelf_and_frees_codes_and_the_category_count(owner: Api):
    cat = category(owner)
    product = create(owner, category_id=cat)
    assert owner.post(f"/products/{product['id']}/list", json={}).status_code == 200
    refused = owner.call("DELETE", f"/products/{product['id']}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "product_on_shelf"
    assert owner.post(f"/products/{product['id']}/delist", json={}).status_code == 200
    assert owner.call("DELETE", f"/products/{product['id']}").status_code == 200
    assert owner.get(f"/products/{product['id']}").status_code == 404
    assert count_in(owner, cat) == 0
    again = body()
    again["skus"][0]["code"] = product["skus"][0]["code"]
    assert owner.post("/products", json=again).status_code == 201


def test_unknown_sku_ids_and_other_shops_products_are_refused(owner: Api, make_staff):
    product = create(owner)
    bad = put_body(product, skus=[dict(s, id="sku_nope") if i == 0 else s for i, s in enumerate(product["skus"])])
    answer = owner.put(f"/products/{product['id']}", json=bad)
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == "skus.0.id"
    stranger = make_staff(new_shop(), "owner")
    assert stranger.get(f"/products/{product['id']}").status_code == 404
    assert stranger.put(f"/products/{product['id']}", json=put_body(product, name="入侵")).status_code == 404
    assert owner.get(f"/products/{product['id']}").json()["name"] == product["name"]


def test_a_repeated_create_with_the_same_idempotency_key_creates_one_product(owner: Api):
    key = str(uuid.uuid4())
    data = body()
    first = owner.post("/products", json=data, headers={"Idempotency-Key": key})
    second = owner.post("/products", json=data, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]


@pytest.mark.parametrize("role", ["customer_service", "warehouse", "marketing"])
def test_staff_who_may_only_view_the_catalog_can_read_but_not_change_it(owner: Api, make_staff, role):
    product = create(owner)
    staff = make_staff(owner.shop_id, role)
    assert staff.get(f"/products/{product['id']}").status_code == 200
    denied = staff.put(f"/products/{product['id']}", json=put_body(product, name="越权"))
    assert denied.status_code == 403 and denied.json()["error"]["details"]["permission"] == "catalog.edit"
    assert staff.post("/products", json=body()).json()["error"]["details"]["permission"] == "catalog.create"


def test_finance_cannot_even_see_the_catalog(owner: Api, make_staff):
    finance = make_staff(owner.shop_id, "finance")
    assert finance.get("/products").status_code == 403
    assert finance.get("/categories").json()["error"]["details"]["permission"] == "catalog.view"


def test_products_reach_the_list_and_the_audit_log(owner: Api):
    product = create(owner)
    eventually(lambda: [p for p in owner.get("/products").json()["items"] if p["id"] == product["id"]])
    entry = eventually(lambda: [i for i in owner.get("/audit", params={"resource": "products"}).json()["items"]
                                if i["action"] == "products.created" and i["resource_id"] == product["id"]])
    assert entry[0]["after"]["name"] == product["name"]
