"""Idempotency for creating requests (``Idempotency-Key`` header), on powertools' idempotency
utility with its DynamoDB persistence layer (table ``IDEMPOTENCY_TABLE`` from the template).

The key is scoped to shop, user and the whole request target (method, path with its parameters,
query: ``shared.http.app.idempotency_scope``), so two users, shops or targets (two purchase
orders) can never collide; the request body is validated too, so one key re-used with another body is refused instead of
silently answering the first result. A repeat returns the stored first answer and runs nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from shared.errors import Conflict, ShopDeskError

KEY_TTL_SECONDS = 24 * 3600


@lru_cache(maxsize=1)
def _machinery() -> tuple[Any, Any]:
    # Imported on first use: the idempotency utility is not needed by most requests.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

    store = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
    config = IdempotencyConfig(event_key_jmespath="[scope, key]", payload_validation_jmespath="body_sha256",
                               expires_after_seconds=KEY_TTL_SECONDS, raise_on_no_idempotency_key=True)
    return store, config


def run_once(scope: str, key: str, body: Any, run: Callable[[], dict[str, Any]],
             lambda_context: Any = None) -> dict[str, Any]:
    """Run ``run`` once per (scope, key); later calls return its first result.

    ``run`` returns a JSON-able dict (the status and body of the answer). Errors are not
    stored: a request that failed may be retried with the same key.
    """
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if not key or len(key) > 200:
        raise ShopDeskError("idempotency_key_invalid", details={"field": "Idempotency-Key"})
    store, config = _machinery()
    if lambda_context is not None:
        # Lets an in-progress record expire with the invocation's time left (powertools' design).
        config.register_lambda_context(lambda_context)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config)
    def _once(request: dict[str, Any]) -> dict[str, Any]:
        return run()

    try:
        answer: dict[str, Any] = _once(request={"scope": scope, "key": key, "body_sha256": digest})
        return answer
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict("request_in_progress") from exc
    except IdempotencyValidationError as exc:
        raise ShopDeskError("idempotency_key_reused", details={"field": "Idempotency-Key"}) from exc
