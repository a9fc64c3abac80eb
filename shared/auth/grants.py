"""No granting more than you hold (issue 9, point 2): the one check every path that hands out
roles or permissions runs before it writes.

- Roles given to someone (invitation, role change) grant at most the granter's permissions.
- Only an owner makes an owner, or changes, disables or removes one.
- A custom role's permissions are within its editor's.
- Nobody changes their own roles (``shared.identity.staff`` refuses the self-edit itself).
"""
from __future__ import annotations

from collections.abc import Iterable

from shared.auth.built_in_roles import permissions_of
from shared.auth.context import AuthContext
from shared.errors import Forbidden

OWNER = "owner"


def require_within_own(ctx: AuthContext, permissions: Iterable[str], *, field: str) -> None:
    """403 ``grant_exceeds_own`` naming the first permission the caller does not hold."""
    beyond = sorted(set(permissions) - ctx.permissions)
    if beyond:
        raise Forbidden("grant_exceeds_own", details={"field": field, "permission": beyond[0], "permissions": beyond},
                        permission=beyond[0])


def require_grantable(ctx: AuthContext, roles: Iterable[str], custom_permissions: Iterable[str]) -> None:
    """Giving ``roles`` (built-in and custom, the custom ones resolved to ``custom_permissions``)."""
    roles = set(roles)
    if OWNER in roles and OWNER not in ctx.roles:
        raise Forbidden("owner_only", details={"field": "roles", "role": OWNER})
    require_within_own(ctx, permissions_of(roles, custom_permissions), field="roles")


def require_may_manage(ctx: AuthContext, target_roles: Iterable[str]) -> None:
    """Changing, disabling or removing a member who is an owner takes an owner."""
    if OWNER in set(target_roles) and OWNER not in ctx.roles:
        raise Forbidden("owner_only", details={"role": OWNER})
