"""One DynamoDB transaction built item by item, each write labelled, so that when a condition
fails the caller learns which one (a taken SKU code, a stale version, a deleted category)
instead of "the transaction was cancelled".

A save that fits is one transaction: state, uniqueness claims, counters and outbox events
commit together or not at all. DynamoDB takes at most 100 writes per transaction; a product
save that needs more is staged (``shared.catalog.staging``), and ``commit`` refuses more than
100 writes (``too_many_changes``) as a guard.

``write_batch`` and ``write_chunks`` are the unconditional kinds, for items nobody reads yet
(staged SKU revisions) or nobody reads any more (superseded revisions, projections):
BatchWriteItem (1 write unit per item) and transactions of 100 (2 units per item, but about ten
times faster per item on DynamoDB Local, which is where a 600-SKU save must also fit a request).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.db import connection
from shared.errors import Conflict, Unprocessable

LIMIT = 100
Label = tuple[str, ...]
_ORDER = ("check", "delete", "put", "update")  # the order pynamodb sends them in


class ConditionsFailed(Exception):
    def __init__(self, labels: list[Label]) -> None:
        super().__init__(f"conditions failed: {labels}")
        self.labels = labels


class Writes:
    def __init__(self) -> None:
        self._ops: dict[str, list[tuple[Label, Callable[[TransactWrite], None]]]] = {k: [] for k in _ORDER}

    def __len__(self) -> int:
        return sum(len(v) for v in self._ops.values())

    def put(self, item: Any, condition: Any = None, label: Label = ("put",)) -> None:
        self._ops["put"].append((label, lambda tx: tx.save(item, condition=condition)))

    def update(self, item: Any, actions: list[Any], condition: Any = None, label: Label = ("update",)) -> None:
        self._ops["update"].append((label, lambda tx: tx.update(item, actions=actions, condition=condition)))

    def delete(self, item: Any, condition: Any = None, label: Label = ("delete",)) -> None:
        self._ops["delete"].append((label, lambda tx: tx.delete(item, condition=condition)))

    def extend(self, other: Writes) -> None:
        for kind in _ORDER:
            self._ops[kind].extend(other._ops[kind])

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
            failed = [label for label, code in zip(labels, codes, strict=False) if code == "ConditionalCheckFailed"]
            if failed:
                raise ConditionsFailed(failed) from exc
            if "TransactionConflict" in codes:
                raise Conflict("write_conflict") from exc
            raise


def write_batch(puts: Iterable[Any], deletes: Iterable[tuple[str, str]]) -> int:
    """BatchWriteItem of catalog items in chunks of 25, retrying what DynamoDB leaves
    unprocessed. Returns how many writes were sent."""
    from shared.aws import client
    from shared.catalog.tables import CatalogItem

    table = CatalogItem.Meta.table_name
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": item.serialize()}} for item in puts]
    requests += [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in deletes]
    dynamodb = client("dynamodb")
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table: requests[start:start + 25]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(requests)


def write_chunks(puts: Iterable[Any], deletes: Iterable[tuple[str, str]]) -> int:
    """Unconditional puts and deletes of catalog items, 100 per transaction (a chunk that
    meets another transaction on one of its items is retried). Returns how many writes."""
    from shared.catalog.tables import CatalogItem

    ops: list[tuple[str, Any]] = [("put", item) for item in puts]
    ops += [("delete", CatalogItem(pk, sk)) for pk, sk in dict.fromkeys(deletes)]
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
