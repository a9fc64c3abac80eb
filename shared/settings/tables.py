"""The settings table (``SETTINGS_TABLE``): one item per shop, ``(SHOP#<id>, SETTINGS)``, each
section a JSON attribute with its own version attribute, so GET settings is one GetItem and
two people editing different sections never conflict. Outbox items share the table.
"""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute

from shared.db import ShopItem, TableMeta
from shared.keys import shop_pk

SETTINGS_TABLE_ENV = "SETTINGS_TABLE"
SETTINGS_SK = "SETTINGS"


class SettingsItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = SETTINGS_TABLE_ENV

    profile = JSONAttribute(null=True)
    profile_version = NumberAttribute(null=True)
    payment_methods = JSONAttribute(null=True)
    payment_methods_version = NumberAttribute(null=True)
    delivery_regions = JSONAttribute(null=True)
    delivery_regions_version = NumberAttribute(null=True)
    business_hours = JSONAttribute(null=True)
    business_hours_version = NumberAttribute(null=True)
    notifications = JSONAttribute(null=True)
    notifications_version = NumberAttribute(null=True)
    approvals = JSONAttribute(null=True)
    approvals_version = NumberAttribute(null=True)
    delivery_fee = JSONAttribute(null=True)
    delivery_fee_version = NumberAttribute(null=True)
    order_review = JSONAttribute(null=True)
    order_review_version = NumberAttribute(null=True)
    order_timers = JSONAttribute(null=True)
    order_timers_version = NumberAttribute(null=True)


def key(shop_id: str) -> tuple[str, str]:
    return shop_pk(shop_id), SETTINGS_SK
