"""Built-in roles as sets of permissions from the registry. Custom roles (composed by the owner
from the same registry) live in the identity table; see ``shared.identity.roles``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.auth.permissions import ALL


def _having(*resources: str, actions: tuple[str, ...] | None = None) -> frozenset[str]:
    return frozenset(p for p in ALL if p.split(".")[0] in resources and (actions is None or p.split(".")[1] in actions))


_VIEW = ("view",)


@dataclass(frozen=True)
class BuiltInRole:
    code: str
    zh: str
    en: str
    permissions: frozenset[str]


BUILT_IN_ROLES: dict[str, BuiltInRole] = {r.code: r for r in (
    BuiltInRole("owner", "店主", "Owner", ALL),
    BuiltInRole("customer_service", "客服", "Customer service",
                (_having("orders", "customers", "logistics") - {"orders.finance_review", "customers.delete"})
                | _having("catalog", "inventory", "settings", actions=_VIEW) | {"personal_data.view"}),
    BuiltInRole("warehouse", "仓库管理员", "Warehouse",
                _having("inventory", "purchasing", "logistics") | _having("catalog", "orders", "settings", actions=_VIEW)
                | {"personal_data.view"}),
    BuiltInRole("marketing", "运营/营销", "Marketing",
                _having("marketing", "analytics") | _having("catalog", "customers", "orders", "settings", actions=_VIEW)),
    BuiltInRole("finance", "财务", "Finance",
                _having("finance", "analytics") | {"orders.view", "orders.finance_review", "orders.export",
                                                   "orders.refund", "purchasing.view",
                                                   "purchasing.view_costs", "settings.view", "audit.view",
                                                   "audit.export"}),
    BuiltInRole("auditor", "只读审计", "Read-only auditor",
                frozenset(p for p in ALL if p.endswith(".view") and p != "personal_data.view") | {"audit.export"}),
)}


def permissions_of(roles: Iterable[str], custom: Iterable[str] = ()) -> frozenset[str]:
    """Permissions granted by built-in roles, plus those of custom roles (already resolved)."""
    granted: set[str] = set(custom)
    for role in roles:
        spec = BUILT_IN_ROLES.get(role)
        if spec:
            granted |= spec.permissions
    return frozenset(granted & ALL)
