"""Separation of duties (issue 9, point 3): above a shop-set amount, whoever created a purchase
order or opened a stocktake does not also approve it. The amounts and the switch are the shop's
``approvals`` settings (on by default: POs above ¥5,000, stocktake variances above ¥2,000).
"""
from __future__ import annotations

from shared.auth.context import AuthContext
from shared.errors import Forbidden


def require_second_person(ctx: AuthContext, *, created_by: str, amount: int, limit: int, enabled: bool) -> None:
    """403 ``approval_needs_second_person`` when ``ctx`` created the thing (``created_by`` is
    their user id or login) and ``amount`` (fen) is above ``limit``, the shop's setting (the
    caller reads it: the platform layer never imports a capability)."""
    if created_by not in (ctx.user_id, ctx.email):
        return
    if enabled and amount > limit:
        raise Forbidden("approval_needs_second_person", details={"limit": limit, "amount": amount},
                        limit=f"¥{limit / 100:,.2f}")
