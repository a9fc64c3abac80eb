"""Auto-review (自动审单) of paid orders: the shop's rules (settings section ``order_review``),
tried by priority (lower first); the first enabled rule whose conditions all hold decides —
``approve`` reviews the order now (to 待发货, or 待财审 when the finance step is on), ``manual``
leaves it for staff. No rule matching = the manual queue. A held order is always manual.

``on_order_paid`` is the consumer of ``OrderPaid`` (``OrdersReviewQueue``). Idempotent: the
decision is stored on the order (``auto_review``) in the same transaction as its change,
conditional on the order's version, so a redelivered event finds it and changes nothing; an
order staff already moved on is left alone. A manual decision emits ``OrderAwaitingReview``,
which the notifications capability turns into an in-app notice to ``orders.review`` holders.
"""
from __future__ import annotations

from typing import Any

from shared import clock
from shared.events.base import Actor
from shared.keys import shop_of
from shared.orders.events import OrderAwaitingReview, OrderPaid, OrderReviewed
from shared.orders.lifecycle import append_timeline, emit, event_fields, plan_transition, review_action
from shared.orders.tables import OrderRecord, buyer_pk
from shared.orders.views import load_order
from shared.settings import service as settings
from shared.settings.models import OrderReview, ReviewConditions, ReviewRule
from shared.tx import ConditionsFailed, Stale, Writes, retrying

ACTOR_ID = "order_review_rules"
RECENT_ORDERS = 20  # the buyer's latest orders looked at for a red flag


def buyer_flagged(rec: OrderRecord) -> bool:
    """This order carries a flag, or one of the buyer's latest orders a red one (one Query)."""
    if rec.flag:
        return True
    recent = OrderRecord.by_buyer.query(buyer_pk(shop_of(rec.pk), rec.buyer_id), scan_index_forward=False,
                                        limit=RECENT_ORDERS)
    return any(o.flag == "red" for o in recent if o.order_id != rec.order_id)


def matches(cond: ReviewConditions, rec: OrderRecord, served: set[str], flagged: Any) -> bool:
    """All the rule's conditions hold (``flagged`` is called only when the rule asks)."""
    payable = int(rec.payable)
    checks = (
        not cond.no_buyer_message or not (rec.buyer_message or "").strip(),
        not cond.no_seller_memo or not (rec.memo or "").strip(),
        not cond.served_region or rec.province in served,
        cond.max_amount is None or payable <= cond.max_amount,
        cond.min_amount is None or payable >= cond.min_amount,
    )
    return all(checks) and (not cond.buyer_not_flagged or not flagged())


def decide(rec: OrderRecord, review: OrderReview, served: set[str]) -> tuple[str, ReviewRule | None]:
    """``("approve" | "manual", the rule that decided or None)``."""
    if rec.held:
        return "manual", None
    cache: dict[str, bool] = {}

    def flagged() -> bool:
        if "v" not in cache:
            cache["v"] = buyer_flagged(rec)
        return cache["v"]

    for rule in sorted(review.rules, key=lambda r: r.priority):
        if rule.enabled and matches(rule.conditions, rec, served, flagged):
            return rule.action, rule
    return "manual", None


def on_order_paid(event: OrderPaid) -> None:
    shop_id, order_id = event.shop_id, event.resource_id
    actor = Actor.system(ACTOR_ID)

    def attempt() -> None:
        rec = load_order(shop_id, order_id)
        if rec.fulfilment_status != "pending_review" or rec.auto_review:
            return  # decided already (a redelivery), or staff moved it on
        item = settings.load_item(shop_id)
        served = set(settings.section_of(item, "delivery_regions").get("provinces") or [])
        outcome, rule = decide(rec, settings.order_review_of(item), served)
        writes = Writes()
        if outcome == "approve" and rule is not None:
            before, after, _ = plan_transition(writes, rec, review_action(shop_id), actor, note=rule.name,
                                               extra=[OrderRecord.auto_review.set("approved")])
            emit(writes, rec, OrderReviewed(**event_fields(rec, before, after, f"auto:{rule.name}"), actor=actor))
        else:
            now = clock.iso()
            # The version stays: staff who read the order before may still review it.
            writes.update(rec, [OrderRecord.auto_review.set("manual")], OrderRecord.version == int(rec.version),
                          ("order",))
            append_timeline(writes, rec, "review_queue", actor, now, note=rule.name if rule else "")
            emit(writes, rec, OrderAwaitingReview(shop_id=shop_id, actor=actor, resource_id=order_id,
                                                  number=rec.number, payable=int(rec.payable),
                                                  rule=rule.name if rule else ""))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            raise Stale() from exc

    retrying(attempt)
