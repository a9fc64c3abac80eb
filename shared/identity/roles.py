"""Roles: the built-in ones (``shared.auth.built_in_roles``) and the custom roles a shop's owner composes
from the permission registry. Changing a custom role re-resolves the permissions of every
member holding it, so the per-request auth check stays one read.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from shared import clock
from shared.auth.built_in_roles import BUILT_IN_ROLES
from shared.auth.context import AuthContext
from shared.auth.permissions import ALL, REGISTRY, RESOURCES
from shared.db import connection
from shared.errors import Conflict, NotFound, VersionConflict
from shared.events.base import changed_fields
from shared.events.outbox import outbox_item
from shared.identity import staff
from shared.identity.events import RoleCreated, RoleDeleted, RoleModified
from shared.identity.tables import RoleRecord
from shared.ids import new_id
from shared.keys import shop_pk
from shared.model import Input, Model, schema_enum

TABLE_ENV = "IDENTITY_TABLE"


class PermissionView(Model):
    code: str
    resource: str
    action: str
    name_zh: str
    name_en: str


class PermissionList(Model):
    resources: list[str]
    items: list[PermissionView]


class RoleView(Model):
    code: str
    name_zh: str
    name_en: str
    built_in: bool
    permissions: list[str]
    members: int = 0
    version: int = 1


class RoleList(Model):
    items: list[RoleView]


class RoleInput(Input):
    name_zh: str = Field(min_length=1, max_length=30)
    name_en: str = Field(min_length=1, max_length=40)
    permissions: list[Annotated[str, Field(json_schema_extra=schema_enum(ALL))]] = Field(
        min_length=1, max_length=len(ALL))

    @field_validator("permissions")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for code in v:
            if code not in ALL:
                raise PydanticCustomError("unknown_permission", "unknown permission {code}", {"code": code[:60]})
        return sorted(set(v))


class RoleUpdate(RoleInput):
    version: int = Field(ge=1)


def permissions() -> PermissionList:
    return PermissionList(resources=list(RESOURCES), items=[
        PermissionView(code=p.code, resource=p.code.split(".")[0], action=p.code.split(".")[1], name_zh=p.zh,
                       name_en=p.en) for p in REGISTRY])


class RoleName(Model):
    code: str
    name_zh: str
    name_en: str


def names(shop_id: str, codes: list[str]) -> list[RoleName]:
    """Display names of role codes (built-in from the registry, custom from the shop)."""
    custom = [c for c in codes if c not in BUILT_IN_ROLES]
    found = {r.sk.removeprefix("ROLE#"): r for r in RoleRecord.batch_get(
        [(shop_pk(shop_id), f"ROLE#{c}") for c in custom])} if custom else {}
    out = []
    for code in sorted(codes):
        if code in BUILT_IN_ROLES:
            spec = BUILT_IN_ROLES[code]
            out.append(RoleName(code=code, name_zh=spec.zh, name_en=spec.en))
        elif code in found:
            out.append(RoleName(code=code, name_zh=found[code].name_zh, name_en=found[code].name_en))
    return out


def list_roles(ctx: AuthContext) -> RoleList:
    members = staff._members(ctx.shop_id)

    def count(code: str) -> int:
        return sum(1 for m in members if code in (m.roles or ()))

    built = [RoleView(code=r.code, name_zh=r.zh, name_en=r.en, built_in=True, permissions=sorted(r.permissions),
                      members=count(r.code)) for r in BUILT_IN_ROLES.values()]
    custom = [_view(r, count(r.sk.removeprefix("ROLE#")))
              for r in RoleRecord.query(shop_pk(ctx.shop_id), RoleRecord.sk.startswith("ROLE#"))]
    return RoleList(items=built + sorted(custom, key=lambda r: r.name_zh))


def _view(r: RoleRecord, members: int = 0) -> RoleView:
    return RoleView(code=r.sk.removeprefix("ROLE#"), name_zh=r.name_zh, name_en=r.name_en, built_in=False,
                    permissions=sorted(r.permissions or ()), members=members, version=int(r.version))


def _snapshot(r: RoleRecord) -> dict[str, object]:
    return {"name_zh": r.name_zh, "name_en": r.name_en, "permissions": sorted(r.permissions or ())}


def _load(shop_id: str, code: str) -> RoleRecord:
    if code in BUILT_IN_ROLES:
        raise Conflict("role_built_in", details={"role": code})
    try:
        return RoleRecord.get(shop_pk(shop_id), f"ROLE#{code}", consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("role_not_found", details={"role": code}) from exc


def create(ctx: AuthContext, body: RoleInput) -> RoleView:
    from shared.auth.grants import require_within_own

    require_within_own(ctx, body.permissions, field="permissions")
    code = f"role_{new_id().lower()[-10:]}"
    rec = RoleRecord(pk=shop_pk(ctx.shop_id), sk=f"ROLE#{code}", name_zh=body.name_zh, name_en=body.name_en,
                     permissions=set(body.permissions), version=1, created_at=clock.iso())
    event = RoleCreated(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=code, new=_snapshot(rec))
    with TransactWrite(connection=connection()) as tx:
        tx.save(rec, condition=RoleRecord.sk.does_not_exist())
        tx.save(outbox_item(TABLE_ENV, event))
    return _view(rec)


def update(ctx: AuthContext, code: str, body: RoleUpdate) -> RoleView:
    rec = _load(ctx.shop_id, code)
    if rec.version != body.version:
        raise VersionConflict(expected=body.version, current=int(rec.version))
    from shared.auth.grants import require_within_own

    require_within_own(ctx, body.permissions, field="permissions")
    old = _snapshot(rec)
    if code in ctx.roles and "roles.edit" not in body.permissions and not _keeps_roles_edit(ctx, code):
        raise Conflict("self_lockout", details={"field": "permissions"})
    rec.name_zh, rec.name_en, rec.permissions = body.name_zh, body.name_en, set(body.permissions)
    new = _snapshot(rec)
    event = RoleModified(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=code, old=old, new=new,
                         changed=changed_fields(old, new))
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(rec, actions=[RoleRecord.name_zh.set(body.name_zh), RoleRecord.name_en.set(body.name_en),
                                    RoleRecord.permissions.set(set(body.permissions)), RoleRecord.version.add(1)],
                      condition=RoleRecord.version == body.version)
            tx.save(outbox_item(TABLE_ENV, event))
    except TransactWriteError as exc:
        raise VersionConflict(expected=body.version, current=int(_load(ctx.shop_id, code).version)) from exc
    try:
        staff.refresh_role(ctx.shop_id, code)  # at once; the RoleModified consumer makes sure of it
    except Exception:
        from shared.observability import log

        log.warning("refreshing the members of role %s failed; the RoleModified consumer will", code, exc_info=True)
    rec.version += 1
    return _view(rec, staff.holders(ctx.shop_id, code))


def delete(ctx: AuthContext, code: str) -> None:
    rec = _load(ctx.shop_id, code)
    holding = staff.holders(ctx.shop_id, code)
    if holding:
        raise Conflict("role_in_use", details={"members": holding}, members=holding)
    event = RoleDeleted(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=code, old=_snapshot(rec))
    with TransactWrite(connection=connection()) as tx:
        tx.delete(rec)
        tx.save(outbox_item(TABLE_ENV, event))


def _keeps_roles_edit(ctx: AuthContext, changed_role: str) -> bool:
    """Whether the caller keeps ``roles.edit`` through another of their roles."""
    others = [r for r in ctx.roles if r != changed_role]
    from shared.auth.built_in_roles import permissions_of

    return "roles.edit" in permissions_of(others, staff.resolve_roles(ctx.shop_id, others))


