"""Staff logins in the Cognito user pool (admin side): create, find, change password. Resets are
the person's own (``shared.identity.passwords``); no administrator sets anyone's password."""
from __future__ import annotations

from typing import Any

from shared.aws import client
from shared.config import settings
from shared.errors import NotAuthenticated, ShopDeskError, field_error
from shared.identity import logins


def _idp() -> Any:
    return client("cognito-idp")


def _sub(attributes: list[dict[str, str]]) -> str:
    return str(next(a["Value"] for a in attributes if a["Name"] == "sub"))


def find_or_create(login: str, name: str, password: str | None = None) -> tuple[str, str | None, bool]:
    """(user id, temporary password or None, created now). A new login gets a temporary password
    (or ``password``, permanent) and must set its own at first sign-in."""
    idp, pool = _idp(), settings().user_pool_id
    attribute = ({"Name": "phone_number", "Value": login} if logins.is_phone(login)
                 else {"Name": "email", "Value": login})
    verified = "phone_number_verified" if logins.is_phone(login) else "email_verified"
    temporary = password or logins.temporary_password()
    try:
        user = idp.admin_create_user(
            UserPoolId=pool, Username=login, MessageAction="SUPPRESS", TemporaryPassword=temporary,
            UserAttributes=[attribute, {"Name": verified, "Value": "true"}, {"Name": "name", "Value": name}])["User"]
    except idp.exceptions.UsernameExistsException:
        found = idp.admin_get_user(UserPoolId=pool, Username=login)
        return _sub(found["UserAttributes"]), None, False
    if password:
        idp.admin_set_user_password(UserPoolId=pool, Username=login, Password=password, Permanent=True)
        return _sub(user["Attributes"]), None, True
    return _sub(user["Attributes"]), temporary, True


def change_password(access_token: str, old: str, new: str) -> None:
    idp = _idp()
    try:
        idp.change_password(AccessToken=access_token, PreviousPassword=old, ProposedPassword=new)
    except idp.exceptions.NotAuthorizedException as exc:
        # The same Cognito error means "expired token" or "wrong old password": only the first
        # is a sign-in problem (401); the second is a wrong field (422), not a reason to sign out.
        if "token" in str(exc).lower():
            raise NotAuthenticated("session_expired") from exc
        raise field_error("old_password", "password_incorrect") from exc
    except idp.exceptions.InvalidPasswordException as exc:
        raise ShopDeskError("password_policy", details={"field": "new_password"}) from exc
