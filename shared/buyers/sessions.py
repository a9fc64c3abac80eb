"""Buyer sessions: the refresh-token cookie and the per-request check of a buyer's ID token.

As staff's ``shared.identity.sessions``: the page holds the ID token in memory and the refresh
token only in an HttpOnly, Secure, SameSite=Strict cookie scoped to the shop's storefront auth
path; sign-out revokes the refresh token and marks the session (``origin_jti``) signed out, so
its ID tokens stop opening the API at once. The check of each request is one BatchGetItem:
the buyer's profile in the shop of the path (a buyer of another shop, or a token of the staff
pool, finds none: 401) and the session's signed-out mark.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from shared.errors import NotAuthenticated

COOKIE = "shopdesk_buyer_refresh"
REFRESH_MAX_AGE_S = 30 * 24 * 3600
SIGNED_OUT_TTL_S = 2 * 3600  # longer than an ID token lives


@dataclass(frozen=True)
class BuyerSession:
    shop_id: str
    buyer_id: str
    session_id: str | None
    profile: Any  # shared.buyers.tables.BuyerProfile

    @property
    def mobile(self) -> str:
        return str(self.profile.mobile)


def cookie_path(shop_id: str) -> str:
    return f"{os.environ.get('BUYER_COOKIE_BASE', '/api/storefront')}/{shop_id}/auth"


def set_cookie(shop_id: str, refresh_token: str) -> str:
    return (f"{COOKIE}={refresh_token}; Path={cookie_path(shop_id)}; Max-Age={REFRESH_MAX_AGE_S}; HttpOnly; Secure; "
            "SameSite=Strict")


def clear_cookie(shop_id: str) -> str:
    return f"{COOKIE}=; Path={cookie_path(shop_id)}; Max-Age=0; HttpOnly; Secure; SameSite=Strict"


def read_cookie(headers: dict[str, str]) -> str | None:
    from shared.identity.sessions import read_cookie as read

    return read(headers, COOKIE)


def from_buyer_pool(claims: dict[str, Any]) -> bool:
    """Whether verified claims were issued by the buyer pool (API Gateway's authorizer already
    checked the route's pool; this keeps the function honest if a route is misdeclared)."""
    from shared.config import settings

    pool = settings().buyer_pool_id
    return bool(pool) and str(claims.get("iss", "")).endswith("/" + pool)


def authenticate(claims: dict[str, Any], shop_id: str) -> BuyerSession:
    from shared.buyers.tables import BuyerProfile, SignedOut, buyer_pk, session_sk
    from shared.db import batch_get

    buyer_id = str(claims.get("cognito:username") or "")
    if not from_buyer_pool(claims) or not buyer_id.startswith("byr_") or not shop_id:
        raise NotAuthenticated()
    session_id = str(claims.get("origin_jti") or "") or None
    pk = buyer_pk(shop_id, buyer_id)
    profile, signed_out = batch_get([(BuyerProfile, pk, "PROFILE"), (SignedOut, pk, session_sk(session_id or "-"))])
    if profile is None:  # a buyer of another shop: this shop does not know them
        raise NotAuthenticated()
    if signed_out is not None:
        raise NotAuthenticated("session_revoked")
    return BuyerSession(shop_id, buyer_id, session_id, profile)


def mark_signed_out(session: BuyerSession) -> None:
    from shared.buyers.tables import SignedOut, buyer_pk, session_sk

    if session.session_id:
        SignedOut(pk=buyer_pk(session.shop_id, session.buyer_id), sk=session_sk(session.session_id),
                  expires_at=int(time.time()) + SIGNED_OUT_TTL_S).save()
