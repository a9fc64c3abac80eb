"""On and off shelf (上架/下架), now or at a scheduled time, one product or up to 100.

A scheduled change is stored on the product (``scheduled_action``/``scheduled_at``) together
with ``due_shard``, which puts it in the sparse ``shelf_due`` index; the minutely schedule
Queries the index for what is due (never a Scan) and applies each change conditional on the
schedule being unchanged, so a change re-scheduled or cancelled meanwhile is never applied.
"""
from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from shared import clock
from shared.auth.context import AuthContext
from shared.catalog.events import ProductDelisted, ProductListed, ProductModified
from shared.catalog.models import BulkShelf, ScheduleView, ShelfAction, ShelfError, ShelfResult, ShelfView
from shared.catalog.products import schedule_of
from shared.catalog.tables import (
    CATALOG_TABLE_ENV,
    PRODUCT_SK,
    SHELF_SHARDS,
    ProductRecord,
    parse_product_pk,
    product_pk,
)
from shared.errors import Conflict, NotFound, ShopDeskError
from shared.events.base import Actor, DomainEvent
from shared.events.outbox import outbox_item
from shared.i18n import message
from shared.observability import log
from shared.tx import ConditionsFailed, Writes

TARGET = {"list": "on_shelf", "delist": "off_shelf"}
_CLEAR = (ProductRecord.scheduled_action, ProductRecord.scheduled_at, ProductRecord.due_shard)


def shelf_view(product: ProductRecord) -> ShelfView:
    return ShelfView(id=product.product_id, status=product.status, schedule=schedule_of(product))  # type: ignore[arg-type]


def _read(shop_id: str, product_ids: list[str]) -> dict[str, ProductRecord]:
    keys = [(product_pk(shop_id, pid), PRODUCT_SK) for pid in product_ids]
    return {p.product_id: p for p in ProductRecord.batch_get(keys, consistent_read=True)}


def change(shop_id: str, actor: Actor, product_id: str, action: ShelfAction, at: datetime | None) -> ShelfView:
    product = _read(shop_id, [product_id]).get(product_id)
    if product is None:
        raise NotFound("product_not_found", details={"product_id": product_id})
    return _change(product, actor, action, at)


def _change(product: ProductRecord, actor: Actor, action: ShelfAction, at: datetime | None) -> ShelfView:
    if action == "list" and int(product.active_skus) == 0:
        raise Conflict("product_not_listable")
    if at is not None:
        return _schedule(product, actor, action, clock.iso(at))
    return _apply(product, actor, action, due=None)


def _event(product: ProductRecord, actor: Actor, action: ShelfAction, scheduled: bool) -> DomainEvent:
    kind = ProductListed if action == "list" else ProductDelisted
    shop_id, product_id = parse_product_pk(product.pk)
    return kind(shop_id=shop_id, actor=actor, resource_id=product_id, scheduled=scheduled)


def _schedule_event(product: ProductRecord, actor: Actor, old: ScheduleView | None,
                    new: ScheduleView | None) -> DomainEvent:
    shop_id, product_id = parse_product_pk(product.pk)
    return ProductModified(shop_id=shop_id, actor=actor, resource_id=product_id, changed=["schedule"],
                           old={"schedule": old.model_dump() if old else None},
                           new={"schedule": new.model_dump() if new else None})


def _apply(product: ProductRecord, actor: Actor, action: ShelfAction, due: str | None) -> ShelfView:
    """Put on or take off shelf now (``due``: the scheduled time being executed, which must
    still be the product's schedule). A pending schedule is dropped either way."""
    target, pending = TARGET[action], schedule_of(product)
    if product.status == target and pending is None:
        return shelf_view(product)
    condition = ProductRecord.pk.exists()
    if due is not None:
        condition &= (ProductRecord.scheduled_at == due) & (ProductRecord.scheduled_action == action)
    actions: list[Any] = [a.remove() for a in _CLEAR]
    if product.status != target:
        if action == "list":
            condition &= ProductRecord.active_skus > 0
        actions.append(ProductRecord.status.set(target))
        event = _event(product, actor, action, scheduled=due is not None)
    else:
        event = _schedule_event(product, actor, pending, None)
    writes = Writes()
    writes.update(product, actions, condition, ("product",))
    writes.put(outbox_item(CATALOG_TABLE_ENV, event))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        raise _why(product, action) from exc
    product.status, product.scheduled_action, product.scheduled_at, product.due_shard = target, None, None, None
    return shelf_view(product)


def _why(product: ProductRecord, action: ShelfAction) -> ShopDeskError:
    shop_id, product_id = parse_product_pk(product.pk)
    current = _read(shop_id, [product_id]).get(product_id)
    if current is None:
        return NotFound("product_not_found", details={"product_id": product_id})
    if action == "list" and int(current.active_skus) == 0:
        return Conflict("product_not_listable")
    return Conflict("write_conflict")


def _schedule(product: ProductRecord, actor: Actor, action: ShelfAction, at: str) -> ShelfView:
    old, new = schedule_of(product), ScheduleView(action=action, at=at)
    if old == new:
        return shelf_view(product)
    shard = f"SHELFDUE#{zlib.crc32(product.product_id.encode()) % SHELF_SHARDS}"
    writes = Writes()
    writes.update(product, [ProductRecord.scheduled_action.set(action), ProductRecord.scheduled_at.set(at),
                            ProductRecord.due_shard.set(shard)], ProductRecord.pk.exists(), ("product",))
    writes.put(outbox_item(CATALOG_TABLE_ENV, _schedule_event(product, actor, old, new)))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        raise _why(product, action) from exc
    product.scheduled_action, product.scheduled_at, product.due_shard = action, at, shard
    return shelf_view(product)


def bulk(ctx: AuthContext, body: BulkShelf, language: str) -> list[ShelfResult]:
    """Each product on its own (one failure does not hold back the others)."""
    found = _read(ctx.shop_id, body.ids)
    results = []
    for product_id in body.ids:
        try:
            product = found.get(product_id)
            if product is None:
                raise NotFound("product_not_found", details={"product_id": product_id})
            state = _change(product, ctx.actor, body.action, body.at)
            results.append(ShelfResult(id=product_id, ok=True, status=state.status, schedule=state.schedule))
        except ShopDeskError as exc:
            error = ShelfError(code=exc.code, message=message(exc.code, language, **exc.params))
            results.append(ShelfResult(id=product_id, ok=False, error=error))
    return results


def run_due(now: datetime | None = None) -> int:
    """Apply every scheduled change that is due (the minutely schedule). Returns how many."""
    due_by, done = clock.iso(now), 0
    actor = Actor.system("shelf-schedule")
    for shard in range(SHELF_SHARDS):
        for item in ProductRecord.shelf_due.query(f"SHELFDUE#{shard}", ProductRecord.scheduled_at <= due_by):
            shop_id, product_id = parse_product_pk(item.pk)
            product = _read(shop_id, [product_id]).get(product_id)
            if product is None or product.scheduled_at != item.scheduled_at or not product.scheduled_action:
                continue
            action: ShelfAction = "list" if product.scheduled_action == "list" else "delist"
            try:
                if action == "list" and int(product.active_skus) == 0:
                    _drop_schedule(product, actor)  # nothing to sell any more: forget it
                else:
                    _apply(product, actor, action, due=product.scheduled_at)
                    done += 1
            except ShopDeskError:
                log.warning("scheduled %s of %s/%s skipped: changed meanwhile", action, shop_id, product_id)
    return done


def _drop_schedule(product: ProductRecord, actor: Actor) -> None:
    writes = Writes()
    writes.update(product, [a.remove() for a in _CLEAR], ProductRecord.scheduled_at == product.scheduled_at, ("product",))
    writes.put(outbox_item(CATALOG_TABLE_ENV, _schedule_event(product, actor, schedule_of(product), None)))
    try:
        writes.commit()
    except ConditionsFailed:
        pass  # re-scheduled meanwhile
