"""What can be wrong with a provider's notification or answer, as types the webhook can answer by.

Every error here means "change nothing": the webhook answers the provider's failure shape
(``provider.refuse(error)``) or, for a valid notice that does not match the order, records it
and flags it (``NoticeMismatch``).
"""
from __future__ import annotations

from typing import Any


class PaymentError(Exception):
    """Base of every payment-layer failure; ``code`` is stable for logs and the error shape."""

    code = "payment_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class BadSignature(PaymentError):
    """The signature does not verify with any key we hold (or names a key we do not hold)."""

    code = "payment_bad_signature"


class StaleTimestamp(PaymentError):
    """Signed, but too old (or, for WeChat Pay, too far from our clock): a possible replay."""

    code = "payment_stale_timestamp"


class Malformed(PaymentError):
    """Not the provider's format: missing or duplicated fields, bad JSON, undecryptable resource."""

    code = "payment_malformed"


class ProviderRefused(PaymentError):
    """The provider answered a request of ours (create payment, refund) with an error."""

    code = "payment_provider_refused"


class NoticeMismatch(PaymentError):
    """A genuine notice that does not match what the shop expects (amount, currency, merchant, app).

    ``problems`` lists ``{"field", "expected", "got"}``; the notice changes nothing and is flagged.
    """

    code = "payment_notice_mismatch"

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{p['field']}: expected {p['expected']!r}, got {p['got']!r}" for p in problems),
                         problems=problems)
        self.problems = problems
