"""Purchase orders (采购单): numbered per shop and day (PO-20261126-0001), edited only as drafts
(versioned), then

    draft --submit--> submitted --receipt--> partially_received --receipt--> received --close--> closed
      |                   |                        |                                    ^
      +--cancel--+--------+                        +---------------close----------------+
                 v
             cancelled            (no cancel once goods came in: close it short instead)

Every status change is one transaction: the PO (conditional on the version and status read),
its timeline entry and its event. Receiving is in ``receiving``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import Conflict, NotFound, VersionConflict, field_error
from shared.events.base import Actor, DomainEvent
from shared.events.outbox import outbox_item
from shared.ids import new_id
from shared.inventory import warehouses
from shared.keys import shop_pk
from shared.money import Money
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.purchasing import suppliers
from shared.purchasing.events import (
    PoLine,
    PurchaseOrderCancelled,
    PurchaseOrderClosed,
    PurchaseOrderCreated,
    PurchaseOrderSubmitted,
)
from shared.purchasing.models import (
    PoAction,
    PoCreate,
    PoDetail,
    PoFields,
    PoLineInput,
    PoLineView,
    PoQuery,
    PoUpdate,
    PoView,
    ReceiptLineView,
    ReceiptView,
    ShipmentNotice,
    TimelineEntry,
    WebhookDelivery,
)
from shared.purchasing.tables import (
    PO_SK,
    PURCHASING_TABLE_ENV,
    CounterRecord,
    NumberClaim,
    PurchaseOrderRecord,
    PurchasingItem,
    ReceiptRecord,
    SupplierInUse,
    SupplierRecord,
    TimelineRecord,
    po_list_pk,
    po_pk,
    po_status_pk,
    po_supplier_pk,
    supplier_sk,
)
from shared.tx import ConditionsFailed, Writes, failed

SHANGHAI = ZoneInfo("Asia/Shanghai")  # PO numbers and sales days follow the shop's default zone
OPEN = ("submitted", "partially_received")
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "submitted"),
    "cancel": (("draft", "submitted"), "cancelled"),
    "close": (("partially_received", "received"), "closed"),
}


# -- reading ------------------------------------------------------------------------------------------
def load(shop_id: str, po_id: str) -> PurchaseOrderRecord | None:
    try:
        return PurchaseOrderRecord.get(po_pk(shop_id, po_id), PO_SK, consistent_read=True)
    except PurchaseOrderRecord.DoesNotExist:
        return None


def get_record(shop_id: str, po_id: str) -> PurchaseOrderRecord:
    record = load(shop_id, po_id)
    if record is None:
        raise NotFound("purchase_order_not_found", details={"po_id": po_id})
    return record


def by_number(shop_id: str, number: str) -> PurchaseOrderRecord | None:
    try:
        claim = NumberClaim.get(shop_pk(shop_id), f"PONUM#{number.upper()}", consistent_read=True)
    except NumberClaim.DoesNotExist:
        return None
    return load(shop_id, claim.po_id)


def line_views(record: PurchaseOrderRecord) -> list[PoLineView]:
    return [PoLineView(product_id=ln["product_id"], sku_id=ln["sku_id"], product_name=ln.get("product_name", ""),
                       sku_label=ln.get("sku_label", ""), sku_code=ln.get("sku_code", ""),
                       supplier_sku_code=ln.get("supplier_sku_code", ""), qty=int(ln["qty"]),
                       unit_cost=int(ln["unit_cost"]), received=int(ln.get("received", 0)),
                       remaining=max(0, int(ln["qty"]) - int(ln.get("received", 0))),
                       line_total=Money(amount=int(ln["qty"]) * int(ln["unit_cost"]), currency=record.currency))
            for ln in record.lines]


def total(lines: list[dict[str, Any]]) -> int:
    return sum(int(ln["qty"]) * int(ln["unit_cost"]) for ln in lines)


def view(record: PurchaseOrderRecord) -> PoView:
    lines = line_views(record)
    currency = record.currency
    return PoView(
        id=record.po_id, number=record.number, supplier_id=record.supplier_id, supplier_name=record.supplier_name or "",
        warehouse_id=record.warehouse_id, status=record.status, currency=currency, lines=lines,  # type: ignore[arg-type]
        total=Money(amount=total(record.lines), currency=currency),  # type: ignore[arg-type]
        received_total=Money(amount=sum(ln.received * ln.unit_cost for ln in lines), currency=currency),  # type: ignore[arg-type]
        qty_ordered=sum(ln.qty for ln in lines), qty_received=sum(ln.received for ln in lines),
        expected_at=record.expected_at, notes=record.notes or "",
        shipment=ShipmentNotice(**record.shipment) if record.shipment else None,
        webhook=WebhookDelivery(**record.webhook) if record.webhook else None, version=int(record.version),
        created_at=record.created_at, updated_at=record.updated_at, submitted_at=record.submitted_at)


def receipt_view(r: ReceiptRecord) -> ReceiptView:
    return ReceiptView(id=r.receipt_id, lines=[ReceiptLineView(**ln) for ln in r.lines], over_receipt=bool(r.over_receipt),
                       note=r.note or "", source=r.source, actor_id=r.actor_id, actor_email=r.actor_email, at=r.at)


def detail(shop_id: str, po_id: str) -> PoDetail:
    """The PO, its receipts and its timeline: one Query of the PO's partition (oldest first)."""
    head: PurchaseOrderRecord | None = None
    receipts: list[ReceiptView] = []
    timeline: list[TimelineEntry] = []
    # The base class: a subclass's Query would keep only its own kind.
    for item in PurchasingItem.query(po_pk(shop_id, po_id), consistent_read=True):
        if isinstance(item, PurchaseOrderRecord):
            head = item
        elif isinstance(item, ReceiptRecord):
            receipts.append(receipt_view(item))
        elif isinstance(item, TimelineRecord):
            timeline.append(TimelineEntry(entry=item.entry, detail=item.detail, actor_id=item.actor_id, at=item.at))
    if head is None:
        raise NotFound("purchase_order_not_found", details={"po_id": po_id})
    timeline += [TimelineEntry(entry="received", detail={"receipt_id": r.id, "units": sum(x.qty for x in r.lines),
                                                         "source": r.source}, actor_id=r.actor_id, at=r.at)
                 for r in receipts]
    return PoDetail(**view(head).model_dump(), receipts=receipts, timeline=sorted(timeline, key=lambda e: e.at))


def list_page(shop_id: str, query: PoQuery) -> Page[PoView]:
    """Newest first; by status or supplier through their own index (never a filter)."""
    index: Any
    if query.status and query.supplier_id:
        index, key = PurchaseOrderRecord.po_supplier, po_supplier_pk(shop_id, query.supplier_id)
        condition = PurchaseOrderRecord.status == query.status
    elif query.status:
        index, key, condition = PurchaseOrderRecord.po_status, po_status_pk(shop_id, query.status), None
    elif query.supplier_id:
        index, key, condition = PurchaseOrderRecord.po_supplier, po_supplier_pk(shop_id, query.supplier_id), None
    else:
        index, key, condition = PurchaseOrderRecord.po_list, po_list_pk(shop_id), None
    scope = f"po|{key}|{query.status or ''}"
    found = index.query(key, filter_condition=condition, scan_index_forward=False, limit=query.limit,
                        last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [view(r) for r in found]
    return Page[PoView](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))


def open_orders(shop_id: str) -> list[PurchaseOrderRecord]:
    """Every submitted or partially received PO of the shop (two index Queries; on-order units)."""
    out: list[PurchaseOrderRecord] = []
    for status in OPEN:
        out += list(PurchaseOrderRecord.po_status.query(po_status_pk(shop_id, status)))
    return out


# -- creating and editing drafts ----------------------------------------------------------------------
def next_number(shop_id: str) -> str:
    """PO-<yyyymmdd>-<nnnn> of the shop's day: an atomic counter per shop and day. A number taken by
    a request that then fails stays unused (a gap), as with any sequence."""
    day = clock.now().astimezone(SHANGHAI).strftime("%Y%m%d")
    counter = CounterRecord(shop_pk(shop_id), f"POSEQ#{day}")
    counter.update(actions=[CounterRecord.seq.add(1), CounterRecord.kind.set(CounterRecord)])  # type: ignore[arg-type]
    return f"PO-{day}-{int(counter.seq):04d}"


@dataclass
class Prepared:
    supplier: SupplierRecord
    warehouse_id: str
    lines: list[dict[str, Any]]


def _catalog_lines(shop_id: str, lines: list[PoLineInput]) -> list[dict[str, Any]]:
    """The lines with the catalog's names; 422 naming ``lines.<i>.product_id`` / ``.sku_id``."""
    from shared.catalog import products

    loaded: dict[str, Any] = {}
    out = []
    for i, line in enumerate(lines):
        if line.product_id not in loaded:
            try:
                loaded[line.product_id] = products.load(shop_id, line.product_id)
            except NotFound as exc:
                raise field_error(f"lines.{i}.product_id", "unknown_product", product_id=line.product_id) from exc
        product = loaded[line.product_id]
        sku = next((s for s in (products.to_sku(r) for r in product.skus) if s.id == line.sku_id), None)
        if sku is None:
            raise field_error(f"lines.{i}.sku_id", "unknown_sku", sku_id=line.sku_id)
        out.append({"product_id": line.product_id, "sku_id": line.sku_id, "product_name": product.product.name,
                    "sku_label": " / ".join(sku.values), "sku_code": sku.code or "",
                    "supplier_sku_code": line.supplier_sku_code, "qty": line.qty, "unit_cost": line.unit_cost,
                    "received": 0})
    return out


def prepare(shop_id: str, body: PoFields) -> Prepared:
    supplier = suppliers.usable(shop_id, body.supplier_id)
    warehouse = warehouses.resolve(shop_id, body.warehouse_id)
    if not warehouse.active:
        raise field_error("warehouse_id", "warehouse_inactive", warehouse_id=warehouse.warehouse_id)
    return Prepared(supplier=supplier, warehouse_id=warehouse.warehouse_id, lines=_catalog_lines(shop_id, body.lines))


def _supplier_checks(writes: Writes, shop_id: str, supplier_id: str) -> None:
    """The supplier is active when the PO commits, and can no longer be deleted (only archived)."""
    writes.check(SupplierRecord, shop_pk(shop_id), supplier_sk(supplier_id),
                 SupplierRecord.active == True,  # noqa: E712 (a DynamoDB condition)
                 ("supplier", supplier_id))
    writes.put(SupplierInUse(shop_pk(shop_id), f"SUPUSE#{supplier_id}", first_po_id=supplier_id))


def log(writes: Writes, shop_id: str, po_id: str, entry: str, actor: Actor, detail: dict[str, Any] | None = None,
        ) -> None:
    now = clock.iso()
    writes.put(TimelineRecord(po_pk(shop_id, po_id), f"LOG#{now}#{new_id()}", entry=entry, detail=detail,
                              actor_id=actor.id, at=now))


def event(writes: Writes, ev: DomainEvent) -> None:
    writes.put(outbox_item(PURCHASING_TABLE_ENV, ev))


def po_lines(record: PurchaseOrderRecord) -> list[PoLine]:
    return [PoLine(product_id=ln["product_id"], sku_id=ln["sku_id"], sku_code=ln.get("sku_code", ""),
                   supplier_sku_code=ln.get("supplier_sku_code", ""), product_name=ln.get("product_name", ""),
                   sku_label=ln.get("sku_label", ""), qty=int(ln["qty"]), unit_cost=int(ln["unit_cost"]),
                   received=int(ln.get("received", 0)))
            for ln in record.lines]


def create(ctx: AuthContext, body: PoCreate, origin: str = "manual") -> PoView:
    ready = prepare(ctx.shop_id, body)
    return create_prepared(ctx, body, ready, origin)


def create_prepared(ctx: AuthContext, body: PoFields, ready: Prepared, origin: str = "manual") -> PoView:
    now, po_id = clock.iso(), new_id("po_")
    number = next_number(ctx.shop_id)
    record = PurchaseOrderRecord(
        po_pk(ctx.shop_id, po_id), PO_SK, po_id=po_id, number=number, supplier_id=ready.supplier.supplier_id,
        supplier_name=ready.supplier.name, warehouse_id=ready.warehouse_id, status="draft", currency=body.currency,
        lines=ready.lines, expected_at=body.expected_at.isoformat() if body.expected_at else None, notes=body.notes,
        version=1, created_by=ctx.user_id, created_at=now, updated_at=now, gsi1pk=po_list_pk(ctx.shop_id),
        gsi1sk=f"{now}#{po_id}", gsi2pk=po_status_pk(ctx.shop_id, "draft"),
        gsi3pk=po_supplier_pk(ctx.shop_id, ready.supplier.supplier_id))
    writes = Writes()
    writes.put(record, PurchaseOrderRecord.pk.does_not_exist(), ("exists",))
    writes.put(NumberClaim(shop_pk(ctx.shop_id), f"PONUM#{number}", po_id=po_id), NumberClaim.pk.does_not_exist(),
               ("number",))
    _supplier_checks(writes, ctx.shop_id, ready.supplier.supplier_id)
    log(writes, ctx.shop_id, po_id, "created", ctx.actor, {"origin": origin})
    event(writes, PurchaseOrderCreated(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=po_id, number=number,
                                       supplier_id=record.supplier_id, warehouse_id=record.warehouse_id,
                                       lines=po_lines(record), total=total(record.lines), currency=record.currency))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "supplier"):
            raise field_error("supplier_id", "supplier_archived", supplier_id=record.supplier_id) from exc
        raise
    return view(record)


def update(ctx: AuthContext, po_id: str, body: PoUpdate) -> PoView:
    """Replace a draft's supplier, warehouse, lines, date and notes (versioned)."""
    record = get_record(ctx.shop_id, po_id)
    if record.status != "draft":
        raise Conflict("po_not_editable", details={"status": record.status}, status=record.status)
    if int(record.version) != body.version:
        raise VersionConflict(expected=body.version, current=int(record.version))
    ready = prepare(ctx.shop_id, body)
    now = clock.iso()
    changes: dict[str, Any] = {"supplier_id": ready.supplier.supplier_id, "warehouse_id": ready.warehouse_id, "lines": ready.lines,
               "expected_at": body.expected_at.isoformat() if body.expected_at else None, "notes": body.notes,
               "currency": body.currency}
    changed = sorted(k for k, v in changes.items() if getattr(record, k) != v)
    actions = [PurchaseOrderRecord.supplier_id.set(ready.supplier.supplier_id),
               PurchaseOrderRecord.supplier_name.set(ready.supplier.name),
               PurchaseOrderRecord.warehouse_id.set(ready.warehouse_id), PurchaseOrderRecord.lines.set(ready.lines),
               PurchaseOrderRecord.notes.set(body.notes), PurchaseOrderRecord.currency.set(body.currency),
               PurchaseOrderRecord.gsi3pk.set(po_supplier_pk(ctx.shop_id, ready.supplier.supplier_id)),
               PurchaseOrderRecord.expected_at.set(str(changes["expected_at"])) if changes["expected_at"]
               else PurchaseOrderRecord.expected_at.remove(),
               PurchaseOrderRecord.updated_at.set(now), PurchaseOrderRecord.version.add(1)]
    writes = Writes()
    writes.update(record, actions, (PurchaseOrderRecord.version == body.version)
                  & (PurchaseOrderRecord.status == "draft"), ("po",))
    _supplier_checks(writes, ctx.shop_id, ready.supplier.supplier_id)
    log(writes, ctx.shop_id, po_id, "edited", ctx.actor, {"changed": changed})
    _commit(writes, ctx.shop_id, po_id, body.version, "edit")
    return view(get_record(ctx.shop_id, po_id))


def _commit(writes: Writes, shop_id: str, po_id: str, expected: int, action: str) -> None:
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "supplier"):
            raise Conflict("supplier_archived_conflict") from exc
        if failed(exc, "po"):
            current = get_record(shop_id, po_id)
            if int(current.version) != expected:
                raise VersionConflict(expected=expected, current=int(current.version)) from exc
            raise Conflict("po_transition", details={"status": current.status, "action": action},
                           status=current.status, action=action) from exc
        raise


# -- status changes -----------------------------------------------------------------------------------
def transition(ctx: AuthContext, po_id: str, action: str, body: PoAction) -> PoView:
    record = get_record(ctx.shop_id, po_id)
    allowed_from, to = TRANSITIONS[action]
    if body.version is not None and int(record.version) != body.version:
        raise VersionConflict(expected=body.version, current=int(record.version))
    if record.status not in allowed_from:
        raise Conflict("po_transition", details={"status": record.status, "action": action,
                                                 "allowed_from": list(allowed_from)},
                       status=record.status, action=action)
    now = clock.iso()
    version = int(record.version)
    actions = [PurchaseOrderRecord.status.set(to), PurchaseOrderRecord.gsi2pk.set(po_status_pk(ctx.shop_id, to)),
               PurchaseOrderRecord.updated_at.set(now), PurchaseOrderRecord.version.add(1)]
    writes = Writes()
    common = {"shop_id": ctx.shop_id, "actor": ctx.actor, "resource_id": po_id, "number": record.number,
              "supplier_id": record.supplier_id}
    if action == "submit":
        supplier = suppliers.get_record(ctx.shop_id, record.supplier_id)
        if not supplier.active:
            raise Conflict("supplier_archived_conflict")
        from shared.auth.duties import require_second_person
        from shared.settings.service import approval_policy

        policy = approval_policy(ctx.shop_id)
        require_second_person(ctx, created_by=record.created_by, amount=total(record.lines),
                              limit=policy.purchase_order_limit, enabled=policy.separate_approver)
        submitted = PurchaseOrderSubmitted(**common, warehouse_id=record.warehouse_id, currency=record.currency,
                                           total=total(record.lines), expected_at=record.expected_at,
                                           notes=record.notes or "", lines=po_lines(record))
        delivery = {"status": "pending", "event_id": submitted.event_id, "attempts": 0} if supplier.webhook_url \
            else {"status": "skipped", "attempts": 0}
        actions += [PurchaseOrderRecord.submitted_at.set(now), PurchaseOrderRecord.webhook.set(delivery)]
        _supplier_checks(writes, ctx.shop_id, record.supplier_id)
        event(writes, submitted)
    elif action == "cancel":
        event(writes, PurchaseOrderCancelled(**common, previous_status=record.status))
    else:
        short = [{"sku_id": ln["sku_id"], "ordered": int(ln["qty"]), "received": int(ln.get("received", 0))}
                 for ln in record.lines if int(ln.get("received", 0)) < int(ln["qty"])]
        event(writes, PurchaseOrderClosed(**common, previous_status=record.status, short=short))
    writes.update(record, actions, (PurchaseOrderRecord.version == version)
                  & (PurchaseOrderRecord.status == record.status), ("po",))
    log(writes, ctx.shop_id, po_id, {"submit": "submitted", "cancel": "cancelled", "close": "closed"}[action],
        ctx.actor, {"from": record.status, **({"reason": body.reason} if body.reason else {})})
    _commit(writes, ctx.shop_id, po_id, version, action)
    return view(get_record(ctx.shop_id, po_id))
