"""Cursor pagination: a DynamoDB ``LastEvaluatedKey`` as an opaque, tamper-evident string.

The cursor is signed (HMAC) with a per-deployment key so a client cannot hand-craft a start key
into another shop's partition; a cursor from another query answers 400 ``invalid_cursor``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any, Generic, TypeVar

from pydantic import Field

from shared.errors import BadRequest
from shared.model import Input, Model

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageQuery(Input):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=2048)


class Page(Model, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    truncated: bool = Field(False, description="Only part of the matching records were considered (a list "
                                               "bounds the work per request); a narrower query shows them all")


def _key() -> bytes:
    return os.environ.get("SHOPDESK_CURSOR_SECRET", "shopdesk-cursor").encode()


def encode_cursor(last_key: dict[str, Any] | None, scope: str) -> str | None:
    """``scope`` binds the cursor to one query (e.g. the shop partition + index)."""
    if not last_key:
        return None
    raw = json.dumps({"k": last_key, "s": scope}, separators=(",", ":"), sort_keys=True).encode()
    sig = hmac.new(_key(), raw, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(sig + raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, scope: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sig, raw = blob[:12], blob[12:]
        if not hmac.compare_digest(sig, hmac.new(_key(), raw, hashlib.sha256).digest()[:12]):
            raise ValueError("signature")
        data = json.loads(raw)
        if data.get("s") != scope or not isinstance(data.get("k"), dict):
            raise ValueError("scope")
        return dict(data["k"])
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise BadRequest("invalid_cursor", details={"field": "cursor"}) from exc
