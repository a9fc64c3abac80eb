"""Business checks of a verified notice against what the shop expects. Pure: the order decides
the amount; the shop's credentials say which merchant and application must have been paid."""
from __future__ import annotations

from typing import Any

from shared.payments.errors import NoticeMismatch
from shared.payments.models import AnyCredentials, PaymentNotice


def expected_merchant(creds: AnyCredentials) -> tuple[str | None, str | None]:
    """(merchant id, app id) a genuine notice for this shop names; None where the provider names none."""
    if creds.provider == "alipay":
        return creds.seller_id, creds.app_id
    if creds.provider == "wechat_pay":
        return creds.mchid, creds.appid
    return creds.account_id, None  # Stripe: the endpoint secret binds the account; Connect events name it


def check_notice(notice: PaymentNotice, expected_amount: int, merchant: AnyCredentials,
                 expected_currency: str = "CNY") -> None:
    """Raise ``NoticeMismatch`` unless the notice is for ``expected_amount`` 分 in the expected
    currency, to this shop's merchant and app. A field the notice does not carry is not checked
    (Stripe's refund.* events carry no total, Alipay notices no currency), except the amount of a
    payment, which every provider states."""
    problems: list[dict[str, Any]] = []
    if notice.provider != merchant.provider:
        problems.append({"field": "provider", "expected": merchant.provider, "got": notice.provider})
    if notice.amount_fen is None:
        if notice.status == "paid":
            problems.append({"field": "amount", "expected": expected_amount, "got": None})
    elif notice.amount_fen != expected_amount:
        problems.append({"field": "amount", "expected": expected_amount, "got": notice.amount_fen})
    if notice.currency is not None and notice.currency.upper() != expected_currency:
        problems.append({"field": "currency", "expected": expected_currency, "got": notice.currency})
    merchant_id, app_id = expected_merchant(merchant)
    if merchant_id is not None and notice.merchant_id is not None and notice.merchant_id != merchant_id:
        problems.append({"field": "merchant_id", "expected": merchant_id, "got": notice.merchant_id})
    if merchant_id is not None and notice.merchant_id is None and merchant.provider != "stripe":
        problems.append({"field": "merchant_id", "expected": merchant_id, "got": None})
    if app_id is not None and notice.app_id != app_id and (notice.app_id is not None or notice.status == "paid"):
        problems.append({"field": "app_id", "expected": app_id, "got": notice.app_id})
    if notice.refunded_total_fen is not None and notice.amount_fen is not None and notice.refunded_total_fen > notice.amount_fen:
        problems.append({"field": "refunded_total", "expected": f"<= {notice.amount_fen}", "got": notice.refunded_total_fen})
    if problems:
        raise NoticeMismatch(problems)
