"""Suppliers (供应商): contact, lead time, payment terms, and the webhook settings of their
system. The signing secret is made here, answered once (on creation and on rotation) and kept
only as a KMS ciphertext. A supplier with purchase orders is archived (``active = false``)
instead of deleted, so its orders keep pointing at it. Contact phone, e-mail and address are
masked for roles without ``personal_data.view``."""
from __future__ import annotations

from typing import Any

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import NotFound, VersionConflict, field_error
from shared.events.base import changed_fields
from shared.events.outbox import outbox_item
from shared.ids import new_id
from shared.keys import shop_pk
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.privacy import visible
from shared.purchasing import signing
from shared.purchasing.events import SupplierCreated, SupplierDeleted, SupplierModified
from shared.purchasing.models import (
    SupplierCreate,
    SupplierQuery,
    SupplierRemoval,
    SupplierUpdate,
    SupplierView,
    SupplierWithSecret,
)
from shared.purchasing.tables import PURCHASING_TABLE_ENV, SupplierInUse, SupplierRecord, supplier_sk
from shared.tx import ConditionsFailed, Writes, failed


def load(shop_id: str, supplier_id: str) -> SupplierRecord | None:
    try:
        return SupplierRecord.get(shop_pk(shop_id), supplier_sk(supplier_id), consistent_read=True)
    except SupplierRecord.DoesNotExist:
        return None


def get_record(shop_id: str, supplier_id: str) -> SupplierRecord:
    record = load(shop_id, supplier_id)
    if record is None:
        raise NotFound("supplier_not_found", details={"supplier_id": supplier_id})
    return record


def usable(shop_id: str, supplier_id: str, field: str = "supplier_id") -> SupplierRecord:
    """A supplier a new PO may name: of this shop and active (422 on ``field`` otherwise)."""
    record = load(shop_id, supplier_id)
    if record is None:
        raise field_error(field, "unknown_supplier", supplier_id=supplier_id)
    if not record.active:
        raise field_error(field, "supplier_archived", supplier_id=supplier_id)
    return record


def _fields(r: SupplierRecord) -> dict[str, Any]:
    return {"name": r.name, "contact": r.contact or "", "phone": r.phone or "", "email": r.email or "",
            "address": r.address or "", "lead_time_days": int(r.lead_time_days), "payment_terms": r.payment_terms or "",
            "notes": r.notes or "", "active": bool(r.active), "webhook_url": r.webhook_url}


def view(r: SupplierRecord, may_see: bool = True) -> SupplierView:
    data = {"id": r.supplier_id, **_fields(r), "webhook_secret_hint": r.secret_hint,
            "webhook_secret_rotated_at": r.secret_rotated_at, "version": int(r.version), "created_at": r.created_at,
            "updated_at": r.updated_at}
    return SupplierView(**visible(data, may_see))


def _may_see(ctx: AuthContext) -> bool:
    return ctx.can("personal_data.view")


def create(ctx: AuthContext, body: SupplierCreate) -> SupplierWithSecret:
    now, supplier_id = clock.iso(), new_id("sup_")
    secret = signing.new_secret()
    record = SupplierRecord(shop_pk(ctx.shop_id), supplier_sk(supplier_id), **body.model_dump(),
                            name_search=body.name.lower(), secret_ct=signing.encrypt(ctx.shop_id, supplier_id, secret),
                            secret_hint=secret[-4:], secret_rotated_at=now, version=1, created_at=now, updated_at=now)
    writes = Writes()
    writes.put(record, SupplierRecord.pk.does_not_exist(), ("exists",))
    writes.put(outbox_item(PURCHASING_TABLE_ENV, SupplierCreated(shop_id=ctx.shop_id, actor=ctx.actor,
                                                                 resource_id=supplier_id, new=_fields(record))))
    writes.commit()
    return SupplierWithSecret(**view(record, _may_see(ctx)).model_dump(), webhook_secret=secret)


def list_page(ctx: AuthContext, query: SupplierQuery) -> Page[SupplierView]:
    """The shop's suppliers in creation order: one Query of the shop partition (``SUP#`` items),
    the name search and the active filter as filter expressions (a shop has tens of suppliers)."""
    scope = f"sup|{ctx.shop_id}|{query.q or ''}|{query.active}"
    condition: Any = None
    if query.q:
        condition = SupplierRecord.name_search.contains(query.q.lower())
    if query.active is not None:
        active = SupplierRecord.active == query.active
        condition = active if condition is None else condition & active
    found = SupplierRecord.query(shop_pk(ctx.shop_id), SupplierRecord.sk.startswith("SUP#"),
                                 filter_condition=condition, limit=query.limit,
                                 last_evaluated_key=decode_cursor(query.cursor, scope))
    may_see = _may_see(ctx)
    items = [view(r, may_see) for r in found if isinstance(r, SupplierRecord)]
    return Page[SupplierView](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))


def get(ctx: AuthContext, supplier_id: str) -> SupplierView:
    return view(get_record(ctx.shop_id, supplier_id), _may_see(ctx))


def update(ctx: AuthContext, supplier_id: str, body: SupplierUpdate) -> SupplierView:
    record = get_record(ctx.shop_id, supplier_id)
    if int(record.version) != body.version:
        raise VersionConflict(expected=body.version, current=int(record.version))
    old = _fields(record)
    new = body.model_dump(exclude={"version"})
    now = clock.iso()
    actions = [getattr(SupplierRecord, k).set(v) for k, v in new.items() if k != "webhook_url"]
    actions.append(SupplierRecord.webhook_url.set(new["webhook_url"]) if new["webhook_url"]
                   else SupplierRecord.webhook_url.remove())
    actions += [SupplierRecord.name_search.set(body.name.lower()), SupplierRecord.updated_at.set(now),
                SupplierRecord.version.add(1)]
    writes = Writes()
    writes.update(record, actions, SupplierRecord.version == body.version, ("version",))
    changed = changed_fields(old, new)
    if changed:
        writes.put(outbox_item(PURCHASING_TABLE_ENV, SupplierModified(
            shop_id=ctx.shop_id, actor=ctx.actor, resource_id=supplier_id, old=old, new=new, changed=changed)))
    _commit_versioned(writes, ctx.shop_id, supplier_id, body.version)
    return get(ctx, supplier_id)


def rotate_secret(ctx: AuthContext, supplier_id: str) -> SupplierWithSecret:
    """A new signing secret; the old one stops working at once (answered once, like on creation)."""
    record = get_record(ctx.shop_id, supplier_id)
    secret, now = signing.new_secret(), clock.iso()
    writes = Writes()
    writes.update(record, [SupplierRecord.secret_ct.set(signing.encrypt(ctx.shop_id, supplier_id, secret)),
                           SupplierRecord.secret_hint.set(secret[-4:]), SupplierRecord.secret_rotated_at.set(now),
                           SupplierRecord.updated_at.set(now), SupplierRecord.version.add(1)],
                  SupplierRecord.version == record.version, ("version",))
    writes.put(outbox_item(PURCHASING_TABLE_ENV, SupplierModified(
        shop_id=ctx.shop_id, actor=ctx.actor, resource_id=supplier_id, old={"webhook_secret_hint": record.secret_hint},
        new={"webhook_secret_hint": secret[-4:]}, changed=["webhook_secret"])))
    _commit_versioned(writes, ctx.shop_id, supplier_id, int(record.version))
    return SupplierWithSecret(**get(ctx, supplier_id).model_dump(), webhook_secret=secret)


def delete(ctx: AuthContext, supplier_id: str) -> SupplierRemoval:
    """Delete a supplier that never had a PO; one that has is archived instead (and answered)."""
    record = get_record(ctx.shop_id, supplier_id)
    writes = Writes()
    writes.delete(record, SupplierRecord.version == record.version, ("version",))
    writes.check(SupplierInUse, shop_pk(ctx.shop_id), f"SUPUSE#{supplier_id}", SupplierInUse.pk.does_not_exist(),
                 ("in_use",))
    writes.put(outbox_item(PURCHASING_TABLE_ENV, SupplierDeleted(shop_id=ctx.shop_id, actor=ctx.actor,
                                                                 resource_id=supplier_id, old=_fields(record))))
    try:
        writes.commit()
        return SupplierRemoval(deleted=True)
    except ConditionsFailed as exc:
        if not failed(exc, "in_use"):
            raise VersionConflict(expected=int(record.version), current=int(get_record(ctx.shop_id, supplier_id).version)) \
                from exc
    if record.active:
        archive = SupplierUpdate(**{**_fields(record), "active": False, "version": int(record.version)})
        return SupplierRemoval(deleted=False, supplier=update(ctx, supplier_id, archive))
    return SupplierRemoval(deleted=False, supplier=view(record, _may_see(ctx)))


def _commit_versioned(writes: Writes, shop_id: str, supplier_id: str, expected: int) -> None:
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "version"):
            current = load(shop_id, supplier_id)
            raise VersionConflict(expected=expected, current=int(current.version) if current else 0) from exc
        raise
