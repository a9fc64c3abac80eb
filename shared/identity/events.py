"""Events of the identity capability (staff, roles, shops). All go to the audit log; none carries
a password. ``resource``/``resource_id`` name what the audit entry is about."""
from __future__ import annotations

from typing import Any, Literal

from shared.events.base import DomainEvent, RecordModified


class _Identity(DomainEvent):
    source = "shopdesk.identity"


class StaffInvited(_Identity):
    resource: Literal["staff"] = "staff"
    resource_id: str
    new: dict[str, Any]
    channel: Literal["email", "sms"]


class StaffModified(RecordModified):
    source = "shopdesk.identity"
    resource: Literal["staff"] = "staff"
    resource_id: str


class StaffDisabled(_Identity):
    resource: Literal["staff"] = "staff"
    resource_id: str


class StaffEnabled(_Identity):
    resource: Literal["staff"] = "staff"
    resource_id: str


class StaffRemoved(_Identity):
    resource: Literal["staff"] = "staff"
    resource_id: str
    old: dict[str, Any]


class StaffPasswordReset(_Identity):
    resource: Literal["staff"] = "staff"
    resource_id: str


class RoleCreated(_Identity):
    resource: Literal["roles"] = "roles"
    resource_id: str
    new: dict[str, Any]


class RoleModified(RecordModified):
    source = "shopdesk.identity"
    resource: Literal["roles"] = "roles"
    resource_id: str


class RoleDeleted(_Identity):
    resource: Literal["roles"] = "roles"
    resource_id: str
    old: dict[str, Any]


class ShopCreated(_Identity):
    resource: Literal["shop"] = "shop"
    resource_id: str
    new: dict[str, Any]
