"""The payment anomalies staff look at (``GET /payments/anomalies``): newest first, one Query."""
from __future__ import annotations

from pydantic import Field

from shared.model import Model
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shared.payments.tables import AnomalyRecord, anomaly_pk


class PaymentAnomalyView(Model):
    anomaly: str = Field(description="amount_mismatch | order_closed | already_paid | unknown_order | currency_mismatch")
    provider: str
    order_id: str | None
    number: str | None
    amount: int | None = Field(description="Fen the provider says were paid")
    expected: int | None = Field(description="Fen the order asks")
    currency: str | None
    provider_trade_no: str | None
    refund_due: int = Field(description="Fen to give back (after-sales refunds it)")
    at: str


def list_anomalies(shop_id: str, query: PageQuery) -> Page[PaymentAnomalyView]:
    scope = f"payanom:{shop_id}"
    result = AnomalyRecord.query(anomaly_pk(shop_id), scan_index_forward=False, limit=query.limit,
                                 last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [PaymentAnomalyView(anomaly=r.anomaly, provider=r.provider, order_id=r.order_id, number=r.number,
                                amount=None if r.amount is None else int(r.amount),
                                expected=None if r.expected is None else int(r.expected), currency=r.currency,
                                provider_trade_no=r.provider_trade_no, refund_due=int(r.refund_due or 0), at=r.at)
             for r in result]
    return Page[PaymentAnomalyView](items=items, next_cursor=encode_cursor(result.last_evaluated_key, scope))
