"""The provider interface every payment provider implements, and helpers they share."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from shared.payments.errors import Malformed
from shared.payments.models import (
    AnyCredentials,
    OutboundRequest,
    PaymentNotice,
    PaymentOrder,
    PaymentRedirect,
    ProviderAnswer,
    ProviderName,
    RefundAccepted,
    RefundOrder,
    WebhookAnswer,
)


class PaymentProvider(Protocol):
    """One provider's wire format. Every method is pure: no I/O, the clock passed in."""

    name: ProviderName

    def payment_request(self, creds: Any, order: PaymentOrder, now: datetime) -> OutboundRequest:
        """The signed request that starts a payment (sent by us, or followed by the buyer's browser)."""
        ...

    def payment_redirect(self, creds: Any, request: OutboundRequest, answer: ProviderAnswer | None,
                         now: datetime) -> PaymentRedirect:
        """Where the buyer pays, from the provider's answer to ``payment_request``."""
        ...

    def refund_request(self, creds: Any, refund: RefundOrder, now: datetime) -> OutboundRequest: ...

    def refund_result(self, creds: Any, refund: RefundOrder, answer: ProviderAnswer, now: datetime) -> RefundAccepted: ...

    def verify_notification(self, creds: Any, headers: Mapping[str, str], body: bytes, now: datetime) -> PaymentNotice:
        """Verify and normalise one notification, from the raw body bytes exactly as received."""
        ...

    def acknowledge(self) -> WebhookAnswer:
        """The answer that tells the provider "received, stop retrying"."""
        ...

    def refuse(self, error: Exception) -> WebhookAnswer:
        """The answer that tells the provider "not accepted" (it will retry per its schedule)."""
        ...


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (HTTP headers are; API Gateway keeps the sender's case)."""
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def json_object(body: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"{what} is not JSON") from exc
    if not isinstance(data, dict):
        raise Malformed(f"{what} is not a JSON object")
    return data


def require(data: Mapping[str, Any], *names: str, what: str) -> None:
    missing = [n for n in names if data.get(n) in (None, "")]
    if missing:
        raise Malformed(f"{what} lacks {', '.join(missing)}", missing=missing)


def check_credentials(creds: AnyCredentials, provider: ProviderName) -> None:
    if creds.provider != provider:
        raise TypeError(f"{provider} needs its own credentials, got {creds.provider}'s")


def minor_amount(value: Any, what: str) -> int | None:
    """An integer amount in the smallest unit (分, cents) as a JSON notice carries it; None when
    absent. Anything else (a bool, a float, a string, a negative) is ``Malformed``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Malformed(f"{what} is a non-negative integer, got {value!r}")
    return int(value)
