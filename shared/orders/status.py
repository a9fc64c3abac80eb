"""The order lifecycle as data: one table of transitions, consulted by every change.

Two statuses (DOMAIN.md §4.1: the platform/payment status and the internal fulfilment status
are separate fields):

- payment: ``unpaid → paid → partially_refunded → refunded``
- fulfilment: ``pending_payment → pending_review (待审核) → [finance_review (待财审)] → to_ship
  (待发货) → partially_shipped → shipped → delivered → completed``; side exits ``cancelled``
  (before shipment) and ``closed`` (fully refunded).

``TRANSITIONS`` maps ``(fulfilment, action)`` to the next fulfilment status, ``PAYMENT`` maps
``(payment, action)`` to the next payment status for the actions that move money. An action
valid for neither answers 409 ``invalid_transition`` naming the status and the action. Guards
that depend on more than the statuses (a held order cannot be reviewed) live in ``GUARDS``.
The desk's tab is derived from the fulfilment status (``TAB``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from shared.errors import Conflict

PaymentStatus = Literal["unpaid", "paid", "partially_refunded", "refunded"]
FulfilmentStatus = Literal["pending_payment", "pending_review", "finance_review", "to_ship", "partially_shipped",
                           "shipped", "delivered", "completed", "cancelled", "closed"]
Action = Literal["pay", "review", "review_to_finance", "finance_approve", "ship_part", "ship", "deliver",
                 "complete", "cancel", "expire", "refund_part", "refund_all"]
Tab = Literal["pending_payment", "pending_review", "finance_review", "to_ship", "shipped", "completed", "cancelled"]

PAYMENT_STATUSES: tuple[str, ...] = ("unpaid", "paid", "partially_refunded", "refunded")
FULFILMENT_STATUSES: tuple[str, ...] = ("pending_payment", "pending_review", "finance_review", "to_ship",
                                        "partially_shipped", "shipped", "delivered", "completed", "cancelled",
                                        "closed")
TABS: tuple[str, ...] = ("pending_payment", "pending_review", "finance_review", "to_ship", "shipped", "completed",
                         "cancelled")
INITIAL: tuple[str, str] = ("unpaid", "pending_payment")
BEFORE_SHIPMENT = ("pending_payment", "pending_review", "finance_review", "to_ship")
OPEN = (*BEFORE_SHIPMENT, "partially_shipped", "shipped", "delivered")

TRANSITIONS: dict[tuple[str, str], str] = {
    ("pending_payment", "pay"): "pending_review",
    ("pending_payment", "expire"): "cancelled",  # the unpaid timer
    ("pending_review", "review"): "to_ship",
    ("pending_review", "review_to_finance"): "finance_review",  # the shop turned finance review on
    ("finance_review", "finance_approve"): "to_ship",
    ("to_ship", "ship_part"): "partially_shipped",
    ("partially_shipped", "ship_part"): "partially_shipped",
    ("to_ship", "ship"): "shipped",
    ("partially_shipped", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
    ("delivered", "complete"): "completed",  # the buyer confirms, or the auto-complete timer
    **{(s, "cancel"): "cancelled" for s in BEFORE_SHIPMENT},
    # Money going back keeps the fulfilment status, except a full refund, which closes the order.
    **{(s, "refund_part"): s for s in (*OPEN, "completed", "cancelled")},
    **{(s, "refund_all"): "closed" for s in (*OPEN, "completed")},
    ("cancelled", "refund_all"): "cancelled",  # a paid order cancelled before shipment, refunded
}

PAYMENT: dict[tuple[str, str], str] = {
    ("unpaid", "pay"): "paid",
    ("paid", "refund_part"): "partially_refunded",
    ("partially_refunded", "refund_part"): "partially_refunded",
    ("paid", "refund_all"): "refunded",
    ("partially_refunded", "refund_all"): "refunded",
}
MONEY_ACTIONS = frozenset(a for _, a in PAYMENT)

TAB: dict[str, str] = {
    "pending_payment": "pending_payment",
    "pending_review": "pending_review",
    "finance_review": "finance_review",
    "to_ship": "to_ship",
    "partially_shipped": "to_ship",  # something is still to be sent
    "shipped": "shipped",
    "delivered": "shipped",
    "completed": "completed",
    "cancelled": "cancelled",
    "closed": "cancelled",
}

TERMINAL = frozenset({"closed"})


@dataclass(frozen=True)
class State:
    payment: str
    fulfilment: str
    held: bool = False

    @property
    def tab(self) -> str:
        return TAB[self.fulfilment]


def _not_held(state: State) -> bool:
    return not state.held


# Checks beyond the statuses: (action) -> (predicate, error code when it fails).
GUARDS: dict[str, tuple[Callable[[State], bool], str]] = {
    "review": (_not_held, "order_held"),
    "review_to_finance": (_not_held, "order_held"),
    "finance_approve": (_not_held, "order_held"),
    "ship_part": (_not_held, "order_held"),
    "ship": (_not_held, "order_held"),
}


def allowed(state: State, action: str) -> bool:
    if (state.fulfilment, action) not in TRANSITIONS:
        return False
    if action in MONEY_ACTIONS and (state.payment, action) not in PAYMENT:
        return False
    guard = GUARDS.get(action)
    return guard is None or guard[0](state)


def apply(state: State, action: str) -> State:
    """The state after ``action``; 409 ``invalid_transition`` (or the guard's code) when not allowed."""
    to = TRANSITIONS.get((state.fulfilment, action))
    payment = state.payment
    if action in MONEY_ACTIONS:
        payment_to = PAYMENT.get((state.payment, action))
        if payment_to is None:
            to = None
        else:
            payment = payment_to
    if to is None:
        raise invalid(state, action)
    guard = GUARDS.get(action)
    if guard is not None and not guard[0](state):
        raise Conflict(guard[1], details={"action": action, "fulfilment_status": state.fulfilment})
    return State(payment=payment, fulfilment=to, held=state.held)


def invalid(state: State, action: str) -> Conflict:
    return Conflict("invalid_transition", details={"action": action, "fulfilment_status": state.fulfilment,
                                                   "payment_status": state.payment},
                    action=action, status=state.fulfilment)


def actions_from(state: State) -> list[str]:
    """The actions the lifecycle allows now (the desk filters them by the caller's permissions)."""
    seen = dict.fromkeys(a for (s, a) in TRANSITIONS if s == state.fulfilment)
    return [a for a in seen if allowed(state, a)]


def describe() -> dict[str, Any]:
    """The table, for docs and the UI."""
    return {"transitions": [{"from": f, "action": a, "to": t} for (f, a), t in TRANSITIONS.items()],
            "payment": [{"from": f, "action": a, "to": t} for (f, a), t in PAYMENT.items()], "tabs": TAB}
