"""Built-in roles as sets of permissions from the registry."""
from __future__ import annotations

from collections.abc import Iterable

from shared.auth.permissions import ALL


def _having(*prefixes: str, actions: tuple[str, ...] | None = None) -> frozenset[str]:
    return frozenset(p for p in ALL if p.split(".")[0] in prefixes and (actions is None or p.split(".")[1] in actions))


BUILT_IN_ROLES: dict[str, dict[str, object]] = {
    "owner": {"zh": "店主", "en": "Owner", "permissions": ALL},
    "customer_service": {
        "zh": "客服", "en": "Customer service",
        "permissions": _having("orders", "customers", "logistics") - {"orders.delete", "customers.delete"}
        | _having("catalog", "inventory", "settings", actions=("view",)),
    },
    "warehouse": {
        "zh": "仓库管理员", "en": "Warehouse",
        "permissions": _having("inventory", "logistics") | _having("catalog", "orders", "settings", actions=("view",)),
    },
    "marketing": {
        "zh": "运营/营销", "en": "Marketing",
        "permissions": _having("marketing", "analytics") | _having("catalog", "customers", "orders", "settings", actions=("view",)),
    },
    "finance": {
        "zh": "财务", "en": "Finance",
        "permissions": _having("finance", "analytics") | {"orders.view", "orders.refund", "settings.view", "audit.view"},
    },
    "auditor": {
        "zh": "只读审计", "en": "Read-only auditor",
        "permissions": _having(*{p.split(".")[0] for p in ALL}, actions=("view",)),
    },
}


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        spec = BUILT_IN_ROLES.get(role)
        if spec:
            granted |= set(spec["permissions"])  # type: ignore[call-overload]
    return frozenset(granted)
