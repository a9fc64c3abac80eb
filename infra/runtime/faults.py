"""Fault switches of the local runtime, for tests that show what happens when AWS fails: while a
function is listed in ``put_events``, every EventBridge ``PutEvents`` call it makes fails as
AWS's would (an ``InternalException`` from the service), and nothing else changes.

Set through ``POST /__local/faults`` (``{"put_events": ["SettingsOutboxFunction"]}``; ``{}``
clears them) or, for a whole run, ``SHOPDESK_FAIL_PUT_EVENTS=SettingsOutboxFunction,...``.
The stream pollers' pause between retries can be shortened the same way
(``{"stream_retry_delay": 0.05}``) so a test sees a batch exhaust its retries in seconds.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from infra.runtime.functions import current

_lock = threading.Lock()
state: dict[str, Any] = {
    "put_events": set(filter(None, os.environ.get("SHOPDESK_FAIL_PUT_EVENTS", "").split(","))),
    "stream_retry_delay": None,
}
_installed = False


def configure(body: dict[str, Any]) -> dict[str, Any]:
    with _lock:
        state["put_events"] = set(body.get("put_events") or ())
        delay = body.get("stream_retry_delay")
        state["stream_retry_delay"] = float(delay) if delay is not None else None
    return {"put_events": sorted(state["put_events"]), "stream_retry_delay": state["stream_retry_delay"]}


def stream_retry_delay(default: float) -> float:
    delay = state["stream_retry_delay"]
    return default if delay is None else float(delay)


def install() -> None:
    """Hook botocore once (every client, made before or after)."""
    global _installed
    if _installed:
        return
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call

    def faulty(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if operation_name == "PutEvents" and state["put_events"] and current() in state["put_events"] \
                and self.meta.service_model.service_name == "events":
            raise ClientError({"Error": {"Code": "InternalException", "Message": "injected by /__local/faults"},
                               "ResponseMetadata": {"HTTPStatusCode": 500}}, operation_name)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = faulty  # type: ignore[method-assign]
    _installed = True
