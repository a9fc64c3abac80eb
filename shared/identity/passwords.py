"""Password reset belongs to the person: a one-time code sent to their own e-mail or mobile, then
"code + new password". No shop administrator can reset anyone's password.

- ``request_code`` answers the same whether or not the login exists (the route always says
  202); it is throttled per login and per client address (``shared.ratelimit``).
- The code is 6 digits from ``secrets``, stored only as a hash (one pending code per user),
  valid 15 minutes, at most 5 guesses, and used once (deleted with a condition on its hash
  before the password changes, so two racing uses cannot both pass).
- A reset ends every session of the user (``sessions.end_all``).

Cognito's own ForgotPassword is not used: its local stand-in accepts any code and hands the
code back in a response header, and our messages must come in zh-CN and en through
``shared.messaging`` like every other message to staff.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from pydantic import Field
from pynamodb.exceptions import DeleteError

from shared.errors import BadRequest, ShopDeskError
from shared.identity import logins
from shared.identity.tables import ResetCodeRecord, UserRecord
from shared.keys import user_of
from shared.model import Input

CODE_TTL_S = 15 * 60
MAX_GUESSES = 5
PASSWORD_RULE = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,256}$"


class ForgotPassword(Input):
    login: str = Field(min_length=3, max_length=120, description="E-mail address or mobile number")


class ResetPassword(Input):
    login: str = Field(min_length=3, max_length=120)
    code: str = Field(pattern=r"^\d{6}$", description="The 6-digit code sent to the person")
    new_password: str = Field(min_length=8, max_length=256)


def _login(value: str) -> str:
    return logins.normalize(value) or value.strip().lower()


def _user(login: str) -> UserRecord | None:
    for found in UserRecord.by_gsi1.query(f"LOGIN#{login}", UserRecord.gsi1sk == "USER", limit=1):
        if isinstance(found, UserRecord):
            return found
    return None


def _hash(user_id: str, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def request_code(body: ForgotPassword, source_ip: str | None) -> None:
    from shared import ratelimit

    login = _login(body.login)
    if source_ip:
        ratelimit.consume(ratelimit.LIMITS["reset_codes_per_ip"], source_ip)
    ratelimit.consume(ratelimit.LIMITS["reset_codes_per_login"], ratelimit.person_key(login))
    user = _user(login)
    if user is None:
        return  # same answer as for a real login
    user_id = user_of(user.pk)
    code = f"{secrets.randbelow(10**6):06d}"
    ResetCodeRecord(pk=user.pk, sk="RESET_CODE", code_hash=_hash(user_id, code), attempts=0,
                    expires_at=int(time.time()) + CODE_TTL_S).save()
    from shared.identity.messages import reset_code
    from shared.messaging import send

    subject, text = reset_code(code, CODE_TTL_S // 60)
    send(login, subject, text)


def reset(body: ResetPassword, source_ip: str | None) -> None:
    import re

    from shared import ratelimit

    if source_ip:
        ratelimit.peek(ratelimit.LIMITS["reset_failures_per_ip"], source_ip)
    if not re.match(PASSWORD_RULE, body.new_password):
        raise ShopDeskError("password_policy", details={"field": "new_password"})
    login = _login(body.login)
    user = _user(login)
    user_id = user_of(user.pk) if user else ""
    pending = None
    if user is not None:
        try:
            pending = ResetCodeRecord.get(user.pk, "RESET_CODE", consistent_read=True)
        except ResetCodeRecord.DoesNotExist:
            pending = None
    usable = pending is not None and pending.expires_at > time.time() and pending.attempts < MAX_GUESSES
    if not (usable and pending is not None and hmac.compare_digest(pending.code_hash, _hash(user_id, body.code))):
        if pending is not None:
            pending.update(actions=[ResetCodeRecord.attempts.add(1)])
        if source_ip:
            ratelimit.record(ratelimit.LIMITS["reset_failures_per_ip"], source_ip)
        raise BadRequest("reset_code_invalid", details={"field": "code"})
    try:
        pending.delete(condition=ResetCodeRecord.code_hash == pending.code_hash)
    except DeleteError as exc:  # used by a concurrent request
        raise BadRequest("reset_code_invalid", details={"field": "code"}) from exc
    from shared.aws import client
    from shared.config import settings
    from shared.identity import sessions

    idp = client("cognito-idp")
    try:
        idp.admin_set_user_password(UserPoolId=settings().user_pool_id, Username=login, Password=body.new_password,
                                    Permanent=True)
    except idp.exceptions.InvalidPasswordException as exc:
        raise ShopDeskError("password_policy", details={"field": "new_password"}) from exc
    sessions.end_all(user_id, login)
