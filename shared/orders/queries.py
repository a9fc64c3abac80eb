"""What the desk and the buyer pages read: the list by tab (one index Query, newest first,
bounded by a time range), by exact number (GetItem of the claim) or buyer mobile (the blind
index), the tab counts (one Query of the 10 counter shards, summed) and an order with the
actions the caller may take."""
from __future__ import annotations

import operator
from collections.abc import Iterator
from functools import reduce
from typing import Any

from shared import clock, crypto, privacy
from shared.auth.context import AuthContext
from shared.catalog import images
from shared.keys import shop_of
from shared.orders import numbers, status
from shared.orders.models import DeskQuery, FirstLine, OrderDetail, OrderSummary, TabCounts
from shared.orders.tables import OrderRecord, TabCounter, counter_pk, mobile_pk, tab_pk
from shared.orders.views import load_order, order_view, timeline
from shared.pagination import Page, decode_cursor, encode_cursor

# Which permission each lifecycle action needs at the desk.
ACTION_PERMISSIONS: dict[str, str] = {
    "review": "orders.review", "finance_approve": "orders.finance_review",
    "cancel": "orders.cancel",
}
EDIT_ACTIONS = ("memo", "flag", "hold", "release")
FILTERS = ("min_amount", "max_amount", "product_id", "province", "flag", "payment_method")
FILTER_PAGE = 100  # orders read per Query page when a filter is on
FILTER_WINDOW = 1000  # orders read per request when a filter is on (then ``truncated``, with a cursor)


def summary(rec: OrderRecord, may_see: bool = True) -> OrderSummary:
    first = rec.lines[0] if rec.lines else {}
    ids = [str(i) for i in first.get("image_ids") or []]
    return OrderSummary(
        id=rec.order_id, number=rec.number, created_at=rec.created_at, tab=rec.tab,
        fulfilment_status=rec.fulfilment_status, payment_status=rec.payment_status, payable=int(rec.payable),
        currency=rec.currency,  # type: ignore[arg-type]
        buyer_mobile=rec.buyer_mobile if may_see else privacy.mask_phone(rec.buyer_mobile),
        receiver_name=rec.receiver_name if may_see else privacy.mask_name(rec.receiver_name),
        province=rec.province, flag=rec.flag, memo=rec.memo, held=bool(rec.held), payment_method=rec.payment_method,
        item_count=int(rec.item_count),
        first_line=FirstLine(name=str(first.get("name", "")),
                             image=images.main_image_url(shop_of(rec.pk), str(first.get("product_id", "")), ids)),
        version=int(rec.version))


def _range(query: DeskQuery) -> Any:
    """[from, to) on ``<created_at>#<order>``: ``between`` of the bare times does exactly that."""
    low = clock.iso(query.from_) if query.from_ is not None else None
    high = clock.iso(query.to) if query.to is not None else None
    if low is not None and high is not None:
        return OrderRecord.created_sk.between(low, high)
    if low is not None:
        return OrderRecord.created_sk >= low
    if high is not None:
        return OrderRecord.created_sk < high
    return None


def _source(shop_id: str, query: DeskQuery) -> tuple[Any, str]:
    """The index and partition a (number-less) desk query reads: the buyer's mobile or the tab."""
    if query.mobile:
        mobile = query.mobile if query.mobile.startswith("+86") else f"+86{query.mobile}"
        return OrderRecord.by_mobile, mobile_pk(shop_id, crypto.blind_index(shop_id, "mobile", mobile))
    return OrderRecord.by_tab, tab_pk(shop_id, query.tab)


def _empty_range(query: DeskQuery) -> bool:
    return query.from_ is not None and query.to is not None and query.from_ >= query.to


def desk(shop_id: str, query: DeskQuery, may_see: bool = True) -> Page[OrderSummary]:
    if query.number:
        order_id = numbers.find(shop_id, query.number)
        if order_id is None:
            return Page[OrderSummary](items=[])
        return Page[OrderSummary](items=[summary(load_order(shop_id, order_id), may_see)])
    index, key = _source(shop_id, query)
    if _empty_range(query):
        return Page[OrderSummary](items=[])
    wanted = _filter(query)
    scope = f"orders|{key}|{query.from_}|{query.to}|" + "|".join(str(getattr(query, f)) for f in FILTERS)
    start = decode_cursor(query.cursor, scope)
    if wanted is None:
        found = index.query(key, range_key_condition=_range(query), scan_index_forward=False, limit=query.limit,
                            last_evaluated_key=start)
        items = [summary(r, may_see) for r in found]
        return Page[OrderSummary](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))
    return _filtered(index.query(key, range_key_condition=_range(query), filter_condition=wanted,
                                 scan_index_forward=False, page_size=FILTER_PAGE, last_evaluated_key=start),
                     query.limit, may_see, scope)


def desk_records(shop_id: str, query: DeskQuery) -> Iterator[OrderRecord]:
    """Every order the desk lists for ``query`` (its filters; ``limit`` and ``cursor`` ignored),
    newest first, read in pages of ``FILTER_PAGE``: what an export writes."""
    if query.number:
        order_id = numbers.find(shop_id, query.number)
        if order_id is not None:
            yield load_order(shop_id, order_id)
        return
    if _empty_range(query):
        return
    index, key = _source(shop_id, query)
    yield from index.query(key, range_key_condition=_range(query), filter_condition=_filter(query),
                           scan_index_forward=False, page_size=FILTER_PAGE)


def _filter(query: DeskQuery) -> Any:
    """The filter expression of the amount/product/province/flag/payment-method filters (None: none)."""
    conds: list[Any] = []
    if query.min_amount is not None:
        conds.append(OrderRecord.payable >= query.min_amount)
    if query.max_amount is not None:
        conds.append(OrderRecord.payable <= query.max_amount)
    if query.product_id:
        conds.append(OrderRecord.product_ids.contains(query.product_id))
    if query.province:
        conds.append(OrderRecord.province == query.province)
    if query.flag:
        conds.append(OrderRecord.flag == query.flag)
    if query.payment_method:
        conds.append(OrderRecord.payment_method == query.payment_method)
    return reduce(operator.and_, conds) if conds else None


def _filtered(found: Any, limit: int, may_see: bool, scope: str) -> Page[OrderSummary]:
    """Pages of the tab (newest first) through the filter until ``limit`` matched or ``FILTER_WINDOW``
    orders were read: then ``truncated`` with a cursor that goes on from there."""
    pages = found.page_iter
    items: list[OrderSummary] = []
    for page in pages:
        raws = page.get("Items", [])
        for n, raw in enumerate(raws):
            items.append(summary(OrderRecord.from_raw_data(raw), may_see))
            if len(items) == limit:
                more = n < len(raws) - 1 or pages.last_evaluated_key is not None
                cursor = {k: raw[k] for k in pages.key_names} if more else None
                return Page[OrderSummary](items=items, next_cursor=encode_cursor(cursor, scope))
        if pages.total_scanned_count >= FILTER_WINDOW and pages.last_evaluated_key is not None:
            return Page[OrderSummary](items=items, next_cursor=encode_cursor(pages.last_evaluated_key, scope),
                                      truncated=True)
    return Page[OrderSummary](items=items)


def counts(shop_id: str) -> TabCounts:
    totals = dict.fromkeys(status.TABS, 0)
    for shard in TabCounter.query(counter_pk(shop_id)):
        if isinstance(shard, TabCounter):
            for tab in totals:
                totals[tab] += int(getattr(shard, tab) or 0)
    return TabCounts(**totals)


def actions_for(ctx: AuthContext, rec: OrderRecord) -> list[str]:
    state = status.State(rec.payment_status, rec.fulfilment_status, bool(rec.held))
    out = [a for a in status.actions_from(state) if a in ACTION_PERMISSIONS and ctx.can(ACTION_PERMISSIONS[a])]
    if ctx.can("orders.edit"):
        out += [a for a in EDIT_ACTIONS if (a != "hold" or not rec.held) and (a != "release" or rec.held)]
    return out


def detail(ctx: AuthContext, order_id: str) -> OrderDetail:
    """The order page: the order, its timeline, the actions the caller may take (two reads)."""
    rec = load_order(ctx.shop_id, order_id)
    view = order_view(rec, timeline(ctx.shop_id, order_id), ctx.can("personal_data.view"))
    return OrderDetail(**view.model_dump(), actions=actions_for(ctx, rec))
