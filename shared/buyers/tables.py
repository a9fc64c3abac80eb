"""Items of the buyers table (``BUYERS_TABLE``).

| item | pk | sk |
|---|---|---|
| profile | ``SHOP#<s>#BUYER#<buyer>`` | ``PROFILE`` (mobile sealed, ``mobile_index`` = its blind index) |
| address | ``SHOP#<s>#BUYER#<buyer>`` | ``ADDR#<address_id>`` (name, mobile, detail sealed; codes plain) |
| cart | ``SHOP#<s>#BUYER#<buyer>`` | ``CART`` (lines, version) |
| signed-out session | ``SHOP#<s>#BUYER#<buyer>`` | ``SESSION#<origin_jti>`` (TTL) |
| notice sent | ``SHOP#<s>#BUYER#<buyer>`` | ``NOTICE#<event_id>`` (TTL; one SMS per event) |
| mobile claim | ``SHOP#<s>#BUYERMOB#<blind index>`` | ``CLAIM`` (buyer_id: one buyer per number and shop) |
| sign-in code | ``SHOP#<s>#BUYERCODE#<blind index>`` | ``CODE`` (HMAC of the code, never the code; TTL 5 min) |

Look-up by mobile is one GetItem of the claim by the number's blind index (shop-keyed, so the
same number in two shops gives unrelated keys); the claim's conditional put keeps one buyer
per number even when two first sign-ins race.
"""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from shared import crypto
from shared.db import ShopItem, TableMeta
from shared.keys import shop_key

BUYERS_TABLE_ENV = "BUYERS_TABLE"
PROFILE, CART, CLAIM, CODE = "PROFILE", "CART", "CLAIM", "CODE"


def buyer_pk(shop_id: str, buyer_id: str) -> str:
    return shop_key(shop_id, "BUYER", buyer_id)


def claim_pk(shop_id: str, mobile_index: str) -> str:
    return shop_key(shop_id, "BUYERMOB", mobile_index)


def code_pk(shop_id: str, mobile_index: str) -> str:
    return shop_key(shop_id, "BUYERCODE", mobile_index)


def address_sk(address_id: str) -> str:
    return f"ADDR#{address_id}"


def session_sk(session_id: str) -> str:
    return f"SESSION#{session_id}"


class BuyersItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = BUYERS_TABLE_ENV


class BuyerProfile(BuyersItem):
    buyer_id = UnicodeAttribute()
    mobile = crypto.PersonalAttribute(default="")
    mobile_index = UnicodeAttribute()
    created_at = UnicodeAttribute()


class MobileClaim(BuyersItem):
    buyer_id = UnicodeAttribute()


class SignInCode(BuyersItem):
    digest = UnicodeAttribute()  # blind_index of "<mobile>:<code>": the code never stored
    tries = NumberAttribute(default=0)
    expires_at = NumberAttribute()


class AddressItem(BuyersItem):
    address_id = UnicodeAttribute()
    name = crypto.PersonalAttribute(default="", field="receiver_name")
    mobile = crypto.PersonalAttribute(default="", field="receiver_mobile")
    province = UnicodeAttribute()
    city = UnicodeAttribute(default="")
    district = UnicodeAttribute(default="")
    detail = crypto.PersonalAttribute(default="", field="receiver_detail")
    is_default = UnicodeAttribute(default="")  # "1" for the default address
    created_at = UnicodeAttribute()
    version = NumberAttribute(default=1)


class CartItem(BuyersItem):
    lines = JSONAttribute(default=list)  # [{sku_id, product_id, qty}], in the order added
    version = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)


class SignedOut(BuyersItem):
    expires_at = NumberAttribute()


class NoticeSent(BuyersItem):
    """``NOTICE#<event_id>`` in the buyer's partition: the SMS of that event was sent (TTL)."""

    expires_at = NumberAttribute()
