"""Staff sessions: the refresh-token cookie, sign-out, and ending sessions early.

- The refresh token never reaches page scripts: it travels only in an ``HttpOnly; Secure;
  SameSite=Strict`` cookie scoped to the auth routes (``AUTH_COOKIE_PATH``, ``/api/auth`` by
  default; on AWS the UI and ``/api`` must be served from the same site for the cookie to
  flow). The ID and access tokens (one hour) stay with the page.
- Sign-out revokes the refresh token (Cognito ``RevokeToken``) and marks the session's
  ``origin_jti`` revoked, so its ID tokens stop opening the API at once.
- A password change or reset ends every session: ``AdminUserGlobalSignOut`` (refresh tokens)
  and the user's ``tokens_valid_after`` (ID tokens already issued, checked per request against
  the token's ``iat``). Disabling a member does the same: a session is the person's, not the
  shop's, so the sessions opened before the disable end in every shop (they sign in again and
  keep their other shops), and never come back with a re-enable.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from shared.errors import NotAuthenticated
from shared.keys import user_pk

COOKIE = "shopdesk_refresh"
REFRESH_MAX_AGE_S = 30 * 24 * 3600  # the app client's refresh token validity
REVOCATION_TTL_S = 2 * 3600  # longer than an ID token lives (one hour)


@dataclass(frozen=True)
class TokenFacts:
    """What the per-request check needs from the verified ID token's claims."""

    user_id: str
    issued_at: float
    session_id: str | None

    @classmethod
    def of(cls, claims: dict[str, Any]) -> TokenFacts:
        try:
            issued = float(claims.get("iat") or 0)
        except (TypeError, ValueError):
            issued = 0.0
        return cls(user_id=str(claims["sub"]), issued_at=issued, session_id=claims.get("origin_jti") or None)

    @classmethod
    def without_token(cls, user_id: str) -> TokenFacts:
        """Work done for a member outside a request (a background job): their current rights."""
        return cls(user_id=user_id, issued_at=time.time(), session_id=None)


# -- the cookie -----------------------------------------------------------------------------------
def cookie_path() -> str:
    return os.environ.get("AUTH_COOKIE_PATH", "/api/auth")


def set_cookie(refresh_token: str) -> str:
    return (f"{COOKIE}={refresh_token}; Path={cookie_path()}; Max-Age={REFRESH_MAX_AGE_S}; HttpOnly; Secure; "
            "SameSite=Strict")


def clear_cookie() -> str:
    return f"{COOKIE}=; Path={cookie_path()}; Max-Age=0; HttpOnly; Secure; SameSite=Strict"


def read_cookie(headers: dict[str, str], name: str = COOKIE) -> str | None:
    """The value of cookie ``name`` (the staff refresh cookie unless told), or None."""
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    value = morsel.value if morsel else ""
    return value if 10 <= len(value) <= 8192 else None


# -- checks made on every request -------------------------------------------------------------------
def revoked_key(facts: TokenFacts) -> Any:
    from shared.identity.tables import RevokedSession

    return (RevokedSession, user_pk(facts.user_id), f"SESSION#{facts.session_id or '-'}")


def profile_key(user_id: str) -> Any:
    from shared.identity.tables import UserRecord

    return (UserRecord, user_pk(user_id), "PROFILE")


def check(facts: TokenFacts, profile: Any, revoked: Any) -> None:
    """401 ``session_revoked`` for a signed-out session or a token older than a sign-out-everywhere."""
    if revoked is not None:
        raise NotAuthenticated("session_revoked")
    after = getattr(profile, "tokens_valid_after", None) if profile is not None else None
    if after and facts.issued_at < float(after):
        raise NotAuthenticated("session_revoked")


# -- ending sessions --------------------------------------------------------------------------------
def revoke(refresh_token: str | None, facts: TokenFacts | None) -> None:
    """Sign-out: the refresh token cannot be used again, nor this session's ID tokens."""
    from shared.aws import client
    from shared.config import settings
    from shared.identity.tables import RevokedSession

    if refresh_token:
        idp = client("cognito-idp")
        try:
            idp.revoke_token(Token=refresh_token, ClientId=settings().user_pool_client_id)
        except (idp.exceptions.UnsupportedTokenTypeException, idp.exceptions.UnauthorizedException):
            pass  # not a refresh token of this client: nothing to revoke
    if facts is not None and facts.session_id:
        RevokedSession(pk=user_pk(facts.user_id), sk=f"SESSION#{facts.session_id}",
                       expires_at=int(time.time()) + REVOCATION_TTL_S).save()


def end_all(user_id: str, login: str) -> float:
    """Every session of the user ends now (refresh tokens revoked, ID tokens refused).
    Returns the moment from which new tokens are valid."""
    from shared.aws import client
    from shared.config import settings
    from shared.identity.tables import UserRecord

    client("cognito-idp").admin_user_global_sign_out(UserPoolId=settings().user_pool_id, Username=login)
    now = time.time()
    UserRecord(pk=user_pk(user_id), sk="PROFILE").update(actions=[UserRecord.tokens_valid_after.set(now)])
    return now


def valid_after(user_id: str) -> float:
    """The latest sign-out-everywhere of the user (0 if none)."""
    from shared.identity.tables import UserRecord

    try:
        found = UserRecord.get(user_pk(user_id), "PROFILE", consistent_read=True,
                               attributes_to_get=["tokens_valid_after"])
    except UserRecord.DoesNotExist:
        return 0.0
    return float(found.tokens_valid_after or 0)


def wait_until_valid(after: float) -> None:
    """Tokens carry whole-second ``iat``: a token issued in the same second as a sign-out-everywhere
    would be refused, so new tokens are issued from the next whole second on."""
    delay = math.floor(after) + 1 - time.time()
    if delay > 0:
        time.sleep(delay)
