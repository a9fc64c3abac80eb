"""The order timers (settings section ``order_timers``): an unpaid order cancels itself after
``unpaid_cancel_minutes`` (30) and its reserved stock returns; a delivered order completes itself
after ``auto_complete_days`` (10).

An order whose timer runs carries ``due_at``, ``due_action`` (``expire`` | ``complete``) and the
sparse ``by_due`` keys (``DUE#<0..7>``, ``<due_at>#<shop>#<order>``): set when the order is placed
/ delivered, removed in the same transaction as the change that leaves the status the timer waits
on (``lifecycle.TIMER_WAITS_ON``). ``run_due`` (the schedule, every minute) queries each of the 8
shards for keys due by now — a Query, never a Scan — and applies the action through the
lifecycle, which is conditional on the status: a timer that lost a race with a payment (or a
second run of the schedule) finds the transition invalid and changes nothing.
"""
from __future__ import annotations

import os
from datetime import datetime

from shared import clock
from shared.aws import client
from shared.errors import Conflict, NotFound
from shared.events.base import Actor
from shared.observability import log
from shared.orders import lifecycle
from shared.orders.tables import DUE_SHARDS, ORDERS_TABLE_ENV
from shared.orders.views import load_order

ACTOR = "order_timer"
PAGE = 100  # due keys read per Query page


def _fire(shop_id: str, order_id: str) -> str:
    """Apply the order's running timer; ``expired`` | ``completed`` | ``skipped``."""
    try:
        action = load_order(shop_id, order_id).due_action
        if action == "expire":
            lifecycle.expire(shop_id, order_id)
            return "expired"
        if action == "complete":
            lifecycle.complete(Actor.system(ACTOR), shop_id, order_id)
            return "completed"
    except (Conflict, NotFound) as exc:  # moved on after the index was read: nothing to do
        log.info("order timer of %s/%s skipped: %s", shop_id, order_id, exc.code)
    return "skipped"  # the timer stopped (paid, completed by the buyer) after the index was read


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Apply every timer due by ``now``. Returns counts: expired, completed, skipped."""
    due_by = clock.iso(now)
    done = {"expired": 0, "completed": 0, "skipped": 0}
    pages = client("dynamodb").get_paginator("query")
    for shard in range(DUE_SHARDS):
        # "<due_at>#..." < "<due_by>$": every key whose due_at <= due_by ("$" sorts right after "#").
        # (The low-level Query: the index projects keys only, and pynamodb would filter on ``kind``.)
        for page in pages.paginate(TableName=os.environ[ORDERS_TABLE_ENV], IndexName="by_due",
                                   KeyConditionExpression="due_pk = :shard AND due_sk < :by",
                                   ExpressionAttributeValues={":shard": {"S": f"DUE#{shard}"},
                                                              ":by": {"S": f"{due_by}$"}},
                                   PaginationConfig={"PageSize": PAGE}):
            for key in page.get("Items", []):
                _, shop_id, order_id = key["due_sk"]["S"].split("#", 2)
                done[_fire(shop_id, order_id)] += 1
    return done
