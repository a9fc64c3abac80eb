"""A buyer's checkout through the storefront API (issue 11 points 1, 5, 7): quote, place order
from the cart or given lines, my orders, cancel; attacks on another buyer's order and address,
made-up prices, bad lines, and a retried or raced request."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.integration.buyers import BuyerApi, sign_in_buyer
from tests.integration.inventory import by_warehouse, product
from tests.integration.test_buyers_book_and_cart import HOME, line, listed


def quote_of(system, shop_id: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    answer = requests.post(f"{system.url}/api/storefront/{shop_id}/quote", json={"lines": lines}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def place(buyer: BuyerApi, body: dict[str, Any], key: str | None = None) -> requests.Response:
    return buyer.post("/orders", json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex})


def ready(system, shop_id: str, owner, qty: int = 10) -> tuple[BuyerApi, dict[str, Any], dict[str, Any]]:
    prd = listed(owner, qty=qty)
    buyer = sign_in_buyer(system, shop_id)
    address = buyer.post("/addresses", json=HOME).json()
    return buyer, prd, address


def test_a_buyer_checks_out_the_cart_and_sees_the_order_with_its_timeline(system, shop_id, owner):
    buyer, prd, address = ready(system, shop_id, owner)
    buyer.post("/cart/items", json=line(prd, 2))
    cart = buyer.get("/cart").json()
    quote = quote_of(system, shop_id, [line(prd, 2)])
    assert quote["quote_hash"] == cart["quote"]["quote_hash"]
    key = uuid.uuid4().hex
    answer = place(buyer, {"address_id": address["id"], "buyer_message": "请放门口", "quote_hash": quote["quote_hash"]}, key)
    assert answer.status_code == 201, answer.text
    order = answer.json()
    assert (order["fulfilment_status"], order["payment_status"], order["actions"]) == (
        "pending_payment", "unpaid", ["pay", "cancel"])
    assert order["payable"] == quote["payable"] and order["lines"][0]["qty"] == 2
    assert order["receiver"]["name"] == "王芳" and order["receiver"]["mobile"].endswith("13912345678")
    assert "memo" not in order and "flag" not in order
    assert buyer.get("/cart").json()["lines"] == []  # the ordered lines left the cart
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 2, 8)

    again = place(buyer, {"address_id": address["id"], "buyer_message": "请放门口", "quote_hash": quote["quote_hash"]}, key)
    assert again.status_code == 201 and again.json()["id"] == order["id"]
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 2, 8)

    mine = buyer.get("/orders").json()
    assert [o["id"] for o in mine["items"]] == [order["id"]] and mine["items"][0]["actions"] == ["pay", "cancel"]
    assert buyer.get("/orders", params={"status": "cancelled"}).json()["items"] == []
    detail = buyer.get(f"/orders/{order['id']}").json()
    assert [(t["kind"], t["by"]) for t in detail["timeline"]] == [("placed", "buyer")]
    # The desk sees the same order (one domain, two views).
    assert owner.get(f"/orders/{order['id']}").json()["number"] == order["number"]


def test_given_lines_are_priced_on_the_server_and_a_made_up_price_changes_nothing(system, shop_id, owner):
    buyer, prd, address = ready(system, shop_id, owner)
    real = quote_of(system, shop_id, [line(prd, 1)])
    forged = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": "0" * 32})
    assert forged.status_code == 409 and forged.json()["error"]["code"] == "price_changed"
    assert forged.json()["error"]["details"]["quote"]["quote_hash"] == real["quote_hash"]
    priced = place(buyer, {"address_id": address["id"], "lines": [{**line(prd, 1), "unit_price": 1}],
                           "quote_hash": real["quote_hash"]})
    assert priced.status_code == 422 and "unit_price" in priced.text
    assert buyer.get("/orders").json()["items"] == []
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 0, 10)
    ok = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": real["quote_hash"]})
    assert ok.status_code == 201 and ok.json()["payable"] == real["payable"]


def test_bad_order_input_is_named_and_changes_nothing(system, shop_id, owner):
    buyer, prd, address = ready(system, shop_id, owner, qty=3)
    h = quote_of(system, shop_id, [line(prd, 1)])["quote_hash"]
    base = {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}
    no_key = buyer.post("/orders", json=base)
    assert no_key.status_code == 400 and no_key.json()["error"]["code"] == "idempotency_key_required"
    cases = [({**base, "lines": [line(prd, -1)]}, "lines.0.qty"), ({**base, "lines": [line(prd, 10 ** 7)]}, "lines.0.qty"),
             ({**base, "lines": []}, "lines"), ({**base, "address_id": "adr_x"}, "address_id"),
             ({**base, "lines": [{**line(prd), "sku_id": "sku_" + "2" * 26}]}, "lines.0.sku_id"),
             ({**base, "surprise": 1}, "surprise"), ({**base, "buyer_message": "长" * 201}, "buyer_message")]
    for body, field in cases:
        answer = place(buyer, body)
        assert answer.status_code == 422, (body, answer.text)
        assert field in [f["field"] for f in answer.json()["error"]["details"]["fields"]], answer.text
    short = place(buyer, {**base, "lines": [line(prd, 4)], "quote_hash": quote_of(system, shop_id, [line(prd, 4)])["quote_hash"]})
    assert short.status_code == 409 and short.json()["error"]["code"] == "insufficient_stock"
    assert buyer.call("POST", "/orders", data=b"{]", headers={"Content-Type": "application/json",
                                                              "Idempotency-Key": "k1"}).status_code == 400
    assert buyer.post("/orders", json={"lines": "x" * 300000}, headers={"Idempotency-Key": "k2"}).status_code == 400
    empty = place(buyer, {"address_id": address["id"], "quote_hash": h})  # cart empty
    assert empty.status_code == 422 and "lines" in empty.text
    assert owner.post(f"/products/{prd['id']}/delist", json={}).status_code == 200
    off = place(buyer, base)
    assert off.status_code == 422 and off.json()["error"]["details"]["fields"][0]["type"] == "not_on_sale"
    assert buyer.get("/orders").json()["items"] == []
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (3, 0, 3)
    bad_quote = requests.post(f"{system.url}/api/storefront/{shop_id}/quote",
                              json={"lines": [line(prd, 1)], "province": "990000"}, timeout=30)
    assert bad_quote.status_code == 422 and "province" in bad_quote.text


def test_a_cart_too_large_for_one_transaction_is_refused_before_anything_is_written(system, shop_id, owner):
    prd = product(owner, sizes=[f"S{i}" for i in range(24)])  # 48 SKUs
    assert owner.post(f"/products/{prd['id']}/list", json={}).status_code == 200
    buyer = sign_in_buyer(system, shop_id)
    address = buyer.post("/addresses", json=HOME).json()
    lines = [line(prd, 1, sku=i) for i in range(47)]
    answer = place(buyer, {"address_id": address["id"], "lines": lines, "quote_hash": "0" * 32})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "cart_too_large"
    assert answer.json()["error"]["details"]["limit"] == 46
    assert buyer.get("/orders").json()["items"] == []


def test_another_buyers_order_and_address_are_not_found(system, shop_id, owner):
    buyer, prd, address = ready(system, shop_id, owner)
    h = quote_of(system, shop_id, [line(prd, 1)])["quote_hash"]
    order = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}).json()
    other = sign_in_buyer(system, shop_id)
    assert other.get(f"/orders/{order['id']}").status_code == 404
    assert other.post(f"/orders/{order['id']}/cancel", json={}).status_code == 404
    assert other.get("/orders").json()["items"] == []
    stolen = place(other, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h})
    assert stolen.status_code == 404
    assert buyer.get(f"/orders/{order['id']}").json()["fulfilment_status"] == "pending_payment"
    # The same Idempotency-Key from another buyer is their own request, never the first buyer's order.
    key = uuid.uuid4().hex
    first = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}, key)
    theirs = other.post("/addresses", json=HOME).json()
    second = place(other, {"address_id": theirs["id"], "lines": [line(prd, 1)], "quote_hash": h}, key)
    assert first.status_code == second.status_code == 201 and first.json()["id"] != second.json()["id"]


def test_a_buyer_cancels_an_unpaid_order_once_and_never_a_paid_one(system, shop_id, owner):
    from shared.orders import lifecycle

    buyer, prd, address = ready(system, shop_id, owner)
    h = quote_of(system, shop_id, [line(prd, 2)])["quote_hash"]
    order = place(buyer, {"address_id": address["id"], "lines": [line(prd, 2)], "quote_hash": h}).json()
    cancelled = buyer.post(f"/orders/{order['id']}/cancel", json={"reason": "不想要了"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["fulfilment_status"] == "cancelled" and cancelled.json()["actions"] == []
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 0, 10)
    twice = buyer.post(f"/orders/{order['id']}/cancel", json={})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "invalid_transition"
    assert buyer.get("/orders", params={"status": "cancelled"}).json()["items"][0]["id"] == order["id"]

    paid = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)],
                         "quote_hash": quote_of(system, shop_id, [line(prd, 1)])["quote_hash"]}).json()
    applied = lifecycle.apply_payment(shop_id, paid["id"], lifecycle.PaymentFacts(
        provider="alipay", amount=paid["payable"], trade_no=uuid.uuid4().hex, paid_at=paid["created_at"]))
    assert applied.outcome == "paid"
    refused = buyer.post(f"/orders/{paid['id']}/cancel", json={})
    assert refused.status_code == 409
    assert buyer.get(f"/orders/{paid['id']}").json()["payment_status"] == "paid"


def test_one_request_raced_places_one_order(system, shop_id, owner):
    buyer, prd, address = ready(system, shop_id, owner)
    h = quote_of(system, shop_id, [line(prd, 1)])["quote_hash"]
    key = uuid.uuid4().hex
    body = {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}

    def attempt(_: int) -> tuple[int, str | None]:
        answer = place(buyer, body, key)
        return answer.status_code, answer.json().get("id")

    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(attempt, range(5)))
    ids = {i for status, i in results if status == 201}
    assert len(ids) == 1 and all(status in (201, 409) for status, _ in results), results
    assert len(buyer.get("/orders").json()["items"]) == 1
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 1, 9)
