"""Transactions of every capability: one DynamoDB TransactWriteItems built item by item, each
write labelled, so that when a condition fails the caller learns which one (a taken SKU code, a
stale version, changed stock) instead of "the transaction was cancelled"; and the retry loop that
read-then-conditional-write changes (stock) run in.

A change that fits is one transaction: state, uniqueness claims, counters and outbox events
commit together or not at all. DynamoDB takes at most 100 writes per transaction; ``commit``
refuses more (``too_many_changes``) and a change that needs more is staged by its capability
(``shared.catalog.staging``).

Why a retry loop: a stock change reads the counters, then writes them conditional on what it
read (``on_hand = :read``, ``available >= :qty``), so the movement can record the exact balance
after it. When someone else changed the same item in between, the condition fails (or DynamoDB
cancels the transaction with ``TransactionConflict``) and the change is planned again from a
fresh read (``Stale`` + ``retrying``). Refusals (not enough stock) are decided from that fresh,
strongly consistent read, never from a failed condition.

``write_batch`` and ``write_chunks`` are the unconditional kinds, for items nobody reads yet
(staged revisions) or nobody reads any more (superseded revisions, projections):
BatchWriteItem (1 write unit per item) and transactions of 100 (2 units per item, but about ten
times faster per item on DynamoDB Local).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.db import connection
from shared.errors import Conflict, Unprocessable

__all__ = ["ATTEMPTS", "LIMIT", "ConditionsFailed", "Label", "Stale", "Writes", "failed", "retrying",
           "write_batch", "write_chunks"]
LIMIT = 100
ATTEMPTS = 60
Label = tuple[str, ...]
T = TypeVar("T")
_ORDER = ("check", "delete", "put", "update")  # the order pynamodb sends them in


class ConditionsFailed(Exception):
    def __init__(self, labels: list[Label]) -> None:
        super().__init__(f"conditions failed: {labels}")
        self.labels = labels


class Stale(Exception):
    """What was read changed before the write: plan again."""


class Writes:
    def __init__(self) -> None:
        self._ops: dict[str, list[tuple[Label, Callable[[TransactWrite], None]]]] = {k: [] for k in _ORDER}
        self._after: dict[Any, Callable[[], object]] = {}
        self._marks: set[Any] = set()

    def __len__(self) -> int:
        return sum(len(v) for v in self._ops.values())

    def put(self, item: Any, condition: Any = None, label: Label = ("put",)) -> None:
        self._ops["put"].append((label, lambda tx: tx.save(item, condition=condition)))

    def update(self, item: Any, actions: list[Any], condition: Any = None, label: Label = ("update",)) -> None:
        self._ops["update"].append((label, lambda tx: tx.update(item, actions=actions, condition=condition)))

    def delete(self, item: Any, condition: Any = None, label: Label = ("delete",)) -> None:
        self._ops["delete"].append((label, lambda tx: tx.delete(item, condition=condition)))

    def check(self, model: Any, hash_key: str, range_key: str, condition: Any, label: Label) -> None:
        """A condition on an item the transaction does not write (costs a read, not a write)."""
        self._ops["check"].append(
            (label, lambda tx: tx.condition_check(model, hash_key, range_key, condition=condition)))

    def extend(self, other: Writes) -> None:
        for kind in _ORDER:
            self._ops[kind].extend(other._ops[kind])
        for key, run in other._after.items():
            self._after.setdefault(key, run)
        self._marks |= other._marks

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

    def fits(self) -> None:
        if len(self) > LIMIT:
            raise Unprocessable("too_many_changes", details={"writes": len(self), "limit": LIMIT},
                                writes=len(self), limit=LIMIT)

    def commit(self) -> None:
        """Write everything or nothing. Raises ConditionsFailed naming the failed conditions."""
        if not len(self):
            return
        self.fits()
        labels = [label for kind in _ORDER for label, _ in self._ops[kind]]
        try:
            with TransactWrite(connection=connection()) as tx:
                for kind in _ORDER:
                    for _, apply in self._ops[kind]:
                        apply(tx)
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            codes = [getattr(r, "code", None) if r else None for r in reasons]
            failed_labels = [label for label, code in zip(labels, codes, strict=False)
                             if code == "ConditionalCheckFailed"]
            if failed_labels:
                raise ConditionsFailed(failed_labels) from exc
            if "TransactionConflict" in codes:
                raise Conflict("write_conflict") from exc
            raise
        for run in self._after.values():
            try:
                run()
            except Exception:
                from shared.observability import logger

                logger().exception("after-commit step failed")


def failed(exc: ConditionsFailed, kind: str) -> bool:
    """Did a condition labelled ``kind`` (the label's first part) fail?"""
    return any(label[0] == kind for label in exc.labels)


def retrying(attempt: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``attempt`` until it neither meets changed state (``Stale``) nor a transaction conflict."""
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


def write_batch(model: Any, puts: Iterable[Any], deletes: Iterable[tuple[str, str]]) -> int:
    """BatchWriteItem of ``model``'s table in chunks of 25, retrying what DynamoDB leaves
    unprocessed. Returns how many writes were sent."""
    from shared.aws import client

    table = model.Meta.table_name
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": item.serialize()}} for item in puts]
    requests += [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in deletes]
    dynamodb = client("dynamodb")
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table: requests[start:start + 25]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(requests)


def write_chunks(model: Any, puts: Iterable[Any], deletes: Iterable[tuple[str, str]]) -> int:
    """Unconditional puts and deletes of ``model``'s items, 100 per transaction (a chunk that
    meets another transaction on one of its items is retried). Returns how many writes."""
    ops: list[tuple[str, Any]] = [("put", item) for item in puts]
    ops += [("delete", model(pk, sk)) for pk, sk in dict.fromkeys(deletes)]
    for start in range(0, len(ops), LIMIT):
        writes = Writes()
        for kind, item in ops[start:start + LIMIT]:
            writes.put(item) if kind == "put" else writes.delete(item)
        for attempt in range(5):
            try:
                writes.commit()
                break
            except Conflict:
                if attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
    return len(ops)
