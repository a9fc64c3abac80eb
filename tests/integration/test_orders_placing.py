"""Placing orders (issue 11 point 5) against the real local system (DynamoDB Local): server-side
prices, one transaction for order + stock, idempotent by the buyer's request key, and no
oversell under a race. The buyer routes (functions/storefront) are not there yet, so these
tests call the domain function the routes will call, ``shared.orders.placing.place``, with the
system's tables (docs/orders.md says so)."""
from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from shared.errors import Conflict, Unprocessable, ValidationFailed
from tests.integration.conftest import Api
from tests.integration.inventory import assert_ledger_consistent, by_warehouse, product, receive

RECEIVER = {"name": "王芳", "mobile": "13912345678", "province": "330000", "city": "330100", "district": "330106",
            "detail": "文三路 90 号 7 幢"}


def _listed(owner: Api, qty: int = 10) -> dict[str, Any]:
    prd = product(owner)
    answer = owner.post(f"/products/{prd['id']}/list", json={})
    assert answer.status_code == 200, answer.text
    receive(owner, prd, 0, qty)
    return prd


def _lines(prd: dict[str, Any], qty: int = 1, sku: int = 0) -> list[dict[str, Any]]:
    return [{"product_id": prd["id"], "sku_id": prd["skus"][sku]["id"], "qty": qty}]


def _place(shop_id: str, lines: list[dict[str, Any]], *, key: str | None = None, quote_hash: str | None = None,
           buyer: str = "byr_1", message: str = "") -> Any:
    from shared.orders import placing, quote
    from shared.orders.models import Buyer, PlaceOrder, QuoteLineInput

    if quote_hash is None:
        quote_hash = quote.quote(shop_id, [QuoteLineInput(**x) for x in lines]).quote_hash
    body = PlaceOrder(lines=lines, receiver=RECEIVER, buyer_message=message, quote_hash=quote_hash)
    return placing.place(shop_id, Buyer(buyer_id=buyer, mobile="+8613800000000"), body,
                         request_id=key or uuid.uuid4().hex)


def _orders_of(shop_id: str) -> list[Any]:
    from shared.orders.tables import OrderRecord, tab_pk

    return list(OrderRecord.by_tab.query(tab_pk(shop_id, "pending_payment")))


def _count(shop_id: str, tab: str) -> int:
    from shared.orders.tables import TabCounter, counter_pk

    return sum(int(getattr(c, tab) or 0) for c in TabCounter.query(counter_pk(shop_id)) if isinstance(c, TabCounter))


def test_an_order_is_priced_on_the_server_and_reserves_its_stock(shop_id: str, owner: Api) -> None:
    answer = owner.put("/settings/delivery-fee", json={"flat_fee": 800, "free_over": None, "version": 0})
    assert answer.status_code == 200, answer.text
    prd = _listed(owner)
    sku = prd["skus"][0]
    order = _place(shop_id, _lines(prd, 3), message="请下午送")
    assert (order.payment_status, order.fulfilment_status, order.tab) == ("unpaid", "pending_payment",
                                                                         "pending_payment")
    assert order.lines[0].unit_price == sku["price"] and order.lines[0].qty == 3
    assert (order.subtotal, order.freight, order.payable) == (3 * sku["price"], 800, 3 * sku["price"] + 800)
    assert len(order.number) == 14 and order.number.isdigit()
    assert order.receiver.name == "王芳" and order.buyer_message == "请下午送"
    assert order.pay_due_at and order.pay_due_at > order.created_at
    assert order.lines[0].warehouse_id == "wh_default"
    assert by_warehouse(owner, sku["id"])["wh_default"] == (10, 3, 7)
    assert_ledger_consistent(owner, sku["id"])
    assert _count(shop_id, "pending_payment") == 1

    from shared.orders import numbers, views

    assert numbers.find(shop_id, order.number) == order.id
    detail = views.get(shop_id, order.id)
    assert [t.kind for t in detail.timeline] == ["placed"]


@contextmanager
def dynamodb_calls() -> Iterator[list[str]]:
    """The DynamoDB operations this thread sends (round trips, in order)."""
    from botocore.client import BaseClient

    seen: list[str] = []
    original = BaseClient._make_api_call
    me = threading.get_ident()

    def counted(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb" and threading.get_ident() == me:
            seen.append(operation)
        return original(self, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def test_an_order_costs_one_read_round_trip_and_one_transaction(shop_id: str, owner: Api) -> None:
    """The product item carries its SKUs' selling facts, so the SKU items are not read."""
    from shared.orders import quote
    from shared.orders.models import QuoteLineInput

    prd = _listed(owner)
    receive(owner, prd, 1, 10)
    lines = _lines(prd) + _lines(prd, sku=1)
    _place(shop_id, lines)  # the container's warehouse list is kept for 30 s: warm it
    quote_hash = quote.quote(shop_id, [QuoteLineInput(**x) for x in lines]).quote_hash
    with dynamodb_calls() as calls:
        order = _place(shop_id, lines, quote_hash=quote_hash)
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    assert [line.qty for line in order.lines] == [1, 1]
    with dynamodb_calls() as calls:
        quote.quote(shop_id, [QuoteLineInput(**x) for x in lines])
    assert calls == ["BatchGetItem"]


def test_personal_values_are_sealed_in_the_table(shop_id: str, owner: Api) -> None:
    from shared.aws import client
    from shared.orders.tables import ORDER_SK, OrderRecord, order_pk

    order = _place(shop_id, _lines(_listed(owner)), message="门口放快递柜")
    raw = client("dynamodb").get_item(TableName=OrderRecord.Meta.table_name,
                                      Key={"pk": {"S": order_pk(shop_id, order.id)}, "sk": {"S": ORDER_SK}})["Item"]
    text = repr(raw)
    for plain in ("王芳", "13912345678", "文三路", "门口放快递柜", "13800000000"):
        assert plain not in text
    assert raw["receiver_name"]["S"].startswith("pd1:")


def test_a_changed_price_answers_the_new_quote_and_writes_nothing(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    with pytest.raises(Conflict) as caught:
        _place(shop_id, _lines(prd, 2), quote_hash="0" * 32)
    assert caught.value.code == "price_changed"
    new = caught.value.details["quote"]
    assert new["lines"][0]["unit_price"] == prd["skus"][0]["price"] and new["quote_hash"]
    assert _orders_of(shop_id) == []
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 0, 10)


def test_not_enough_stock_names_the_sku_and_writes_nothing(shop_id: str, owner: Api) -> None:
    prd = _listed(owner, qty=2)
    with pytest.raises(Conflict) as caught:
        _place(shop_id, _lines(prd, 3))
    assert caught.value.code == "insufficient_stock"
    assert caught.value.details["sku_id"] == prd["skus"][0]["id"]
    assert _orders_of(shop_id) == [] and _count(shop_id, "pending_payment") == 0
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (2, 0, 2)


def test_unknown_and_off_shelf_skus_are_refused_by_field(shop_id: str, owner: Api) -> None:
    listed, off = _listed(owner), product(owner)
    lines = [*_lines(listed), {"product_id": off["id"], "sku_id": off["skus"][0]["id"], "qty": 1},
             {"product_id": listed["id"], "sku_id": off["skus"][1]["id"], "qty": 1}]
    with pytest.raises(ValidationFailed) as caught:
        _place(shop_id, lines, quote_hash="0" * 32)
    assert [(f["field"], f["type"]) for f in caught.value.details["fields"]] == [
        ("lines.1.sku_id", "not_on_sale"), ("lines.2.sku_id", "unknown_sku")]
    assert _orders_of(shop_id) == []


def test_a_cart_larger_than_one_transaction_is_refused_before_reading(shop_id: str) -> None:
    from shared.orders.placing import MAX_LINES

    assert MAX_LINES == 46  # (100 - 8) // 2
    lines = [{"product_id": "prd_01HZZZZZZZZZZZZZZZZZZZZZZZ", "sku_id": f"sku_01HZZZZZZZZZZZZZZZZZZZZZ{n:02d}", "qty": 1}
             for n in range(MAX_LINES + 1)]
    with pytest.raises(Unprocessable) as caught:
        _place(shop_id, lines, quote_hash="0" * 32)
    assert caught.value.code == "cart_too_large" and caught.value.details == {"lines": MAX_LINES + 1,
                                                                              "limit": MAX_LINES}


def test_a_retried_request_answers_the_first_order(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    first = _place(shop_id, _lines(prd, 2), key="k-retry")
    again = _place(shop_id, _lines(prd, 2), key="k-retry")
    assert again.id == first.id and again.replayed and not first.replayed
    with pytest.raises(Conflict) as caught:
        _place(shop_id, _lines(prd, 1), key="k-retry")
    assert caught.value.code == "request_key_reused"
    assert len(_orders_of(shop_id)) == 1
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 2, 8)


def test_the_same_request_raced_places_one_order(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: _place(shop_id, _lines(prd, 1), key="k-race").id, range(8)))
    assert len(ids) == 1 and len(_orders_of(shop_id)) == 1
    assert by_warehouse(owner, prd["skus"][0]["id"])["wh_default"] == (10, 1, 9)


def test_fifty_buyers_race_for_ten_units_and_exactly_ten_get_an_order(shop_id: str, owner: Api) -> None:
    prd = _listed(owner, qty=10)
    sku_id = prd["skus"][0]["id"]

    def one(n: int) -> str:
        try:
            _place(shop_id, _lines(prd, 1), buyer=f"byr_{n}")
            return "placed"
        except Conflict as exc:
            return exc.code

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(one, range(50)))
    assert outcomes.count("placed") == 10
    assert set(outcomes) == {"placed", "insufficient_stock"}
    assert len(_orders_of(shop_id)) == 10 and _count(shop_id, "pending_payment") == 10
    assert by_warehouse(owner, sku_id)["wh_default"] == (10, 10, 0)
    assert_ledger_consistent(owner, sku_id)
