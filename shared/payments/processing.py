"""Applying stored provider events to orders (the ``PaymentNotified`` queue consumer).

Every step is idempotent, so a redelivery, a duplicate notice or a crash half way re-runs safely:
the order moves ``unpaid → paid`` once (``shared.orders.lifecycle.apply_payment``, conditional on
its status, a second notice of the same trade is a ``duplicate``), an anomaly is recorded once per
provider trade (a claim item in the same transaction as the anomaly and its ``PaymentAnomaly``
event), the payment record only moves forward (requested → paid → partially_refunded → refunded),
and the stored event's ``outcome`` is written last.

Out of order: a refund notice before the payment's (Stripe ``charge.refunded`` before
``payment_intent.succeeded``, the sandbox's ``reverse``) proves the money came: it applies the
payment first (same trade no, so the later payment notice is a duplicate) and records the refund
on the payment. The order's refund statuses belong to after-sales (not here).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from shared import clock
from shared.events.base import Actor
from shared.events.outbox import outbox_item
from shared.observability import logger
from shared.orders import lifecycle, numbers, views
from shared.orders.lifecycle import PaymentFacts
from shared.payments import check_notice
from shared.payments.errors import NoticeMismatch
from shared.payments.events import PaymentAnomaly, PaymentNotified
from shared.payments.models import PaymentNotice
from shared.payments.requests import credentials
from shared.payments.tables import (
    EVENT_SK,
    PAYMENTS_TABLE_ENV,
    AnomalyClaim,
    AnomalyRecord,
    PaymentRecord,
    ProviderEventRecord,
    anomaly_claim_pk,
    anomaly_pk,
    anomaly_sk,
    event_pk,
    payment_pk,
    payment_sk,
)
from shared.tx import ConditionsFailed, Writes, failed

MONEY_IN = ("paid", "partially_refunded", "refunded")
RANK = {"requested": 0, "closed": 1, "paid": 2, "partially_refunded": 3, "refunded": 4}


def on_payment_notified(event: PaymentNotified) -> None:
    try:
        rec = ProviderEventRecord.get(event_pk(event.shop_id, event.provider, event.provider_event_id), EVENT_SK,
                                      consistent_read=True)
    except ProviderEventRecord.DoesNotExist:
        logger().error("payment event missing", extra={"event_id": event.provider_event_id})
        return
    if rec.outcome:
        return  # applied already (a redelivered message)
    outcome = apply(event.shop_id, rec)
    try:
        rec.update(actions=[ProviderEventRecord.outcome.set(outcome), ProviderEventRecord.processed_at.set(clock.iso())],
                   condition=ProviderEventRecord.outcome.does_not_exist())
    except UpdateError:
        pass  # a concurrent delivery wrote it


def apply(shop_id: str, rec: ProviderEventRecord) -> str:
    notice = PaymentNotice(**rec.notice, raw={})
    if notice.status not in (*MONEY_IN, "closed"):
        return "ignored"  # pending, refund_pending/failed, ignored: nothing to change
    order_id = numbers.find(shop_id, notice.out_trade_no) if notice.out_trade_no else None
    if order_id is None:
        # Alipay and WeChat Pay notify the URL given with this shop's payment: an unknown number
        # there is money to look at. A Stripe account sends every event to each endpoint it has
        # (other systems, other shops on one account): not ours, nothing to do.
        if notice.status in MONEY_IN and notice.provider != "stripe":
            _anomaly(shop_id, rec, notice, "unknown_order", None, None, None)
            return "anomaly:unknown_order"
        return "ignored"
    order = views.load_order(shop_id, order_id)
    if notice.status == "closed":
        _move_payment(shop_id, order_id, notice, "closed")
        return "recorded"
    creds = credentials(shop_id, notice.provider)
    try:
        if creds is not None:
            check_notice(notice, int(order.payable), creds, order.currency)
    except NoticeMismatch as mismatch:
        if any(p["field"] == "currency" for p in mismatch.problems):
            _move_payment(shop_id, order_id, notice, notice.status)
            _anomaly(shop_id, rec, notice, "currency_mismatch", order_id, order.number, int(order.payable))
            return "anomaly:currency_mismatch"
        # a wrong amount: apply_payment records it on the order and flags it, never paid
    paid_at = notice.paid_at or notice.occurred_at
    facts = PaymentFacts(provider=notice.provider, amount=int(notice.amount_fen or 0),
                         trade_no=notice.provider_trade_no or notice.event_id,
                         paid_at=paid_at.isoformat() if isinstance(paid_at, datetime) else None)
    applied = lifecycle.apply_payment(shop_id, order_id, facts)
    _move_payment(shop_id, order_id, notice, notice.status)
    if applied.outcome == "anomaly":
        kind = applied.reason or "amount_mismatch"
        _anomaly(shop_id, rec, notice, kind, order_id, order.number, int(order.payable))
        return f"anomaly:{kind}"
    return applied.outcome  # paid | duplicate


def _move_payment(shop_id: str, order_id: str, notice: PaymentNotice, status: str) -> None:
    """The payment record follows the notice, forward only; refunds by their refund number."""
    now = clock.iso()
    pk, sk = payment_pk(shop_id, order_id), payment_sk(notice.provider)
    for _ in range(5):
        try:
            rec = PaymentRecord.get(pk, sk, consistent_read=True)
        except PaymentRecord.DoesNotExist:
            rec = None
        current = rec.status if rec else None
        refunds: dict[str, Any] = dict(getattr(rec, "refunds", None) or {}) if rec else {}
        refunded = int(rec.refunded_total or 0) if rec else 0
        if notice.refund_fen is not None:
            refunds[notice.out_refund_no or notice.provider_refund_no or notice.event_id] = notice.refund_fen
        refunded = max(refunded, notice.refunded_total_fen or 0, sum(int(v) for v in refunds.values()))
        new_status = status if RANK.get(status, 0) > RANK.get(current or "requested", 0) else (current or status)
        actions: list[Any] = [PaymentRecord.status.set(new_status), PaymentRecord.refunded_total.set(refunded),
                   PaymentRecord.updated_at.set(now)]
        if notice.status in MONEY_IN:
            if notice.provider_trade_no:
                actions.append(PaymentRecord.provider_trade_no.set(notice.provider_trade_no))
            if notice.amount_fen is not None:
                actions.append(PaymentRecord.paid_amount.set(notice.amount_fen))
            if rec is None or not rec.paid_at:
                actions.append(PaymentRecord.paid_at.set((notice.paid_at or clock.now()).isoformat()))
        target = rec or PaymentRecord(pk, sk)
        if rec is None:  # a notice for a payment started elsewhere (or before this record existed)
            actions += [PaymentRecord.kind.set("payment"), PaymentRecord.payment_id.set(f"pay_{notice.provider}_{order_id}"),  # type: ignore[arg-type]
                        PaymentRecord.order_id.set(order_id), PaymentRecord.provider.set(notice.provider),
                        PaymentRecord.out_trade_no.set(notice.out_trade_no or ""),
                        PaymentRecord.amount.set(notice.amount_fen or 0), PaymentRecord.currency.set(notice.currency or "CNY"),
                        PaymentRecord.expires_at_time.set(now), PaymentRecord.created_at.set(now)]
        condition = (PaymentRecord.status.does_not_exist() if rec is None
                     else (PaymentRecord.updated_at == rec.updated_at))
        try:
            target.update(actions=actions, condition=condition)
            return
        except UpdateError:
            continue  # changed meanwhile: read again


def _anomaly(shop_id: str, rec: ProviderEventRecord, notice: PaymentNotice, kind: str, order_id: str | None,
             number: str | None, expected: int | None) -> None:
    trade = notice.provider_trade_no or notice.event_id
    event = PaymentAnomaly(shop_id=shop_id, actor=Actor.system(f"payment:{notice.provider}"), resource_id=order_id or "",
                           anomaly=kind, number=number, provider=notice.provider,  # type: ignore[arg-type]
                           provider_event_id=notice.event_id, provider_trade_no=notice.provider_trade_no,
                           amount=notice.amount_fen, expected=expected, currency=notice.currency,
                           refund_due=int(notice.amount_fen or 0))
    writes = Writes()
    writes.put(AnomalyClaim(anomaly_claim_pk(shop_id), f"{notice.provider}#{trade}"),
               AnomalyClaim.pk.does_not_exist(), ("claim",))
    writes.put(AnomalyRecord(anomaly_pk(shop_id), anomaly_sk(rec.received_at, notice.provider, notice.event_id),
                             anomaly=kind, provider=notice.provider, event_id=notice.event_id, order_id=order_id,
                             number=number, amount=notice.amount_fen, expected=expected, currency=notice.currency,
                             provider_trade_no=notice.provider_trade_no, refund_due=int(notice.amount_fen or 0),
                             at=rec.received_at))
    writes.put(outbox_item(PAYMENTS_TABLE_ENV, event))
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if not failed(exc, "claim"):
            raise
