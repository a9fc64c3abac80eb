"""The demo shop, created through the domain services on first start: a shop with settings
filled in as a real merchant's would be, and one staff login per built-in role.
"""
from __future__ import annotations

import time

from shared.errors import VersionConflict
from shared.events.base import Actor
from shared.identity import access, signin
from shared.settings import service
from shared.settings.models import (
    BusinessHours,
    ClosedDay,
    DayHours,
    DeliveryRegions,
    PaymentMethods,
    ShopProfile,
)

DEMO_SHOP_ID = "shp_demo"
DEMO_PASSWORD = "ShopDesk-demo-1"  # published demo credential (README, sign-in page); not a secret
DEMO_STAFF = [
    ("owner@demo.shop", "店主 王芳", "owner"),
    ("service@demo.shop", "客服 李娜", "customer_service"),
    ("warehouse@demo.shop", "仓管 张伟", "warehouse"),
    ("marketing@demo.shop", "运营 刘洋", "marketing"),
    ("finance@demo.shop", "财务 陈静", "finance"),
]


SECOND_SHOP_ID = "shp_demo_kids"


def seeded() -> bool:
    try:
        access.shop_name(DEMO_SHOP_ID)
        return True
    except Exception:
        return False


def seed_demo() -> None:
    owner = None
    access.create_shop("花间集 · 女装旗舰店", DEMO_SHOP_ID)
    users = {}
    for email, name, role in DEMO_STAFF:
        user_id = signin.create_staff_login(email, DEMO_PASSWORD, name=name)
        access.upsert_user(user_id, email, name)
        access.add_member(user_id, DEMO_SHOP_ID, {role})
        users[role] = user_id
        if role == "owner":
            owner = Actor(id=user_id, email=email)
    assert owner is not None
    # A second shop of the same owner (the shop switcher), where customer service also runs marketing.
    access.create_shop("花间集 · 童装店", SECOND_SHOP_ID, owner=owner)
    access.add_member(users["customer_service"], SECOND_SHOP_ID, {"customer_service", "marketing"})
    profile = ShopProfile(
        name="花间集 · 女装旗舰店", contact_name="王芳", contact_phone="13800138000",
        contact_email="service@huajianji.example", address="浙江省杭州市余杭区文一西路 998 号",
        time_zone="Asia/Shanghai", currency="CNY")
    # The ShopCreated consumer saves the new shop's name at some moment: build on its version.
    for _ in range(10):
        try:
            service.update_section(DEMO_SHOP_ID, "profile", profile, service.get_settings(DEMO_SHOP_ID).profile.version,
                                   owner)
            break
        except VersionConflict:
            time.sleep(0.2)
    service.update_section(DEMO_SHOP_ID, "payment_methods", PaymentMethods.model_validate({"methods": [
        {"code": "alipay", "enabled": True, "settings": {"merchant_id": "2088102146225135", "fee_rate_bp": 60}},
        {"code": "wechat_pay", "enabled": True, "settings": {"merchant_id": "1900000109", "fee_rate_bp": 60}},
        {"code": "cash_on_delivery", "enabled": False},
    ]}).completed(), 0, owner)
    service.update_section(DEMO_SHOP_ID, "delivery_regions", DeliveryRegions(provinces=[
        "110000", "120000", "310000", "320000", "330000", "340000", "350000", "360000", "370000", "440000",
        "420000", "430000", "500000", "510000"]), 0, owner)
    service.update_section(DEMO_SHOP_ID, "business_hours", BusinessHours(
        weekly=[DayHours(weekday=d, open="09:00", close="21:00") for d in range(1, 6)]
        + [DayHours(weekday=6, open="10:00", close="18:00"), DayHours(weekday=7, closed=True)],
        closed_days=[ClosedDay(date="2027-02-06", reason="春节 Spring Festival"),
                     ClosedDay(date="2027-02-07", reason="春节 Spring Festival")]), 0, owner)
