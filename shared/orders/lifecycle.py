"""Changing an order's status: every change is one transaction of the order update (conditional
on the version read), a timeline entry, the tab counters moved, the running timer's keys removed
when the status it waits on is left, the event, and whatever the change brings along (a cancel
releases the stock reservation in the same transaction).

- ``transition(shop_id, order_id, action, actor, expected_version=None, ...)``: the general one;
  409 ``invalid_transition`` / ``order_held`` from the table (``status.py``), 409
  ``version_conflict`` when the caller's version is stale.
- ``cancel(actor, shop_id, order_id, reason, *, by_buyer, expected_version=None)``: a buyer may
  cancel only an unpaid order; staff any order before shipment. Releases the reservation.
- ``apply_payment(shop_id, order_id, facts) -> Applied``: unpaid → paid exactly once; a payment
  of another amount, or for a cancelled/closed order, is recorded on the timeline and flagged
  (``anomaly``), never marks the order paid; a repeat of a payment already applied answers
  ``duplicate``.
- ``review(actor, shop_id, order_id, expected_version)``: 审单 (pending review → to ship).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from shared import clock
from shared.errors import VersionConflict
from shared.events.base import Actor, DomainEvent
from shared.events.outbox import outbox_item
from shared.inventory import reservations
from shared.keys import shop_of
from shared.orders import status
from shared.orders.events import OrderCancelled, OrderCompleted, OrderFinanceApproved, OrderPaid, OrderReviewed
from shared.orders.models import Order
from shared.orders.tables import (
    COUNTER_SHARDS,
    ORDERS_TABLE_ENV,
    OrderRecord,
    TabCounter,
    TimelineRecord,
    counter_pk,
    due_pk,
    due_sk,
    tab_pk,
    timeline_sk,
)
from shared.orders.views import load_order, order_view, timeline
from shared.settings import service as settings
from shared.tx import ConditionsFailed, Stale, Writes, failed, retrying


@dataclass(frozen=True)
class PaymentFacts:
    """What a verified payment notice says (``shared.payments`` checks signature and merchant)."""

    provider: str
    amount: int
    trade_no: str  # the provider's transaction id
    paid_at: str | None = None


@dataclass(frozen=True)
class Applied:
    outcome: Literal["paid", "duplicate", "anomaly"]
    order: Order
    reason: str | None = None  # anomaly: amount_mismatch | order_closed


# The status each timer waits on (the order leaving it stops the timer, in the same transaction).
TIMER_WAITS_ON = {"expire": "pending_payment", "complete": "delivered"}

EventMaker = Callable[[OrderRecord, status.State, status.State], DomainEvent | None]


def event_fields(rec: OrderRecord, before: status.State, after: status.State, reason: str) -> dict[str, Any]:
    return {"shop_id": shop_of(rec.pk), "resource_id": rec.order_id, "number": rec.number,
            "from_fulfilment": before.fulfilment, "to_fulfilment": after.fulfilment,
            "from_payment": before.payment, "to_payment": after.payment, "reason": reason}


def append_timeline(writes: Writes, rec: OrderRecord, entry: str, actor: Actor, now: str, *, before: str | None = None,
                     after: str | None = None, note: str = "", data: dict[str, Any] | None = None) -> None:
    writes.put(TimelineRecord(rec.pk, timeline_sk(now, random.randrange(10_000)), entry=entry, from_status=before,
                              to_status=after, note=note, data=data, actor_id=actor.id, at=now),
               TimelineRecord.sk.does_not_exist(), ("timeline",))


def _move_counters(writes: Writes, shop_id: str, old_tab: str, new_tab: str) -> None:
    if old_tab == new_tab:
        return
    counter = TabCounter(counter_pk(shop_id), str(random.randrange(COUNTER_SHARDS)))
    writes.update(counter, [TabCounter.kind.set(TabCounter),  # type: ignore[arg-type]  # pynamodb stores the tag
                            getattr(TabCounter, old_tab).add(-1), getattr(TabCounter, new_tab).add(1)])


def plan_transition(writes: Writes, rec: OrderRecord, action: str, actor: Actor, *, note: str = "",
                    extra: list[Any] | None = None) -> tuple[status.State, status.State, str]:
    """Append the order's change to ``writes``; returns (before, after, now)."""
    shop_id = shop_of(rec.pk)
    before = status.State(rec.payment_status, rec.fulfilment_status, bool(rec.held))
    after = status.apply(before, action)
    now = clock.iso()
    actions: list[Any] = [OrderRecord.payment_status.set(after.payment),
                          OrderRecord.fulfilment_status.set(after.fulfilment), OrderRecord.tab.set(after.tab),
                          OrderRecord.tab_pk.set(tab_pk(shop_id, after.tab)), OrderRecord.updated_at.set(now),
                          OrderRecord.version.add(1), *(extra or [])]
    if rec.due_action and after.fulfilment != TIMER_WAITS_ON.get(rec.due_action):
        actions += [OrderRecord.due_at.remove(), OrderRecord.due_pk.remove(), OrderRecord.due_sk.remove(),
                    OrderRecord.due_action.remove()]
    if after.fulfilment == "delivered" and before.fulfilment != "delivered":
        days = settings.order_timers_of(settings.load_item(shop_id)).auto_complete_days
        due = clock.iso(clock.now() + timedelta(days=days))
        actions += [OrderRecord.due_at.set(due), OrderRecord.due_action.set("complete"),
                    OrderRecord.due_pk.set(due_pk(rec.order_id)), OrderRecord.due_sk.set(due_sk(due, shop_id, rec.order_id))]
    writes.update(rec, actions, OrderRecord.version == int(rec.version), ("order",))
    _move_counters(writes, shop_id, before.tab, after.tab)
    append_timeline(writes, rec, action, actor, now, before=before.fulfilment, after=after.fulfilment, note=note)
    return before, after, now


def emit(writes: Writes, rec: OrderRecord, event: DomainEvent) -> None:
    item = outbox_item(ORDERS_TABLE_ENV, event)
    item.pk = rec.pk
    writes.put(item)


def transition(shop_id: str, order_id: str, action: str, actor: Actor, *, expected_version: int | None = None,
               note: str = "", event: EventMaker | None = None,
               along: Callable[[Writes, OrderRecord], None] | None = None) -> Order:
    def attempt() -> Order:
        rec = load_order(shop_id, order_id)
        if expected_version is not None and int(rec.version) != expected_version:
            raise VersionConflict(expected=expected_version, current=int(rec.version))
        writes = Writes()
        before, after, _ = plan_transition(writes, rec, action, actor, note=note)
        made = event(rec, before, after) if event else None
        if made is not None:
            emit(writes, rec, made)
        if along is not None:
            along(writes, rec)
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "order") and expected_version is not None:
                raise VersionConflict(expected=expected_version, current=int(load_order(shop_id, order_id).version)) \
                    from exc
            raise Stale() from exc
        return order_view(load_order(shop_id, order_id))

    return retrying(attempt)


def cancel(actor: Actor, shop_id: str, order_id: str, reason: str, *, by_buyer: bool,
           expected_version: int | None = None, action: str = "cancel") -> Order:
    if by_buyer:
        rec = load_order(shop_id, order_id)
        if rec.fulfilment_status != "pending_payment":
            raise status.invalid(status.State(rec.payment_status, rec.fulfilment_status, bool(rec.held)), "cancel")

    def event(rec: OrderRecord, before: status.State, after: status.State) -> DomainEvent:
        return OrderCancelled(**event_fields(rec, before, after, reason), actor=actor, by_buyer=by_buyer)

    def release(writes: Writes, rec: OrderRecord) -> None:
        reservations.plan_release(writes, shop_id, order_id, actor)

    return transition(shop_id, order_id, action, actor, expected_version=expected_version, note=reason,
                      event=event, along=release)


def expire(shop_id: str, order_id: str) -> Order:
    """The unpaid timer fired (the schedule calls it; conditional on the order still unpaid)."""
    return cancel(Actor.system("order_timer"), shop_id, order_id, "unpaid_timeout", by_buyer=False, action="expire")


def review_action(shop_id: str) -> str:
    """``review`` (→ 待发货), or ``review_to_finance`` (→ 待财审) when the shop turned finance review on."""
    return "review_to_finance" if settings.order_review_of(settings.load_item(shop_id)).finance_review else "review"


def review(actor: Actor, shop_id: str, order_id: str, expected_version: int | None) -> Order:
    """审单 by staff: to 待发货, or to 待财审 when the shop's finance step is on."""
    def event(rec: OrderRecord, before: status.State, after: status.State) -> DomainEvent:
        return OrderReviewed(**event_fields(rec, before, after, ""), actor=actor)

    return transition(shop_id, order_id, review_action(shop_id), actor, expected_version=expected_version,
                      event=event)


def finance_approve(actor: Actor, shop_id: str, order_id: str, expected_version: int | None) -> Order:
    """财审: an order the service staff reviewed into ``finance_review`` goes on to ``to_ship``."""
    def event(rec: OrderRecord, before: status.State, after: status.State) -> DomainEvent:
        return OrderFinanceApproved(**event_fields(rec, before, after, ""), actor=actor)

    return transition(shop_id, order_id, "finance_approve", actor, expected_version=expected_version, event=event)


def complete(actor: Actor, shop_id: str, order_id: str) -> Order:
    def event(rec: OrderRecord, before: status.State, after: status.State) -> DomainEvent:
        return OrderCompleted(**event_fields(rec, before, after, ""), actor=actor)

    return transition(shop_id, order_id, "complete", actor, event=event)


def apply_payment(shop_id: str, order_id: str, facts: PaymentFacts) -> Applied:
    actor = Actor.system(f"payment:{facts.provider}")

    def attempt() -> Applied:
        rec = load_order(shop_id, order_id)
        state = status.State(rec.payment_status, rec.fulfilment_status, bool(rec.held))
        if rec.payment_status != "unpaid" and rec.payment_method == facts.provider and \
                (rec.paid_trade_no or "") == facts.trade_no:
            return Applied("duplicate", order_view(rec))
        anomaly = None
        if not status.allowed(state, "pay"):
            anomaly = "order_closed" if rec.fulfilment_status in ("cancelled", "closed") else "already_paid"
        elif facts.amount != int(rec.payable):
            anomaly = "amount_mismatch"
        writes = Writes()
        now = clock.iso()
        data = {"provider": facts.provider, "amount": facts.amount, "trade_no": facts.trade_no}
        if anomaly is not None:
            seen = any(t.entry == "payment_anomaly" and (t.data or {}).get("trade_no") == facts.trade_no
                       for t in timeline(shop_id, order_id))
            if seen:
                return Applied("anomaly", order_view(rec), anomaly)
            writes.update(rec, [OrderRecord.flag.set("red"), OrderRecord.updated_at.set(now),
                                OrderRecord.version.add(1)], OrderRecord.version == int(rec.version), ("order",))
            append_timeline(writes, rec, "payment_anomaly", actor, now, note=anomaly, data=data)
        else:
            before, after, now = plan_transition(
                writes, rec, "pay", actor,
                extra=[OrderRecord.payment_method.set(facts.provider), OrderRecord.paid_at.set(facts.paid_at or now),
                       OrderRecord.paid_trade_no.set(facts.trade_no)])
            emit(writes, rec, OrderPaid(**event_fields(rec, before, after, ""), actor=actor,
                                         provider=facts.provider, amount=facts.amount))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            raise Stale() from exc
        return Applied("anomaly" if anomaly else "paid", order_view(load_order(shop_id, order_id)), anomaly)

    return retrying(attempt)
