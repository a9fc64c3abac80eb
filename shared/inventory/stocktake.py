"""Stocktake (盘点): count a warehouse, or one category of it, and post the differences as
``stocktake`` movements. The rules with an example: docs/inventory.md#stocktake.

- Opening snapshots the on-hand units of every SKU the warehouse holds in scope (``expected``),
  one line per SKU. A SKU found on the shelf but not expected gets a line when its count is
  entered (by SKU id, or by barcode / SKU code as a phone's scanner types it).
- Entering a count records, with the counted units, the on-hand units at that moment
  (``on_hand_at_count``; the entry commits only if the stock is still that). The variance is
  ``counted - on_hand_at_count``: sales and receipts between opening and counting are already
  in ``on_hand_at_count``; those after the count are not undone by the adjustment.
- Approving posts each line's variance as a movement on the current on-hand units, one
  transaction per line, with the line's ``posted_at`` marker written conditionally in the same
  transaction: an interrupted or repeated approval continues and never posts a line twice. A
  large count answers ``approving`` when its time budget is spent; approving again continues.
- One count at a time per warehouse (a lock item), so two counts never adjust a stock twice.
  Lines never counted are left as they are (not counted is not zero).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError
from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import Conflict, NotFound, Unprocessable, ValidationFailed, field_error
from shared.ids import new_id
from shared.inventory import ledger, warehouses
from shared.inventory import stock as stock_mod
from shared.inventory.models import MAX_QTY, Id
from shared.inventory.stock import Stock
from shared.inventory.tables import InventoryItem, StockRecord, stock_pk, warehouse_list_pk, warehouse_sk
from shared.keys import shop_key, shop_pk
from shared.model import Input, Model
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shared.tx import ConditionsFailed, Stale, Writes, failed, retrying

MAX_LINES = 3000  # lines a count may open with (a bigger warehouse is counted category by category)
MAX_ENTRIES = 40  # counts entered per request (one transaction: a line and a stock check each)
APPROVE_BUDGET_S = 6.0  # of a request's 10 s; the rest is left to approve again
Status = Literal["open", "approving", "approved", "cancelled"]


# -- items -------------------------------------------------------------------------------------------
def count_sk(stocktake_id: str) -> str:
    return f"STOCKTAKE#{stocktake_id}"


def lines_pk(shop_id: str, stocktake_id: str) -> str:
    return shop_key(shop_id, "STOCKTAKE", stocktake_id)


def line_sk(sku_id: str) -> str:
    return f"LINE#{sku_id}"


def lock_sk(warehouse_id: str) -> str:
    return f"STOCKTAKELOCK#{warehouse_id}"


class StocktakeRecord(InventoryItem, discriminator="stocktake"):
    """(``SHOP#<s>``, ``STOCKTAKE#<id>``): a count and where it stands."""

    stocktake_id = UnicodeAttribute()
    warehouse_id = UnicodeAttribute()
    warehouse_name = UnicodeAttribute(default="")
    category_id = UnicodeAttribute(null=True)
    category_name = UnicodeAttribute(null=True)
    note = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    lines_total = NumberAttribute(default=0)
    lines_counted = NumberAttribute(default=0)
    lines_adjusted = NumberAttribute(default=0)
    opened_at = UnicodeAttribute()
    opened_by = UnicodeAttribute()
    opened_by_id = UnicodeAttribute(null=True)  # user id, for the separation-of-duties check
    closed_at = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=1)


class StocktakeLineRecord(InventoryItem, discriminator="stocktake_line"):
    """(``SHOP#<s>#STOCKTAKE#<id>``, ``LINE#<sku>``): one SKU of a count."""

    sku_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    product_name = UnicodeAttribute(default="")
    sku_label = UnicodeAttribute(default="")
    sku_code = UnicodeAttribute(default="")
    expected = NumberAttribute(default=0)  # on hand when the count was opened
    added = BooleanAttribute(default=False)  # found, not expected
    counted = NumberAttribute(null=True)
    on_hand_at_count = NumberAttribute(null=True)
    variance = NumberAttribute(null=True)  # counted - on_hand_at_count
    counted_at = UnicodeAttribute(null=True)
    counted_by = UnicodeAttribute(null=True)
    posted_at = UnicodeAttribute(null=True)


class StocktakeLock(InventoryItem, discriminator="stocktake_lock"):
    """(``SHOP#<s>``, ``STOCKTAKELOCK#<warehouse>``): the warehouse's count in progress."""

    stocktake_id = UnicodeAttribute()


# -- what the API takes and answers --------------------------------------------------------------------
class StocktakeOpen(Input):
    warehouse_id: Id | None = Field(None, description="Default: the shop's first active warehouse")
    category_id: Id | None = Field(None, description="Count only this category and its sub-categories")
    note: str = Field("", max_length=200)


class StocktakeQuery(PageQuery):
    status: Status | None = None
    warehouse_id: Id | None = None


class LineQuery(PageQuery):
    show: Literal["all", "uncounted", "counted", "variance"] = Field(
        "all", description="variance: counted lines whose count differs from the stock")


class CountEntry(Input):
    sku_id: Id | None = None
    code: str | None = Field(None, min_length=1, max_length=64, description="A barcode or SKU code (scanned)")
    counted: int = Field(ge=0, le=MAX_QTY, strict=True, description="Units counted on the shelf")

    @model_validator(mode="after")
    def _one_of(self) -> CountEntry:
        if (self.sku_id is None) == (self.code is None):
            raise PydanticCustomError("sku_or_code", "give either sku_id or code")
        return self


class CountEntries(Input):
    lines: list[CountEntry] = Field(min_length=1, max_length=MAX_ENTRIES)


class StocktakeLineView(Model):
    sku_id: str
    product_id: str
    product_name: str = ""
    sku_label: str = ""
    sku_code: str = ""
    expected: int = Field(description="On hand when the count was opened")
    counted: int | None = None
    on_hand_at_count: int | None = Field(None, description="On hand when the count was entered")
    variance: int | None = Field(None, description="counted - on_hand_at_count: what approval posts")
    counted_at: str | None = None
    counted_by: str | None = None
    added: bool = Field(False, description="Found on the shelf, not expected at opening")
    posted: bool = False


class StocktakeView(Model):
    id: str
    warehouse_id: str
    warehouse_name: str = ""
    category_id: str | None = None
    category_name: str | None = None
    note: str = ""
    status: Status
    lines_total: int
    lines_counted: int
    lines_adjusted: int = Field(description="Lines whose variance has been posted")
    opened_at: str
    opened_by: str
    closed_at: str | None = None
    closed_by: str | None = None
    version: int


class StocktakeDetail(Model):
    stocktake: StocktakeView
    lines: list[StocktakeLineView]
    next_cursor: str | None = None


class EntriesView(Model):
    stocktake: StocktakeView
    lines: list[StocktakeLineView] = Field(description="The lines entered, as stored")


def view(r: StocktakeRecord) -> StocktakeView:
    return StocktakeView(id=r.stocktake_id, warehouse_id=r.warehouse_id, warehouse_name=r.warehouse_name or "",
                         category_id=r.category_id, category_name=r.category_name, note=r.note or "",
                         status=r.status,  # type: ignore[arg-type]
                         lines_total=int(r.lines_total), lines_counted=int(r.lines_counted),
                         lines_adjusted=int(r.lines_adjusted), opened_at=r.opened_at, opened_by=r.opened_by,
                         closed_at=r.closed_at, closed_by=r.closed_by, version=int(r.version))


def line_view(r: StocktakeLineRecord) -> StocktakeLineView:
    def num(v: Any) -> int | None:
        return None if v is None else int(v)

    return StocktakeLineView(sku_id=r.sku_id, product_id=r.product_id, product_name=r.product_name or "",
                             sku_label=r.sku_label or "", sku_code=r.sku_code or "", expected=int(r.expected),
                             counted=num(r.counted), on_hand_at_count=num(r.on_hand_at_count),
                             variance=num(r.variance), counted_at=r.counted_at, counted_by=r.counted_by,
                             added=bool(r.added), posted=r.posted_at is not None)


# -- reading -------------------------------------------------------------------------------------------
def load(shop_id: str, stocktake_id: str) -> StocktakeRecord:
    try:
        return StocktakeRecord.get(shop_pk(shop_id), count_sk(stocktake_id), consistent_read=True)
    except StocktakeRecord.DoesNotExist as exc:
        raise NotFound("stocktake_not_found", details={"stocktake_id": stocktake_id}) from exc


def _closed(r: StocktakeRecord) -> Conflict:
    return Conflict("stocktake_closed", details={"stocktake_id": r.stocktake_id, "status": r.status},
                    status=r.status)


def list_counts(shop_id: str, query: StocktakeQuery) -> Page[StocktakeView]:
    """The shop's counts, newest first (ids sort by time)."""
    scope = f"stk|{shop_id}|{query.status or ''}|{query.warehouse_id or ''}"
    condition = None
    if query.status:
        condition = StocktakeRecord.status == query.status
    if query.warehouse_id:
        same = StocktakeRecord.warehouse_id == query.warehouse_id
        condition = same if condition is None else condition & same
    found = StocktakeRecord.query(shop_pk(shop_id), StocktakeRecord.sk.startswith("STOCKTAKE#"),
                                  filter_condition=condition, scan_index_forward=False, limit=query.limit,
                                  last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [view(r) for r in found]
    return Page[StocktakeView](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))


def detail(shop_id: str, stocktake_id: str, query: LineQuery) -> StocktakeDetail:
    """The count and a page of its lines (by SKU id), filtered by ``show``."""
    header = load(shop_id, stocktake_id)
    scope = f"stkl|{shop_id}|{stocktake_id}|{query.show}"
    condition: Any = None
    if query.show == "uncounted":
        condition = StocktakeLineRecord.counted.does_not_exist()
    elif query.show == "counted":
        condition = StocktakeLineRecord.counted.exists()
    elif query.show == "variance":
        condition = StocktakeLineRecord.counted.exists() & (StocktakeLineRecord.variance != 0)
    found = StocktakeLineRecord.query(lines_pk(shop_id, stocktake_id), filter_condition=condition,
                                      consistent_read=True, limit=query.limit,
                                      last_evaluated_key=decode_cursor(query.cursor, scope))
    lines = [line_view(r) for r in found]
    return StocktakeDetail(stocktake=view(header), lines=lines,
                           next_cursor=encode_cursor(found.last_evaluated_key, scope))


# -- opening -------------------------------------------------------------------------------------------
def _category_products(shop_id: str, category_id: str) -> tuple[set[str], str]:
    """The products of a category and its sub-categories (the catalog's listing of that subtree)."""
    from shared.catalog.categories import load_tree
    from shared.catalog.search import scope
    from shared.catalog.tables import ListingRecord, listing_pk

    tree = load_tree(shop_id)
    if category_id not in tree.nodes:
        raise field_error("category_id", "unknown_category")
    entries = ListingRecord.query(listing_pk(shop_id, scope(None, category_id)), attributes_to_get=["pk", "sk", "kind"])
    return {e.sk.removeprefix("PRD#") for e in entries}, str(tree.nodes[category_id].name)


def _stock_keys(shop_id: str, warehouse_id: str, products: set[str] | None) -> list[tuple[str, str]]:
    """Keys of the stock items (shard 0) of the warehouse, of these products when given."""
    index = StockRecord.stock_by_wh
    hash_key = warehouse_list_pk(shop_id, warehouse_id)
    if products is not None and len(products) <= 20:
        entries = [e for p in sorted(products) for e in index.query(hash_key, StockRecord.lsk.startswith(f"{p}#"))]
    else:
        entries = [e for e in index.query(hash_key)
                   if products is None or (e.lsk or "").split("#")[0] in products]
        if len(entries) > MAX_LINES:
            raise Unprocessable("stocktake_too_large", details={"lines": len(entries), "limit": MAX_LINES},
                                lines=len(entries), limit=MAX_LINES)
    return [(e.pk, e.sk) for e in entries]


def _busy(shop_id: str, warehouse_id: str) -> Conflict | None:
    try:
        lock = StocktakeLock.get(shop_pk(shop_id), lock_sk(warehouse_id), consistent_read=True)
    except StocktakeLock.DoesNotExist:
        return None
    return Conflict("stocktake_in_progress", details={"warehouse_id": warehouse_id, "stocktake_id": lock.stocktake_id},
                    stocktake_id=lock.stocktake_id)


def open_count(ctx: AuthContext, body: StocktakeOpen) -> StocktakeView:
    """Open a count: the lines with their expected units, then the count and the warehouse's lock
    in one transaction (lines of a count that failed to open are never shown)."""
    shop_id = ctx.shop_id
    warehouse = warehouses.resolve(shop_id, body.warehouse_id)
    products, category_name = _category_products(shop_id, body.category_id) if body.category_id else (None, None)
    busy = _busy(shop_id, warehouse.warehouse_id)
    if busy:
        raise busy
    keys = _stock_keys(shop_id, warehouse.warehouse_id, products)
    if len(keys) > MAX_LINES:
        raise Unprocessable("stocktake_too_large", details={"lines": len(keys), "limit": MAX_LINES},
                            lines=len(keys), limit=MAX_LINES)
    stocktake_id, now = new_id("stk_"), clock.iso()
    pk = lines_pk(shop_id, stocktake_id)
    count = 0
    with StocktakeLineRecord.batch_write() as batch:
        for start in range(0, len(keys), 100):
            for s in stock_mod.read_many(keys[start:start + 100]):
                h = s.head
                assert h is not None
                batch.save(StocktakeLineRecord(pk, line_sk(s.sku_id), sku_id=s.sku_id, product_id=h.product_id,
                                               product_name=h.product_name or "", sku_label=h.sku_label or "",
                                               sku_code=h.sku_code or "", expected=s.on_hand, added=False))
                count += 1
    record = StocktakeRecord(shop_pk(shop_id), count_sk(stocktake_id), stocktake_id=stocktake_id,
                             warehouse_id=warehouse.warehouse_id, warehouse_name=warehouse.name,
                             category_id=body.category_id, category_name=category_name, note=body.note,
                             status="open", lines_total=count, lines_counted=0, lines_adjusted=0, opened_at=now,
                             opened_by=ctx.actor.email or ctx.actor.id, opened_by_id=ctx.user_id,
                             updated_at=now, version=1)
    writes = Writes()
    writes.put(StocktakeLock(shop_pk(shop_id), lock_sk(warehouse.warehouse_id), stocktake_id=stocktake_id),
               StocktakeLock.pk.does_not_exist(), ("lock",))
    writes.put(record, StocktakeRecord.pk.does_not_exist(), ("stocktake",))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        raise _busy(shop_id, warehouse.warehouse_id) or Conflict("write_conflict") from exc
    return view(record)


# -- entering counts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogSku:
    """A SKU as the catalog has it, for a line the count did not expect."""

    product_id: str
    sku_id: str
    product_name: str
    sku_label: str
    sku_code: str
    category_id: str | None


def _catalog_skus(shop_id: str, product_id: str) -> list[CatalogSku]:
    from shared.catalog import products

    try:
        loaded = products.load(shop_id, product_id)
    except NotFound:
        return []
    out = []
    for rec in loaded.skus:
        sku = products.to_sku(rec)
        out.append(CatalogSku(product_id=product_id, sku_id=sku.id, product_name=loaded.product.name,
                        sku_label=" / ".join(sku.values), sku_code=sku.code, category_id=loaded.product.category_id))
    return out


def sku_by_code(shop_id: str, code: str) -> CatalogSku | None:
    """The SKU whose barcode, else whose SKU code, is ``code`` (any letter case): the catalog's
    uniqueness claims name the product, the product's live SKUs confirm it."""
    from shared.catalog import products
    from shared.catalog.tables import CodeClaim, claim_sk

    for kind in ("BARCODE", "SKUCODE"):
        try:
            claim = CodeClaim.get(shop_pk(shop_id), claim_sk(kind, code), consistent_read=True)
        except CodeClaim.DoesNotExist:
            continue
        try:
            loaded = products.load(shop_id, claim.product_id)
        except NotFound:
            continue
        for rec in loaded.skus:
            sku = products.to_sku(rec)
            if (sku.barcode if kind == "BARCODE" else sku.code).upper() == code.upper():
                return CatalogSku(product_id=claim.product_id, sku_id=sku.id, product_name=loaded.product.name,
                            sku_label=" / ".join(sku.values), sku_code=sku.code,
                            category_id=loaded.product.category_id)
    return None


def _by_id(shop_id: str, sku_id: str) -> CatalogSku | None:
    """A SKU with stock in some warehouse (its stock item names the product)."""
    heads = [h for h in StockRecord.query(stock_pk(shop_id, sku_id), limit=1) if isinstance(h, StockRecord)]
    if not heads:
        return None
    return next((s for s in _catalog_skus(shop_id, heads[0].product_id) if s.sku_id == sku_id), None)


def _resolve(shop_id: str, header: StocktakeRecord, entries: list[CountEntry]) -> list[tuple[str, int, CatalogSku | None]]:
    """(SKU id, counted, catalog SKU for a line not in the count yet) per entry; 422 naming every
    unknown code or SKU, SKU outside the count's category, or SKU given twice."""
    errors: list[dict[str, Any]] = []
    ids: list[tuple[int, str, CatalogSku | None]] = []
    for i, entry in enumerate(entries):
        if entry.code is not None:
            found = sku_by_code(shop_id, entry.code)
            if found is None:
                errors.append({"field": f"lines.{i}.code", "type": "unknown_code", "params": {"code": entry.code}})
                continue
            ids.append((i, found.sku_id, found))
        else:
            assert entry.sku_id is not None
            ids.append((i, entry.sku_id, None))
    pk = lines_pk(shop_id, header.stocktake_id)
    have = {r.sku_id for r in StocktakeLineRecord.batch_get([(pk, line_sk(s)) for _, s, _ in ids],
                                                            consistent_read=True)} if ids else set()
    subtree: set[str] | None = None
    if header.category_id:
        from shared.catalog.categories import load_tree

        subtree = set(load_tree(shop_id).subtree(header.category_id))
    seen: set[str] = set()
    out: list[tuple[str, int, CatalogSku | None]] = []
    for i, sku_id, found in ids:
        where = f"lines.{i}.code" if entries[i].code is not None else f"lines.{i}.sku_id"
        if sku_id in seen:
            errors.append({"field": where, "type": "duplicate", "params": {"value": sku_id}})
            continue
        seen.add(sku_id)
        if sku_id not in have:
            found = found or _by_id(shop_id, sku_id)
            if found is None:
                errors.append({"field": where, "type": "unknown_count_sku", "params": {"sku_id": sku_id}})
                continue
            if subtree is not None and found.category_id not in subtree:
                errors.append({"field": where, "type": "not_in_stocktake", "params": {"sku_id": sku_id}})
                continue
        out.append((sku_id, entries[i].counted, found if sku_id not in have else None))
    if errors:
        raise ValidationFailed(errors)
    return out


def enter_counts(ctx: AuthContext, stocktake_id: str, body: CountEntries) -> EntriesView:
    """Record counted units (a recount replaces the earlier count of that line)."""
    shop_id = ctx.shop_id
    header = load(shop_id, stocktake_id)
    if header.status != "open":
        raise _closed(header)
    wanted = _resolve(shop_id, header, body.lines)
    pk, warehouse_id = lines_pk(shop_id, stocktake_id), header.warehouse_id

    def attempt() -> tuple[StocktakeRecord, list[StocktakeLineRecord]]:
        current = load(shop_id, stocktake_id)
        if current.status != "open":
            raise _closed(current)
        existing = {r.sku_id: r for r in StocktakeLineRecord.batch_get([(pk, line_sk(s)) for s, _, _ in wanted],
                                                                        consistent_read=True)}
        stocks: dict[str, Stock] = {s.sku_id: s for s in stock_mod.read_many(
            [(stock_pk(shop_id, s), warehouse_sk(warehouse_id)) for s, _, _ in wanted])}
        now, who = clock.iso(), ctx.actor.email or ctx.actor.id
        writes, saved, first_counts, added = Writes(), [], 0, 0
        for sku_id, counted, found in wanted:
            line = existing.get(sku_id)
            if line is None:
                if found is None:  # the line was there when resolved: it cannot have gone
                    raise Stale()
                line = StocktakeLineRecord(pk, line_sk(sku_id), sku_id=sku_id, product_id=found.product_id,
                                           product_name=found.product_name, sku_label=found.sku_label,
                                           sku_code=found.sku_code, expected=0, added=True)
                condition: Any = StocktakeLineRecord.pk.does_not_exist()
                added += 1
            else:
                condition = StocktakeLineRecord.counted.exists() if line.counted is not None else \
                    StocktakeLineRecord.counted.does_not_exist()
            first_counts += int(line.counted is None)
            stock = stocks.get(sku_id)
            on_hand = stock.on_hand if stock else 0
            line.counted, line.on_hand_at_count, line.variance = counted, on_hand, counted - on_hand
            line.counted_at, line.counted_by = now, who
            writes.put(line, condition, ("line", sku_id))
            # The on hand recorded is the on hand when the entry commits.
            for k, shard_on_hand in ([(s.k, s.on_hand if s.exists else None) for s in stock.shards] if stock
                                     else [(0, None)]):
                writes.check(StockRecord, stock_pk(shop_id, sku_id, k), warehouse_sk(warehouse_id),
                             StockRecord.pk.does_not_exist() if shard_on_hand is None
                             else StockRecord.on_hand == shard_on_hand, ("stock", sku_id, warehouse_id, str(k)))
            saved.append(line)
        writes.update(current, [StocktakeRecord.lines_counted.add(first_counts), StocktakeRecord.lines_total.add(added),
                                StocktakeRecord.version.add(1), StocktakeRecord.updated_at.set(now)],
                      StocktakeRecord.status == "open", ("stocktake",))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "stocktake"):
                raise _closed(load(shop_id, stocktake_id)) from exc
            raise Stale() from exc
        current.lines_counted = int(current.lines_counted) + first_counts
        current.lines_total = int(current.lines_total) + added
        current.version, current.updated_at = int(current.version) + 1, now
        return current, saved

    record, lines = retrying(attempt)
    return EntriesView(stocktake=view(record), lines=[line_view(r) for r in lines])


# -- approving and cancelling ----------------------------------------------------------------------------
def _post_line(ctx: AuthContext, header: StocktakeRecord, line: StocktakeLineRecord) -> None:
    """The line's variance as a movement, with its posted marker and the count's tally: once."""
    delta = int(line.variance)

    def attempt() -> None:
        writes = Writes()
        ledger.post(writes, ctx.actor, ctx.shop_id, product_id=line.product_id, sku_id=line.sku_id,
                    warehouse_id=header.warehouse_id, delta=delta, kind="stocktake", reason=header.note or "",
                    ref_type="stocktake", ref_id=header.stocktake_id)
        now = clock.iso()
        writes.update(StocktakeLineRecord(line.pk, line.sk), [StocktakeLineRecord.posted_at.set(now)],
                      StocktakeLineRecord.posted_at.does_not_exist(), ("line",))
        writes.update(StocktakeRecord(header.pk, header.sk), [StocktakeRecord.lines_adjusted.add(1),
                                                              StocktakeRecord.updated_at.set(now)],
                      StocktakeRecord.status == "approving", ("stocktake",))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "line"):
                return  # posted meanwhile by another approval of the same count
            if failed(exc, "stocktake"):
                raise _closed(load(ctx.shop_id, header.stocktake_id)) from exc
            raise Stale() from exc

    retrying(attempt)


def approve(ctx: AuthContext, stocktake_id: str) -> StocktakeView:
    """Post every counted line's variance (``stocktake`` movements), then close the count. Again
    after an interruption or a 409 (e.g. units reserved by orders that the count did not find):
    continues with the lines not posted yet."""
    shop_id = ctx.shop_id
    header = load(shop_id, stocktake_id)
    if header.status == "approved":
        return view(header)
    if header.status == "open":
        from shared.auth.duties import require_second_person
        from shared.settings.service import approval_policy

        policy = approval_policy(shop_id)
        require_second_person(ctx, created_by=header.opened_by_id or header.opened_by,
                              amount=variance_value(shop_id, stocktake_id), limit=policy.stocktake_limit,
                              enabled=policy.separate_approver)
        writes = Writes()
        writes.update(header, [StocktakeRecord.status.set("approving"), StocktakeRecord.version.add(1),
                               StocktakeRecord.updated_at.set(clock.iso())], StocktakeRecord.status == "open",
                      ("stocktake",))
        try:
            writes.commit()
        except ConditionsFailed:
            pass  # approved or cancelled meanwhile: decided below from a fresh read
        header = load(shop_id, stocktake_id)
    if header.status == "approved":
        return view(header)
    if header.status != "approving":
        raise _closed(header)
    deadline = time.monotonic() + APPROVE_BUDGET_S
    pending = StocktakeLineRecord.query(
        lines_pk(shop_id, stocktake_id), consistent_read=True,
        filter_condition=StocktakeLineRecord.posted_at.does_not_exist() & StocktakeLineRecord.variance.exists()
        & (StocktakeLineRecord.variance != 0))
    for line in pending:
        if time.monotonic() > deadline:
            return view(load(shop_id, stocktake_id))  # still approving: approve again to continue
        _post_line(ctx, header, line)
    now = clock.iso()
    writes = Writes()
    writes.update(header, [StocktakeRecord.status.set("approved"), StocktakeRecord.closed_at.set(now),
                           StocktakeRecord.closed_by.set(ctx.actor.email or ctx.actor.id),
                           StocktakeRecord.version.add(1), StocktakeRecord.updated_at.set(now)],
                  StocktakeRecord.status == "approving", ("stocktake",))
    _unlock(writes, shop_id, header)
    try:
        writes.commit()
    except ConditionsFailed:
        pass  # closed by a concurrent approval
    return view(load(shop_id, stocktake_id))


def variance_value(shop_id: str, stocktake_id: str) -> int:
    """Fen: the counted lines' absolute variances valued at each SKU's cost price (its price when
    it has no cost), for the separation-of-duties limit. One catalog read per product."""
    from shared.catalog import products

    lines = [ln for ln in StocktakeLineRecord.query(lines_pk(shop_id, stocktake_id), consistent_read=True)
             if ln.variance is not None and int(ln.variance) != 0]
    unit: dict[str, int] = {}
    for product_id in {ln.product_id for ln in lines}:
        try:
            loaded = products.load(shop_id, product_id)
        except NotFound:
            continue
        for rec in loaded.skus:
            sku = products.to_sku(rec)
            unit[sku.id] = sku.cost_price if sku.cost_price is not None else sku.price
    return sum(abs(int(ln.variance)) * unit.get(ln.sku_id, 0) for ln in lines)


def cancel(ctx: AuthContext, stocktake_id: str) -> StocktakeView:
    """Drop an open count: nothing is posted, the warehouse may be counted again."""
    shop_id = ctx.shop_id
    header = load(shop_id, stocktake_id)
    if header.status == "cancelled":
        return view(header)
    if header.status != "open":
        raise _closed(header)
    now = clock.iso()
    writes = Writes()
    writes.update(header, [StocktakeRecord.status.set("cancelled"), StocktakeRecord.closed_at.set(now),
                           StocktakeRecord.closed_by.set(ctx.actor.email or ctx.actor.id),
                           StocktakeRecord.version.add(1), StocktakeRecord.updated_at.set(now)],
                  StocktakeRecord.status == "open", ("stocktake",))
    _unlock(writes, shop_id, header)
    try:
        writes.commit()
    except ConditionsFailed as exc:
        current = load(shop_id, stocktake_id)
        if current.status != "cancelled":
            raise _closed(current) from exc
    return view(load(shop_id, stocktake_id))


def _unlock(writes: Writes, shop_id: str, header: StocktakeRecord) -> None:
    writes.delete(StocktakeLock(shop_pk(shop_id), lock_sk(header.warehouse_id)),
                  StocktakeLock.pk.does_not_exist() | (StocktakeLock.stocktake_id == header.stocktake_id), ("lock",))
