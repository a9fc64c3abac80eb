"""Idempotency for creating requests (``Idempotency-Key`` header), on powertools' idempotency
utility with its DynamoDB persistence layer (table ``IDEMPOTENCY_TABLE`` from the template).

The key is scoped to shop, user and the whole request target (method, path with its parameters,
query: ``shared.http.app.idempotency_scope``), so two users, shops or targets (two purchase
orders) can never collide; the request body is validated too, so one key re-used with another body is refused instead of
silently answering the first result. A repeat returns the stored first answer and runs nothing.

What is stored holds no personal data and no secret: the answer is sealed with the shop's key
(``shared.crypto``; the global scope outside a shop), after its secrets (``SECRET_KEYS``: a
webhook signing secret, a temporary password, tokens) are dropped, so a repeat answers them as
null ("shown once"); the body is kept only as a keyed hash (HMAC), not a plain SHA-256 that a
phone number could be guessed back from.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from shared.errors import Conflict, ShopDeskError

KEY_TTL_SECONDS = 24 * 3600
SECRET_KEYS = frozenset({"webhook_secret", "temporary_password", "password", "new_password", "refresh_token",
                         "id_token", "access_token", "session", "secret"})


@lru_cache(maxsize=1)
def _machinery() -> tuple[Any, Any]:
    # Imported on first use: the idempotency utility is not needed by most requests.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

    store = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
    config = IdempotencyConfig(event_key_jmespath="[scope, key]", payload_validation_jmespath="body_hmac",
                               expires_after_seconds=KEY_TTL_SECONDS, raise_on_no_idempotency_key=True)
    return store, config


def _without_secrets(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: None if k in SECRET_KEYS else _without_secrets(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_secrets(v) for v in data]
    return data


def run_once(scope: str, key: str, body: Any, run: Callable[[], dict[str, Any]],
             lambda_context: Any = None, shop_id: str | None = None) -> dict[str, Any]:
    """Run ``run`` once per (scope, key); later calls return its first result (without secrets).

    ``run`` returns a JSON-able dict (the status and body of the answer). Errors are not
    stored: a request that failed may be retried with the same key. ``shop_id``: whose key seals
    the stored answer (None: the global scope).
    """
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    from shared import crypto

    if not key or len(key) > 200:
        raise ShopDeskError("idempotency_key_invalid", details={"field": "Idempotency-Key"})
    store, config = _machinery()
    if lambda_context is not None:
        # Lets an in-progress record expire with the invocation's time left (powertools' design).
        config.register_lambda_context(lambda_context)
    data_scope = shop_id or crypto.GLOBAL
    digest = crypto.blind_index(data_scope, "idempotent-request", json.dumps(body, sort_keys=True, default=str))
    fresh: list[dict[str, Any]] = []

    @idempotent_function(data_keyword_argument="request", persistence_store=store, config=config)
    def _once(request: dict[str, Any]) -> dict[str, Any]:
        fresh.append(run())
        kept = json.dumps(_without_secrets(fresh[0]), ensure_ascii=False)
        return {"sealed": crypto.seal(data_scope, "idempotent_answer", kept)}

    try:
        stored: dict[str, Any] = _once(request={"scope": scope, "key": key, "body_hmac": digest})
        if fresh:
            return fresh[0]
        if "sealed" not in stored:
            return stored  # stored before answers were sealed (kept 24 hours at most)
        answer: dict[str, Any] = json.loads(crypto.unseal(data_scope, "idempotent_answer", stored["sealed"]))
        return answer
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict("request_in_progress") from exc
    except IdempotencyValidationError as exc:
        raise ShopDeskError("idempotency_key_reused", details={"field": "Idempotency-Key"}) from exc
