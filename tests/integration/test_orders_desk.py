"""The staff order desk (read side): tabs with counts, list newest first, by number and buyer
mobile, the order page with actions by role and personal data masked by role; another shop's
order is not found."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.integration.conftest import Api, new_shop
from tests.integration.test_orders_placing import _lines, _listed, _place


def test_the_desk_lists_counts_and_shows_orders(shop_id: str, owner: Api,
                                                make_staff: Callable[..., Api]) -> None:
    prd = _listed(owner, qty=10)
    placed = [_place(shop_id, _lines(prd, 1), buyer=f"byr_{n}") for n in range(3)]

    counts = owner.get("/orders/counts")
    assert counts.status_code == 200, counts.text
    assert counts.json() == {"pending_payment": 3, "pending_review": 0, "finance_review": 0, "to_ship": 0,
                             "shipped": 0, "completed": 0, "cancelled": 0}

    page = owner.get("/orders", params={"tab": "pending_payment", "limit": 2})
    assert page.status_code == 200, page.text
    first = page.json()
    assert [o["id"] for o in first["items"]] == [placed[2].id, placed[1].id]  # newest first
    rest = owner.get("/orders", params={"tab": "pending_payment", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [o["id"] for o in rest["items"]] == [placed[0].id] and rest["next_cursor"] is None
    row = first["items"][0]
    assert row["receiver_name"] == "王芳" and row["buyer_mobile"] == "+8613800000000"
    assert row["first_line"]["name"] == prd["name"] and row["item_count"] == 1
    assert owner.get("/orders", params={"tab": "pending_review"}).json()["items"] == []

    by_number = owner.get("/orders", params={"number": placed[1].number}).json()["items"]
    assert [o["id"] for o in by_number] == [placed[1].id]
    by_mobile = owner.get("/orders", params={"mobile": "13800000000"}).json()["items"]
    assert {o["id"] for o in by_mobile} == {o.id for o in placed}
    assert owner.get("/orders", params={"mobile": "13900000000"}).json()["items"] == []

    detail = owner.get(f"/orders/{placed[0].id}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["number"] == placed[0].number and body["receiver"]["detail"] == "文三路 90 号 7 幢"
    assert [t["kind"] for t in body["timeline"]] == ["placed"]
    assert body["actions"] == ["cancel", "memo", "flag", "hold"]

    # marketing sees orders, not personal data, and may do nothing to them
    marketing = make_staff(shop_id, "marketing")
    seen = marketing.get(f"/orders/{placed[0].id}").json()
    assert seen["receiver"]["mobile"] != "13912345678" and "*" in seen["receiver"]["mobile"]
    assert seen["receiver"]["name"] != "王芳" and seen["actions"] == []
    masked_row = marketing.get("/orders", params={"tab": "pending_payment"}).json()["items"][0]
    assert "*" in masked_row["buyer_mobile"]


def test_bad_desk_queries_and_another_shops_order(shop_id: str, owner: Api, make_staff: Callable[..., Api]) -> None:
    prd = _listed(owner)
    order = _place(shop_id, _lines(prd))
    for params in ({"tab": "all"}, {"number": "12"}, {"mobile": "12345"}, {"limit": 0}, {"from": "yesterday"}):
        answer: Any = owner.get("/orders", params=params)
        assert answer.status_code in (400, 422), (params, answer.text)
    assert owner.get("/orders", params={"cursor": "not-a-cursor"}).status_code == 400
    other = make_staff(new_shop(), "owner")
    assert other.get(f"/orders/{order.id}").status_code == 404
    assert other.get("/orders/counts").json()["pending_payment"] == 0
    assert owner.get("/orders/ord_01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404


def test_a_time_range_bounds_the_list(shop_id: str, owner: Api) -> None:
    prd = _listed(owner)
    order = _place(shop_id, _lines(prd))
    at = order.created_at
    inside = owner.get("/orders", params={"tab": "pending_payment", "from": at, "to": "2999-01-01T00:00:00Z"})
    assert [o["id"] for o in inside.json()["items"]] == [order.id]
    before = owner.get("/orders", params={"tab": "pending_payment", "to": at}).json()["items"]
    assert before == []  # "to" is exclusive
    for empty in ({"from": at, "to": at}, {"from": "2999-01-01T00:00:00Z", "to": "2000-01-01T00:00:00Z"}):
        answer = owner.get("/orders", params={"tab": "pending_payment", **empty})
        assert answer.status_code == 200 and answer.json()["items"] == [], answer.text


def test_the_desk_filters_by_amount_product_province_flag_and_payment_method(shop_id: str, owner: Api,
                                                                             monkeypatch: Any) -> None:
    import uuid

    from shared.orders import lifecycle, placing, queries, quote
    from shared.orders.models import Buyer, DeskQuery, PlaceOrder, QuoteLineInput
    from tests.integration.test_orders_placing import RECEIVER

    first, second = _listed(owner), _listed(owner)
    small = _place(shop_id, _lines(first, 1))
    large = _place(shop_id, _lines(first, 3))
    lines = _lines(second, 1)
    body = PlaceOrder(lines=lines, receiver={**RECEIVER, "province": "110000", "city": "", "district": ""},
                      quote_hash=quote.quote(shop_id, [QuoteLineInput(**x) for x in lines]).quote_hash)
    beijing = placing.place(shop_id, Buyer(buyer_id="byr_bj"), body, request_id=uuid.uuid4().hex)
    assert owner.put(f"/orders/{small.id}/flag", json={"flag": "blue", "version": small.version}).status_code == 200

    def ids(**params: Any) -> list[str]:
        answer = owner.get("/orders", params={"tab": "pending_payment", **params})
        assert answer.status_code == 200, answer.text
        assert answer.json()["truncated"] is False
        return [o["id"] for o in answer.json()["items"]]

    assert ids(min_amount=large.payable) == [large.id]
    assert ids(max_amount=small.payable) == [o.id for o in (beijing, small) if o.payable <= small.payable]
    assert ids(min_amount=small.payable + 1, max_amount=large.payable - 1) == \
        [o.id for o in (beijing,) if small.payable < o.payable < large.payable]
    assert ids(product_id=second["id"]) == [beijing.id]
    assert ids(province="110000") == [beijing.id]
    assert ids(province="330000", product_id=first["id"]) == [large.id, small.id]
    assert ids(flag="blue") == [small.id] and ids(flag="red") == []
    paged = owner.get("/orders", params={"tab": "pending_payment", "province": "330000", "limit": 1}).json()
    assert [o["id"] for o in paged["items"]] == [large.id] and paged["next_cursor"]
    rest = owner.get("/orders", params={"tab": "pending_payment", "province": "330000", "limit": 1,
                                        "cursor": paged["next_cursor"]}).json()
    assert [o["id"] for o in rest["items"]] == [small.id]
    # a cursor of another filter is refused rather than mixing lists
    assert owner.get("/orders", params={"tab": "pending_payment", "province": "110000",
                                        "cursor": paged["next_cursor"]}).status_code == 400
    for bad in ({"min_amount": -1}, {"product_id": "x"}, {"province": "zj"}, {"flag": "orange"},
                {"payment_method": "cash"}):
        assert owner.get("/orders", params=bad).status_code in (400, 422), bad

    for order, provider in ((small, "alipay"), (large, "wechat_pay")):
        lifecycle.apply_payment(shop_id, order.id, lifecycle.PaymentFacts(provider, order.payable, f"T{order.id}"))
    assert [o["id"] for o in owner.get("/orders", params={"tab": "pending_review", "payment_method": "wechat_pay"}
                                       ).json()["items"]] == [large.id]

    # the read window: past it the page says truncated and its cursor goes on from there
    monkeypatch.setattr(queries, "FILTER_PAGE", 1)
    monkeypatch.setattr(queries, "FILTER_WINDOW", 1)
    page = queries.desk(shop_id, DeskQuery(tab="pending_payment", province="330000"))
    assert page.truncated and page.items == [] and page.next_cursor  # the newest (beijing) did not match
    more = queries.desk(shop_id, DeskQuery(tab="pending_payment", province="330000", cursor=page.next_cursor))
    assert more.items == [] or more.truncated  # still bounded: one order read per request
