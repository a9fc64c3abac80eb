"""What staff note on an order without moving its statuses: the seller memo (卖家备注), the
coloured flag (旗帜: red/yellow/green/blue/purple as Taobao, or none) and hold/release (挂起).

Each change is one transaction: the order update conditional on the version read (a caller's
stale ``expected_version`` → 409 ``version_conflict``), a timeline entry and the event
(``OrderAnnotated`` / ``OrderHeld`` / ``OrderReleased``) in the order's partition. A held order
cannot be reviewed or shipped (``status.GUARDS``); hold is for orders not yet shipped.

Bulk memo/flag and bulk review take each order on its own (one failure does not hold back the
others) and answer a result per id.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared import clock
from shared.errors import ShopDeskError, VersionConflict
from shared.events.base import Actor, DomainEvent
from shared.i18n import message
from shared.keys import shop_of
from shared.orders import status
from shared.orders.events import OrderAnnotated, OrderHeld, OrderReleased
from shared.orders.lifecycle import append_timeline, emit
from shared.orders.models import BulkResult, Order
from shared.orders.tables import OrderRecord
from shared.orders.views import load_order, order_view
from shared.tx import ConditionsFailed, Stale, Writes, failed, retrying

FLAGS = ("red", "yellow", "green", "blue", "purple")
UNSET: Any = object()

# (record) -> (update actions, timeline entry, note, data, event)
Plan = Callable[[OrderRecord], tuple[list[Any], str, str, dict[str, Any] | None, DomainEvent]]


def _change(shop_id: str, order_id: str, actor: Actor, expected_version: int | None, plan: Plan) -> Order:
    def attempt() -> Order:
        rec = load_order(shop_id, order_id)
        if expected_version is not None and int(rec.version) != expected_version:
            raise VersionConflict(expected=expected_version, current=int(rec.version))
        actions, entry, note, data, event = plan(rec)
        now = clock.iso()
        writes = Writes()
        writes.update(rec, [*actions, OrderRecord.updated_at.set(now), OrderRecord.version.add(1)],
                      OrderRecord.version == int(rec.version), ("order",))
        append_timeline(writes, rec, entry, actor, now, note=note, data=data)
        emit(writes, rec, event)
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "order") and expected_version is not None:
                raise VersionConflict(expected=expected_version,
                                      current=int(load_order(shop_id, order_id).version)) from exc
            raise Stale() from exc
        return order_view(load_order(shop_id, order_id))

    return retrying(attempt)


def _base(rec: OrderRecord, actor: Actor) -> dict[str, Any]:
    return {"shop_id": shop_of(rec.pk), "resource_id": rec.order_id, "number": rec.number, "actor": actor}


def annotate(actor: Actor, shop_id: str, order_id: str, *, expected_version: int | None = None,
             memo: str | None = UNSET, flag: str | None = UNSET) -> Order:
    """Set the seller memo and/or the flag (``None`` clears the flag). Any order, any status."""
    def plan(rec: OrderRecord) -> tuple[list[Any], str, str, dict[str, Any] | None, DomainEvent]:
        actions: list[Any] = []
        changed: list[str] = []
        data: dict[str, Any] = {}
        if memo is not UNSET:
            actions.append(OrderRecord.memo.set(memo or ""))
            changed.append("memo")
            data["memo"] = memo or ""
        if flag is not UNSET:
            actions.append(OrderRecord.flag.set(flag) if flag else OrderRecord.flag.remove())
            changed.append("flag")
            data["flag"] = flag
        entry = "memo" if changed == ["memo"] else "flag" if changed == ["flag"] else "annotated"
        event = OrderAnnotated(**_base(rec, actor), changed=changed, memo=data.get("memo"), flag=data.get("flag"))
        return actions, entry, data.get("memo", "") if entry == "memo" else "", data, event

    return _change(shop_id, order_id, actor, expected_version, plan)


def hold(actor: Actor, shop_id: str, order_id: str, reason: str, *, expected_version: int | None = None) -> Order:
    """挂起: only an order not yet shipped and not already held (else 409 ``invalid_transition``)."""
    def plan(rec: OrderRecord) -> tuple[list[Any], str, str, dict[str, Any] | None, DomainEvent]:
        if rec.held or rec.fulfilment_status not in status.BEFORE_SHIPMENT:
            raise status.invalid(status.State(rec.payment_status, rec.fulfilment_status, bool(rec.held)), "hold")
        return ([OrderRecord.held.set(True), OrderRecord.hold_reason.set(reason)], "held", reason, None,
                OrderHeld(**_base(rec, actor), hold_reason=reason))

    return _change(shop_id, order_id, actor, expected_version, plan)


def release(actor: Actor, shop_id: str, order_id: str, *, expected_version: int | None = None) -> Order:
    """Lift the hold (409 ``invalid_transition`` when the order is not held)."""
    def plan(rec: OrderRecord) -> tuple[list[Any], str, str, dict[str, Any] | None, DomainEvent]:
        if not rec.held:
            raise status.invalid(status.State(rec.payment_status, rec.fulfilment_status, False), "release")
        return ([OrderRecord.held.set(False), OrderRecord.hold_reason.remove()], "released", "", None,
                OrderReleased(**_base(rec, actor)))

    return _change(shop_id, order_id, actor, expected_version, plan)


def each(ids: list[str], language: str, run: Callable[[str], Order]) -> list[BulkResult]:
    """Run ``run`` for each order on its own; a failure is that order's result, not the request's."""
    results = []
    for order_id in ids:
        try:
            order = run(order_id)
            results.append(BulkResult(id=order_id, ok=True, fulfilment_status=order.fulfilment_status,
                                      version=order.version))
        except ShopDeskError as exc:
            results.append(BulkResult(id=order_id, ok=False, error={
                "code": exc.code, "message": message(exc.code, language, **exc.params)}))
    return results
