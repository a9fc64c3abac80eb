"""Staff sign-in through the Cognito user pool (USER_PASSWORD_AUTH), token refresh and the
first-sign-in password change. Errors come back in ShopDesk's shape, never Cognito's.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.aws import client
from shared.config import settings
from shared.errors import NotAuthenticated, ShopDeskError
from shared.model import Input, Model


class SignIn(Input):
    email: str = Field(min_length=3, max_length=120, description="E-mail address or mobile number (the login)")
    password: str = Field(min_length=1, max_length=256)


class Refresh(Input):
    refresh_token: str = Field(min_length=10, max_length=8192)


class NewPassword(Input):
    email: str = Field(min_length=3, max_length=120)
    session: str = Field(min_length=20, max_length=2048, description="The `session` of the NEW_PASSWORD_REQUIRED answer")
    new_password: str = Field(min_length=8, max_length=256)


class Tokens(Model):
    id_token: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    challenge: str | None = Field(None, description="NEW_PASSWORD_REQUIRED when the password must be changed")
    session: str | None = None


def _tokens(answer: dict[str, Any]) -> Tokens:
    if "ChallengeName" in answer:
        return Tokens(challenge=answer["ChallengeName"], session=answer.get("Session"))
    result = answer["AuthenticationResult"]
    return Tokens(id_token=result.get("IdToken"), access_token=result.get("AccessToken"),
                  refresh_token=result.get("RefreshToken"), expires_in=result.get("ExpiresIn"))


def _call(operation: str, **kwargs: Any) -> Tokens:
    cognito = client("cognito-idp")
    try:
        return _tokens(getattr(cognito, operation)(ClientId=settings().user_pool_client_id, **kwargs))
    except cognito.exceptions.NotAuthorizedException as exc:
        if "disabled" in str(exc).lower():
            raise NotAuthenticated("user_disabled") from exc
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


def sign_in(body: SignIn) -> Tokens:
    return _call("initiate_auth", AuthFlow="USER_PASSWORD_AUTH",
                 AuthParameters={"USERNAME": _username(body.email), "PASSWORD": body.password})


def refresh(body: Refresh) -> Tokens:
    return _call("initiate_auth", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": body.refresh_token})


def new_password(body: NewPassword) -> Tokens:
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
