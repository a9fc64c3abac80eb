"""The category tree (商品分类) through the real local API."""
from __future__ import annotations

from tests.integration.conftest import Api, eventually
from tests.integration.test_catalog_products import category, create


def tree(api: Api) -> list[dict]:
    return api.get("/categories").json()["items"]


def find(nodes: list[dict], category_id: str) -> dict | None:
    for node in nodes:
        if node["id"] == category_id:
            return node
        found = find(node["children"], category_id)
        if found:
            return found
    return None


def move(api: Api, category_id: str, parent_id: str | None, position: int | None = None):
    version = find(tree(api), category_id)["version"]
    return api.post(f"/categories/{category_id}/move", json={"parent_id": parent_id, "position": position, "version": version})


def test_the_tree_nests_orders_and_counts_products_of_sub_categories(owner: Api):
    women = category(owner, "女装")
    dresses = category(owner, "连衣裙", women)
    long_dresses = category(owner, "长裙", dresses)
    tops = category(owner, "上衣", women)
    category(owner, "童装")
    create(owner, category_id=long_dresses)
    create(owner, category_id=dresses)
    create(owner, category_id=tops)
    items = tree(owner)
    assert [n["name"] for n in items] == ["女装", "童装"]
    node = items[0]
    assert [c["name"] for c in node["children"]] == ["连衣裙", "上衣"]
    assert node["product_count"] == 3 and node["own_product_count"] == 0 and node["depth"] == 1
    assert find(items, dresses)["product_count"] == 2 and find(items, dresses)["own_product_count"] == 1
    assert find(items, long_dresses)["depth"] == 3


def test_rename_is_versioned_and_sibling_names_are_unique(owner: Api):
    women = category(owner, "女装")
    category(owner, "男装")
    renamed = owner.put(f"/categories/{women}", json={"name": "女士服装", "version": 1})
    assert renamed.status_code == 200 and renamed.json()["version"] == 2
    stale = owner.put(f"/categories/{women}", json={"name": "又改", "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    clash = owner.put(f"/categories/{women}", json={"name": "男装", "version": 2})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "category_name_taken"
    assert owner.post("/categories", json={"name": "男装"}).json()["error"]["code"] == "category_name_taken"


def test_moving_a_category_under_itself_or_its_own_child_is_refused(owner: Api):
    a = category(owner, "A")
    b = category(owner, "B", a)
    c = category(owner, "C", b)
    for target in (a, b, c):
        answer = move(owner, a, target)
        assert answer.status_code == 409 and answer.json()["error"]["code"] == "category_cycle", answer.text
    assert find(tree(owner), a)["parent_id"] is None


def test_the_tree_is_at_most_four_levels_deep(owner: Api):
    parent = None
    for level in range(4):
        parent = category(owner, f"第{level + 1}级", parent)
    too_deep = owner.post("/categories", json={"name": "第5级", "parent_id": parent})
    assert too_deep.status_code == 409 and too_deep.json()["error"]["code"] == "category_too_deep"
    branch = category(owner, "分支")
    leaf = category(owner, "叶", branch)
    assert move(owner, branch, parent).json()["error"]["code"] == "category_too_deep"
    assert move(owner, leaf, None).status_code == 200


def test_reorder_and_move_between_parents(owner: Api):
    top = category(owner, "顶级")
    first, second, third = (category(owner, n, top) for n in ("一", "二", "三"))
    assert move(owner, third, top, 0).status_code == 200
    assert [c["id"] for c in find(tree(owner), top)["children"]] == [third, first, second]
    other = category(owner, "另一个")
    moved = move(owner, first, other)
    assert moved.status_code == 200 and moved.json()["parent_id"] == other
    items = tree(owner)
    assert [c["id"] for c in find(items, top)["children"]] == [third, second]
    assert find(items, top)["child_count"] == 2 and find(items, other)["child_count"] == 1


def test_a_category_in_use_cannot_be_deleted_an_empty_one_can(owner: Api):
    parent = category(owner, "有子分类")
    child = category(owner, "有商品", parent)
    product = create(owner, category_id=child)
    used = owner.call("DELETE", f"/categories/{child}")
    assert used.status_code == 409 and used.json()["error"]["code"] == "category_in_use"
    assert used.json()["error"]["details"] == {"products": 1, "children": 0}
    assert owner.call("DELETE", f"/categories/{parent}").json()["error"]["details"] == {"products": 0, "children": 1}
    assert owner.call("DELETE", f"/products/{product['id']}").status_code == 200
    assert owner.call("DELETE", f"/categories/{child}").status_code == 200
    assert owner.call("DELETE", f"/categories/{parent}").status_code == 200
    assert find(tree(owner), parent) is None
    assert owner.call("DELETE", f"/categories/{parent}").status_code == 404


def test_unknown_parents_and_other_shops_categories_are_refused(owner: Api, make_staff):
    from tests.integration.conftest import new_shop

    answer = owner.post("/categories", json={"name": "孤儿", "parent_id": "cat_nope"})
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == "parent_id"
    mine = category(owner, "我的")
    stranger = make_staff(new_shop(), "owner")
    assert stranger.put(f"/categories/{mine}", json={"name": "入侵", "version": 1}).status_code == 404
    assert stranger.post("/categories", json={"name": "挂靠", "parent_id": mine}).status_code == 422


def test_a_moved_category_takes_its_products_to_the_new_parents_lists(owner: Api):
    women, kids = category(owner, "女装"), category(owner, "童装")
    dresses = category(owner, "裙装", women)
    product = create(owner, category_id=dresses)

    def listed(category_id: str) -> bool:
        return any(p["id"] == product["id"] for p in owner.get("/products", params={"category_id": category_id}).json()["items"])

    eventually(lambda: listed(women))
    assert move(owner, dresses, kids).status_code == 200
    eventually(lambda: listed(kids) and not listed(women))
    assert listed(dresses)
