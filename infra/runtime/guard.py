"""The Scan guard: no request path may issue a DynamoDB ``Scan`` (ARCHITECTURE: lists are
Query pages). Every botocore call made while an API request is being served is checked; a Scan
is counted and, with ``SHOPDESK_FORBID_SCAN=1`` (the test suite sets it), refused outright.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()
counters = {"api_scans": 0}
_installed = False


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
        if operation_name == "Scan" and getattr(_state, "in_api", False):
            counters["api_scans"] += 1
            if os.environ.get("SHOPDESK_FORBID_SCAN") == "1":
                raise ScanInRequestPath(f"Scan of {api_params.get('TableName')} in an API request")
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = checked  # type: ignore[method-assign]
    _installed = True
