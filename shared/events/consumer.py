"""SQS consumers, all in the shape of powertools' batch-processing example
(``examples/batch_processing/src/pydantic_sqs.py``): a pydantic model for the record, a typed
record handler holding the logic, and an entry point that is one call::

    # functions/settings/app.py
    def on_shop_created(event, context):
        return consume(event, context, ShopCreated, service.on_shop_created)

    # shared/settings/service.py: the typed record handler
    def on_shop_created(event: ShopCreated) -> None: ...

``consume`` builds (once per container) the record model: powertools' ``SqsRecordModel`` whose
``body`` is EventBridge's envelope around one of the given event classes, picked by the
envelope's ``detail-type`` (``ANY_EVENT``: every class of ``shared/events/registry.py``). The
handler receives the parsed event. ``consume_messages`` does the same for queues that carry
something else than domain events (S3 notifications): the record model's body is the given
model.

Every record is handled inside ``observability.invocation``: its log lines carry the Lambda
context and the event's ``correlation_id``, and events the handler creates inherit that id.
A record that fails (an exception, or a body that is not a valid message: a poison pill) is
logged with its error, counted in the ``ConsumerFailures`` metric and reported in
``batchItemFailures`` (the template sets ``ReportBatchItemFailures``), so only it is retried and,
after ``maxReceiveCount``, it lands in the queue's DLQ. The batch utilities and the Tracer are
imported on the first invocation, never at import (API cold starts share these modules).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.base import DomainEvent

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

E = TypeVar("E", bound=DomainEvent)
M = TypeVar("M", bound=BaseModel)


class _AnyEvent:
    """Marker: the consumer takes every registered event type (the audit log)."""


ANY_EVENT = _AnyEvent()


class EventMessage(BaseModel):
    """EventBridge's envelope (what the rule puts on the queue) around one of our events. The
    class of ``detail`` is the one of ``EVENTS`` named by ``detail-type``."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    EVENTS: ClassVar[dict[str, type[DomainEvent]]] = {}  # detail-type -> class; set on each consumer's subclass

    id: str
    detail_type: str = Field(alias="detail-type")
    source: str
    time: str | None = None
    detail: DomainEvent

    @model_validator(mode="before")
    @classmethod
    def _typed_detail(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        name = str(data.get("detail-type", data.get("detail_type")))
        event_class = cls.EVENTS.get(name)
        if event_class is None:
            raise ValueError(f"this consumer takes {sorted(cls.EVENTS)}, not {name!r}")
        if event_class.source != data.get("source"):
            raise ValueError(f"{name} comes from {event_class.source}, not {data.get('source')!r}")
        return {**data, "detail": event_class.model_validate(data.get("detail"))}


def consume(event: dict[str, Any], context: Any, events: type[E] | tuple[type[E], ...] | _AnyEvent,
            handle: Callable[[E], object]) -> dict[str, Any]:
    """The entry point of a domain-event consumer: ``handle(event)`` for every record, partial
    batch failures reported."""
    model = _event_record(events if isinstance(events, (tuple, _AnyEvent)) else (events,))

    def record_handler(record: Any) -> None:
        message: EventMessage = record.body
        detail = message.detail
        with _record_scope(detail.correlation_id, event_id=detail.event_id, detail_type=message.detail_type,
                           shop_id=detail.shop_id):
            handle(detail)  # type: ignore[arg-type]
            _handled(message.detail_type)

    return _process(event, context, model, record_handler)


def consume_messages(event: dict[str, Any], context: Any, body: type[M], handle: Callable[[M], object]) -> dict[str, Any]:
    """The entry point of a consumer of other messages (S3 notifications, job requests):
    ``handle(body)`` with each message's body parsed as ``body``."""

    def record_handler(record: Any) -> None:
        with _record_scope(None, message_id=record.messageId):
            handle(record.body)
            _handled(body.__name__)

    return _process(event, context, _message_record(body), record_handler)


# -- the record models --------------------------------------------------------------------------------
@cache
def _event_record(events: tuple[type[DomainEvent], ...] | _AnyEvent) -> type[SqsRecordModel]:
    from pydantic import Json, create_model

    if isinstance(events, _AnyEvent):
        from shared.events.registry import EVENTS

        events = EVENTS
    name = "".join(e.__name__ for e in events[:3]) + ("Etc" if len(events) > 3 else "")
    envelope = create_model(f"{name}Message", __base__=EventMessage)
    envelope.EVENTS = {e.detail_type(): e for e in events}
    return _sqs_record(f"{name}Record", Json[envelope])  # type: ignore[valid-type]


@cache
def _message_record(body: type[BaseModel]) -> type[SqsRecordModel]:
    from pydantic import Json

    return _sqs_record(f"{body.__name__}Record", Json[body])  # type: ignore[valid-type,misc]


def _sqs_record(name: str, body: Any) -> type[SqsRecordModel]:
    from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
    from pydantic import create_model

    model: type[SqsRecordModel] = create_model(name, __base__=SqsRecordModel, body=(body, ...))
    return model


# -- running a batch ----------------------------------------------------------------------------------
def _process(event: dict[str, Any], context: Any, model: type[SqsRecordModel],
             record_handler: Callable[[Any], None]) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from shared.observability import invocation, traced

    class Processor(BatchProcessor):
        def failure_handler(self, record: Any, exception: Any) -> Any:
            _failed(context, record, exception)
            return super().failure_handler(record, exception)

    with invocation(context), traced(getattr(context, "function_name", "consumer")):
        answer: dict[str, Any] = dict(process_partial_response(
            event=event, record_handler=record_handler, context=context,
            # A batch that fails whole is reported like any other (not raised): one path, and the
            # ConsumerFailures metric rather than Lambda's Errors tells the operator.
            processor=Processor(event_type=EventType.SQS, model=model, raise_on_entire_batch_failure=False)))
    return answer


def _record_scope(correlation_id: str | None, **keys: Any) -> Any:
    from shared.observability import invocation

    return invocation(None, correlation_id, **keys)


def _handled(what: str) -> None:
    from shared.observability import log

    log.debug("message handled", extra={"message_type": what})


def _failed(context: Any, record: Any, exception: Any) -> None:
    """A record that will be retried (and, after maxReceiveCount, dead-lettered)."""
    from shared import metrics
    from shared.observability import log

    consumer = str(getattr(context, "function_name", "consumer"))
    body = getattr(record, "body", None)
    detail = getattr(body, "detail", None)
    detail_type = getattr(body, "detail_type", None)
    error = f"{getattr(exception[0], '__name__', exception[0])}: {str(exception[1])[:300]}"
    keys = {"consumer": consumer, "message_id": getattr(record, "message_id", None) or getattr(record, "messageId", None),
            "detail_type": detail_type, "event_id": getattr(detail, "event_id", None),
            "correlation_id": getattr(detail, "correlation_id", None), "error": error}
    log.warning("message failed; it will be retried, then dead-lettered", extra=keys, exc_info=exception)
    metrics.consumer_failure(consumer, detail_type, error)
