"""Buyer notices (issue 11 point 10): an SMS to the buyer when their order is placed, paid or
cancelled, per-shop switches in the notification settings, once per event."""
from __future__ import annotations

import uuid

from tests.integration.buyers import sign_in_buyer
from tests.integration.conftest import bus_probe, eventually
from tests.integration.test_buyers_book_and_cart import HOME, line, listed
from tests.integration.test_buyers_orders import place, quote_of
from tests.integration.test_staff_api import sent_sms


def texts(system, mobile: str, number: str) -> list[str]:
    return [m["message"] for m in sent_sms(system, mobile[-8:]) if number in m["message"]]


def test_the_buyer_is_texted_when_the_order_is_placed_paid_and_cancelled(system, shop_id, owner):
    from shared.orders import lifecycle

    prd = listed(owner)
    buyer = sign_in_buyer(system, shop_id)
    mobile = buyer.answer["buyer"]["mobile"]
    address = buyer.post("/addresses", json=HOME).json()
    h = quote_of(system, shop_id, [line(prd, 1)])["quote_hash"]
    with bus_probe(system, {"source": ["shopdesk.orders"], "detail-type": ["OrderPlaced"]}) as read:
        order = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}).json()
        placed_sms = eventually(lambda: texts(system, mobile, order["number"]), timeout=40)
        assert "已提交" in placed_sms[0] and "placed" in placed_sms[0]
        assert f"{order['payable'] / 100:.2f}" in placed_sms[0]
        events = eventually(lambda: [e for e in read() if e["detail"]["resource_id"] == order["id"]], timeout=30)
    # The same event delivered again sends nothing more.
    from shared.buyers import notices
    from shared.orders.events import OrderPlaced

    notices.on_order_event(OrderPlaced.model_validate(events[0]["detail"]))
    assert len(texts(system, mobile, order["number"])) == 1

    lifecycle.apply_payment(shop_id, order["id"], lifecycle.PaymentFacts(provider="alipay", amount=order["payable"],
                                                                         trade_no=uuid.uuid4().hex))
    paid = eventually(lambda: [t for t in texts(system, mobile, order["number"]) if "已付款" in t], timeout=40)
    assert len(paid) == 1

    second = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}).json()
    eventually(lambda: texts(system, mobile, second["number"]), timeout=40)
    assert buyer.post(f"/orders/{second['id']}/cancel", json={}).status_code == 200
    cancelled = eventually(lambda: [t for t in texts(system, mobile, second["number"]) if "已取消" in t], timeout=40)
    assert "cancelled" in cancelled[0]


def test_a_shop_switches_a_buyer_notice_off(system, shop_id, owner):
    version = owner.get("/settings").json()["notifications"]["version"]
    off = owner.put("/settings/notifications", json={"topics": {"buyer_order_placed": {"sms": False},
                                                                "buyer_order_cancelled": {"sms": True}},
                                                     "version": version})
    assert off.status_code == 200, off.text
    prd = listed(owner)
    buyer = sign_in_buyer(system, shop_id)
    mobile = buyer.answer["buyer"]["mobile"]
    address = buyer.post("/addresses", json=HOME).json()
    h = quote_of(system, shop_id, [line(prd, 1)])["quote_hash"]
    order = place(buyer, {"address_id": address["id"], "lines": [line(prd, 1)], "quote_hash": h}).json()
    assert buyer.post(f"/orders/{order['id']}/cancel", json={}).status_code == 200
    # The cancel notice arrives; the placed one (switched off, published first) never did.
    eventually(lambda: texts(system, mobile, order["number"]), timeout=40)
    assert [t for t in texts(system, mobile, order["number"]) if "已提交" in t] == []
