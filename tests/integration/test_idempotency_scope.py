"""An ``Idempotency-Key`` belongs to one request target: method, path with its parameters, shop
and user (issue 9, point 7). A client that (wrongly or by a shared counter) sends the same key to
two different purchase orders gets both receipts posted; the same key on the same target still
answers the first result and posts nothing more."""
from __future__ import annotations

import uuid

from tests.integration.conftest import Api
from tests.integration.inventory import by_warehouse, product
from tests.integration.test_purchasing import po, submitted, supplier


def test_the_same_key_on_two_purchase_orders_posts_a_receipt_on_each(owner: Api):
    prd = product(owner)
    a = prd["skus"][0]["id"]
    sup = supplier(owner)["id"]
    first_po = submitted(owner, sup, prd, [(0, 10, 500)])
    second_po = submitted(owner, sup, prd, [(0, 10, 500)])
    key = {"Idempotency-Key": f"rcv-{uuid.uuid4().hex}"}
    body = {"lines": [{"sku_id": a, "qty": 4}]}

    first = owner.post(f"/purchase-orders/{first_po['id']}/receipts", json=body, headers=key)
    second = owner.post(f"/purchase-orders/{second_po['id']}/receipts", json=body, headers=key)

    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert second.json()["purchase_order"]["id"] == second_po["id"]
    assert first.json()["receipt"]["id"] != second.json()["receipt"]["id"]
    assert len(po(owner, first_po["id"])["receipts"]) == 1
    assert len(po(owner, second_po["id"])["receipts"]) == 1
    assert by_warehouse(owner, a) == {"wh_default": (8, 0, 8)}
    # A repeat on either target is still answered from its own first result.
    again = owner.post(f"/purchase-orders/{second_po['id']}/receipts", json=body, headers=key)
    assert again.status_code == 201 and again.json()["receipt"]["id"] == second.json()["receipt"]["id"]
    assert by_warehouse(owner, a) == {"wh_default": (8, 0, 8)}


def test_the_same_key_from_two_users_or_two_shops_never_answers_the_other(owner: Api, make_staff):
    """Scope by user and shop (this held before; kept so that a narrower scope cannot slip back)."""
    from tests.integration.conftest import new_shop

    colleague = make_staff(owner.shop_id, "owner")
    elsewhere = make_staff(new_shop(), "owner")
    key = {"Idempotency-Key": f"cat-{uuid.uuid4().hex}"}
    made = [api.post("/categories", json={"name": f"连衣裙 {i}"}, headers=key)
            for i, api in enumerate((owner, colleague, elsewhere))]
    assert [m.status_code for m in made] == [201, 201, 201], [m.text for m in made]
    assert len({m.json()["id"] for m in made}) == 3
