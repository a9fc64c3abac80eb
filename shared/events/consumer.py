"""SQS consumers of domain events, in the shape of powertools' batch-processing examples:
a typed record handler holds the logic; the entry point is one call to ``consume``.

Failed records are reported in ``batchItemFailures`` (the template sets
``ReportBatchItemFailures``), so only they are retried and, after ``maxReceiveCount``, land in
the queue's DLQ.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.events.base import EventEnvelope


def consume(event: dict[str, Any], context: Any, handle: Callable[[EventEnvelope], None]) -> dict[str, Any]:
    return consume_bodies(event, context, lambda body: handle(EventEnvelope.model_validate_json(body)))


def consume_bodies(event: dict[str, Any], context: Any, handle: Callable[[str], None]) -> dict[str, Any]:
    """The same for messages that are not domain events (e.g. S3 notifications): ``handle``
    gets each message's raw body."""
    # Imported here: the batch utilities cost 100+ ms of import (cold start of API routes).
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    def record_handler(record: SQSRecord) -> None:
        handle(record.body)

    processor = BatchProcessor(event_type=EventType.SQS)
    answer: dict[str, Any] = dict(
        process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context))
    return answer
