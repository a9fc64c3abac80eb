"""Items of the orders table (``ORDERS_TABLE``):

| item           | pk                          | sk               | notes                                         |
|----------------|-----------------------------|------------------|-----------------------------------------------|
| order          | SHOP#<s>#ORD#<order>        | ORDER            | lines, amounts, statuses, sealed receiver, due keys |
| timeline entry | SHOP#<s>#ORD#<order>        | TL#<at>#<seq>    | append-only: status changes, memo/flag/hold, payments, by whom |
| outbox         | SHOP#<s>#ORD#<order>        | OUTBOX#<event>   | the order's events (in the order's partition) |
| number claim   | SHOP#<s>#ORDNO#<number>     | CLAIM            | numbers unique per shop; get by number = GetItem |
| request claim  | SHOP#<s>#ORDREQ#<key>       | CLAIM            | the buyer's request key: a retried place-order answers the first order |
| tab counters   | SHOP#<s>#ORDCOUNT           | <shard 0..9>     | ADD per tab in the same transaction; read = one Query, summed |
| export job     | SHOP#<s>                    | JOB#<job>        | a desk export (``shared.jobs``), its event beside it |

GSIs: ``by_tab`` (``SHOP#<s>#TAB#<tab>``, ``<created_at>#<order>``), ``by_buyer``
(``SHOP#<s>#BUYER#<buyer>``, created), ``by_mobile`` (``SHOP#<s>#MOB#<blind index>``, created),
``by_due`` sparse (``DUE#<0..7>``, ``<due_at>#<shop>#<order>``) for the timers.
"""
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import zlib

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from shared import jobs
from shared.crypto import PersonalAttribute
from shared.db import ShopItem, TableMeta
from shared.keys import shop_key

ORDERS_TABLE_ENV = "ORDERS_TABLE"
ORDER_SK = "ORDER"
CLAIM_SK = "CLAIM"
COUNTER_SHARDS = 10
DUE_SHARDS = 8


def order_pk(shop_id: str, order_id: str) -> str:
    return shop_key(shop_id, "ORD", order_id)


def number_pk(shop_id: str, number: str) -> str:
    return shop_key(shop_id, "ORDNO", number)


def request_pk(shop_id: str, request_key: str) -> str:
    return shop_key(shop_id, "ORDREQ", request_key)


def counter_pk(shop_id: str) -> str:
    return shop_key(shop_id, "ORDCOUNT")


def tab_pk(shop_id: str, tab: str) -> str:
    return shop_key(shop_id, "TAB", tab)


def buyer_pk(shop_id: str, buyer_id: str) -> str:
    return shop_key(shop_id, "BUYER", buyer_id)


def mobile_pk(shop_id: str, mobile_index: str) -> str:
    return shop_key(shop_id, "MOB", mobile_index)


def created_sk(created_at: str, order_id: str) -> str:
    return f"{created_at}#{order_id}"


def timeline_sk(at: str, seq: int) -> str:
    return f"TL#{at}#{seq:04d}"


def due_pk(order_id: str) -> str:
    return f"DUE#{zlib.crc32(order_id.encode()) % DUE_SHARDS}"


def due_sk(due_at: str, shop_id: str, order_id: str) -> str:
    return f"{due_at}#{shop_id}#{order_id}"


class OrdersItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = ORDERS_TABLE_ENV

    kind = DiscriminatorAttribute()


class _ByTab(GlobalSecondaryIndex["OrderRecord"]):
    """The desk's tabs, newest first, bounded by a time range."""

    class Meta:
        index_name = "by_tab"
        projection = AllProjection()

    tab_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class _ByBuyer(GlobalSecondaryIndex["OrderRecord"]):
    """A buyer's orders (my orders; customers later)."""

    class Meta:
        index_name = "by_buyer"
        projection = AllProjection()

    buyer_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class _ByMobile(GlobalSecondaryIndex["OrderRecord"]):
    """Orders by the buyer's mobile (its blind index, never the number)."""

    class Meta:
        index_name = "by_mobile"
        projection = AllProjection()

    mobile_pk = UnicodeAttribute(hash_key=True)
    created_sk = UnicodeAttribute(range_key=True)


class _ByDue(GlobalSecondaryIndex["OrderRecord"]):
    """Sparse: only orders whose timer runs (unpaid cancel, delivered complete) carry these keys."""

    class Meta:
        index_name = "by_due"
        projection = KeysOnlyProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class OrderRecord(OrdersItem, discriminator="order"):
    order_id = UnicodeAttribute()
    number = UnicodeAttribute()
    buyer_id = UnicodeAttribute()
    buyer_mobile = PersonalAttribute(default="", field="mobile")
    currency = UnicodeAttribute(default="CNY")
    # [{sku_id, product_id, name, spec_values, image_ids, qty, unit_list_price, unit_price, line_subtotal,
    #   allocations, line_payable, warehouse_id}]
    lines = JSONAttribute()
    discounts = JSONAttribute(default=list)
    subtotal = NumberAttribute()
    discount_total = NumberAttribute(default=0)
    freight = NumberAttribute(default=0)
    payable = NumberAttribute()
    item_count = NumberAttribute()
    product_ids: ListAttribute[str] = ListAttribute(default=list)
    quote_hash = UnicodeAttribute()
    payment_status = UnicodeAttribute()
    fulfilment_status = UnicodeAttribute()
    tab = UnicodeAttribute()
    receiver_name = PersonalAttribute(default="", field="receiver_name")
    receiver_mobile = PersonalAttribute(default="", field="mobile")
    receiver_detail = PersonalAttribute(default="", field="receiver_address")
    province = UnicodeAttribute(default="")  # GB/T 2260 codes: not personal on their own
    city = UnicodeAttribute(default="")
    district = UnicodeAttribute(default="")
    buyer_message = PersonalAttribute(default="", field="buyer_message")
    memo = UnicodeAttribute(default="")
    flag = UnicodeAttribute(null=True)
    held = BooleanAttribute(default=False)
    hold_reason = UnicodeAttribute(null=True)
    payment_method = UnicodeAttribute(null=True)
    request_key = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)
    paid_trade_no = UnicodeAttribute(null=True)  # the provider's transaction id of the payment applied
    pay_due_at = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    due_action = UnicodeAttribute(null=True)  # what the timer does: expire | complete
    auto_review = UnicodeAttribute(null=True)  # the review rules ran once for this payment: approved | manual
    tab_pk = UnicodeAttribute()
    created_sk = UnicodeAttribute()
    buyer_pk = UnicodeAttribute()
    mobile_pk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)
    by_tab = _ByTab()
    by_buyer = _ByBuyer()
    by_mobile = _ByMobile()
    by_due = _ByDue()


class TimelineRecord(OrdersItem, discriminator="order_log"):
    entry = UnicodeAttribute()  # placed, paid, reviewed, cancelled, memo, flag, held, released, ...
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    note = UnicodeAttribute(default="")
    data = JSONAttribute(null=True)
    actor_id = UnicodeAttribute()
    at = UnicodeAttribute()


class NumberClaim(OrdersItem, discriminator="order_number"):
    order_id = UnicodeAttribute()


class RequestClaim(OrdersItem, discriminator="order_request"):
    order_id = UnicodeAttribute()
    fingerprint = UnicodeAttribute()  # what was asked: a reused key with another body is refused


class TabCounter(OrdersItem, discriminator="order_counter"):
    """One shard of the shop's tab counters (ADD in each order's transactions; read = Query, sum)."""

    pending_payment = NumberAttribute(null=True)
    pending_review = NumberAttribute(null=True)
    finance_review = NumberAttribute(null=True)
    to_ship = NumberAttribute(null=True)
    shipped = NumberAttribute(null=True)
    completed = NumberAttribute(null=True)
    cancelled = NumberAttribute(null=True)


class OrderExportJob(jobs.JobFields, OrdersItem, discriminator="order_export"):
    """A desk export (``shared.orders.desk_export``): ``clear`` when its starter could see personal
    data, so the file is handed out only to those who may."""

    clear = BooleanAttribute(default=False)
