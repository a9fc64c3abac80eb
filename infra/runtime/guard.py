"""The Scan guard: no request path may issue a DynamoDB ``Scan`` (ARCHITECTURE: lists are
Query pages). Every botocore call made while an API request is being served is checked; a Scan
is counted and, with ``SHOPDESK_FORBID_SCAN=1`` (the test suite sets it), refused outright.

The same hook counts what API requests cost DynamoDB (``make bench`` reads it from
``/__local/guard``): round trips by operation, items read (returned, or evaluated by a Query)
and, with ``SHOPDESK_COUNT_CAPACITY=1``, the read capacity units DynamoDB reports.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()
counters: dict[str, Any] = {"api_scans": 0, "api_dynamodb_calls": {}, "api_items_read": 0, "api_read_units": 0.0}
READS = {"GetItem", "BatchGetItem", "Query", "TransactGetItems", "Scan"}
_installed = False
_counting = threading.Lock()


class ScanInRequestPath(RuntimeError):
    pass


@contextmanager
def api_request() -> Iterator[None]:
    _state.in_api = True
    try:
        yield
    finally:
        _state.in_api = False


def install() -> None:
    global _installed
    if _installed:
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def checked(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if not getattr(_state, "in_api", False) or self.meta.service_model.service_name != "dynamodb":
            return original(self, operation_name, api_params)
        if operation_name == "Scan":
            counters["api_scans"] += 1
            if os.environ.get("SHOPDESK_FORBID_SCAN") == "1":
                raise ScanInRequestPath(f"Scan of {api_params.get('TableName')} in an API request")
        if operation_name in READS and os.environ.get("SHOPDESK_COUNT_CAPACITY") == "1":
            api_params = {"ReturnConsumedCapacity": "TOTAL", **api_params}
        result = original(self, operation_name, api_params)
        _count(operation_name, result)
        return result

    BaseClient._make_api_call = checked  # type: ignore[method-assign]
    _installed = True


def _count(operation: str, result: dict[str, Any]) -> None:
    with _counting:
        _add(operation, result)


def _add(operation: str, result: dict[str, Any]) -> None:
    calls = counters["api_dynamodb_calls"]
    calls[operation] = calls.get(operation, 0) + 1
    if operation in ("Query", "Scan"):
        read = int(result.get("ScannedCount", result.get("Count", 0)))
    elif operation == "GetItem":
        read = 1 if "Item" in result else 0
    elif operation == "BatchGetItem":
        read = sum(len(items) for items in (result.get("Responses") or {}).values())
    elif operation == "TransactGetItems":
        read = len(result.get("Responses") or [])
    else:
        read = 0
    counters["api_items_read"] += read
    used = result.get("ConsumedCapacity")
    for entry in used if isinstance(used, list) else [used] if used else []:
        counters["api_read_units"] += float(entry.get("CapacityUnits", 0))
