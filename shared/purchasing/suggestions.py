"""Replenishment suggestions (补货建议) and the daily sales counters they read.

Sales counters: a consumer of the inventory's ``StockDeducted`` (an order's units left the
warehouse) adds each line's units to ``SALES#<day>`` of the SKU (day in Asia/Shanghai) and
marks the SKU's profile as sold that day (the sparse ``recent_sales`` index), in one
transaction with a ``SEEN#<event id>`` item: a redelivered event changes nothing.

Suggestion per SKU (window ``W`` days ending today, review period ``R`` days):

    velocity  = units sold in the window / W
    lead time = the preferred supplier's lead time (the SKU's supplier link, else the supplier's
                default; SKUs without a supplier: DEFAULT_LEAD_TIME)
    suggested = max(0, ceil(velocity * (lead time + R) + safety stock - available - on order))

``safety stock`` is the SKU's threshold (预警值) in the warehouse (all warehouses: their sum),
``available`` the stock's available units, ``on order`` what open POs (submitted or partially
received) still expect. Candidates are the SKUs that sold in the window (one Query of
``recent_sales``) and the low-stock ones (the inventory's ``low_only`` list). Cost per request:
1 + 2 Queries (recent SKUs, open POs), the low-stock pages, 1 Query of the shop's suppliers,
BatchGets of the profiles, and per candidate SKU one Query of its sales days and one of its
stock: 2 reads per SKU, at most ``MAX_CANDIDATES`` SKUs.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import Unprocessable, field_error
from shared.inventory import stock as stock_mod
from shared.inventory import stock_views, warehouses
from shared.inventory.events import StockDeducted
from shared.inventory.models import StockQuery
from shared.keys import shop_pk
from shared.purchasing import orders
from shared.purchasing.models import (
    FromSuggestions,
    PoCreate,
    PoLineInput,
    PoView,
    SuggestionLine,
    SuggestionQuery,
    Suggestions,
    SupplierSuggestions,
)
from shared.purchasing.receiving import profiles
from shared.purchasing.tables import PROFILE_SK, SalesDayRecord, SeenRecord, SkuProfileRecord, SupplierRecord, recent_pk, sku_pk
from shared.tx import ConditionsFailed, Writes, failed

DEFAULT_LEAD_TIME = 7
MAX_CANDIDATES = 300
LOW_PAGES = 5
SEEN_KEEP = timedelta(days=7)


def today() -> date:
    return clock.now().astimezone(orders.SHANGHAI).date()


def day_of(moment_iso: str) -> str:
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(moment_iso.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(orders.SHANGHAI).date().isoformat()


# -- the sales counters -------------------------------------------------------------------------------
def record_sales(event: StockDeducted) -> bool:
    """Record handler of the ``StockDeducted`` queue. False when the event was seen before."""
    detail = event.model_dump(mode="json")
    shop_id, event_id = detail["shop_id"], detail["event_id"]
    day = day_of(detail.get("occurred_at") or clock.iso())
    units: dict[str, tuple[str, int]] = {}
    for line in detail.get("lines", []):
        product_id, qty = line["product_id"], int(line["qty"])
        units[line["sku_id"]] = (product_id, units.get(line["sku_id"], (product_id, 0))[1] + qty)
    writes = Writes()
    writes.put(SeenRecord(shop_pk(shop_id), f"SEEN#{event_id}", expires_at=clock.now() + SEEN_KEEP),
               SeenRecord.pk.does_not_exist(), ("seen",))
    for sku_id, (product_id, qty) in units.items():
        writes.update(SalesDayRecord(sku_pk(shop_id, sku_id), f"SALES#{day}"), [
            SalesDayRecord.kind.set(SalesDayRecord), SalesDayRecord.units.add(qty)])  # type: ignore[arg-type]
        writes.update(SkuProfileRecord(sku_pk(shop_id, sku_id), PROFILE_SK), [
            SkuProfileRecord.kind.set(SkuProfileRecord),  # type: ignore[arg-type]
            SkuProfileRecord.sku_id.set(sku_id), SkuProfileRecord.product_id.set(product_id),
            SkuProfileRecord.last_sold_day.set(day), SkuProfileRecord.gsi4pk.set(recent_pk(shop_id)),
            SkuProfileRecord.gsi4sk.set(f"{day}#{sku_id}")])
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "seen"):
            return False
        raise
    return True


def sold(shop_id: str, sku_id: str, first: date, last: date) -> int:
    """Units sold from ``first`` to ``last`` (days, inclusive): one Query."""
    found = SalesDayRecord.query(sku_pk(shop_id, sku_id),
                                 SalesDayRecord.sk.between(f"SALES#{first.isoformat()}", f"SALES#{last.isoformat()}"))
    return sum(int(r.units) for r in found if isinstance(r, SalesDayRecord))


# -- suggestions --------------------------------------------------------------------------------------
def _candidates(shop_id: str, first: date, warehouse_id: str | None) -> tuple[list[str], bool]:
    skus: dict[str, None] = {}
    recent = SkuProfileRecord.recent_sales.query(recent_pk(shop_id), SkuProfileRecord.gsi4sk >= first.isoformat())
    for item in recent:
        skus[item.sku_id] = None
    cursor = None
    for _ in range(LOW_PAGES):
        page = stock_views.list_stock(shop_id, StockQuery(low_only=True, warehouse_id=warehouse_id, limit=100,
                                                        cursor=cursor))
        for row in page.items:
            skus[row.sku_id] = None
        cursor = page.next_cursor
        if not cursor:
            break
    ids = list(skus)
    return ids[:MAX_CANDIDATES], len(ids) > MAX_CANDIDATES or cursor is not None


def on_order(shop_id: str, warehouse_id: str | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for po in orders.open_orders(shop_id):
        if warehouse_id and po.warehouse_id != warehouse_id:
            continue
        for ln in po.lines:
            out[ln["sku_id"]] = out.get(ln["sku_id"], 0) + max(0, int(ln["qty"]) - int(ln.get("received", 0)))
    return out


def _suppliers(shop_id: str) -> dict[str, SupplierRecord]:
    found = SupplierRecord.query(shop_pk(shop_id), SupplierRecord.sk.startswith("SUP#"))
    return {r.supplier_id: r for r in found if isinstance(r, SupplierRecord)}


def suggest(shop_id: str, query: SuggestionQuery) -> Suggestions:
    if query.warehouse_id:
        warehouses.resolve(shop_id, query.warehouse_id)
    last = today()
    first = last - timedelta(days=query.window_days - 1)
    candidates, _ = _candidates(shop_id, first, query.warehouse_id)
    known = profiles(shop_id, candidates)
    every_supplier = _suppliers(shop_id)
    expected = on_order(shop_id, query.warehouse_id)
    groups: dict[str | None, list[SuggestionLine]] = {}
    for sku_id in candidates:
        stocks = stock_mod.read_sku(shop_id, sku_id, consistent=False)
        chosen = [s for w, s in stocks.items() if query.warehouse_id in (None, w)]
        heads = [s.head for s in chosen if s.head is not None]
        units = sold(shop_id, sku_id, first, last)
        if not heads and not units:
            continue
        profile = known.get(sku_id)
        supplier_id = profile.preferred_supplier_id if profile else None
        supplier = every_supplier.get(supplier_id) if supplier_id else None
        link = dict((profile.suppliers or {}).get(supplier_id) or {}) if profile and supplier_id else {}
        lead = int(link.get("lead_time_days") or (supplier.lead_time_days if supplier else DEFAULT_LEAD_TIME))
        safety = sum(s.threshold or 0 for s in chosen)
        available = sum(s.available for s in chosen)
        velocity = units / query.window_days
        need = velocity * (lead + query.review_days) + safety - available - expected.get(sku_id, 0)
        qty = max(0, math.ceil(round(need, 6)))
        if qty <= 0:
            continue
        head = heads[0] if heads else None
        groups.setdefault(supplier.supplier_id if supplier else None, []).append(SuggestionLine(
            sku_id=sku_id, product_id=head.product_id if head else (profile.product_id if profile else "") or "",
            product_name=(head.product_name if head else "") or "", sku_label=(head.sku_label if head else "") or "",
            sku_code=(head.sku_code if head else "") or "", sold=units, velocity=round(velocity, 4),
            lead_time_days=lead, safety_stock=safety, available=available, on_order=expected.get(sku_id, 0),
            suggested_qty=qty, last_unit_cost=link.get("last_unit_cost")))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, every_supplier[kv[0]].name if kv[0] else ""))
    return Suggestions(window_days=query.window_days, review_days=query.review_days, warehouse_id=query.warehouse_id,
                       groups=[SupplierSuggestions(supplier_id=k, supplier_name=every_supplier[k].name if k else "",
                                                   lines=sorted(v, key=lambda ln: ln.sku_id)) for k, v in ordered])


def draft_from(ctx: AuthContext, body: FromSuggestions) -> PoView:
    """A draft PO for one supplier from its suggestions (all of them, or the chosen lines with
    optional quantity and unit cost)."""
    from shared.purchasing import suppliers

    suppliers.usable(ctx.shop_id, body.supplier_id)
    found = suggest(ctx.shop_id, SuggestionQuery(window_days=body.window_days, warehouse_id=body.warehouse_id,
                                                 review_days=body.review_days))
    mine = {ln.sku_id: ln for g in found.groups if g.supplier_id == body.supplier_id for ln in g.lines}
    lines: list[PoLineInput] = []
    if body.lines is None:
        chosen: list[tuple[Any, int | None, int | None]] = [(ln, None, None) for ln in mine.values()]
    else:
        chosen = []
        for i, pick in enumerate(body.lines):
            if pick.sku_id not in mine:
                raise field_error(f"lines.{i}.sku_id", "not_suggested", sku_id=pick.sku_id)
            chosen.append((mine[pick.sku_id], pick.qty, pick.unit_cost))
    for line, qty, unit_cost in chosen:
        lines.append(PoLineInput(product_id=line.product_id, sku_id=line.sku_id, qty=qty or line.suggested_qty,
                                 unit_cost=unit_cost if unit_cost is not None else (line.last_unit_cost or 0)))
    if not lines:
        raise Unprocessable("no_suggestions", details={"supplier_id": body.supplier_id})
    po = PoCreate(supplier_id=body.supplier_id, warehouse_id=body.warehouse_id, lines=lines[:60])
    return orders.create(ctx, po, origin="suggestions")
