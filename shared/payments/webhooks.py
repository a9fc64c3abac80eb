"""The payment webhook: verify with the shop's credentials, store the provider's event once,
acknowledge in the provider's format. Applying it to the order happens later, from the queue
(``processing``): the provider gets its answer fast (WeChat Pay wants one within 5 s) and a
crash after the store loses nothing (the event's outbox item is in the same transaction).

- genuine, first time: the event + a PaymentNotified outbox item in one transaction; answered
  received (Alipay ``success``, WeChat Pay 204, Stripe 200).
- genuine, seen before (a retry, a duplicate, a replay): nothing stored (the conditional put finds
  it); received.
- bad signature, stale timestamp, malformed; genuinely signed for another merchant or app (not
  ours: DOMAIN.md §3.1, ignore it); a shop without these credentials: nothing stored; the
  provider's refusal (Alipay ``failure``, WeChat Pay 401/400, Stripe 400).
- our own failure (the database down): all or nothing stored; 500, every provider retries.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from shared import clock
from shared.errors import NotFound
from shared.events.outbox import outbox_item
from shared.observability import logger
from shared.payments import acknowledge, check_notice, refuse, verify_notification
from shared.payments.errors import Malformed, NoticeMismatch, PaymentError
from shared.payments.events import PaymentNotified
from shared.payments.models import PROVIDERS, AnyCredentials, PaymentNotice, WebhookAnswer
from shared.payments.requests import credentials
from shared.payments.tables import EVENT_SK, PAYMENTS_TABLE_ENV, ProviderEventRecord, event_pk
from shared.tx import ConditionsFailed, Writes, failed, retrying

MERCHANT_FIELDS = ("provider", "merchant_id", "app_id")


def receive(provider: str, shop_id: str, headers: Mapping[str, str], body: bytes) -> WebhookAnswer:
    if provider not in PROVIDERS:
        raise NotFound("payment_provider_unknown", details={"provider": provider[:20]})
    creds = credentials(shop_id, provider)
    if creds is None:
        return _refused(provider, shop_id, Malformed("no credentials for this provider"))
    try:
        notice = verify_notification(creds, headers, body)
    except PaymentError as error:
        return _refused(provider, shop_id, error)
    wrong = _wrong_merchant(notice, creds)
    if wrong:
        return _refused(provider, shop_id, Malformed(f"not this shop's merchant: {', '.join(wrong)}"))
    store(shop_id, notice)
    return acknowledge(provider)  # type: ignore[arg-type]  # checked against PROVIDERS above


def _refused(provider: str, shop_id: str, error: Exception) -> WebhookAnswer:
    logger().warning("payment notification refused", extra={"provider": provider, "shop_id": shop_id,
                                                             "reason": getattr(error, "code", type(error).__name__)})
    return refuse(provider, error)  # type: ignore[arg-type]


def _wrong_merchant(notice: PaymentNotice, creds: AnyCredentials) -> list[str]:
    """Merchant, app and provider checks only (the amount is the order's business, later)."""
    try:
        check_notice(notice, notice.amount_fen or 0, creds, (notice.currency or "CNY").upper())
    except NoticeMismatch as mismatch:
        return [p["field"] for p in mismatch.problems if p["field"] in MERCHANT_FIELDS]
    return []


def store(shop_id: str, notice: PaymentNotice) -> bool:
    """The provider event and its PaymentNotified outbox item in one transaction, conditional on
    the event being new. True when stored now, False when it was there already."""
    record = ProviderEventRecord(
        event_pk(shop_id, notice.provider, notice.event_id), EVENT_SK, provider=notice.provider,
        event_id=notice.event_id, event_type=notice.event_type, status=notice.status, out_trade_no=notice.out_trade_no,
        notice=notice.model_dump(mode="json", exclude={"raw"}), raw=json.dumps(notice.raw, ensure_ascii=False),
        received_at=clock.iso())
    event = PaymentNotified(shop_id=shop_id, resource_id=f"{notice.provider}#{notice.event_id}",
                            provider=notice.provider, provider_event_id=notice.event_id, status=notice.status,
                            out_trade_no=notice.out_trade_no)

    def attempt() -> bool:
        writes = Writes()
        writes.put(record, ProviderEventRecord.pk.does_not_exist(), ("provider_event",))
        writes.put(outbox_item(PAYMENTS_TABLE_ENV, event))
        try:
            writes.commit()
        except ConditionsFailed as exc:
            if failed(exc, "provider_event"):
                return False
            raise
        return True

    return retrying(attempt)  # duplicates racing each other: a transaction conflict tries again
