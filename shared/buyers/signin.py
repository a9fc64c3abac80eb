"""SMS one-time-code sign-in of buyers on the buyer pool (docs/buyers.md).

1. ``request_code``: a 6-digit code by SMS (``shared.messaging``), stored only as its keyed hash
   (``crypto.blind_index`` of "<mobile>:<code>"), valid 5 minutes and for 5 tries, a new one
   replacing the old. Limited per number (one a minute, five an hour) and per client address
   (``shared.ratelimit``). The answer is the same whether the number is known to the shop.
2. ``sign_in``: the code is used up by a conditional delete (a replay finds nothing); a wrong
   code counts a try on the code and a failure on the client address. The first sign-in of a
   number creates the buyer (mobile claim + profile in one transaction, so two racing first
   sign-ins make one buyer) and their login in the buyer pool. Tokens come from the admin flow:
   a random permanent password nobody keeps, then ``AdminInitiateAuth`` with
   ``ADMIN_USER_PASSWORD_AUTH`` (why not CUSTOM_AUTH: docs/buyers.md).
3. ``refresh`` / ``sign_out``: the HttpOnly cookie's refresh token, as staff's.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from shared import crypto, ratelimit
from shared.aws import client
from shared.buyers.models import BuyerCodeSent, BuyerTokens, BuyerView, CodeRequest, normalize_mobile
from shared.buyers.tables import (
    PROFILE,
    BuyerProfile,
    MobileClaim,
    SignInCode,
    buyer_pk,
    claim_pk,
    code_pk,
)
from shared.config import settings
from shared.errors import NotAuthenticated

CODE_TTL_S = 5 * 60
MAX_TRIES = 5
RESEND_AFTER_S = 60
DEMO_MOBILE = "+8613800000000"


@dataclass
class Issued:
    tokens: BuyerTokens
    refresh_token: str | None


def _index(shop_id: str, mobile: str) -> str:
    return crypto.blind_index(shop_id, "mobile", mobile)


def _digest(shop_id: str, mobile: str, code: str) -> str:
    return crypto.blind_index(shop_id, "signin_code", f"{mobile}:{code}")


def request_code(shop_id: str, body: CodeRequest, source_ip: str | None, language: str) -> BuyerCodeSent:
    from shared import messaging
    from shared.buyers.models import masked_mobile
    from shared.i18n import message

    mobile = normalize_mobile(body.mobile)
    demo = settings().demo_mode and mobile == DEMO_MOBILE
    number = ratelimit.person_key(f"{shop_id}:{mobile}")
    if not demo:  # the demo buyer's code is on screen in demo mode: anyone may sign in as it, again and again
        ratelimit.consume(ratelimit.LIMITS["buyer_code_resend"], number)
        ratelimit.consume(ratelimit.LIMITS["buyer_codes_per_mobile"], number)
    if source_ip:
        ratelimit.consume(ratelimit.LIMITS["buyer_codes_per_shop_ip"], f"{shop_id}:{source_ip}")
        ratelimit.consume(ratelimit.LIMITS["buyer_codes_per_ip"], source_ip)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    index = _index(shop_id, mobile)
    SignInCode(pk=code_pk(shop_id, index), sk="CODE", digest=_digest(shop_id, mobile, code), tries=0,
               expires_at=int(time.time()) + CODE_TTL_S).save()
    messaging.send_sms(mobile, message("buyer_code_sms", language, code=code, minutes=CODE_TTL_S // 60))
    return BuyerCodeSent(sent_to=masked_mobile(mobile), retry_after=RESEND_AFTER_S, expires_in=CODE_TTL_S,
                    demo_code=code if demo else None)


def _check_code(shop_id: str, mobile: str, code: str) -> None:
    """Use the code up, or raise 401 ``code_invalid`` (unknown, expired, wrong, used, too many tries)."""
    from pynamodb.exceptions import DeleteError, UpdateError

    index = _index(shop_id, mobile)
    key = code_pk(shop_id, index)
    try:
        found = SignInCode.get(key, "CODE", consistent_read=True)
    except SignInCode.DoesNotExist:
        raise NotAuthenticated("code_invalid") from None
    if int(found.expires_at) < time.time() or int(found.tries) >= MAX_TRIES:
        raise NotAuthenticated("code_invalid")
    if not secrets.compare_digest(str(found.digest), _digest(shop_id, mobile, code)):
        try:  # one try counted on this very code (a new code starts again)
            found.update(actions=[SignInCode.tries.add(1)],
                         condition=(SignInCode.digest == found.digest) & (SignInCode.tries < MAX_TRIES))
        except UpdateError:
            pass
        raise NotAuthenticated("code_invalid")
    try:  # single use: of two racing sign-ins with one code, one wins
        found.delete(condition=(SignInCode.digest == found.digest) & (SignInCode.tries < MAX_TRIES))
    except DeleteError:
        raise NotAuthenticated("code_invalid") from None


def _find_or_create(shop_id: str, mobile: str) -> BuyerProfile:
    from shared import clock
    from shared.ids import new_id
    from shared.tx import ConditionsFailed, Writes

    index = _index(shop_id, mobile)
    for _ in range(3):
        try:
            claim = MobileClaim.get(claim_pk(shop_id, index), "CLAIM", consistent_read=True)
            return BuyerProfile.get(buyer_pk(shop_id, claim.buyer_id), PROFILE, consistent_read=True)
        except (MobileClaim.DoesNotExist, BuyerProfile.DoesNotExist):
            pass
        buyer_id = new_id("byr_")
        profile = BuyerProfile(pk=buyer_pk(shop_id, buyer_id), sk=PROFILE, buyer_id=buyer_id, mobile=mobile,
                               mobile_index=index, created_at=clock.now().isoformat())
        writes = Writes()
        writes.put(MobileClaim(pk=claim_pk(shop_id, index), sk="CLAIM", buyer_id=buyer_id),
                   condition=MobileClaim.pk.does_not_exist(), label=("mobile_taken",))
        writes.put(profile, condition=BuyerProfile.pk.does_not_exist(), label=("buyer_exists",))
        try:
            writes.commit()
            return profile
        except ConditionsFailed:
            continue  # another first sign-in of this number won: read theirs
    raise NotAuthenticated("code_invalid")


def _password() -> str:
    return secrets.token_urlsafe(24) + "Aa1"


def _tokens(answer: dict[str, Any], profile: BuyerProfile) -> Issued:
    result = answer["AuthenticationResult"]
    return Issued(BuyerTokens(id_token=result["IdToken"], expires_in=int(result.get("ExpiresIn") or 3600),
                              buyer=view(profile)), result.get("RefreshToken"))


def view(profile: BuyerProfile) -> BuyerView:
    return BuyerView(id=str(profile.buyer_id), mobile=str(profile.mobile), created_at=str(profile.created_at))


def _login(profile: BuyerProfile) -> Issued:
    idp, cfg = client("cognito-idp"), settings()
    username, password = str(profile.buyer_id), _password()
    try:
        idp.admin_set_user_password(UserPoolId=cfg.buyer_pool_id, Username=username, Password=password, Permanent=True)
    except idp.exceptions.UserNotFoundException:
        try:
            idp.admin_create_user(UserPoolId=cfg.buyer_pool_id, Username=username, MessageAction="SUPPRESS",
                                  TemporaryPassword=_password())
        except idp.exceptions.UsernameExistsException:
            pass
        idp.admin_set_user_password(UserPoolId=cfg.buyer_pool_id, Username=username, Password=password, Permanent=True)
    answer = idp.admin_initiate_auth(UserPoolId=cfg.buyer_pool_id, ClientId=cfg.buyer_pool_client_id,
                                     AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": password})
    return _tokens(answer, profile)


def sign_in(shop_id: str, mobile_in: str, code: str, source_ip: str | None) -> Issued:
    mobile = normalize_mobile(mobile_in)
    per_ip = ratelimit.LIMITS["buyer_signin_failures_per_ip"]
    if source_ip:
        ratelimit.peek(per_ip, f"{shop_id}:{source_ip}")
    try:
        _check_code(shop_id, mobile, code)
    except NotAuthenticated:
        if source_ip:
            ratelimit.record(per_ip, f"{shop_id}:{source_ip}")
        raise
    return _login(_find_or_create(shop_id, mobile))


def refresh(shop_id: str, refresh_token: str | None) -> Issued:
    """New ID token from the cookie; only for a buyer of this shop."""
    import jwt

    if not refresh_token:
        raise NotAuthenticated("session_expired")
    idp, cfg = client("cognito-idp"), settings()
    try:
        answer = idp.initiate_auth(ClientId=cfg.buyer_pool_client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                   AuthParameters={"REFRESH_TOKEN": refresh_token})
    except (idp.exceptions.NotAuthorizedException, idp.exceptions.UserNotFoundException) as exc:
        raise NotAuthenticated("session_expired") from exc
    token = answer["AuthenticationResult"]["IdToken"]
    claims = jwt.decode(token, options={"verify_signature": False})  # just issued to us by Cognito
    try:
        profile = BuyerProfile.get(buyer_pk(shop_id, str(claims.get("cognito:username"))), PROFILE)
    except BuyerProfile.DoesNotExist:
        raise NotAuthenticated("session_expired") from None
    issued = _tokens(answer, profile)
    return Issued(issued.tokens, issued.refresh_token or refresh_token)


def sign_out(session: Any, refresh_token: str | None) -> None:
    from shared.buyers.sessions import mark_signed_out

    if refresh_token:
        idp = client("cognito-idp")
        try:
            idp.revoke_token(Token=refresh_token, ClientId=settings().buyer_pool_client_id)
        except (idp.exceptions.UnsupportedTokenTypeException, idp.exceptions.UnauthorizedException):
            pass
    mark_signed_out(session)
