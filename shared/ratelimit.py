"""Per-client limits: fixed-window counters in DynamoDB (``RATE_LIMIT_TABLE``).

API Gateway's stage throttling is shared by every caller; these limits are per login, per
client address or per member, so one abuser cannot spend everyone's budget (issue 9, point 10).

    from shared import ratelimit
    ratelimit.consume(ratelimit.LIMITS["invitations_per_day"], member_id)   # 429 when full

One item per (limit, key, window): ``pk = <limit>#<key>``, ``sk = <window start>``, ``hits``
and ``expires_at`` (TTL; locally TTL never deletes, and an old window is simply never read
again). ``consume`` is one conditional UpdateItem (``hits < max``), so concurrent callers can
never pass more than ``max`` in a window. ``peek``/``record`` split the check from the count,
for limits on failures (a failed sign-in counts only once it has failed).

No key is stored as given: ``pk`` holds the key's keyed blind index (``shared.crypto``, the
global index key, kind ``ratelimit``), so the table names no login, mobile, e-mail or client
address in clear, and an unkeyed hash cannot be reversed by trying every mobile number either.
Logins go through ``person_key`` (normalised) so "A@x.cn" and "a@x.cn" count together.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from shared.db import ShopItem, TableMeta
from shared.errors import Throttled


@dataclass(frozen=True)
class Limit:
    name: str
    max: int
    window_s: int


LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    # sign-in: failures only; a login or an address over its limit is refused even with the right password
    Limit("signin_failures_per_login", 5, 15 * 60),
    Limit("signin_failures_per_ip", 20, 15 * 60),
    # one-time codes (e-mail or SMS) and guesses at them
    Limit("reset_codes_per_login", 3, 60 * 60),
    Limit("reset_codes_per_ip", 10, 60 * 60),
    Limit("reset_failures_per_ip", 20, 60 * 60),
    # buyers' sign-in codes by SMS (shared/buyers/signin.py): per number of a shop, per address
    # in a shop and in all; failed sign-ins per address in a shop
    Limit("buyer_code_resend", 1, 60),
    Limit("buyer_codes_per_mobile", 5, 60 * 60),
    Limit("buyer_codes_per_shop_ip", 20, 60 * 60),
    Limit("buyer_codes_per_ip", 300, 60 * 60),
    Limit("buyer_signin_failures_per_ip", 20, 15 * 60),
    # staff administration
    Limit("invitations_per_hour", 20, 60 * 60),
    Limit("invitations_per_day", 50, 24 * 60 * 60),
    Limit("shops_per_day", 3, 24 * 60 * 60),
)}


class RateLimitRecord(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = "RATE_LIMIT_TABLE"

    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()


def person_key(value: str) -> str:
    """The counter key of a login (e-mail or mobile): normalised; stored only as its blind index."""
    return f"login:{value.strip().lower()}"


def _stored(key: str) -> str:
    """What the table keeps of a counter key: its keyed blind index, never the key (a login or an address)."""
    from shared.crypto import GLOBAL, blind_index

    return blind_index(GLOBAL, "ratelimit", key)


def _window(limit: Limit, now: float) -> tuple[int, int]:
    start = int(now // limit.window_s) * limit.window_s
    return start, start + limit.window_s


def _refuse(limit: Limit, now: float) -> Throttled:
    retry_after = max(1, _window(limit, now)[1] - int(now))
    return Throttled("rate_limited", details={"limit": limit.name, "retry_after": retry_after},
                     headers={"Retry-After": str(retry_after)}, limit=limit.name, retry_after=retry_after)


def _record(limit: Limit, key: str, now: float) -> RateLimitRecord:
    start, end = _window(limit, now)
    return RateLimitRecord(pk=f"{limit.name}#{_stored(key)}", sk=str(start), expires_at=end + 60)


def consume(limit: Limit, key: str) -> None:
    """Count one use; raises ``Throttled`` (429, naming the limit) when the window is full."""
    now = time.time()
    rec = _record(limit, key, now)
    try:
        rec.update(actions=[RateLimitRecord.hits.add(1), RateLimitRecord.expires_at.set(rec.expires_at)],
                   condition=RateLimitRecord.hits.does_not_exist() | (RateLimitRecord.hits < limit.max))
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise _refuse(limit, now) from exc
        raise


def peek(limit: Limit, key: str) -> None:
    """Raises ``Throttled`` when the window is already full (counts nothing)."""
    now = time.time()
    rec = _record(limit, key, now)
    try:
        found = RateLimitRecord.get(rec.pk, rec.sk, consistent_read=True)
    except RateLimitRecord.DoesNotExist:
        return
    if int(found.hits) >= limit.max:
        raise _refuse(limit, now)


def record(limit: Limit, key: str) -> None:
    """Count one event (a failure) without refusing it; the next ``peek`` sees it."""
    now = time.time()
    rec = _record(limit, key, now)
    rec.update(actions=[RateLimitRecord.hits.add(1), RateLimitRecord.expires_at.set(rec.expires_at)])


def forget(limit: Limit, key: str) -> None:
    """Clear the current window of ``key`` (support unlocking a number or an address at once)."""
    _record(limit, key, time.time()).delete()
