"""The payments table (``PAYMENTS_TABLE``): payment requests of orders, the providers' events
stored once, and the anomalies staff must look at. Outbox items share the table.

- payment: ``SHOP#<s>#ORDPAY#<order_id>`` / ``PAY#<provider>``, one per order and provider;
  out_trade_no = the order number (a repeated start reuses the provider's trade).
- provider event: ``SHOP#<s>#PAYEVT#<provider>#<event_id>`` / ``EVENT``; its conditional put is the
  dedupe on the provider's event id; the raw payload sealed.
- anomaly: ``SHOP#<s>#PAYANOM`` / ``<received_at>#<provider>#<event_id>``, newest first by Query.
- anomaly claim: ``SHOP#<s>#PAYANOMCLAIM`` / ``<provider>#<trade no>``, a conditional put in the
  anomaly's transaction: one anomaly per provider trade.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from shared.crypto import PersonalAttribute
from shared.db import ShopItem, TableMeta
from shared.keys import shop_key

PAYMENTS_TABLE_ENV = "PAYMENTS_TABLE"
EVENT_SK = "EVENT"


def payment_pk(shop_id: str, order_id: str) -> str:
    return shop_key(shop_id, "ORDPAY", order_id)


def payment_sk(provider: str) -> str:
    return f"PAY#{provider}"


def event_pk(shop_id: str, provider: str, event_id: str) -> str:
    return shop_key(shop_id, "PAYEVT", provider, event_id)


def anomaly_pk(shop_id: str) -> str:
    return shop_key(shop_id, "PAYANOM")


def anomaly_claim_pk(shop_id: str) -> str:
    return shop_key(shop_id, "PAYANOMCLAIM")


def anomaly_sk(received_at: str, provider: str, event_id: str) -> str:
    return f"{received_at}#{provider}#{event_id}"


class PaymentsItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = PAYMENTS_TABLE_ENV

    kind = DiscriminatorAttribute()


class PaymentRecord(PaymentsItem, discriminator="payment"):
    payment_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    provider = UnicodeAttribute()
    out_trade_no = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute(default="CNY")
    # requested → paid → partially_refunded → refunded; closed (the provider's trade expired unpaid)
    status = UnicodeAttribute()
    cashier_url = UnicodeAttribute(null=True)
    provider_ref = UnicodeAttribute(null=True)
    provider_trade_no = UnicodeAttribute(null=True)
    expires_at_time = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)
    paid_amount = NumberAttribute(null=True)
    refunded_total = NumberAttribute(default=0)
    refunds = JSONAttribute(null=True)  # {out_refund_no: fen} of the refunds notified
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ProviderEventRecord(PaymentsItem, discriminator="provider_event"):
    provider = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    status = UnicodeAttribute()
    out_trade_no = UnicodeAttribute(null=True)
    notice = JSONAttribute()  # the PaymentNotice without raw
    raw = PersonalAttribute(default="", field="payment_raw")  # the provider's payload (buyer ids inside): sealed
    received_at = UnicodeAttribute()
    outcome = UnicodeAttribute(null=True)  # set once applied: paid | duplicate | anomaly:<kind> | recorded | ignored
    processed_at = UnicodeAttribute(null=True)


class AnomalyRecord(PaymentsItem, discriminator="anomaly"):
    anomaly = UnicodeAttribute()  # amount_mismatch | order_closed | already_paid | unknown_order | currency_mismatch
    provider = UnicodeAttribute()
    event_id = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    number = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)  # what the provider says was paid
    expected = NumberAttribute(null=True)  # what the order asks
    currency = UnicodeAttribute(null=True)
    provider_trade_no = UnicodeAttribute(null=True)
    refund_due = NumberAttribute(default=0)  # money to give back (after-sales refunds it)
    at = UnicodeAttribute()


class AnomalyClaim(PaymentsItem, discriminator="anomaly_claim"):
    """One anomaly per provider trade, whatever number of notices tell of it: pk
    ``SHOP#<s>#PAYANOMCLAIM``, sk ``<provider>#<provider trade no>``."""
