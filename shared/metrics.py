"""Business and health metrics an operator watches, as CloudWatch Embedded Metric Format (EMF).

One function per metric, so every capability emits a metric the same way and the names, units
and dimensions live in one place (the template's dashboard and alarms read these names):

    metrics.order_placed(shop_id, amount_fen, "CNY")     # the orders capability, when it lands
    metrics.reservation_refused(shop_id, "stock_insufficient")

Each call writes one EMF line at once (no per-invocation buffer to flush, nothing shared between
the threads of the local runtime). Dimensions are only ``service``: a shop id as a dimension
would make a metric per shop (cost, and alarms could not sum them); the shop and other details
are EMF properties, searchable in CloudWatch Logs Insights.

On Lambda the line goes to stdout, which CloudWatch Logs turns into metrics. The local runtime
sets ``SHOPDESK_METRICS_FILE`` (``<data>/metrics.jsonl``) so the console stays readable;
``POWERTOOLS_METRICS_DISABLED=true`` turns metrics off.
"""
from __future__ import annotations

import json
import os
import threading
from typing import Any

NAMESPACE_DEFAULT = "ShopDesk"
_file_lock = threading.Lock()

# Names used by template.yaml (dashboard, alarms): change both together.
ORDERS_PLACED = "OrdersPlaced"
ORDER_VALUE = "OrderValueFen"
PAYMENTS_SUCCEEDED = "PaymentsSucceeded"
PAYMENTS_FAILED = "PaymentsFailed"
PAYMENT_VALUE = "PaymentValueFen"
RESERVATIONS_REFUSED = "ReservationsRefused"
CONSUMER_FAILURES = "ConsumerFailures"
EVENTS_PUBLISHED = "EventsPublished"
OUTBOX_PUBLISH_FAILURES = "OutboxPublishFailures"
NAMES = (ORDERS_PLACED, ORDER_VALUE, PAYMENTS_SUCCEEDED, PAYMENTS_FAILED, PAYMENT_VALUE, RESERVATIONS_REFUSED,
         CONSUMER_FAILURES, EVENTS_PUBLISHED, OUTBOX_PUBLISH_FAILURES)


def order_placed(shop_id: str, amount_fen: int, currency: str) -> None:
    emit({ORDERS_PLACED: (1, "Count"), ORDER_VALUE: (amount_fen, "None")}, shop_id=shop_id, currency=currency)


def payment(shop_id: str, succeeded: bool, amount_fen: int, currency: str, provider: str) -> None:
    name = PAYMENTS_SUCCEEDED if succeeded else PAYMENTS_FAILED
    emit({name: (1, "Count"), PAYMENT_VALUE: (amount_fen, "None")}, shop_id=shop_id, currency=currency,
         provider=provider, succeeded=succeeded)


def reservation_refused(shop_id: str, reason: str, order_id: str | None = None) -> None:
    emit({RESERVATIONS_REFUSED: (1, "Count")}, shop_id=shop_id, reason=reason, order_id=order_id)


def consumer_failure(consumer: str, detail_type: str | None, error: str) -> None:
    emit({CONSUMER_FAILURES: (1, "Count")}, consumer=consumer, detail_type=detail_type, error=error)


def events_published(count: int, function: str) -> None:
    emit({EVENTS_PUBLISHED: (count, "Count")}, function=function)


def outbox_publish_failure(count: int, function: str) -> None:
    emit({OUTBOX_PUBLISH_FAILURES: (count, "Count")}, function=function)


def emit(values: dict[str, tuple[float, str]], **properties: Any) -> None:
    """One EMF document with ``values`` (name -> (value, unit)) and ``properties``."""
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() in ("1", "true"):
        return
    from aws_lambda_powertools.metrics.base import SingleMetric

    from shared.observability import correlation_id

    metric = SingleMetric(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE_DEFAULT))
    for name, (value, unit) in values.items():
        metric.add_metric(name=name, unit=unit, value=value)
    metric.add_dimension(name="service", value=os.environ.get("POWERTOOLS_SERVICE_NAME", "shopdesk"))
    for key, value in {**properties, "correlation_id": correlation_id()}.items():
        if value is not None:
            metric.add_metadata(key=key, value=value)
    line = json.dumps(metric.serialize_metric_set(), separators=(",", ":"), ensure_ascii=False)
    target = os.environ.get("SHOPDESK_METRICS_FILE")
    if not target:
        print(line, flush=True)
        return
    with _file_lock, open(target, "a", encoding="utf-8") as out:
        out.write(line + "\n")
