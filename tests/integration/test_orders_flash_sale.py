"""The flash-sale order queue (issue 11 point 5): a flash-sale SKU (stock over shards) is never
placed by the direct route (409 ``flash_sale_queue``); the same order sent to /order-requests is
accepted at once as queued and placed by the queue's consumer; a crowd larger than the stock
gets exactly the stock's worth of orders and a clear sold-out answer for the rest."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.integration.buyers import BuyerApi, sign_in_buyer
from tests.integration.conftest import Api, eventually
from tests.integration.inventory import assert_ledger_consistent, by_warehouse, product, receive
from tests.integration.test_buyers_book_and_cart import HOME, line


def flash_product(owner: Api, units: int) -> dict[str, Any]:
    prd = product(owner)
    assert owner.post(f"/products/{prd['id']}/list", json={}).status_code == 200
    sku_id = prd["skus"][0]["id"]
    put = owner.put(f"/inventory/stock/{sku_id}/settings", json={"product_id": prd["id"], "shards": 4, "version": 0})
    assert put.status_code == 200, put.text
    receive(owner, prd, 0, units)
    return prd


def order_body(system: Any, shop_id: str, buyer: BuyerApi, prd: dict[str, Any]) -> dict[str, Any]:
    address = buyer.post("/addresses", json=HOME).json()
    quote = requests.post(f"{system.url}/api/storefront/{shop_id}/quote", json={"lines": [line(prd, 1)]},
                          timeout=30).json()
    return {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": quote["quote_hash"]}


def settled(buyer: BuyerApi, request_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        seen = buyer.get(f"/order-requests/{request_id}").json()
        return seen if seen["status"] != "queued" else None

    return dict(eventually(done, timeout=60))


def test_a_flash_sale_order_goes_through_the_queue_and_is_placed_once(system, shop_id, owner):
    prd = flash_product(owner, 5)
    buyer = sign_in_buyer(system, shop_id)
    body = order_body(system, shop_id, buyer, prd)
    key = uuid.uuid4().hex
    direct = buyer.post("/orders", json=body, headers={"Idempotency-Key": key})
    assert direct.status_code == 409 and direct.json()["error"]["code"] == "flash_sale_queue", direct.text
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (5, 0, 5)  # nothing reserved

    queued = buyer.post("/order-requests", json=body, headers={"Idempotency-Key": key})
    assert queued.status_code == 202, queued.text
    request_id = queued.json()["request_id"]
    assert queued.json()["status"] in ("queued", "placed")
    again = buyer.post("/order-requests", json=body, headers={"Idempotency-Key": key})  # a retry: the same request
    assert again.status_code == 202 and again.json()["request_id"] == request_id
    result = settled(buyer, request_id)
    assert result["status"] == "placed", result
    order = buyer.get(f"/orders/{result['order_id']}").json()
    assert order["fulfilment_status"] == "pending_payment" and order["lines"][0]["qty"] == 1
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (5, 1, 4)
    assert [o["id"] for o in buyer.get("/orders").json()["items"]] == [order["id"]]  # placed once

    other = sign_in_buyer(system, shop_id)
    assert other.get(f"/order-requests/{request_id}").status_code == 404  # another buyer's request
    assert other.get("/order-requests/" + "0" * 40).status_code == 404


def test_a_crowd_on_a_flash_sale_gets_exactly_the_stock_and_a_clear_sold_out_for_the_rest(system, shop_id, owner):
    units, crowd = 6, 18
    prd = flash_product(owner, units)
    buyers = [sign_in_buyer(system, shop_id) for _ in range(crowd)]
    bodies = [order_body(system, shop_id, b, prd) for b in buyers]

    def ask(pair: tuple[BuyerApi, dict[str, Any]]) -> dict[str, Any]:
        buyer, body = pair
        answer = buyer.post("/order-requests", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert answer.status_code == 202, answer.text
        return settled(buyer, answer.json()["request_id"])

    with ThreadPoolExecutor(9) as pool:
        results = list(pool.map(ask, zip(buyers, bodies, strict=True)))
    placed = [r for r in results if r["status"] == "placed"]
    refused = [r for r in results if r["status"] == "refused"]
    assert len(placed) == units and len(refused) == crowd - units
    assert {r["error"]["code"] for r in refused} == {"insufficient_stock"}
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (units, units, 0)
    assert_ledger_consistent(owner, prd["skus"][0]["id"])
