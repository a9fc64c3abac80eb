"""Shops, users and memberships: what the per-request auth check reads, and creating shops."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from shared import clock
from shared.auth.built_in_roles import permissions_of
from shared.auth.context import AuthContext
from shared.db import ItemKey, batch_get, connection
from shared.errors import NotFound
from shared.events.base import Actor
from shared.events.outbox import outbox_item
from shared.identity import logins, sessions
from shared.identity.events import ShopCreated
from shared.identity.sessions import TokenFacts
from shared.identity.tables import MembershipRecord, ShopRecord, UserRecord, login_key
from shared.ids import new_id
from shared.keys import shop_pk, user_of, user_pk
from shared.model import Input
from shared.settings.events import SettingsModified


@dataclass(frozen=True)
class Membership:
    shop_id: str
    shop_name: str
    roles: frozenset[str]
    custom_permissions: frozenset[str]
    status: str
    joined_at: str = ""

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_of(self.roles, self.custom_permissions)


def membership_key(user_id: str, shop_id: str) -> ItemKey:
    return (MembershipRecord, user_pk(user_id), f"MEMBER#{shop_id}")


def _membership(rec: MembershipRecord, shop_id: str) -> Membership:
    return Membership(shop_id=shop_id, shop_name=rec.shop_name, roles=frozenset(rec.roles or ()),
                      custom_permissions=frozenset(rec.custom_permissions or ()), status=rec.status,
                      joined_at=rec.created_at)


def memberships(user_id: str) -> list[Membership]:
    """The user's shops in the order they joined them (the first is the default shop)."""
    found = [_membership(r, r.sk.removeprefix("MEMBER#"))
             for r in MembershipRecord.query(user_pk(user_id), MembershipRecord.sk.startswith("MEMBER#"))]
    return sorted(found, key=lambda m: (m.joined_at, m.shop_id))


def member_context(user_id: str, shop_id: str, user_agent: str) -> AuthContext:
    """The rights a member holds now, without a request (a job runs for whoever started it; a
    member disabled since is refused like a request: 404)."""
    ctx, _ = authorize(TokenFacts.without_token(user_id), shop_id, source_ip=None, user_agent=user_agent)
    return ctx


def authorize(facts: TokenFacts, shop_id: str, *, source_ip: str | None = None,
              user_agent: str | None = None, prefetch: list[ItemKey] | None = None,
              ) -> tuple[AuthContext, list[Any]]:
    """The auth context of a signed-in user in a shop, and the ``prefetch`` items read in the
    same round trip. A signed-out or ended session: 401. Not a member, or disabled, or only
    invited: the shop "does not exist" (404, never 403), checked on every request, so disabling
    a member takes effect on their next request. The actor's e-mail comes from the member
    record, never from a token claim."""
    user_id = facts.user_id
    record, profile, revoked, *items = batch_get([membership_key(user_id, shop_id), sessions.profile_key(user_id),
                                                  sessions.revoked_key(facts), *(prefetch or [])])
    rec = record if isinstance(record, MembershipRecord) else None
    sessions.check(facts, profile, revoked)
    found = _membership(rec, shop_id) if rec is not None else None
    if found is None or found.status != "active":
        raise NotFound("shop_not_found", details={"shop_id": shop_id})
    email = str(rec.login or rec.email) if rec is not None else ""
    return AuthContext(user_id=user_id, email=email, shop_id=shop_id, roles=found.roles,
                       permissions=found.permissions, source_ip=source_ip, user_agent=user_agent), items


def signed_in(facts: TokenFacts) -> UserRecord | None:
    """The signed-in user's profile, after the session checks (routes outside any shop)."""
    profile, revoked = batch_get([sessions.profile_key(facts.user_id), sessions.revoked_key(facts)])
    sessions.check(facts, profile, revoked)
    return profile if isinstance(profile, UserRecord) else None


def shop_name(shop_id: str) -> str:
    try:
        return str(ShopRecord.get(shop_pk(shop_id), "SHOP").name)
    except DoesNotExist as exc:
        raise NotFound("shop_not_found") from exc


def user_profile(user_id: str) -> UserRecord | None:
    try:
        return UserRecord.get(user_pk(user_id), "PROFILE")
    except DoesNotExist:
        return None


def _member(user_id: str, shop_id: str, name: str, roles: set[str], user: UserRecord) -> MembershipRecord:
    return MembershipRecord(pk=user_pk(user_id), sk=f"MEMBER#{shop_id}", shop_name=name, roles=roles, status="active",
                            name=user.name, email=user.email, phone=user.phone, login=user.login, version=1,
                            created_at=clock.iso(), gsi1pk=shop_pk(shop_id), gsi1sk=f"MEMBER#{user_id}")


class ShopCreate(Input):
    name: str = Field(min_length=1, max_length=60)


def create_shop(name: str, shop_id: str | None = None, owner: Actor | None = None) -> str:
    """A new shop; with ``owner``, that user becomes its owner in the same transaction."""
    shop_id = shop_id or new_id("shp_")
    from shared.crypto import keyring

    keyring.ensure(shop_id)  # the shop's data key, before anything of the shop is sealed with it
    shop = ShopRecord(pk=shop_pk(shop_id), sk="SHOP", name=name, created_at=clock.iso())
    event = ShopCreated(shop_id=shop_id, actor=owner, resource_id=shop_id, new={"name": name})
    with TransactWrite(connection=connection()) as tx:
        tx.save(shop, condition=ShopRecord.pk.does_not_exist())
        if owner is not None:
            user = user_profile(owner.id) or UserRecord(login=owner.email or "", email=owner.email or "")
            tx.save(_member(owner.id, shop_id, name, {"owner"}, user))
        tx.save(outbox_item("IDENTITY_TABLE", event))
    return shop_id


def upsert_user(user_id: str, login: str, name: str = "") -> None:
    login = logins.normalize(login) or login.lower()
    phone = logins.is_phone(login)
    UserRecord(pk=user_pk(user_id), sk="PROFILE", login=login, email="" if phone else login,
               phone=login if phone else "", name=name, created_at=clock.iso(),
               gsi1pk=login_key(login), gsi1sk="USER").save()


def find_user(login: str) -> UserRecord | None:
    """The user of a login (e-mail or mobile, any spelling), by its blind index."""
    normal = logins.normalize(login) or login.strip().lower()
    return next((u for u in UserRecord.by_gsi1.query(login_key(normal)) if isinstance(u, UserRecord)), None)


def add_member(user_id: str, shop_id: str, roles: set[str]) -> None:
    """Seeding and tests: make a user a member with built-in roles (staff admin goes through
    ``shared.identity.staff``, which also checks, audits and notifies)."""
    user = user_profile(user_id)
    assert user is not None, "upsert_user first"
    _member(user_id, shop_id, shop_name(shop_id), roles, user).save()


def update_profile(user_id: str, name: str, phone: str) -> UserRecord:
    """A user's own name and phone, copied onto their memberships (the staff lists show them)."""
    user = user_profile(user_id)
    if user is None:
        raise NotFound("not_found")
    user.update(actions=user.set_personal(name=name, phone=phone))
    for m in MembershipRecord.query(user_pk(user_id), MembershipRecord.sk.startswith("MEMBER#")):
        m.update(actions=m.set_personal(name=name, phone=phone))
    return user


@dataclass(frozen=True)
class Member:
    """An active member of a shop, as other capabilities need it (who to notify, and how)."""

    user_id: str
    name: str
    login: str
    email: str
    phone: str
    permissions: frozenset[str]


def active_members(shop_id: str, permission: str | None = None) -> list[Member]:
    """The shop's active members (one Query of gsi1), those holding ``permission`` when given;
    permissions resolved like the per-request check (built-in roles + custom role permissions)."""
    found = []
    for rec in MembershipRecord.by_gsi1.query(shop_pk(shop_id), MembershipRecord.gsi1sk.startswith("MEMBER#")):
        if not isinstance(rec, MembershipRecord) or rec.status != "active":
            continue
        granted = permissions_of(rec.roles or (), rec.custom_permissions or ())
        if permission is None or permission in granted:
            found.append(Member(user_id=user_of(rec.pk), name=rec.name, login=rec.login,
                                email=rec.email, phone=rec.phone, permissions=granted))
    return found


def on_settings_modified(event: SettingsModified) -> None:
    """A shop renamed in its settings profile: the shop record and every membership's copy of
    the name follow (the shop switcher reads them). Replays write the same values again."""
    if event.section != "profile" or "name" not in event.changed:
        return
    shop_id, name = event.shop_id, event.new["name"]
    try:
        ShopRecord(pk=shop_pk(shop_id), sk="SHOP").update(actions=[ShopRecord.name.set(name)],
                                                           condition=ShopRecord.pk.exists())
    except UpdateError:
        return  # no such shop (an event of a deleted shop): nothing to rename
    for member in MembershipRecord.by_gsi1.query(shop_pk(shop_id), MembershipRecord.gsi1sk.startswith("MEMBER#")):
        if isinstance(member, MembershipRecord):
            member.update(actions=[MembershipRecord.shop_name.set(name)])
