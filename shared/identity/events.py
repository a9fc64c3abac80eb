"""Events of the identity capability (staff, roles, shops). All go to the audit log; none carries
a password. ``resource``/``resource_id`` name what the audit entry is about."""
from __future__ import annotations

from typing import Any, Literal

from shared.events.base import DomainEvent, RecordModified


class _Identity(DomainEvent):
    source = "shopdesk.identity"
    resource_id: str


class _Staff(_Identity):
    resource: Literal["staff"] = "staff"


class _Role(_Identity):
    resource: Literal["roles"] = "roles"


class StaffInvited(_Staff):
    new: dict[str, Any]
    channel: Literal["email", "sms"]


class StaffModified(RecordModified, _Staff):
    pass


class StaffDisabled(_Staff):
    pass


class StaffEnabled(_Staff):
    pass


class StaffRemoved(_Staff):
    old: dict[str, Any]


class StaffInvitationAccepted(_Staff):
    """The invited person accepted: they are an active member from now on (actor: themselves)."""


class StaffInvitationDeclined(_Staff):
    """The invited person declined: the pending member is gone (actor: themselves)."""


class RoleCreated(_Role):
    new: dict[str, Any]


class RoleModified(RecordModified, _Role):
    pass


class RoleDeleted(_Role):
    old: dict[str, Any]


class ShopCreated(_Identity):
    resource: Literal["shop"] = "shop"
    new: dict[str, Any]
