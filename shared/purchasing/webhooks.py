"""The supplier's system, both ways, signed with the supplier's secret (``signing``).

Outbound: a consumer of ``PurchaseOrderSubmitted`` POSTs the order as JSON to the supplier's
``webhook_url`` through ``shared.outbound`` (https to a public host, checked again after DNS
resolution and connected to the checked address; no redirects, no proxy, 5 s timeout). A non-2xx
answer or a network error fails the SQS record, so the queue retries it (5 receives, then the
DLQ); every attempt is recorded on the PO (``webhook``) and in its timeline, its error as a
fixed code (``shared.outbound.FAILURES``), never exception text.

Inbound: ``POST /webhooks/suppliers/{shop_id}/{supplier_id}``, public, checked in this order
(nothing is written before all pass): the timestamp within 5 minutes and the signature
(constant-time) -> 401; the event id (header, equal to the body's ``event_id`` so that it is
covered by the signature) never seen -> else 409; the payload -> 422; the PO number of this
supplier -> 422. The event id is then stored (a nonce item with a TTL) in the same transaction
as the notice's effect, so a concurrent replay also changes nothing.
"""
from __future__ import annotations

import json
import re
import time
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from shared import clock
from shared.errors import NotAuthenticated, ShopDeskError, ValidationFailed, field_error
from shared.events.base import Actor
from shared.keys import shop_of
from shared.purchasing import orders, receiving, signing, suppliers
from shared.purchasing.events import PurchaseOrderSubmitted
from shared.purchasing.models import InboundReceipt, InboundShipment, ReceiptCreate, WebhookAccepted
from shared.purchasing.tables import NonceRecord, PurchaseOrderRecord, nonce_pk
from shared.tx import ConditionsFailed, Writes, failed

MAX_ATTEMPTS = 5  # = the queue's maxReceiveCount: the 5th failure is the last
EVENT_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,100}$")
Notice = Annotated[InboundShipment | InboundReceipt, Field(discriminator="type")]


class DeliveryFailed(Exception):
    """The supplier did not take the webhook: the SQS record fails and is retried."""


# -- outbound -----------------------------------------------------------------------------------------
def payload(detail: dict[str, Any]) -> bytes:
    order = {k: detail.get(k) for k in ("number", "supplier_id", "warehouse_id", "currency", "total", "expected_at",
                                        "notes", "lines")}
    order["id"] = detail["resource_id"]
    body = {"type": "purchase_order.submitted", "event_id": detail["event_id"], "occurred_at": detail["occurred_at"],
            "shop_id": detail["shop_id"], "purchase_order": order}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    from shared import outbound

    return outbound.post(url, body, {**headers, "Content-Type": "application/json; charset=utf-8",
                                     "User-Agent": "ShopDesk-Webhooks/1"})


def _record(po: PurchaseOrderRecord, state: dict[str, Any], entry: dict[str, Any]) -> None:
    writes = Writes()
    # No version bump: delivery state is not an edit, and must not make a receipt in flight stale.
    writes.update(po, [PurchaseOrderRecord.webhook.set(state)], PurchaseOrderRecord.pk.exists(), ("po",))
    orders.log(writes, shop_of(po.pk), po.po_id, "webhook_delivery", Actor.system("webhooks"), entry)
    writes.commit()


def deliver(event: PurchaseOrderSubmitted) -> None:
    """Record handler of the ``PurchaseOrderSubmitted`` queue."""
    detail = event.model_dump(mode="json")
    shop_id, po_id, event_id = detail["shop_id"], detail["resource_id"], detail["event_id"]
    po = orders.load(shop_id, po_id)
    if po is None:
        return
    state = dict(po.webhook or {})
    if state.get("status") == "skipped" or (state.get("event_id") == event_id and state.get("status") == "delivered"):
        return  # no webhook URL when submitted, or a redelivered event the supplier has already
    supplier = suppliers.load(shop_id, po.supplier_id)
    if supplier is None or not supplier.webhook_url or not supplier.secret_ct:
        _record(po, {"status": "skipped", "event_id": event_id, "attempts": int(state.get("attempts", 0))},
                {"event_id": event_id, "outcome": "skipped", "reason": "no webhook URL"})
        return
    secret = signing.decrypt(shop_id, supplier.supplier_id, supplier.secret_ct)
    body = payload(detail)
    code, error = _post(supplier.webhook_url, body, signing.headers(secret, int(time.time()), body, event_id))
    attempts = (int(state.get("attempts", 0)) if state.get("event_id") == event_id else 0) + 1
    ok = code is not None and 200 <= code < 300
    now = clock.iso()
    new_state = {"status": "delivered" if ok else ("failed" if attempts >= MAX_ATTEMPTS else "retrying"),
                 "event_id": event_id, "attempts": attempts, "last_attempt_at": now, "last_status_code": code,
                 "last_error": error, "delivered_at": now if ok else None}
    _record(po, new_state, {"event_id": event_id, "attempt": attempts, "status_code": code, "error": error,
                            "url": supplier.webhook_url})
    if not ok:
        raise DeliveryFailed(f"{supplier.webhook_url} answered {code or error}")


# -- inbound ------------------------------------------------------------------------------------------
def _unauthorized(code: str) -> ShopDeskError:
    return NotAuthenticated(code)


def inbound(shop_id: str, supplier_id: str, headers: dict[str, str], raw: bytes) -> WebhookAccepted:
    timestamp = headers.get("x-shopdesk-timestamp", "")
    signature = headers.get("x-shopdesk-signature", "")
    event_id = headers.get("x-shopdesk-event-id", "")
    if not timestamp or not signature:
        raise _unauthorized("webhook_signature_invalid")
    if not signing.timestamp_fresh(timestamp, time.time()):
        raise _unauthorized("webhook_timestamp_invalid")
    supplier = suppliers.load(shop_id, supplier_id) if EVENT_ID.match(shop_id) and EVENT_ID.match(supplier_id) else None
    # An unknown supplier answers like a bad signature: the URL reveals nothing.
    if supplier is None or not supplier.secret_ct:
        raise _unauthorized("webhook_signature_invalid")
    secret = signing.decrypt(shop_id, supplier_id, supplier.secret_ct)
    if not signing.signature_valid(secret, timestamp, raw, signature):
        raise _unauthorized("webhook_signature_invalid")
    try:
        data = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ShopDeskError("invalid_json") from exc
    if not EVENT_ID.match(event_id) or not isinstance(data, dict) or data.get("event_id") != event_id:
        raise field_error("event_id", "webhook_event_id")
    if _seen(shop_id, supplier_id, event_id):
        raise receiving.Replayed()
    data = {k: v for k, v in data.items() if k != "event_id"}
    try:
        notice: InboundShipment | InboundReceipt = TypeAdapter(Notice).validate_python(data)
    except ValidationError as exc:
        raise ValidationFailed.of(exc) from exc
    po = orders.by_number(shop_id, notice.po_number)
    if po is None or po.supplier_id != supplier_id:
        raise field_error("po_number", "unknown_po", po_number=notice.po_number)
    actor = Actor(id=f"supplier:{supplier_id}", email=None)
    if isinstance(notice, InboundShipment):
        _shipment(shop_id, supplier_id, event_id, po, notice, actor)
        status = po.status
    else:
        done = receiving.receive(shop_id, actor, po.po_id, ReceiptCreate(lines=notice.lines,
                                                                          over_receipt=notice.over_receipt,
                                                                          note=notice.note),
                                 source="webhook", nonce=(supplier_id, event_id))
        status = done.purchase_order.status
    return WebhookAccepted(type=notice.type, po_number=po.number, status=status)


def _seen(shop_id: str, supplier_id: str, event_id: str) -> bool:
    try:
        NonceRecord.get(nonce_pk(shop_id, supplier_id), f"NONCE#{event_id}", consistent_read=True)
        return True
    except NonceRecord.DoesNotExist:
        return False


def _shipment(shop_id: str, supplier_id: str, event_id: str, po: PurchaseOrderRecord, notice: InboundShipment,
              actor: Actor) -> None:
    from shared.errors import Conflict

    if po.status not in orders.OPEN:
        raise Conflict("po_not_receivable", details={"status": po.status}, status=po.status)
    shipment = {"carrier": notice.carrier, "tracking_no": notice.tracking_no,
                "expected_at": notice.expected_at.isoformat() if notice.expected_at else None,
                "received_at": clock.iso(), "event_id": event_id}
    writes = Writes()
    receiving.add_nonce(writes, shop_id, supplier_id, event_id)
    writes.update(po, [PurchaseOrderRecord.shipment.set(shipment)],
                  PurchaseOrderRecord.status.is_in(*orders.OPEN), ("po",))
    orders.log(writes, shop_id, po.po_id, "shipment_notice", actor, shipment)
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if failed(exc, "nonce"):
            raise receiving.Replayed() from exc
        raise Conflict("po_not_receivable", details={"status": "changed"}, status="-") from exc
