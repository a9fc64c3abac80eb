"""The demo shop, created through the domain services on first start: a shop with settings
filled in as a real merchant's would be, one staff login per built-in role, and a catalog.
Each part is seeded when missing, so a data folder from before the catalog existed gains it.
"""
from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from shared import clock
from shared.auth.context import AuthContext
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
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shop_seeded() -> bool:
    try:
        access.shop_name(DEMO_SHOP_ID)
        return True
    except Exception:
        return False


def seeded() -> bool:
    return shop_seeded() and catalog_seeded()


def seed_demo() -> None:
    if not shop_seeded():
        seed_shop()
    if not catalog_seeded():
        seed_catalog()


def seed_shop() -> None:
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


# -- the demo catalog ---------------------------------------------------------------------------
# (name, category, specs, base price 分, strike price, cost, weight g, on shelf)
DEMO_CATEGORIES = [("女装", ["连衣裙", "上衣", "半身裙"]), ("配饰", ["丝巾围巾"])]
SIZES = ["S", "M", "L", "XL"]
DEMO_PRODUCTS: list[tuple[str, str, dict[str, list[str]], int, int, int, int, bool]] = [
    ("夏季碎花连衣裙", "连衣裙", {"颜色": ["碎花蓝", "碎花粉"], "尺码": SIZES}, 25900, 39900, 9800, 280, True),
    ("法式复古方领连衣裙", "连衣裙", {"颜色": ["黑色", "杏色"], "尺码": SIZES[:3]}, 32900, 45900, 12500, 320, True),
    ("真丝印花长裙", "连衣裙", {"颜色": ["墨绿", "酒红"], "尺码": ["M", "L"]}, 69900, 99900, 31000, 260, False),
    ("纯棉圆领白T恤", "上衣", {"颜色": ["白色", "黑色", "灰色"], "尺码": SIZES}, 7900, 12900, 2500, 180, True),
    ("雪纺泡泡袖衬衫", "上衣", {"颜色": ["白色", "浅蓝"], "尺码": SIZES[:3]}, 15900, 22900, 5200, 200, True),
    ("羊毛针织开衫", "上衣", {"颜色": ["米白", "雾霾蓝", "燕麦色"]}, 19900, 29900, 7600, 350, True),
    ("高腰A字半身裙", "半身裙", {"颜色": ["黑色", "卡其"], "尺码": SIZES[:3]}, 18900, 25900, 6100, 300, True),
    ("百褶中长半身裙", "半身裙", {"颜色": ["藏青", "米色"], "尺码": ["S", "M"]}, 16900, 0, 5500, 310, False),
    ("亚麻休闲阔腿裤", "女装", {"颜色": ["米白", "黑色"], "尺码": SIZES}, 21900, 29900, 7000, 400, False),
    ("桑蚕丝印花小方巾", "丝巾围巾", {"花色": ["青花", "朱红", "墨竹"]}, 12900, 16900, 4300, 60, True),
    ("羊绒围巾", "丝巾围巾", {}, 39900, 59900, 16000, 220, True),
    ("帆布托特包", "配饰", {"颜色": ["原色", "黑色"]}, 8900, 0, 2600, 450, True),
]


def _ean13(base12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(base12))
    return base12 + str((10 - total % 10) % 10)


def catalog_seeded() -> bool:
    from shared.catalog.categories import load_tree

    return bool(load_tree(DEMO_SHOP_ID).nodes)


def _owner_context() -> AuthContext:
    from shared.auth.permissions import ALL
    from shared.identity.tables import UserRecord

    user = next(iter(UserRecord.by_gsi1.query("LOGIN#owner@demo.shop")))
    return AuthContext(user_id=user.pk.removeprefix("USER#"), email="owner@demo.shop", shop_id=DEMO_SHOP_ID,
                       roles=frozenset({"owner"}), permissions=ALL)


def seed_catalog() -> None:
    """Categories in two levels and a dozen products, some with 颜色 x 尺码, most on shelf."""
    from itertools import product as combinations

    from shared.catalog import categories, products, shelf
    from shared.catalog.categories import CategoryCreate
    from shared.catalog.models import ProductCreate

    ctx = _owner_context()
    ids: dict[str, str] = {}
    for top, children in DEMO_CATEGORIES:
        ids[top] = categories.create(ctx, CategoryCreate(name=top)).id
        for child in children:
            ids[child] = categories.create(ctx, CategoryCreate(name=child, parent_id=ids[top])).id
    for n, (name, category, specs, price, strike, cost, weight, on_shelf) in enumerate(DEMO_PRODUCTS, start=1):
        combos = list(combinations(*specs.values()))
        skus = [{"values": list(values), "price": price + (1000 if "XL" in values else 0),
                 "strike_price": strike + (1000 if "XL" in values else 0) if strike else None, "cost_price": cost,
                 "weight_g": weight, "code": f"HJ{n:03d}-{i + 1:02d}", "barcode": _ean13(f"69208{n:03d}{i:04d}")}
                for i, values in enumerate(combos)]
        body = ProductCreate.model_validate({
            "name": name, "category_id": ids[category], "brand": "花间集",
            "description": f"<p>{name}，花间集自营。</p><ul><li>支持七天无理由退换</li><li>顺丰包邮</li></ul>",
            "attributes": [{"name": "产地", "value": "浙江杭州"}],
            "specs": [{"name": k, "values": v} for k, v in specs.items()], "skus": skus})
        created = products.create(ctx, body)
        if on_shelf:
            shelf.change(DEMO_SHOP_ID, ctx.actor, created.id, "list", None)
        elif n == 3:  # a new arrival, listed tomorrow morning (Asia/Shanghai)
            tomorrow = clock.now().astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
            shelf.change(DEMO_SHOP_ID, ctx.actor, created.id, "list", tomorrow)
