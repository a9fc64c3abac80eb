"""Staff of a shop: invite (by e-mail or mobile), change roles, disable and re-enable, remove;
and the guards that keep a shop manageable (never zero owners, nobody locks themselves out) and
safe (nobody grants more than they hold, only owners touch owners, nobody edits their own roles).
Every change is one transaction with its outbox event (audit log).

An invitation never changes an existing account and never tells the inviter whether the login
existed: the answer is the same pending member (``status: invited``, the name the inviter typed)
either way; the person accepts or declines it after signing in (``shared.identity.invitations``).
A new login's first-time password goes only to the person, by e-mail or SMS. Password resets
belong to the person (``shared.identity.passwords``); no administrator can reset one.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from shared import clock
from shared.auth.built_in_roles import BUILT_IN_ROLES
from shared.auth.context import AuthContext
from shared.db import connection
from shared.errors import Conflict, Forbidden, NotFound, VersionConflict, field_error
from shared.events.base import DomainEvent, changed_fields
from shared.events.outbox import outbox_item
from shared.identity import cognito, logins
from shared.identity.events import (
    RoleModified,
    StaffDisabled,
    StaffEnabled,
    StaffInvited,
    StaffModified,
    StaffRemoved,
)
from shared.identity.tables import MembershipRecord, RoleRecord, UserRecord
from shared.keys import shop_pk, user_of, user_pk
from shared.model import Input, Model
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shared.privacy import visible

TABLE_ENV = "IDENTITY_TABLE"
RoleCodes = list[str]


class StaffInvite(Input):
    login: str = Field(min_length=3, max_length=120, description="E-mail address or mainland mobile number",
                       json_schema_extra={"pattern": r"^([^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}|(\+?86)?1[3-9][0-9]{9})$"})
    name: str = Field(min_length=1, max_length=40)
    roles: RoleCodes = Field(min_length=1, max_length=10)

    @field_validator("login")
    @classmethod
    def _login(cls, v: str) -> str:
        normal = logins.normalize(v)
        if normal is None:
            raise PydanticCustomError("login", "must be an e-mail address or a mainland mobile number")
        return normal


class StaffUpdate(Input):
    version: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=40)
    roles: RoleCodes = Field(min_length=1, max_length=10)


class StaffQuery(PageQuery):
    status: Literal["active", "disabled", "invited"] | None = None
    role: str | None = Field(None, max_length=60)
    q: str | None = Field(None, max_length=40, description="Part of a name or login")


class StaffView(Model):
    user_id: str
    name: str
    login: str
    email: str
    phone: str
    roles: list[str]
    status: str
    version: int
    created_at: str
    invited_by: str | None = None


class Invitation(Model):
    """The same for a new login and an existing one: nothing tells them apart."""

    staff: StaffView
    sent_to: str


def _view(rec: MembershipRecord, ctx: AuthContext) -> StaffView:
    data = {"user_id": user_of(rec.pk), "name": rec.name, "login": rec.login, "email": rec.email,
            "phone": rec.phone, "roles": sorted(rec.roles or ()), "status": rec.status, "version": rec.version,
            "created_at": rec.created_at, "invited_by": rec.invited_by}
    return StaffView(**visible(data, ctx.can("personal_data.view")))


def _record(shop_id: str, user_id: str) -> MembershipRecord:
    try:
        return MembershipRecord.get(user_pk(user_id), f"MEMBER#{shop_id}", consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("staff_not_found", details={"user_id": user_id}) from exc


def _snapshot(rec: MembershipRecord) -> dict[str, Any]:
    return {"name": rec.name, "login": rec.login, "roles": sorted(rec.roles or ()), "status": rec.status}


def _members(shop_id: str) -> list[MembershipRecord]:
    found = MembershipRecord.by_gsi1.query(shop_pk(shop_id), MembershipRecord.gsi1sk.startswith("MEMBER#"))
    return [m for m in found if isinstance(m, MembershipRecord)]


def resolve_roles(shop_id: str, roles: list[str]) -> set[str]:
    """The permissions of the custom roles among ``roles``; unknown roles are a 422 on ``roles``."""
    custom = [r for r in roles if r not in BUILT_IN_ROLES]
    found: dict[str, RoleRecord] = {}
    if custom:
        keys = [(shop_pk(shop_id), f"ROLE#{code}") for code in custom]
        found = {r.sk.removeprefix("ROLE#"): r for r in RoleRecord.batch_get(keys)}
    unknown = [r for r in custom if r not in found]
    if unknown:
        raise field_error("roles", "unknown_role", role=unknown[0])
    granted: set[str] = set()
    for role in found.values():
        granted |= set(role.permissions or ())
    return granted


def _active_owners(shop_id: str) -> list[str]:
    return [user_of(m.pk) for m in _members(shop_id) if m.status == "active" and "owner" in (m.roles or ())]


def _guard_owner_kept(shop_id: str, user_id: str, rec: MembershipRecord, still_owner: bool) -> None:
    if "owner" in (rec.roles or ()) and rec.status == "active" and not still_owner and _active_owners(shop_id) == [user_id]:
        raise Conflict("last_owner")


def _commit(rec: MembershipRecord, actions: list[Any] | None, expected_version: int | None, event: DomainEvent,
            delete: bool = False) -> None:
    condition = MembershipRecord.version == expected_version if expected_version is not None else None
    try:
        with TransactWrite(connection=connection()) as tx:
            if delete:
                tx.delete(rec, condition=condition)
            else:
                tx.update(rec, actions=[*(actions or []), MembershipRecord.version.add(1)], condition=condition)
            tx.save(outbox_item(TABLE_ENV, event))
    except TransactWriteError as exc:
        if any(getattr(r, "code", None) == "ConditionalCheckFailed" for r in (exc.cancellation_reasons or []) if r):
            current = _record(rec.sk.removeprefix("MEMBER#"), user_of(rec.pk)).version
            raise VersionConflict(expected=expected_version or 0, current=int(current)) from exc
        raise


# -- reading ---------------------------------------------------------------------------------------
def list_staff(ctx: AuthContext, query: StaffQuery) -> Page[StaffView]:
    scope = f"{ctx.shop_id}:staff:{query.status}:{query.role}:{query.q}"
    condition: Any = None
    if query.status:
        condition = MembershipRecord.status == query.status
    if query.role:
        c = MembershipRecord.roles.contains(query.role)
        condition = c if condition is None else condition & c
    if query.q:
        c = MembershipRecord.name.contains(query.q) | MembershipRecord.login.contains(query.q.lower())
        condition = c if condition is None else condition & c
    results = MembershipRecord.by_gsi1.query(
        shop_pk(ctx.shop_id), MembershipRecord.gsi1sk.startswith("MEMBER#"), filter_condition=condition,
        limit=query.limit, last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [_view(r, ctx) for r in results if isinstance(r, MembershipRecord)]
    return Page[StaffView](items=items, next_cursor=encode_cursor(results.last_evaluated_key, scope))


def get_staff(ctx: AuthContext, user_id: str) -> StaffView:
    return _view(_record(ctx.shop_id, user_id), ctx)


# -- changing --------------------------------------------------------------------------------------
def invite(ctx: AuthContext, body: StaffInvite, shop_name: str) -> Invitation:
    from shared import ratelimit
    from shared.auth.grants import require_grantable

    custom = resolve_roles(ctx.shop_id, body.roles)
    require_grantable(ctx, body.roles, custom)
    ratelimit.consume(ratelimit.LIMITS["invitations_per_hour"], ctx.user_id)
    ratelimit.consume(ratelimit.LIMITS["invitations_per_day"], ctx.user_id)
    login = body.login
    user_id, temporary, _created = cognito.find_or_create(login, body.name)
    existing = MembershipRecord.count(user_pk(user_id), MembershipRecord.sk == f"MEMBER#{ctx.shop_id}")
    if existing:
        raise Conflict("member_exists", details={"field": "login"}, login=login)
    ensure_user(user_id, login, body.name)
    # The pending member shows what the inviter typed, never the account's own details.
    rec = MembershipRecord(
        pk=user_pk(user_id), sk=f"MEMBER#{ctx.shop_id}", shop_name=shop_name, roles=set(body.roles),
        custom_permissions=custom or None, status="invited", name=body.name,
        email="" if logins.is_phone(login) else login, phone=login if logins.is_phone(login) else "", login=login,
        version=1, created_at=clock.iso(), invited_by=ctx.email or ctx.user_id,
        gsi1pk=shop_pk(ctx.shop_id), gsi1sk=f"MEMBER#{user_id}")
    event = StaffInvited(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=user_id, new=_snapshot(rec),
                         channel="sms" if logins.is_phone(login) else "email")
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(rec, condition=MembershipRecord.sk.does_not_exist())
            tx.save(outbox_item(TABLE_ENV, event))
    except TransactWriteError as exc:
        raise Conflict("member_exists", details={"field": "login"}, login=login) from exc
    from shared.identity.messages import invitation

    subject, text = invitation(shop_name, login, temporary)
    from shared.messaging import send

    send(login, subject, text)
    return Invitation(staff=_view(rec, ctx), sent_to=login)


def ensure_user(user_id: str, login: str, name: str) -> UserRecord:
    try:
        return UserRecord.get(user_pk(user_id), "PROFILE")
    except DoesNotExist:
        user = UserRecord(pk=user_pk(user_id), sk="PROFILE", login=login, name=name,
                          email="" if logins.is_phone(login) else login,
                          phone=login if logins.is_phone(login) else "", created_at=clock.iso(),
                          gsi1pk=f"LOGIN#{login}", gsi1sk="USER")
        user.save()
        return user


def update(ctx: AuthContext, user_id: str, body: StaffUpdate) -> StaffView:
    rec = _record(ctx.shop_id, user_id)
    if rec.version != body.version:
        raise VersionConflict(expected=body.version, current=int(rec.version))
    from shared.auth.grants import require_grantable, require_may_manage

    if user_id == ctx.user_id:
        raise Forbidden("own_roles", details={"field": "roles"})
    require_may_manage(ctx, rec.roles or ())
    custom = resolve_roles(ctx.shop_id, body.roles)
    require_grantable(ctx, body.roles, custom)
    _guard_owner_kept(ctx.shop_id, user_id, rec, "owner" in body.roles)
    old = _snapshot(rec)
    rec.roles, rec.name, rec.custom_permissions = set(body.roles), body.name, custom or None
    new = _snapshot(rec)
    event = StaffModified(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=user_id, old=old, new=new,
                          changed=changed_fields(old, new))
    actions = [MembershipRecord.roles.set(set(body.roles)), MembershipRecord.name.set(body.name),
               MembershipRecord.custom_permissions.set(custom) if custom else MembershipRecord.custom_permissions.remove()]
    _commit(rec, actions, body.version, event)
    rec.version += 1
    return _view(rec, ctx)


def set_status(ctx: AuthContext, user_id: str, status: Literal["active", "disabled"]) -> StaffView:
    from shared.auth.grants import require_may_manage

    rec = _record(ctx.shop_id, user_id)
    if rec.status == status:
        return _view(rec, ctx)
    if rec.status == "invited":
        raise Conflict("invitation_pending")
    require_may_manage(ctx, rec.roles or ())
    if status == "disabled":
        if user_id == ctx.user_id:
            raise Conflict("self_lockout")
        _guard_owner_kept(ctx.shop_id, user_id, rec, still_owner=False)
        event: DomainEvent = StaffDisabled(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=user_id)
    else:
        event = StaffEnabled(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=user_id)
    _commit(rec, [MembershipRecord.status.set(status)], int(rec.version), event)
    rec.status, rec.version = status, rec.version + 1
    if status == "disabled":
        from shared.identity import sessions

        # The person's sessions end now (in every shop: a session is theirs, not the shop's),
        # so a later re-enable does not bring back a token issued before the disable.
        sessions.end_all(user_id, rec.login)
    return _view(rec, ctx)


def remove(ctx: AuthContext, user_id: str) -> None:
    from shared.auth.grants import require_may_manage

    rec = _record(ctx.shop_id, user_id)
    if user_id == ctx.user_id:
        raise Conflict("self_lockout")
    require_may_manage(ctx, rec.roles or ())
    _guard_owner_kept(ctx.shop_id, user_id, rec, still_owner=False)
    event = StaffRemoved(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=user_id, old=_snapshot(rec))
    _commit(rec, None, int(rec.version), event, delete=True)


def refresh_role(shop_id: str, role_code: str) -> int:
    """Recompute the resolved permissions of every member holding the custom role ``role_code``.

    Run by the ``RoleModified`` consumer (a retried event: a crash after the role's commit
    cannot leave members with the old permissions; docs/security.md "No event is lost") and,
    for an immediate effect, by the role update itself. Idempotent, and safe against concurrent
    changes: each member's write is conditional on the member's version and on the versions of
    the roles it was computed from, and is recomputed on a conflict. Returns the members seen."""
    count = 0
    for rec in _members(shop_id):
        if role_code in (rec.roles or ()):
            _refresh_member(shop_id, rec.pk, rec.sk)
            count += 1
    return count


def on_role_modified(event: RoleModified) -> None:
    """Record handler of the ``RoleModified`` consumer."""
    refresh_role(event.shop_id, event.resource_id)


def _refresh_member(shop_id: str, pk: str, sk: str, attempts: int = 5) -> None:
    for _ in range(attempts):
        try:
            rec = MembershipRecord.get(pk, sk, consistent_read=True)
        except DoesNotExist:
            return
        codes = sorted(r for r in (rec.roles or ()) if r not in BUILT_IN_ROLES)
        found = list(RoleRecord.batch_get([(shop_pk(shop_id), f"ROLE#{c}") for c in codes], consistent_read=True)) \
            if codes else []
        granted: set[str] = set()
        for role in found:
            granted |= set(role.permissions or ())
        if set(rec.custom_permissions or ()) == granted:
            return  # already right (a replayed event, or the update's own refresh)
        try:
            with TransactWrite(connection=connection()) as tx:
                for role in found:
                    tx.condition_check(RoleRecord, role.pk, role.sk, condition=RoleRecord.version == role.version)
                tx.update(rec, actions=[MembershipRecord.custom_permissions.set(granted) if granted
                                        else MembershipRecord.custom_permissions.remove()],
                          condition=MembershipRecord.version == rec.version)
            return
        except TransactWriteError:
            continue  # the member or one of its roles changed meanwhile: compute again
    raise RuntimeError(f"{pk}: its permissions changed under every attempt to refresh them; retried later")


def holders(shop_id: str, role_code: str) -> int:
    return sum(1 for rec in _members(shop_id) if role_code in (rec.roles or ()))
