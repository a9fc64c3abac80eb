"""Marketing's checks that need no table, for the services of the next session to call inside
their reads and transactions (docs/marketing.md): overlapping activities on one SKU, and whether
a buyer may claim a coupon. Each refusal is a ``ValidationFailed`` naming the field and a reason
a buyer or the marketing staff can read (zh-CN/en in ``shared.i18n``)."""
from __future__ import annotations

from datetime import datetime

from shared.errors import ValidationFailed, field_error
from shared.marketing.models import CouponTemplate, FlashSale, ThresholdOffer, TimedDiscount

Priced = TimedDiscount | FlashSale


def check_no_overlap(candidate: TimedDiscount | FlashSale | ThresholdOffer,
                     existing: list[TimedDiscount | FlashSale | ThresholdOffer]) -> None:
    """One SKU is in at most one 限时折扣 or 秒杀 at a time (both set the unit price, and a buyer
    would see two prices): 422 on each ``items.<i>.sku_id`` that another activity whose window
    overlaps already prices. Threshold offers may overlap: a line counts toward one of them."""
    if isinstance(candidate, ThresholdOffer):
        return
    errors = []
    others: list[Priced] = sorted(
        (a for a in existing if not isinstance(a, ThresholdOffer) and a.activity_id != candidate.activity_id
         and a.starts_at < candidate.ends_at and candidate.starts_at < a.ends_at), key=lambda a: a.activity_id)
    for i, sku_id in enumerate(_sku_ids(candidate)):
        clash = next((a for a in others if sku_id in _sku_ids(a)), None)
        if clash is not None:
            errors.append({"field": f"items.{i}.sku_id", "type": "activity_overlap",
                           "params": {"activity": clash.name, "activity_id": clash.activity_id}})
    if errors:
        raise ValidationFailed(errors)


def _sku_ids(activity: Priced) -> list[str]:
    if isinstance(activity, FlashSale):  # two item types: mypy wants them apart
        return [i.sku_id for i in activity.items]
    return [i.sku_id for i in activity.items]


def check_claim(template: CouponTemplate, now: datetime, *, claimed: int, held_by_buyer: int,
                by_staff: bool = False, field: str = "code") -> None:
    """Whether one more coupon of ``template`` may go to a buyer who holds ``held_by_buyer`` of
    it, when ``claimed`` have gone in all. The claim transaction repeats the two counts as
    conditions (``claimed < total``, ``held < per_customer``) so a crowd cannot pass them."""
    if template.issued_by != "claim" and not by_staff:
        raise field_error(field, "coupon_not_claimable")
    if template.ends_at is not None and now >= template.ends_at:
        raise field_error(field, "coupon_expired")
    if template.total is not None and claimed >= template.total:
        raise field_error(field, "coupon_used_up")
    if template.per_customer is not None and held_by_buyer >= template.per_customer:
        raise field_error(field, "coupon_claim_limit", limit=template.per_customer)
