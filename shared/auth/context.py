"""The request's auth context and the one way to demand a permission."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.errors import Forbidden
from shared.events.base import Actor


@dataclass(frozen=True)
class AuthContext:
    user_id: str
    email: str
    shop_id: str
    roles: frozenset[str]
    permissions: frozenset[str]
    source_ip: str | None = None
    user_agent: str | None = field(default=None, repr=False)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise Forbidden(details={"permission": permission}, permission=permission)

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, email=self.email, source_ip=self.source_ip, user_agent=self.user_agent)
