"""Warehouses (仓库): a shop has one by default (created on first use, idempotently) and may add
more, each with a priority deciding where an order ships from (lowest first). Codes are unique
per shop (a claim item in the same transaction). A warehouse holding stock cannot be deleted,
and the last active one cannot be deactivated or deleted."""
from __future__ import annotations

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import Conflict, NotFound, VersionConflict, field_error
from shared.ids import new_id
from shared.inventory.models import WarehouseCreate, WarehouseList, WarehouseUpdate, WarehouseView
from shared.inventory.stock import read_many
from shared.inventory.tables import StockRecord, WarehouseCodeClaim, WarehouseRecord, code_claim_sk, warehouse_list_pk, warehouse_sk
from shared.keys import shop_pk
from shared.tx import ConditionsFailed, Writes, failed

DEFAULT_ID = "wh_default"
DEFAULT_CODE = "MAIN"
DEFAULT_NAME = "默认仓库"


def _ordered(found: list[WarehouseRecord]) -> list[WarehouseRecord]:
    return sorted(found, key=lambda w: (int(w.priority), w.created_at, w.warehouse_id))


def load_all(shop_id: str) -> list[WarehouseRecord]:
    """The shop's warehouses by priority (one Query); the default one is created on first use."""
    found = [w for w in WarehouseRecord.query(shop_pk(shop_id), WarehouseRecord.sk.startswith("WH#"),
                                              consistent_read=True) if isinstance(w, WarehouseRecord)]
    return _ordered(found) if found else [ensure_default(shop_id)]


def ensure_default(shop_id: str) -> WarehouseRecord:
    now = clock.iso()
    record = WarehouseRecord(shop_pk(shop_id), warehouse_sk(DEFAULT_ID), name=DEFAULT_NAME, code=DEFAULT_CODE,
                             address="", priority=0, active=True, version=1, created_at=now, updated_at=now)
    writes = Writes()
    writes.put(record, WarehouseRecord.pk.does_not_exist(), ("exists",))
    writes.put(WarehouseCodeClaim(shop_pk(shop_id), code_claim_sk(DEFAULT_CODE), warehouse_id=DEFAULT_ID),
               WarehouseCodeClaim.pk.does_not_exist(), ("claim",))
    try:
        writes.commit()
    except ConditionsFailed:
        return WarehouseRecord.get(shop_pk(shop_id), warehouse_sk(DEFAULT_ID), consistent_read=True)
    return record


def resolve(shop_id: str, warehouse_id: str | None, field: str = "warehouse_id",
            found: list[WarehouseRecord] | None = None) -> WarehouseRecord:
    """The named warehouse (422 on ``field`` when the shop has none such), or the first active one."""
    every = found if found is not None else load_all(shop_id)
    if warehouse_id is None:
        active = [w for w in every if w.active]
        if not active:
            raise Conflict("no_active_warehouse")
        return active[0]
    for w in every:
        if w.warehouse_id == warehouse_id:
            return w
    raise field_error(field, "unknown_warehouse", warehouse_id=warehouse_id)


def require_active(writes: Writes, shop_id: str, warehouse: WarehouseRecord, field: str = "warehouse_id") -> None:
    """Stock may only come into an active warehouse: checked when the change commits too, so a
    receipt cannot land in a warehouse being deleted."""
    if not warehouse.active:
        raise Conflict("warehouse_inactive", details={"field": field, "warehouse_id": warehouse.warehouse_id},
                       name=warehouse.name)
    if not writes.first(("warehouse", warehouse.warehouse_id)):
        return  # checked once per transaction (an item appears in a transaction once)
    writes.check(WarehouseRecord, shop_pk(shop_id), warehouse.sk,
                 WarehouseRecord.active == True,  # noqa: E712 (a DynamoDB condition, not a comparison)
                 ("warehouse", warehouse.warehouse_id))


def view(w: WarehouseRecord) -> WarehouseView:
    return WarehouseView(id=w.warehouse_id, name=w.name, code=w.code, address=w.address or "", priority=int(w.priority),
                         active=bool(w.active), is_default=w.warehouse_id == DEFAULT_ID, version=int(w.version),
                         created_at=w.created_at, updated_at=w.updated_at)


def list_view(shop_id: str) -> WarehouseList:
    return WarehouseList(items=[view(w) for w in load_all(shop_id)])


def get(shop_id: str, warehouse_id: str) -> WarehouseRecord:
    load_all(shop_id)  # the default exists once anyone looks
    try:
        return WarehouseRecord.get(shop_pk(shop_id), warehouse_sk(warehouse_id), consistent_read=True)
    except WarehouseRecord.DoesNotExist as exc:
        raise NotFound("warehouse_not_found", details={"warehouse_id": warehouse_id}) from exc


def create(ctx: AuthContext, body: WarehouseCreate) -> WarehouseView:
    load_all(ctx.shop_id)
    now, warehouse_id = clock.iso(), new_id("wh_")
    record = WarehouseRecord(shop_pk(ctx.shop_id), warehouse_sk(warehouse_id), name=body.name, code=body.code,
                             address=body.address, priority=body.priority, active=body.active, version=1,
                             created_at=now, updated_at=now)
    writes = Writes()
    writes.put(record, WarehouseRecord.pk.does_not_exist(), ("exists",))
    _claim(writes, ctx.shop_id, warehouse_id, body.code)
    _commit(writes, body.code)
    return view(record)


def update(ctx: AuthContext, warehouse_id: str, body: WarehouseUpdate) -> WarehouseView:
    record = get(ctx.shop_id, warehouse_id)
    if int(record.version) != body.version:
        raise VersionConflict(expected=body.version, current=int(record.version))
    if record.active and not body.active:
        _keep_one_active(ctx.shop_id, warehouse_id)
    writes = Writes()
    if body.code.upper() != record.code.upper():
        _claim(writes, ctx.shop_id, warehouse_id, body.code)
        writes.delete(WarehouseCodeClaim(shop_pk(ctx.shop_id), code_claim_sk(record.code)))
    now = clock.iso()
    writes.update(record, [WarehouseRecord.name.set(body.name), WarehouseRecord.code.set(body.code),
                           WarehouseRecord.address.set(body.address), WarehouseRecord.priority.set(body.priority),
                           WarehouseRecord.active.set(body.active), WarehouseRecord.updated_at.set(now),
                           WarehouseRecord.version.add(1)],
                  WarehouseRecord.version == body.version, ("version",))
    _commit(writes, body.code, ctx.shop_id, warehouse_id, body.version)
    for key, value in body.model_dump(exclude={"version"}).items():
        setattr(record, key, value)
    record.updated_at, record.version = now, body.version + 1
    return view(record)


def delete(ctx: AuthContext, warehouse_id: str) -> None:
    """Deactivate (no stock can come in any more), check that it holds nothing, then delete; if it
    does hold stock, it is reactivated and the answer is 409 ``warehouse_has_stock``."""
    record = get(ctx.shop_id, warehouse_id)
    _keep_one_active(ctx.shop_id, warehouse_id)
    was_active = bool(record.active)
    if was_active:
        record.update([WarehouseRecord.active.set(False)], WarehouseRecord.version == record.version)
    holding = _stock_held(ctx.shop_id, warehouse_id)
    if holding:
        if was_active:
            record.update([WarehouseRecord.active.set(True)])
        raise Conflict("warehouse_has_stock", details={"warehouse_id": warehouse_id, "skus": holding[:20]},
                       skus=len(holding))
    writes = Writes()
    writes.delete(record, WarehouseRecord.active == False, ("active",))  # noqa: E712
    writes.delete(WarehouseCodeClaim(shop_pk(ctx.shop_id), code_claim_sk(record.code)))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        raise Conflict("write_conflict") from exc


def _stock_held(shop_id: str, warehouse_id: str) -> list[str]:
    """SKUs with units on hand or reserved in the warehouse (all shards)."""
    keys = [(item.pk, item.sk) for item in StockRecord.stock_by_wh.query(warehouse_list_pk(shop_id, warehouse_id))]
    held = []
    for start in range(0, len(keys), 100):
        for stock in read_many(keys[start:start + 100]):
            if stock.on_hand or stock.reserved:
                held.append(stock.sku_id)
    return held


def _keep_one_active(shop_id: str, warehouse_id: str) -> None:
    others = [w for w in load_all(shop_id) if w.active and w.warehouse_id != warehouse_id]
    if not others:
        raise Conflict("last_warehouse")


def _claim(writes: Writes, shop_id: str, warehouse_id: str, code: str) -> None:
    writes.put(WarehouseCodeClaim(shop_pk(shop_id), code_claim_sk(code), warehouse_id=warehouse_id),
               WarehouseCodeClaim.pk.does_not_exist(), ("claim",))


def _commit(writes: Writes, code: str, shop_id: str = "", warehouse_id: str = "", expected: int = 0) -> None:
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "claim"):
            raise Conflict("warehouse_code_taken", details={"field": "code", "code": code}, value=code) from exc
        if failed(exc, "version"):
            current = WarehouseRecord.get(shop_pk(shop_id), warehouse_sk(warehouse_id), consistent_read=True)
            raise VersionConflict(expected=expected, current=int(current.version)) from exc
        raise
