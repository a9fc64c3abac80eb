"""Shops, users and memberships: what the auth check reads and what seeding/staff admin write."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared import clock
from shared.auth.context import AuthContext
from shared.auth.roles import permissions_of
from shared.db import ItemKey, batch_get
from shared.errors import NotFound
from shared.identity.tables import MembershipRecord, ShopRecord, UserRecord
from shared.ids import new_id


@dataclass(frozen=True)
class Membership:
    shop_id: str
    shop_name: str
    roles: frozenset[str]
    status: str


def membership_key(user_id: str, shop_id: str) -> ItemKey:
    return (MembershipRecord, f"USER#{user_id}", f"MEMBER#{shop_id}")


def membership(user_id: str, shop_id: str) -> Membership | None:
    """One GetItem: the user's membership of the shop, or None."""
    try:
        rec = MembershipRecord.get(f"USER#{user_id}", f"MEMBER#{shop_id}")
    except DoesNotExist:
        return None
    return _membership(rec, shop_id)


def _membership(rec: MembershipRecord, shop_id: str) -> Membership:
    return Membership(shop_id=shop_id, shop_name=rec.shop_name, roles=frozenset(rec.roles or ()), status=rec.status)


def memberships(user_id: str) -> list[Membership]:
    return [
        Membership(shop_id=r.sk.removeprefix("MEMBER#"), shop_name=r.shop_name, roles=frozenset(r.roles or ()),
                   status=r.status)
        for r in MembershipRecord.query(f"USER#{user_id}", MembershipRecord.sk.startswith("MEMBER#"))
    ]


def authorize(user_id: str, email: str, shop_id: str, *, source_ip: str | None = None,
              user_agent: str | None = None, prefetch: list[ItemKey] | None = None,
              ) -> tuple[AuthContext, list[Any]]:
    """The auth context of a user in a shop, and the ``prefetch`` items read in the same round
    trip. Not a member (or disabled): the shop "does not exist" (404, never 403)."""
    record, *items = batch_get([membership_key(user_id, shop_id), *(prefetch or [])])
    found = _membership(record, shop_id) if isinstance(record, MembershipRecord) else None
    if found is None or found.status != "active":
        raise NotFound("shop_not_found", details={"shop_id": shop_id})
    return AuthContext(user_id=user_id, email=email, shop_id=shop_id, roles=found.roles,
                       permissions=permissions_of(found.roles), source_ip=source_ip, user_agent=user_agent), items


def create_shop(name: str, shop_id: str | None = None) -> str:
    shop_id = shop_id or new_id("shp_")
    ShopRecord(pk=f"SHOP#{shop_id}", sk="SHOP", name=name, created_at=clock.iso()).save(
        condition=ShopRecord.pk.does_not_exist())
    return shop_id


def shop_name(shop_id: str) -> str:
    try:
        return str(ShopRecord.get(f"SHOP#{shop_id}", "SHOP").name)
    except DoesNotExist as exc:
        raise NotFound("shop_not_found") from exc


def upsert_user(user_id: str, email: str, name: str = "") -> None:
    UserRecord(pk=f"USER#{user_id}", sk="PROFILE", email=email.lower(), name=name, created_at=clock.iso(),
               gsi1pk=f"EMAIL#{email.lower()}", gsi1sk="USER").save()


def user_profile(user_id: str) -> UserRecord | None:
    try:
        return UserRecord.get(f"USER#{user_id}", "PROFILE")
    except DoesNotExist:
        return None


def add_member(user_id: str, shop_id: str, roles: set[str]) -> None:
    MembershipRecord(pk=f"USER#{user_id}", sk=f"MEMBER#{shop_id}", shop_name=shop_name(shop_id), roles=roles,
                     created_at=clock.iso(), gsi1pk=f"SHOP#{shop_id}", gsi1sk=f"MEMBER#{user_id}").save()
