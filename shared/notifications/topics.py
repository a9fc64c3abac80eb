"""The topics a notification can be about: one registry, read by the settings section (which
channels each topic uses), the delivery (defaults of a shop that never saved its settings) and
the UI (names in both languages). Adding a topic is one line here plus its locale label.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    code: str
    zh: str
    en: str
    email: bool  # default of a shop that never chose
    sms: bool


TOPICS: dict[str, Topic] = {t.code: t for t in (
    Topic("low_stock", "库存预警", "Low stock", email=True, sms=False),
    Topic("stock_digest", "库存日报", "Daily stock digest", email=True, sms=False),
    Topic("staff_access", "员工权限变更", "Staff access changes", email=False, sms=False),
    Topic("order_review", "待审核订单", "Orders awaiting review", email=False, sms=False),
    Topic("payment_anomaly", "支付异常", "Payment anomalies", email=True, sms=False),
    # To the buyer of the order (shared/buyers/notices.py): the "sms" switch texts the buyer's
    # mobile; their e-mail is not known, so "email" does nothing for these.
    Topic("buyer_order_placed", "买家：下单通知", "Buyer: order placed", email=False, sms=True),
    Topic("buyer_order_paid", "买家：付款通知", "Buyer: order paid", email=False, sms=True),
    Topic("buyer_order_cancelled", "买家：取消通知", "Buyer: order cancelled", email=False, sms=True),
)}


def is_topic(code: str) -> bool:
    return code in TOPICS
