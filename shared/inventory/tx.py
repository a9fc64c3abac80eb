"""The inventory's transactions: ``shared.catalog.tx.Writes`` (one labelled TransactWriteItems)
plus condition checks, and the retry loop every stock change runs in.

Why a retry loop: a stock change reads the counters, then writes them conditional on what it
read (``on_hand = :read``, ``available >= :qty``), so the movement can record the exact balance
after it. When someone else changed the same stock in between, the condition fails (or DynamoDB
cancels the transaction with ``TransactionConflict``) and the change is planned again from a
fresh read. Refusals (not enough stock) are decided from that fresh, strongly consistent read,
never from a failed condition, so a busy SKU never answers "insufficient" while units are left.

The Writes class should move to ``shared/tx.py`` once the catalog's edits to it have landed.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from shared.catalog.tx import LIMIT, ConditionsFailed, Label
from shared.catalog.tx import Writes as _CatalogWrites
from shared.errors import Conflict

__all__ = ["LIMIT", "ConditionsFailed", "Label", "Stale", "Writes", "retrying"]
T = TypeVar("T")
ATTEMPTS = 60


class Writes(_CatalogWrites):
    def __init__(self) -> None:
        super().__init__()
        self._after: dict[Any, Callable[[], object]] = {}
        self._marks: set[Any] = set()

    def first(self, key: Any) -> bool:
        """True the first time ``key`` is asked in this transaction (an item written once)."""
        if key in self._marks:
            return False
        self._marks.add(key)
        return True

    def after_commit(self, key: Any, run: Callable[[], object]) -> None:
        """Run once after a successful commit (low-stock checks of flash-sale SKUs). A failure
        there is logged, not raised: the change itself is committed."""
        self._after.setdefault(key, run)

    def commit(self) -> None:
        super().commit()
        for run in self._after.values():
            try:
                run()
            except Exception:
                from shared.observability import logger

                logger().exception("after-commit step failed")

    def check(self, model: Any, hash_key: str, range_key: str, condition: Any, label: Label) -> None:
        """A condition on an item the transaction does not write (costs a read, not a write)."""
        self._ops["check"].append(
            (label, lambda tx: tx.condition_check(model, hash_key, range_key, condition=condition)))


class Stale(Exception):
    """What was read changed before the write: plan again."""


def retrying(attempt: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``attempt`` until it neither meets changed stock nor a transaction conflict."""
    for n in range(attempts):
        try:
            return attempt()
        except Stale:
            pass
        except Conflict as exc:
            if exc.code != "write_conflict":
                raise
        # Full jitter, capped: contenders spread out instead of colliding again in step.
        time.sleep(random.uniform(0, min(0.2, 0.004 * 2 ** min(n, 6))))
    raise Conflict("write_conflict")


def failed(exc: ConditionsFailed, kind: str) -> bool:
    return any(label[0] == kind for label in exc.labels)
