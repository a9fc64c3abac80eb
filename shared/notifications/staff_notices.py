"""Notifications about staff access (topic ``staff_access``): a member's roles changed, a member
was disabled or removed. They go to every member who may manage staff (``staff.edit``), the one
who made the change included: it confirms the change to them and lets a second owner notice a
change they did not expect (a hijacked session, a mistaken click)."""
from __future__ import annotations

from typing import Any

from shared.identity.events import StaffDisabled, StaffModified, StaffRemoved
from shared.notifications.delivery import Delivery, Localized

AUDIENCE = "staff.edit"


def _who(detail: dict[str, Any], snapshot: dict[str, Any] | None = None) -> str:
    """The member's name (and login), from the event or the shop's member list."""
    if snapshot is None:
        from shared.identity.access import user_profile

        user = user_profile(detail["resource_id"])
        snapshot = {"name": user.name, "login": user.login} if user else {}
    name, login = snapshot.get("name") or "", snapshot.get("login") or ""
    return f"{name} ({login})" if name and login else name or login or detail["resource_id"]


def _by(detail: dict[str, Any]) -> tuple[str, str]:
    actor = (detail.get("actor") or {}).get("email")
    return (f"，操作人 {actor}", f" by {actor}") if actor else ("", "")


def _delivery(detail: dict[str, Any], title: tuple[str, str], body: tuple[str, str], kind: str) -> Delivery:
    return Delivery(shop_id=detail["shop_id"], topic="staff_access", audience=AUDIENCE,
                    title=Localized(zh=title[0], en=title[1]), body=Localized(zh=body[0], en=body[1]),
                    link="/staff", dedupe_key=detail["event_id"],
                    data={"kind": kind, "user_id": detail["resource_id"]})


def staff_modified(event: StaffModified) -> Delivery | None:
    d = event.model_dump(mode="json")
    if "roles" not in (d.get("changed") or []):
        return None  # a new name is not an access change
    who, (by_zh, by_en) = _who(d, d.get("new")), _by(d)
    old, new = d["old"].get("roles") or [], d["new"].get("roles") or []
    return _delivery(d, ("员工角色已变更", "Staff roles changed"),
                     (f"{who} 的角色由「{_roles(old, 'zh')}」改为「{_roles(new, 'zh')}」{by_zh}。",
                      f"{who}: roles changed from {_roles(old, 'en')} to {_roles(new, 'en')}{by_en}."),
                     "roles_changed")


def _roles(codes: list[str], language: str) -> str:
    """Built-in roles by their name; custom roles by their code (their names may change)."""
    from shared.auth.built_in_roles import BUILT_IN_ROLES

    names = [getattr(BUILT_IN_ROLES[c], language) if c in BUILT_IN_ROLES else c for c in codes]
    return ("、" if language == "zh" else ", ").join(names) or "-"


def staff_disabled(event: StaffDisabled) -> Delivery:
    d = event.model_dump(mode="json")
    who, (by_zh, by_en) = _who(d), _by(d)
    return _delivery(d, ("员工已停用", "Staff member disabled"),
                     (f"{who} 已被停用{by_zh}。", f"{who} was disabled{by_en}."), "disabled")


def staff_removed(event: StaffRemoved) -> Delivery:
    d = event.model_dump(mode="json")
    who, (by_zh, by_en) = _who(d, d.get("old")), _by(d)
    return _delivery(d, ("员工已移除", "Staff member removed"),
                     (f"{who} 已被移出本店铺{by_zh}。", f"{who} was removed from the shop{by_en}."), "removed")
