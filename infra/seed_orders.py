"""Order history for a demo (or bench) shop: about 90 days of orders in every state, written
with batched writes of their final items, never through thousands of place-order transactions.

Why not call ``placing.place`` and ``lifecycle``: a few thousand orders through DynamoDB
Local's transactions take minutes and would replay stock that the inventory seed already holds;
``make run`` on fresh data must stay quick. What it writes is what the domain would have written
for the same story: the order item (priced by the one quote pipeline, ``shared.orders.quote.price``,
from the shop's real catalog; statuses walked through ``shared.orders.status.apply`` so only
valid paths exist; personal fields sealed by ``PersonalAttribute``; the tab, buyer, mobile and
due keys set as ``placing`` sets them), its timeline, its number claim and the tab counters.
Outbox events are not written: history must not flood the bus. Capabilities that keep
projections of orders (customers, reports) build them from these items with their consumers'
own code when they land.

    python -m infra.seed_orders            # the demo shop, if it has no orders yet (make run does it)
"""
from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from shared import clock, crypto
from shared.events.base import Actor
from shared.keys import shop_key
from shared.orders import status
from shared.orders.models import QuoteLineInput
from shared.orders.numbers import SHOP_ZONE
from shared.orders.quote import Facts, price, read_facts
from shared.orders.tables import (
    CLAIM_SK,
    COUNTER_SHARDS,
    ORDER_SK,
    NumberClaim,
    OrderRecord,
    OrdersItem,
    TabCounter,
    TimelineRecord,
    buyer_pk,
    counter_pk,
    created_sk,
    mobile_pk,
    number_pk,
    order_pk,
    tab_pk,
    timeline_sk,
)
from shared.tx import Writes, write_batch

log = logging.getLogger("shopdesk.seed")

DAYS = 90
ORDERS = 3000
PROVIDERS = (("alipay", 50), ("wechat_pay", 40), ("stripe", 10))
# (province, city, district, place names) - GB/T 2260 codes; the demo shop delivers to these provinces.
PLACES = [
    ("330000", "330100", "330106", "浙江省杭州市西湖区", 16), ("310000", "310100", "310115", "上海市浦东新区", 14),
    ("440000", "440300", "440305", "广东省深圳市南山区", 12), ("440000", "440100", "440106", "广东省广州市天河区", 8),
    ("110000", "110100", "110105", "北京市朝阳区", 12), ("320000", "320500", "320505", "江苏省苏州市虎丘区", 7),
    ("320000", "320100", "320102", "江苏省南京市玄武区", 6), ("510000", "510100", "510107", "四川省成都市武侯区", 7),
    ("420000", "420100", "420106", "湖北省武汉市武昌区", 5), ("500000", "500100", "500103", "重庆市渝中区", 4),
    ("370000", "370200", "370202", "山东省青岛市市南区", 4), ("350000", "350200", "350203", "福建省厦门市思明区", 3),
    ("430000", "430100", "430104", "湖南省长沙市岳麓区", 3), ("120000", "120100", "120101", "天津市和平区", 3),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "芳娜敏静丽艳娟霞秀英华慧巧美婷雪琳晶欣怡悦宁晨露瑶琪萱涵梦颖佳雨思嘉"
STREETS = ["文三路", "南京西路", "科技园南路", "天河北路", "建国路", "金鸡湖大道", "中山东路", "人民南路",
           "中北路", "解放碑步行街", "香港中路", "鹭江道", "麓山南路", "南京路"]
MESSAGES = ["", "", "", "", "", "请尽快发货，谢谢", "送人的，请不要放价格单", "周末在家，工作日放快递柜", "尺码不确定，能换吗"]
MEMOS = ["", "", "", "", "", "", "老客户，送小样", "VIP 优先发", "已电话确认地址"]
CHUNK = 200  # orders per chunk: counters and progress move once per chunk
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
UNPAID_NOW = 6  # placed for real at seed time, still unpaid
PROMO_DAY = (11, 11)  # 双十一: about four times an ordinary day


@dataclass(frozen=True)
class DemoBuyer:
    buyer_id: str
    mobile: str
    name: str
    place: tuple[str, str, str, str, int]
    detail: str


class SeedProgress(OrdersItem, discriminator="seed_progress"):
    """How far a shop's history seed got: a stopped ``make run`` resumes where it was."""

    started_at = UnicodeAttribute()  # the seed's "now": the same story is told again on resume
    written = NumberAttribute(default=0)  # orders written (whole chunks; counters moved with them)
    finished = BooleanAttribute(default=False)


def _progress_key(shop_id: str) -> tuple[str, str]:
    return shop_key(shop_id, "SEED"), "ORDERS"


def finished(shop_id: str) -> bool:
    try:
        return bool(SeedProgress.get(*_progress_key(shop_id), consistent_read=True).finished)
    except SeedProgress.DoesNotExist:
        return False


def seed_history(shop_id: str, *, orders: int = ORDERS, days: int = DAYS, seed: int = 2026,
                 threads: int = 4, timeline: bool = True, recent: bool = True, chunk: int = CHUNK,
                 product_ids: list[str] | None = None, stopping: threading.Event | None = None) -> Counter[str]:
    """Write ``orders`` orders spread over the last ``days`` days; returns the count per tab.
    Chunk by chunk: a chunk's items in parallel batches, then its tab counts and the progress in
    one transaction, so a run stopped half way resumes after the last whole chunk (the same
    seed and start time tell the same story again, ids included) and never counts twice.
    ``recent``: a few orders are placed now through ``placing.place`` (stock reserved, the unpaid
    timer running), so the storefront can pay them and the timer can cancel them.
    ``timeline=False`` leaves the timelines out (the bench's 100,000 orders: lists never read them).
    ``product_ids``: the products to sell (default: the storefront's on-shelf list, which a system
    without streams - the bench's - never fills)."""
    pk, sk = _progress_key(shop_id)
    try:
        progress = SeedProgress.get(pk, sk, consistent_read=True)
    except SeedProgress.DoesNotExist:
        progress = SeedProgress(pk, sk, started_at=clock.iso(), written=0)
        progress.save(SeedProgress.pk.does_not_exist())
    rng = random.Random(seed)
    now = datetime.fromisoformat(progress.started_at)
    facts = _catalog(shop_id, product_ids)
    skus = sorted(facts.skus.values(), key=lambda s: s.sku_id)
    # A few buyers order often, most once or twice (roughly Pareto), as in a real shop.
    buyers = [_buyer(rng, i) for i in range(max(20, orders // 4))]
    weights = [1 / (i + 1) ** 0.8 for i in range(len(buyers))]
    times = _order_times(rng, orders - (UNPAID_NOW if recent else 0), days, now)
    tabs: Counter[str] = Counter()
    numbers: set[str] = set()
    done = int(progress.written)
    with ThreadPoolExecutor(threads) as pool:
        for start in range(0, len(times), chunk):
            items: list[Any] = []
            counts: Counter[str] = Counter()
            for at in times[start:start + chunk]:  # generated even when written: the story goes on the same
                buyer = rng.choices(buyers, weights)[0]
                record, entries = _order(rng, shop_id, facts, skus, buyer, at, now, numbers)
                counts[record.tab] += 1
                items += [record, NumberClaim(number_pk(shop_id, record.number), CLAIM_SK, order_id=record.order_id)]
                if timeline:
                    items += entries
            tabs += counts
            if start < done:
                continue
            if stopping is not None and stopping.is_set():
                raise Stopped()
            list(pool.map(lambda part: write_batch(OrderRecord, part, []),
                          [items[i:i + 100] for i in range(0, len(items), 100)]))
            _count(shop_id, counts, start // chunk, progress, min(start + chunk, len(times)))
    if not progress.finished:
        for buyer in rng.sample(buyers, k=min(len(buyers), UNPAID_NOW)) if recent else []:
            tabs[_place_now(rng, shop_id, facts, skus, buyer).tab] += 1
        progress.update(actions=[SeedProgress.finished.set(True)])
    elif recent:
        tabs["pending_payment"] += UNPAID_NOW
    return tabs


def _count(shop_id: str, counts: Counter[str], n: int, progress: SeedProgress, written: int) -> None:
    """A chunk's tab counts (on one counter shard) and the progress, in one transaction."""
    writes = Writes()
    counter = TabCounter(counter_pk(shop_id), str(n % COUNTER_SHARDS))
    writes.update(counter, [TabCounter.kind.set(TabCounter),  # type: ignore[arg-type]  # pynamodb stores the tag
                            *(getattr(TabCounter, tab).add(k) for tab, k in counts.items())])
    writes.update(progress, [SeedProgress.written.set(written)], SeedProgress.written == int(progress.written))
    writes.commit()
    progress.written = written


class Stopped(Exception):
    """The system is stopping: the history stops after its last whole chunk."""


def continue_in_background(shop_id: str, stopping: threading.Event | None = None) -> threading.Thread | None:
    """``make run``: the demo history written after the system serves (DynamoDB Local takes
    about a minute for 3,000 orders with their timelines); a stopped run resumes next time."""
    if os.environ.get("SHOPDESK_DEMO_HISTORY", "1") == "0" or finished(shop_id):
        return None

    def run() -> None:
        started = time.monotonic()
        try:
            tabs = seed_history(shop_id, stopping=stopping)
        except Exception as exc:  # the demo history is a nicety: the system runs without it
            if stopping is not None and stopping.is_set():  # Ctrl-C: one calm line, no stack
                log.warning("demo order history paused; the next start resumes it")
            else:
                log.exception("the demo order history stopped; the next start resumes it", exc_info=exc)
            return
        log.warning("demo order history: %d orders (%s) in %.0f s", sum(tabs.values()),
                    ", ".join(f"{t} {n}" for t, n in sorted(tabs.items())), time.monotonic() - started)

    thread = threading.Thread(target=run, name="demo-history", daemon=True)
    thread.start()
    return thread


# -- the story of one order -----------------------------------------------------------------------
def _catalog(shop_id: str, product_ids: list[str] | None = None) -> Facts:
    from shared.catalog import storefront

    if product_ids is None:
        product_ids, cursor = [], None
        while True:
            page = storefront.list_products(shop_id, storefront.StorefrontQuery(limit=100, cursor=cursor))
            product_ids += [summary.id for summary in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
    lines = []
    for product_id in product_ids:
        product = storefront.get_product(shop_id, product_id)
        lines += [QuoteLineInput(product_id=product.id, sku_id=s.id, qty=1) for s in product.skus]
    facts = read_facts(shop_id, lines)
    facts.skus = {k: v for k, v in facts.skus.items() if v.sellable}
    if not facts.skus:
        raise RuntimeError(f"shop {shop_id} has no product on sale to build an order history from")
    return facts


def _buyer(rng: random.Random, i: int) -> DemoBuyer:
    place = rng.choices(PLACES, [p[4] for p in PLACES])[0]
    mobile = f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    detail = f"{place[3]}{rng.choice(STREETS)}{rng.randrange(1, 999)} 号 {rng.randrange(1, 30)}-{rng.randrange(101, 2800)}"
    return DemoBuyer(buyer_id=f"byr_demo{i:05d}", mobile=mobile, name=name, place=place, detail=detail)


def _order_times(rng: random.Random, n: int, days: int, now: datetime) -> list[datetime]:
    """``n`` order times over ``days``: growing slowly, busier at weekends and in the evening,
    a spike on the promotion day; none in the last 40 minutes (those are placed for real)."""
    day_weights = []
    for d in range(days):
        day = now - timedelta(days=days - 1 - d)
        w = (0.7 + 0.6 * d / days) * (1.3 if day.weekday() >= 5 else 1.0)
        if (day.month, day.day) == PROMO_DAY:
            w *= 4
        day_weights.append(w)
    hours = [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.5, 1.8, 1.9, 2.2, 1.9, 1.7, 1.6, 1.6, 1.7, 1.9,
             2.3, 2.8, 3.0, 2.4, 1.2]
    out = []
    for _ in range(n):
        d = rng.choices(range(days), day_weights)[0]
        h = rng.choices(range(24), hours)[0]
        at = (now - timedelta(days=days - 1 - d)).replace(hour=h, minute=rng.randrange(60), second=rng.randrange(60))
        out.append(min(at, now - timedelta(minutes=40)))
    return sorted(out)


def _place_now(rng: random.Random, shop_id: str, facts: Facts, skus: list[Any], buyer: DemoBuyer) -> Any:
    """An order placed now through the domain (reservation, unpaid timer, OrderPlaced event)."""
    from shared.orders import placing
    from shared.orders.models import Buyer, PlaceOrder, ReceiverInput

    lines = [QuoteLineInput(product_id=s.product_id, sku_id=s.sku_id, qty=1) for s in rng.sample(skus, k=2)]
    r = buyer.place
    quote = price(lines, Facts(shop_id=shop_id, skus=facts.skus, delivery=facts.delivery, region=r[0]))
    return placing.place(shop_id, Buyer(buyer_id=buyer.buyer_id, mobile=buyer.mobile), PlaceOrder(
        lines=lines, receiver=ReceiverInput(name=buyer.name, mobile=buyer.mobile, province=r[0], city=r[1],
                                            district=r[2], detail=buyer.detail),
        buyer_message=rng.choice(MESSAGES), quote_hash=quote.quote_hash), request_id=f"seed-{buyer.buyer_id}")


def _path(rng: random.Random, age: timedelta) -> list[str]:
    """The actions an order of this age has been through (each valid in ``status.TRANSITIONS``)."""
    if rng.random() < 0.09:
        return ["expire"]  # never paid
    paid = ["pay"]
    hours = age / timedelta(hours=1)
    if hours < 2:
        return paid if rng.random() < 0.7 else [*paid, "review"]
    if rng.random() < 0.02:
        return [*paid, "cancel"]  # cancelled after paying, before shipment (after-sales refunds it)
    if hours < 20:
        return rng.choice([paid, [*paid, "review"], [*paid, "review", "ship"]])
    shipped = [*paid, "review", "ship"]
    if hours < 72:
        return shipped if rng.random() < 0.6 else [*shipped, "deliver"]
    if rng.random() < 0.04:
        return [*shipped, "deliver", "complete", "refund_all"]  # returned and refunded
    if hours < 24 * 12:
        return rng.choice([[*shipped, "deliver"], [*shipped, "deliver", "complete"]])
    return [*shipped, "deliver", "complete"]


# When each action happens after the previous one (minutes: low, high).
DELAYS = {"pay": (1, 20), "review": (5, 240), "ship": (120, 1800), "deliver": (1440, 4320), "complete": (1440, 14400),
          "expire": (30, 30), "cancel": (30, 600), "refund_all": (1440, 7200)}
ACTORS = {"pay": "payment", "review": "auto_review", "ship": "warehouse", "deliver": "carrier",
          "complete": "order_timer", "expire": "order_timer", "cancel": "customer_service", "refund_all": "after_sales"}


def _order(rng: random.Random, shop_id: str, facts: Facts, skus: list[Any], buyer: DemoBuyer, at: datetime,
           now: datetime, numbers: set[str]) -> tuple[OrderRecord, list[TimelineRecord]]:
    chosen = rng.sample(skus, k=min(len(skus), rng.choices((1, 2, 3), (60, 30, 10))[0]))
    quote = price([QuoteLineInput(product_id=s.product_id, sku_id=s.sku_id, qty=rng.choices((1, 2), (85, 15))[0])
                   for s in chosen], facts)
    order_id = "ord_" + "".join(rng.choice(CROCKFORD) for _ in range(26))  # from the seed: a resumed run repeats it
    number = ""
    while not number or number in numbers:
        number = at.astimezone(SHOP_ZONE).strftime("%y%m%d") + f"{rng.randrange(10**8):08d}"
    numbers.add(number)
    provider = rng.choices([p for p, _ in PROVIDERS], [w for _, w in PROVIDERS])[0]
    state = status.State(*status.INITIAL)
    created = clock.iso(at)
    timeline = [TimelineRecord(order_pk(shop_id, order_id), timeline_sk(created, 0), entry="placed",
                               to_status=state.fulfilment, actor_id=f"buyer:{buyer.buyer_id}", at=created)]
    when = at
    paid_at = None
    for seq, action in enumerate(_path(rng, now - at), start=1):
        low, high = DELAYS[action]
        when = min(when + timedelta(minutes=rng.uniform(low, high)), now - timedelta(minutes=1))
        before, state = state, status.apply(state, action)
        stamp = clock.iso(when)
        data = None
        if action == "pay":
            paid_at = stamp
            data = {"provider": provider, "amount": quote.payable, "trade_no": _trade_no(rng, provider, when)}
        who = Actor.system(f"payment:{provider}" if action == "pay" else ACTORS[action]).id
        timeline.append(TimelineRecord(order_pk(shop_id, order_id), timeline_sk(stamp, seq), entry=action,
                                       from_status=before.fulfilment, to_status=state.fulfilment, data=data,
                                       note="unpaid_timeout" if action == "expire" else "", actor_id=who, at=stamp))
    r = buyer.place
    pay_due = clock.iso(at + timedelta(minutes=30))
    record = OrderRecord(
        order_pk(shop_id, order_id), ORDER_SK, order_id=order_id, number=number, buyer_id=buyer.buyer_id,
        buyer_mobile=buyer.mobile, currency=quote.currency,
        lines=[{**{k: v for k, v in line.model_dump(mode="json").items() if k != "image"},
                "image_ids": facts.skus[line.sku_id].image_ids, "warehouse_id": None} for line in quote.lines],
        discounts=[d.model_dump(mode="json") for d in quote.discounts], subtotal=quote.subtotal,
        discount_total=quote.discount_total, freight=quote.freight, payable=quote.payable,
        item_count=sum(line.qty for line in quote.lines), product_ids=sorted({x.product_id for x in quote.lines}),
        quote_hash=quote.quote_hash, payment_status=state.payment, fulfilment_status=state.fulfilment, tab=state.tab,
        receiver_name=buyer.name, receiver_mobile=buyer.mobile, receiver_detail=buyer.detail, province=r[0], city=r[1],
        district=r[2], buyer_message=rng.choice(MESSAGES), memo=rng.choice(MEMOS) if paid_at else "",
        flag=rng.choice(["red", "yellow", "green", "blue"]) if rng.random() < 0.04 else None,
        payment_method=provider if paid_at else None, paid_at=paid_at,
        paid_trade_no=timeline[1].data["trade_no"] if paid_at else None,  # type: ignore[index]
        version=len(timeline), created_at=created, updated_at=timeline[-1].at, pay_due_at=pay_due,
        tab_pk=tab_pk(shop_id, state.tab), created_sk=created_sk(created, order_id),
        buyer_pk=buyer_pk(shop_id, buyer.buyer_id),
        mobile_pk=mobile_pk(shop_id, crypto.blind_index(shop_id, "mobile", buyer.mobile)))
    return record, timeline


def _trade_no(rng: random.Random, provider: str, at: datetime) -> str:
    if provider == "alipay":
        return at.strftime("%Y%m%d") + f"22001{rng.randrange(10**19):019d}"[:24]
    if provider == "wechat_pay":
        return f"4200{rng.randrange(10**6):06d}" + at.strftime("%Y%m%d") + f"{rng.randrange(10**10):010d}"
    return "pi_" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))


if __name__ == "__main__":  # pragma: no cover
    from infra.seed import DEMO_SHOP_ID

    logging.basicConfig(level=logging.INFO)
    print(dict(seed_history(DEMO_SHOP_ID)))
