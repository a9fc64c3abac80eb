"""Staff notices of the orders capability (registered in ``shared.notifications.triggers``):

- ``awaiting_review`` (topic ``order_review``, to ``orders.review`` holders): a paid order no
  auto-review rule approved waits in 待审核.
- ``payment_anomaly`` (topic ``payment_anomaly``, to ``orders.refund`` holders, who refund):
  money arrived that the order cannot take (``PaymentAnomaly`` of ``shopdesk.payments``: a late
  payment on a cancelled order, a second payment, a wrong amount or currency, an unknown order).
  Read by field names only, so it works on the payments capability's event as agreed in
  /work/wt/prompts/orders-design.md.
"""
from __future__ import annotations

from typing import Any

from shared.money import major_text
from shared.notifications.delivery import Delivery, Localized
from shared.orders.events import OrderAwaitingReview

ANOMALY_TEXT = {
    "amount_mismatch": ("金额与订单不符", "the amount differs from the order's"),
    "order_closed": ("订单已取消或关闭", "the order was already cancelled or closed"),
    "already_paid": ("订单已支付过", "the order was already paid"),
    "unknown_order": ("找不到对应订单", "no order has this number"),
    "currency_mismatch": ("币种与订单不符", "the currency differs from the order's"),
}


def awaiting_review(event: OrderAwaitingReview) -> Delivery:
    amount = major_text(event.payable)
    return Delivery(
        shop_id=event.shop_id, topic="order_review", audience="orders.review",
        title=Localized(zh=f"待审核订单 {event.number}", en=f"Order {event.number} awaits review"),
        body=Localized(zh=f"订单 {event.number}（¥{amount}）已付款，未匹配自动审单规则，请人工审核。",
                       en=f"Order {event.number} (¥{amount}) is paid and no auto-review rule approved it: "
                          "review it by hand."),
        link=f"/orders/{event.resource_id}", dedupe_key=f"order_review:{event.resource_id}",
        data={"kind": "order_review", "order_id": event.resource_id, "number": event.number})


def payment_anomaly(event: Any) -> Delivery:
    d = event.model_dump(mode="json")
    zh, en = ANOMALY_TEXT.get(d.get("anomaly", ""), ("支付异常", "a payment anomaly"))
    number = d.get("number") or d.get("out_trade_no") or ""
    amount = major_text(int(d.get("amount") or 0))
    refund = major_text(int(d.get("refund_due") or d.get("amount") or 0))
    return Delivery(
        shop_id=d["shop_id"], topic="payment_anomaly", audience="orders.refund",
        title=Localized(zh=f"支付异常：订单 {number}", en=f"Payment anomaly: order {number}"),
        body=Localized(zh=f"{d.get('provider', '')} 收到 ¥{amount}，{zh}。未记为已付款，需退款 ¥{refund}。",
                       en=f"{d.get('provider', '')} received ¥{amount}, but {en}. Not marked paid; "
                          f"¥{refund} is due back to the buyer."),
        link=f"/orders/{d['resource_id']}" if d.get("resource_id") else "/payments/anomalies",
        dedupe_key=f"payment_anomaly:{d['event_id']}",
        data={"kind": "payment_anomaly", "order_id": d.get("resource_id") or "", "anomaly": d.get("anomaly")})
