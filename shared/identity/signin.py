"""Staff sign-in through the Cognito user pool (USER_PASSWORD_AUTH), token refresh and the
first-sign-in password change. Errors come back in ShopDesk's shape, never Cognito's.

- A wrong password, an unknown login and a disabled account answer the same 401.
- Failed sign-ins count per login and per client address (``shared.ratelimit``); over either
  limit the sign-in answers 429 with Retry-After, even with the right password.
- The refresh token is returned separately (``Issued.refresh_token``) for the route to put in
  the HttpOnly cookie; the JSON answer never carries it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from shared.aws import client
from shared.config import settings
from shared.errors import NotAuthenticated, ShopDeskError
from shared.model import Input, Model


class SignIn(Input):
    email: str = Field(min_length=3, max_length=120, description="E-mail address or mobile number (the login)")
    password: str = Field(min_length=1, max_length=256)


class NewPassword(Input):
    email: str = Field(min_length=3, max_length=120)
    session: str = Field(min_length=20, max_length=2048, description="The `session` of the NEW_PASSWORD_REQUIRED answer")
    new_password: str = Field(min_length=8, max_length=256)


class Tokens(Model):
    """What the page gets: ID and access tokens (the refresh token goes into an HttpOnly cookie)."""

    id_token: str | None = None
    access_token: str | None = None
    expires_in: int | None = None
    challenge: str | None = Field(None, description="NEW_PASSWORD_REQUIRED when the password must be changed")
    session: str | None = None


@dataclass
class Issued:
    tokens: Tokens
    refresh_token: str | None = None


def _tokens(answer: dict[str, Any]) -> Issued:
    if "ChallengeName" in answer:
        return Issued(Tokens(challenge=answer["ChallengeName"], session=answer.get("Session")))
    result = answer["AuthenticationResult"]
    return Issued(Tokens(id_token=result.get("IdToken"), access_token=result.get("AccessToken"),
                         expires_in=result.get("ExpiresIn")), result.get("RefreshToken"))


def _call(operation: str, **kwargs: Any) -> Issued:
    cognito = client("cognito-idp")
    try:
        return _fresh(_tokens(getattr(cognito, operation)(ClientId=settings().user_pool_client_id, **kwargs)))
    except cognito.exceptions.NotAuthorizedException as exc:
        # Wrong password and disabled account alike: the answer must not tell them apart.
        raise NotAuthenticated("invalid_credentials") from exc
    except cognito.exceptions.UserNotFoundException as exc:
        raise NotAuthenticated("invalid_credentials") from exc
    except cognito.exceptions.InvalidPasswordException as exc:
        raise ShopDeskError("password_policy", details={"field": "new_password"}) from exc
    except (cognito.exceptions.CodeMismatchException, cognito.exceptions.ExpiredCodeException) as exc:
        raise NotAuthenticated("session_expired") from exc
    except cognito.exceptions.ResourceNotFoundException as exc:  # a session Cognito never gave out
        raise NotAuthenticated("session_expired", details={"field": "session"}) from exc


def _username(login: str) -> str:
    from shared.identity.logins import normalize

    return normalize(login) or login.strip().lower()


def _fresh(issued: Issued) -> Issued:
    """Tokens issued in the same second as a sign-out-everywhere would be refused (``iat`` is
    whole seconds): wait for the next second and refresh once. Only right after a password
    change, reset or disable."""
    token = issued.tokens.id_token
    if not token or not issued.refresh_token:
        return issued
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})  # just issued to us by Cognito
    from shared.identity import sessions

    after = sessions.valid_after(str(claims["sub"]))
    if not after or float(claims.get("iat", 0)) >= after:
        return issued
    sessions.wait_until_valid(after)
    answer = client("cognito-idp").initiate_auth(ClientId=settings().user_pool_client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                                 AuthParameters={"REFRESH_TOKEN": issued.refresh_token})
    renewed = _tokens(answer)
    return Issued(renewed.tokens, issued.refresh_token)


def sign_in(body: SignIn, source_ip: str | None) -> Issued:
    from shared import ratelimit

    login = _username(body.email)
    per_login, per_ip = ratelimit.LIMITS["signin_failures_per_login"], ratelimit.LIMITS["signin_failures_per_ip"]
    ratelimit.peek(per_login, ratelimit.person_key(login))
    if source_ip:
        ratelimit.peek(per_ip, source_ip)
    try:
        return _call("initiate_auth", AuthFlow="USER_PASSWORD_AUTH",
                     AuthParameters={"USERNAME": login, "PASSWORD": body.password})
    except NotAuthenticated:
        ratelimit.record(per_login, ratelimit.person_key(login))
        if source_ip:
            ratelimit.record(per_ip, source_ip)
        raise


def refresh(refresh_token: str | None) -> Issued:
    if not refresh_token:
        raise NotAuthenticated("session_expired")
    try:
        issued = _call("initiate_auth", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token})
    except NotAuthenticated as exc:  # revoked (sign-out, password change) or expired
        raise NotAuthenticated("session_expired") from exc
    return Issued(issued.tokens, issued.refresh_token or refresh_token)


def new_password(body: NewPassword) -> Issued:
    return _call("respond_to_auth_challenge", ChallengeName="NEW_PASSWORD_REQUIRED", Session=body.session,
                 ChallengeResponses={"USERNAME": _username(body.email), "NEW_PASSWORD": body.new_password})


def create_staff_login(email: str, password: str, *, temporary: bool = False, name: str = "") -> str:
    """Create (or find) the Cognito user for a login; returns its ``sub``. Used by seeding and tests."""
    from shared.identity import cognito, logins

    login = logins.normalize(email) or email.strip().lower()
    if temporary:
        user_id, _, _ = cognito.find_or_create(login, name or login)
        from shared.aws import client

        client("cognito-idp").admin_set_user_password(UserPoolId=settings().user_pool_id, Username=login,
                                                      Password=password, Permanent=False)
        return user_id
    user_id, _, _created = cognito.find_or_create(login, name or login, password=password)
    return user_id
