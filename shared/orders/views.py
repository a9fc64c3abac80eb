"""Reading orders: one order (GetItem), its timeline (Query of ``TL#`` in its partition), the
answer models built from the stored items."""
from __future__ import annotations

from shared import privacy
from shared.catalog import images
from shared.errors import NotFound
from shared.keys import shop_of
from shared.orders.models import Discount, Order, OrderLine, OrderTimelineEntry, Receiver
from shared.orders.tables import ORDER_SK, OrderRecord, TimelineRecord, order_pk


def load_order(shop_id: str, order_id: str) -> OrderRecord:
    try:
        return OrderRecord.get(order_pk(shop_id, order_id), ORDER_SK, consistent_read=True)
    except OrderRecord.DoesNotExist:
        raise NotFound("order_not_found", details={"order_id": order_id}) from None


def timeline(shop_id: str, order_id: str) -> list[TimelineRecord]:
    return [t for t in TimelineRecord.query(order_pk(shop_id, order_id), TimelineRecord.sk.startswith("TL#"),
                                            consistent_read=True) if isinstance(t, TimelineRecord)]


def _line(shop_id: str, data: dict[str, object]) -> OrderLine:
    ids = [str(i) for i in data.get("image_ids") or []]  # type: ignore[attr-defined]
    fields = {k: v for k, v in data.items() if k != "image_ids"}
    return OrderLine(**fields, image=images.main_image_url(shop_id, str(data["product_id"]), ids))


def receiver(rec: OrderRecord, may_see: bool) -> Receiver:
    """The receiver, masked unless ``may_see`` (``personal_data.view``, or the buyer themselves):
    key-name masking cannot tell a receiver's ``name`` from a product's, so it is done here."""
    found = Receiver(name=rec.receiver_name, mobile=rec.receiver_mobile, province=rec.province, city=rec.city,
                     district=rec.district, detail=rec.receiver_detail)
    if may_see:
        return found
    return found.model_copy(update={"name": privacy.mask_name(found.name), "mobile": privacy.mask_phone(found.mobile),
                                    "detail": privacy.mask_address(found.detail)})


def order_view(rec: OrderRecord, entries: list[TimelineRecord] | None = None, may_see: bool = True) -> Order:
    shop_id = shop_of(rec.pk)
    return Order(
        id=rec.order_id, number=rec.number, buyer_id=rec.buyer_id, created_at=rec.created_at,
        updated_at=rec.updated_at, fulfilment_status=rec.fulfilment_status, payment_status=rec.payment_status,
        tab=rec.tab, lines=[_line(shop_id, x) for x in rec.lines], discounts=[Discount(**d) for d in rec.discounts or []],
        subtotal=int(rec.subtotal), discount_total=int(rec.discount_total), freight=int(rec.freight),
        payable=int(rec.payable), currency=rec.currency,  # type: ignore[arg-type]
        receiver=receiver(rec, may_see),
        buyer_message=rec.buyer_message if may_see else privacy.redact_text(rec.buyer_message), memo=rec.memo,
        flag=rec.flag, held=bool(rec.held),
        payment_method=rec.payment_method, pay_due_at=rec.pay_due_at, paid_at=rec.paid_at, version=int(rec.version),
        timeline=[OrderTimelineEntry(at=t.at, kind=t.entry, from_status=t.from_status, to_status=t.to_status, note=t.note,
                                by=t.actor_id) for t in entries or []])


def get(shop_id: str, order_id: str) -> Order:
    """An order with its timeline (two reads)."""
    rec = load_order(shop_id, order_id)
    return order_view(rec, timeline(shop_id, order_id))
