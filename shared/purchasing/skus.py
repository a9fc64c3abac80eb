"""A SKU as purchasing sees it: its moving-average cost (what profit reports will read: item
``SHOP#<s>#SKU#<sku>`` / ``PROFILE``, ``avg_cost`` in fen) and its suppliers, one preferred."""
from __future__ import annotations

from shared import clock
from shared.auth.context import AuthContext
from shared.errors import VersionConflict
from shared.money import Money
from shared.purchasing import suppliers
from shared.purchasing.models import SkuCostView, SupplierLinkInput, SupplierLinkView
from shared.purchasing.receiving import profile_condition, profiles
from shared.purchasing.tables import PROFILE_SK, SkuProfileRecord, sku_pk
from shared.tx import ConditionsFailed, Writes


def view(sku_id: str, p: SkuProfileRecord | None) -> SkuCostView:
    if p is None:
        return SkuCostView(sku_id=sku_id, suppliers=[], version=0)
    links = [SupplierLinkView(supplier_id=k, supplier_sku_code=v.get("supplier_sku_code", ""),
                              last_unit_cost=v.get("last_unit_cost"), lead_time_days=v.get("lead_time_days"),
                              preferred=k == p.preferred_supplier_id,
                              updated_at=v.get("updated_at"))
             for k, v in sorted((p.suppliers or {}).items())]
    cost = Money(amount=int(p.avg_cost), currency=p.currency) if p.avg_cost is not None else None  # type: ignore[arg-type]
    return SkuCostView(sku_id=sku_id, avg_cost=cost, cost_updated_at=p.cost_updated_at,
                       preferred_supplier_id=p.preferred_supplier_id, suppliers=links, version=int(p.cost_version or 0))


def get(shop_id: str, sku_id: str) -> SkuCostView:
    return view(sku_id, profiles(shop_id, [sku_id]).get(sku_id))


def set_link(ctx: AuthContext, sku_id: str, body: SupplierLinkInput) -> SkuCostView:
    """Set the supplier's SKU code / last unit cost for this SKU, and make it preferred if asked."""
    suppliers.usable(ctx.shop_id, body.supplier_id)
    profile = profiles(ctx.shop_id, [sku_id]).get(sku_id)
    current = int(profile.cost_version or 0) if profile else 0
    version = body.version
    if version != current:
        raise VersionConflict(expected=version, current=current)
    links = dict(profile.suppliers or {}) if profile else {}
    link = dict(links.get(body.supplier_id) or {})
    link["supplier_sku_code"] = body.supplier_sku_code
    if body.last_unit_cost is not None:
        link["last_unit_cost"] = body.last_unit_cost
    if body.lead_time_days is not None:
        link["lead_time_days"] = body.lead_time_days
    link["updated_at"] = clock.iso()
    links[body.supplier_id] = link
    actions = [SkuProfileRecord.kind.set(SkuProfileRecord), SkuProfileRecord.sku_id.set(sku_id),  # type: ignore[arg-type]
               SkuProfileRecord.suppliers.set(links), SkuProfileRecord.cost_version.add(1)]
    if body.preferred or not (profile and profile.preferred_supplier_id):
        actions.append(SkuProfileRecord.preferred_supplier_id.set(body.supplier_id))
    writes = Writes()
    writes.update(SkuProfileRecord(sku_pk(ctx.shop_id, sku_id), PROFILE_SK), actions, profile_condition(profile),
                  ("profile",))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        latest = profiles(ctx.shop_id, [sku_id]).get(sku_id)
        raise VersionConflict(expected=version, current=int(latest.cost_version or 0) if latest else 0) from exc
    return get(ctx.shop_id, sku_id)
