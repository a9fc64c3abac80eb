"""Receiving goods of a purchase order (采购入库) and the SKUs' moving-average cost.

One receipt is ONE transaction (all or nothing), retried from a fresh read when stock or the PO
changed meanwhile:

- per line, through ``shared.inventory.ledger.post``: the stock item(s), the movement (kind
  ``purchase_receipt``, ref ``purchase_order`` / PO id) and a ``StockAdjusted`` event; and the
  SKU's purchasing profile: its new moving-average cost and the supplier's last unit cost,
  conditional on the profile version read;
- the PO (received quantities, status ``partially_received`` or ``received``), conditional on
  the version and status read; the receipt record; the ``PurchaseOrderReceived`` event; and, for
  a supplier's receipt notice, the webhook's nonce (so a replay changes nothing).

Moving-average cost, integer fen, rounded half up (``cost.moving_average``):

    new = (on_hand_before * avg_before + qty * unit_cost) / (on_hand_before + qty)

``on_hand_before`` is the SKU's on-hand stock in all warehouses before the receipt. Units that
came in without a cost (manual receipts, stocktakes) are valued at the receipt's unit cost when
the SKU has no average yet. Over-receipt (more than ordered) is refused, naming the line, unless
``over_receipt`` is true.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared import clock
from shared.errors import Conflict, ValidationFailed, field_error
from shared.events.base import Actor
from shared.ids import new_id
from shared.inventory import ledger
from shared.inventory import stock as stock_mod
from shared.purchasing import orders
from shared.purchasing.cost import moving_average
from shared.purchasing.events import PurchaseOrderReceived, ReceivedLine
from shared.purchasing.models import PoReceived, ReceiptCreate
from shared.purchasing.tables import (
    PROFILE_SK,
    NonceRecord,
    PurchaseOrderRecord,
    ReceiptRecord,
    SkuProfileRecord,
    nonce_pk,
    po_pk,
    po_status_pk,
    sku_pk,
)
from shared.tx import ConditionsFailed, Stale, Writes, failed, retrying

NONCE_KEEP = timedelta(days=2)


class Replayed(Conflict):
    def __init__(self) -> None:
        super().__init__("webhook_replayed")


def nonce_item(shop_id: str, supplier_id: str, event_id: str) -> NonceRecord:
    now = clock.now()
    return NonceRecord(nonce_pk(shop_id, supplier_id), f"NONCE#{event_id}", expires_at=now + NONCE_KEEP,
                       received_at=clock.iso(now))


def add_nonce(writes: Writes, shop_id: str, supplier_id: str, event_id: str) -> None:
    writes.put(nonce_item(shop_id, supplier_id, event_id), NonceRecord.pk.does_not_exist(), ("nonce",))


def profiles(shop_id: str, sku_ids: list[str]) -> dict[str, SkuProfileRecord]:
    keys = [(sku_pk(shop_id, s), PROFILE_SK) for s in dict.fromkeys(sku_ids)]
    found: dict[str, SkuProfileRecord] = {}
    for start in range(0, len(keys), 100):
        for item in SkuProfileRecord.batch_get(keys[start:start + 100], consistent_read=True):
            found[item.sku_id] = item
    return found


def profile_condition(profile: SkuProfileRecord | None) -> Any:
    version = int(profile.cost_version or 0) if profile else 0
    if version == 0:
        return SkuProfileRecord.cost_version.does_not_exist() | (SkuProfileRecord.cost_version == 0)
    return SkuProfileRecord.cost_version == version


def _refuse(po: PurchaseOrderRecord, body: ReceiptCreate) -> dict[str, dict[str, Any]]:
    """The PO's lines by SKU, after checking the receipt against them (nothing written yet)."""
    if po.status not in orders.OPEN:
        raise Conflict("po_not_receivable", details={"status": po.status}, status=po.status)
    by_sku = {ln["sku_id"]: ln for ln in po.lines}
    for i, line in enumerate(body.lines):
        if line.sku_id not in by_sku:
            raise field_error(f"lines.{i}.sku_id", "not_on_order", sku_id=line.sku_id)
    for i, line in enumerate(body.lines):
        ordered, received = int(by_sku[line.sku_id]["qty"]), int(by_sku[line.sku_id].get("received", 0))
        if received + line.qty > ordered and not body.over_receipt:
            raise Conflict("over_receipt", details={"field": f"lines.{i}.qty", "sku_id": line.sku_id,
                                                    "ordered": ordered, "received": received, "qty": line.qty},
                           sku=by_sku[line.sku_id].get("sku_code") or line.sku_id, ordered=ordered,
                           received=received, qty=line.qty)
    return by_sku


def receive(shop_id: str, actor: Actor, po_id: str, body: ReceiptCreate, *, source: str = "api",
            nonce: tuple[str, str] | None = None) -> PoReceived:
    """Post one receipt. ``nonce``: (supplier id, event id) of a webhook, written in the same
    transaction so the same notice can never post twice."""
    receipt_id = new_id("rcv_")

    def attempt() -> PoReceived:
        po = orders.get_record(shop_id, po_id)
        by_sku = _refuse(po, body)
        found = profiles(shop_id, [line.sku_id for line in body.lines])
        writes, now = Writes(), clock.iso()
        new_lines = [dict(ln) for ln in po.lines]
        index = {ln["sku_id"]: ln for ln in new_lines}
        done: list[ReceivedLine] = []
        for i, line in enumerate(body.lines):
            ordered = by_sku[line.sku_id]
            unit_cost = int(ordered["unit_cost"])
            before = sum(s.on_hand for s in stock_mod.read_sku(shop_id, line.sku_id).values())
            try:
                ledger.post(writes, actor, shop_id, product_id=ordered["product_id"], sku_id=line.sku_id,
                            warehouse_id=po.warehouse_id, delta=line.qty, kind="purchase_receipt", reason=po.number,
                            ref_type="purchase_order", ref_id=po_id)
            except ValidationFailed as exc:
                raise ValidationFailed([{**f, "field": f"lines.{i}.{f['field']}"} for f in exc.fields]) from exc
            profile = found.get(line.sku_id)
            old_cost = int(profile.avg_cost) if profile and profile.avg_cost is not None else None
            avg = moving_average(before, old_cost, line.qty, unit_cost)
            links = dict(profile.suppliers or {}) if profile else {}
            link = dict(links.get(po.supplier_id) or {})
            link.update(last_unit_cost=unit_cost, updated_at=now,
                        supplier_sku_code=ordered.get("supplier_sku_code") or link.get("supplier_sku_code", ""))
            links[po.supplier_id] = link
            preferred = (profile.preferred_supplier_id if profile else None) or po.supplier_id
            writes.update(SkuProfileRecord(sku_pk(shop_id, line.sku_id), PROFILE_SK), [
                SkuProfileRecord.kind.set(SkuProfileRecord),  # type: ignore[arg-type]  # pynamodb stores the tag
                SkuProfileRecord.sku_id.set(line.sku_id), SkuProfileRecord.product_id.set(ordered["product_id"]),
                SkuProfileRecord.avg_cost.set(avg), SkuProfileRecord.currency.set(po.currency),
                SkuProfileRecord.cost_version.add(1), SkuProfileRecord.cost_updated_at.set(now),
                SkuProfileRecord.suppliers.set(links), SkuProfileRecord.preferred_supplier_id.set(preferred),
            ], profile_condition(profile), ("profile", line.sku_id))
            target = index[line.sku_id]
            target["received"] = int(target.get("received", 0)) + line.qty
            done.append(ReceivedLine(product_id=ordered["product_id"], sku_id=line.sku_id, qty=line.qty,
                                     unit_cost=unit_cost, received_total=target["received"],
                                     ordered=int(target["qty"]), avg_cost_after=avg))
        complete = all(int(ln.get("received", 0)) >= int(ln["qty"]) for ln in new_lines)
        status = "received" if complete else "partially_received"
        writes.update(po, [PurchaseOrderRecord.lines.set(new_lines), PurchaseOrderRecord.status.set(status),
                           PurchaseOrderRecord.gsi2pk.set(po_status_pk(shop_id, status)),
                           PurchaseOrderRecord.updated_at.set(now), PurchaseOrderRecord.version.add(1)],
                      (PurchaseOrderRecord.version == po.version) & (PurchaseOrderRecord.status == po.status), ("po",))
        receipt = ReceiptRecord(po_pk(shop_id, po_id), f"RCPT#{now}#{receipt_id}", receipt_id=receipt_id,
                                lines=[{"sku_id": d.sku_id, "product_id": d.product_id, "qty": d.qty,
                                        "unit_cost": d.unit_cost, "avg_cost_after": d.avg_cost_after} for d in done],
                                over_receipt=body.over_receipt, note=body.note, source=source, actor_id=actor.id,
                                actor_email=actor.email, at=now)
        writes.put(receipt, ReceiptRecord.pk.does_not_exist(), ("receipt",))
        orders.event(writes, PurchaseOrderReceived(
            shop_id=shop_id, actor=actor, resource_id=po_id, number=po.number, supplier_id=po.supplier_id,
            receipt_id=receipt_id, warehouse_id=po.warehouse_id, lines=done, over_receipt=body.over_receipt,
            complete=complete, status=status, source_channel=source))
        if nonce is not None:
            add_nonce(writes, shop_id, *nonce)
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "nonce"):
                raise Replayed() from exc
            raise Stale() from exc  # stock, warehouse, PO or profile changed meanwhile: plan again
        po.lines, po.status, po.version, po.updated_at = new_lines, status, int(po.version) + 1, now
        return PoReceived(purchase_order=orders.view(po), receipt=orders.receipt_view(receipt))

    return retrying(attempt)
