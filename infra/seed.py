"""The demo shop, created through the domain services on first start: a shop with settings
filled in as a real merchant's would be, one staff login per built-in role, and a catalog.
Each part is seeded when missing, so a data folder from before the catalog existed gains it.
"""
from __future__ import annotations

import functools
import logging
import os
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import urllib3

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

log = logging.getLogger("shopdesk.seed")

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
    return shop_seeded() and catalog_seeded() and images_seeded() and inventory_seeded() and stocktake_seeded()


def seed_demo() -> None:
    for done, seed in ((shop_seeded, seed_shop), (catalog_seeded, seed_catalog), (images_seeded, seed_images),
                       (inventory_seeded, seed_inventory), (stocktake_seeded, seed_stocktake),
                       (purchasing_seeded, seed_purchasing), (payments_seeded, seed_payments)):
        if not done():
            started = time.monotonic()
            seed()
            log.info("%s took %.1f s", seed.__name__, time.monotonic() - started)


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


def payments_seeded() -> bool:
    return service.read_section(DEMO_SHOP_ID, "payment_methods")["methods"][0]["settings"].get("app_id") is not None


def seed_payments() -> None:
    """The demo shop pays through the local payment sandbox: its merchant credentials (the data
    folder's payment-sandbox/merchant-credentials.json) written into the payment-method settings,
    secrets sealed like any shop's. Also run on data folders seeded before payments existed."""
    configure_sandbox_payments(DEMO_SHOP_ID, Actor.system("seed"))


def configure_sandbox_payments(shop_id: str, actor: Actor) -> None:
    """Alipay, WeChat Pay and Stripe enabled with the sandbox's merchant credentials (local only:
    the demo shop at seed, test shops in tests)."""
    import json

    from shared.payments.credentials import as_settings

    folder = Path(os.environ["SHOPDESK_PAYMENT_SANDBOX_DIR"])
    merchant = json.loads((folder / "merchant-credentials.json").read_text())
    current = service.get_settings(shop_id).payment_methods
    methods = {m.code: m.model_dump(mode="json") for m in current.methods}
    for code in ("alipay", "wechat_pay", "stripe"):
        methods[code] = {"code": code, "enabled": True,
                         "settings": {**methods[code]["settings"], **as_settings(merchant[code])}}
    service.update_section(shop_id, "payment_methods", PaymentMethods.model_validate({"methods": list(methods.values())}),
                           current.version, actor)
    # Stripe sends events to the endpoints registered with the account (not to a URL per payment):
    # register this shop's webhook, as its owner would in the Stripe dashboard.
    import urllib.parse
    import urllib.request

    from infra.payment_sandbox import MOUNT
    from shared.payments.credentials import SANDBOX_ENV

    sandbox = os.environ[SANDBOX_ENV]
    gateway = sandbox[: -len(MOUNT)] if sandbox.endswith(MOUNT) else sandbox
    form = urllib.parse.urlencode({"url": f"{gateway}/api/webhooks/payments/stripe/{shop_id}"}).encode()
    request = urllib.request.Request(f"{sandbox}/stripe/v1/webhook_endpoints", data=form, method="POST", headers={
        "Authorization": f"Bearer {merchant['stripe']['secret_key']}",
        "Content-Type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as answer:
        answer.read()


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
    from shared.keys import user_of

    user = access.find_user("owner@demo.shop")
    assert user is not None, "seed the shop first"
    return AuthContext(user_id=user_of(user.pk), email="owner@demo.shop", shop_id=DEMO_SHOP_ID,
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


# -- the demo pictures --------------------------------------------------------------------------
def _demo_product_id(n: int) -> str | None:
    """The id of the n-th demo product (found by its first SKU's code), None when it is gone."""
    from shared.catalog.tables import CodeClaim, claim_sk
    from shared.keys import shop_pk

    try:
        return str(CodeClaim.get(shop_pk(DEMO_SHOP_ID), claim_sk("SKUCODE", f"HJ{n:03d}-01"),
                                 consistent_read=True).product_id)
    except CodeClaim.DoesNotExist:
        return None


def images_seeded() -> bool:
    from shared.catalog import products

    product_id = _demo_product_id(1)
    return product_id is None or bool(products.load(DEMO_SHOP_ID, product_id).product.images)


def seed_images() -> None:
    """A picture for each demo product (infra/demo_images.py), taken the way a merchant's upload
    goes: the image is started (``start_upload``) and the file POSTed to the bucket with its
    presigned form; the bucket's notifications bring them to the image consumer in batches, which
    makes the thumbnails; each product is saved naming its picture once that is ready. Drawing,
    uploads and saves run four at a time. (Making the thumbnails here as well would race the
    consumer over the same files.)"""
    from concurrent.futures import ThreadPoolExecutor

    from shared.catalog import images

    ctx = _owner_context()
    with ThreadPoolExecutor(max_workers=4) as pool:
        started = pool.map(lambda n: _upload_picture(n, *DEMO_PRODUCTS[n - 1][:3]), range(1, len(DEMO_PRODUCTS) + 1))
        pending = dict(ticket for ticket in started if ticket)  # image id -> product id
        saves = []
        deadline = time.monotonic() + 120
        while pending:
            for image_id, product_id in list(pending.items()):
                status = images.status(DEMO_SHOP_ID, product_id, image_id)
                if status.status == "rejected":
                    raise RuntimeError(f"the demo picture {image_id} was rejected: {status.reason}")
                if status.status == "ready":
                    del pending[image_id]
                    saves.append(pool.submit(_name_main_image, ctx, product_id, image_id))
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"the image consumer did not make {len(pending)} demo pictures ready")
            time.sleep(0.1)
        for save in saves:
            save.result()


@functools.cache
def _uploads() -> urllib3.PoolManager:
    """One connection pool for the pictures' uploads, as large as the threads that send them
    (``urllib3.request``'s shared pool keeps one connection and warns for each other thread's)."""
    return urllib3.PoolManager(maxsize=8)


def _upload_picture(n: int, name: str, category: str, specs: dict[str, list[str]]) -> tuple[str, str] | None:
    """Draws the n-th demo product's picture, starts its upload and POSTs it like a browser:
    (image id, product id), or None when the product is gone or has a picture already."""
    from infra.demo_images import draw
    from shared.catalog import images, products

    product_id = _demo_product_id(n)
    if product_id is None or products.load(DEMO_SHOP_ID, product_id).product.images:
        return None
    data = draw(name, category, next(iter(specs.values()))[0] if specs else None)
    ticket = images.start_upload(DEMO_SHOP_ID, product_id, "image/jpeg")
    answer = _uploads().request("POST", ticket.upload.url,
                                       fields={**ticket.upload.fields, "file": (f"{product_id}.jpg", data, "image/jpeg")})
    if answer.status >= 300:
        raise RuntimeError(f"the bucket refused the demo picture of {name}: {answer.status} {answer.data[:200]!r}")
    return ticket.image_id, product_id


def _name_main_image(ctx: AuthContext, product_id: str, image_id: str) -> None:
    """Saves the product as it is with this image as its main (and only) one."""
    from shared.catalog import products
    from shared.catalog.models import ProductUpdate

    now = products.get(DEMO_SHOP_ID, product_id)
    body = now.model_dump(include={"name", "description", "category_id", "brand", "currency", "attributes", "specs"})
    skus = [sku.model_dump(exclude={"available"}) for sku in now.skus]
    products.update(ctx, product_id, ProductUpdate.model_validate({**body, "skus": skus, "images": [image_id],
                                                                   "version": now.version}))


# -- the demo stock -----------------------------------------------------------------------------
NORTH_CODE = "TJ01"
FLASH_SALE_CODE = "HJ004-02"  # 纯棉圆领白T恤 白色/M: a flash-sale SKU over 4 shards


def inventory_seeded() -> bool:
    from shared.inventory.tables import WarehouseCodeClaim, code_claim_sk
    from shared.keys import shop_pk

    try:
        WarehouseCodeClaim.get(shop_pk(DEMO_SHOP_ID), code_claim_sk(NORTH_CODE))
        return True
    except WarehouseCodeClaim.DoesNotExist:
        return False


def seed_inventory() -> None:
    """Two warehouses (Hangzhou main, Tianjin north), stock of every demo SKU, a few safety-stock
    thresholds (some SKUs start low) and a flash-sale SKU whose stock is split over 4 shards.
    Receipts of 20 SKUs share one transaction (``ledger.post``), so this takes a few seconds."""
    from shared.catalog import products
    from shared.catalog.tables import CodeClaim, claim_sk
    from shared.inventory import ledger, shards, warehouses
    from shared.inventory.models import StockSettings, WarehouseCreate, WarehouseUpdate
    from shared.keys import shop_pk
    from shared.tx import Writes

    ctx = _owner_context()
    main = warehouses.load_all(DEMO_SHOP_ID)[0]
    warehouses.update(ctx, main.warehouse_id, WarehouseUpdate(
        name="杭州主仓", code="MAIN", address="浙江省杭州市余杭区仓前街道 88 号", priority=0, version=int(main.version)))
    north = warehouses.create(ctx, WarehouseCreate(name="天津北仓", code=NORTH_CODE, address="天津市武清区京滨工业园 6 号",
                                                   priority=20))
    known = warehouses.load_all(DEMO_SHOP_ID)
    postings: list[tuple[str, str, str, int]] = []  # product, sku, warehouse, qty
    flash: tuple[str, str] | None = None
    low: list[tuple[str, str]] = []
    for n in range(1, len(DEMO_PRODUCTS) + 1):
        claim = CodeClaim.get(shop_pk(DEMO_SHOP_ID), claim_sk("SKUCODE", f"HJ{n:03d}-01"), consistent_read=True)
        for i, rec in enumerate(products.load(DEMO_SHOP_ID, claim.product_id).skus):
            sku = products.to_sku(rec)
            if sku.code == FLASH_SALE_CODE:
                flash = (claim.product_id, sku.id)
                continue
            postings.append((claim.product_id, sku.id, main.warehouse_id, 12 + (n * 7 + i * 5) % 45))
            if n % 3 == 0:
                postings.append((claim.product_id, sku.id, north.id, 6 + (n + i) % 10))
            if i == 0 and n % 4 == 1:
                low.append((claim.product_id, sku.id))
    for start in range(0, len(postings), 20):  # 4 writes a posting: 80 per transaction
        writes = Writes()
        for product_id, sku_id, warehouse_id, qty in postings[start:start + 20]:
            ledger.post(writes, ctx.actor, DEMO_SHOP_ID, product_id=product_id, sku_id=sku_id,
                        warehouse_id=warehouse_id, delta=qty, kind="purchase_receipt", reason="期初库存 opening stock",
                        ref_type="manual", known=known)
        writes.commit()
    for product_id, sku_id in low:  # safety stock above what is there: these show as low
        shards.update_settings(ctx, sku_id, StockSettings(product_id=product_id, threshold=60, version=0))
    if flash is not None:
        shards.update_settings(ctx, flash[1], StockSettings(product_id=flash[0], threshold=20, shards=4, version=0))
        writes = Writes()
        ledger.post(writes, ctx.actor, DEMO_SHOP_ID, product_id=flash[0], sku_id=flash[1],
                    warehouse_id=main.warehouse_id, delta=400, kind="purchase_receipt",
                    reason="双十一备货 flash-sale stock", ref_type="manual", known=known)
        writes.commit()


def stocktake_seeded() -> bool:
    from shared.inventory.stocktake import StocktakeRecord
    from shared.keys import shop_pk

    return any(True for _ in StocktakeRecord.query(shop_pk(DEMO_SHOP_ID), StocktakeRecord.sk.startswith("STOCKTAKE#"),
                                                   limit=1))


def seed_stocktake() -> None:
    """A past stocktake (盘点) of the T-shirts, approved with a few variances; stock is received
    first for the SKUs that have none."""
    from shared.inventory import ledger, stocktake
    from shared.inventory import stock as stock_mod
    from shared.inventory.models import Receipt

    ctx = _owner_context()
    skus = [s for s in (stocktake.sku_by_code(DEMO_SHOP_ID, f"HJ004-{i:02d}") for i in range(1, 7)) if s is not None]
    if not skus:
        return
    for s in skus:
        if not stock_mod.read_sku(DEMO_SHOP_ID, s.sku_id):
            ledger.receive(ctx, Receipt(product_id=s.product_id, sku_id=s.sku_id, qty=30, reason="期初库存"))
    count = stocktake.open_count(ctx, stocktake.StocktakeOpen(category_id=skus[0].category_id, note="月末盘点"))
    variances = [0, -1, 0, 2, -3, 0]
    entries = []
    for s, variance in zip(skus, variances, strict=False):
        on_hand = stock_mod.read(DEMO_SHOP_ID, s.sku_id, count.warehouse_id).on_hand
        entries.append(stocktake.CountEntry(sku_id=s.sku_id, counted=max(0, on_hand + variance)))
    stocktake.enter_counts(ctx, count.id, stocktake.CountEntries(lines=entries))
    stocktake.approve(ctx, count.id)


# (name, contact, phone, e-mail, address, lead time days, payment terms): the contacts are personal data,
# sealed at rest like every other (tests/integration/test_personal_data_at_rest.py looks for them).
DEMO_SUPPLIERS = [
    ("杭州丝绸织造有限公司", "周建国", "13957112345", "zhou.jg@hzsilk.example", "浙江省杭州市萧山区衙前镇工业园 18 号", 10,
     "月结30天"),
    ("广州白云服装辅料行", "陈小梅", "020-86661234", "", "广东省广州市白云区三元里大道 1208 号", 5, "款到发货"),
    ("绍兴柯桥面料批发中心", "王海涛", "13805851234", "", "浙江省绍兴市柯桥区轻纺城大道 2099 号", 14, "月结60天"),
]


def purchasing_seeded() -> bool:
    from shared.purchasing.tables import PurchaseOrderRecord, po_list_pk

    return any(True for _ in PurchaseOrderRecord.po_list.query(po_list_pk(DEMO_SHOP_ID), limit=1))


def seed_purchasing() -> None:
    """Three suppliers (采购) and four purchase orders: received and closed, partially received,
    submitted, and a draft. Receiving posts stock and sets the SKUs' costs."""
    from shared.catalog import products
    from shared.catalog.tables import CodeClaim, claim_sk
    from shared.keys import shop_pk
    from shared.purchasing import orders, receiving, suppliers
    from shared.purchasing.models import PoAction, PoCreate, ReceiptCreate, SupplierCreate, SupplierQuery

    ctx = _owner_context()
    existing = {s.name: s.id for s in suppliers.list_page(ctx, SupplierQuery(limit=100)).items}
    made = []
    for name, contact, phone, email, address, lead, terms in DEMO_SUPPLIERS:
        made.append(existing.get(name) or suppliers.create(ctx, SupplierCreate(
            name=name, contact=contact, phone=phone, email=email, lead_time_days=lead, payment_terms=terms,
            address=address)).id)

    def sku(code: str) -> tuple[str, str] | None:
        try:
            claim = CodeClaim.get(shop_pk(DEMO_SHOP_ID), claim_sk("SKUCODE", code), consistent_read=True)
        except CodeClaim.DoesNotExist:
            return None
        ids = {products.to_sku(r).code: products.to_sku(r).id for r in products.load(DEMO_SHOP_ID, claim.product_id).skus}
        return (claim.product_id, ids[code]) if code in ids else None

    def line(code: str, qty: int, unit_cost: int) -> dict[str, object] | None:
        found = sku(code)
        return {"product_id": found[0], "sku_id": found[1], "qty": qty, "unit_cost": unit_cost} if found else None

    plans = [  # supplier, lines (code, qty, unit cost), how far it goes
        (0, [("HJ001-01", 40, 4500), ("HJ001-02", 40, 4500)], "closed"),
        (0, [("HJ002-01", 30, 6800), ("HJ002-02", 20, 6800)], "partially_received"),
        (2, [("HJ004-01", 50, 2200), ("HJ004-02", 50, 2200)], "submitted"),
        (1, [("HJ003-01", 10, 9900)], "draft"),
    ]
    for supplier_index, wanted, stage in plans:
        lines = [x for x in (line(*w) for w in wanted) if x is not None]
        if not lines:
            continue
        po = orders.create(ctx, PoCreate.model_validate({"supplier_id": made[supplier_index], "lines": lines,
                                                         "notes": "演示采购单"}))
        if stage == "draft":
            continue
        orders.transition(ctx, po.id, "submit", PoAction())
        if stage == "submitted":
            continue
        half = stage == "partially_received"
        receiving.receive(DEMO_SHOP_ID, ctx.actor, po.id, ReceiptCreate.model_validate(
            {"lines": [{"sku_id": ln["sku_id"], "qty": int(ln["qty"]) // 2 if half else int(ln["qty"])} for ln in lines],
             "note": "到货验收"}))
        if stage == "closed":
            orders.transition(ctx, po.id, "close", PoAction())
