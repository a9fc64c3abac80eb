"""Logs an operator can follow from a request to every event it caused, and the Tracer.

- ``log``: the powertools Logger (structured JSON on stdout, which CloudWatch Logs keeps), made
  on first use. Every module logs through it; nothing in ``shared/`` or ``functions/`` uses a bare
  ``logging.getLogger``.
- ``invocation(context, correlation_id)``: wraps one Lambda invocation (or one record of a batch):
  every log line inside carries the function's Lambda context (name, ARN, memory, request id,
  cold start) and the correlation id, and every ``DomainEvent`` created inside carries that
  correlation id. The API's correlation id is API Gateway's request id (``x-amzn-RequestId`` in
  the answer); a consumer takes the correlation id of the event it handles, so one id follows a
  request through the outbox, the bus and every consumer.

  This is powertools' ``inject_lambda_context(correlation_id_path=...)`` made safe for the local
  runtime, which serves every function from one process on several threads: the keys live in a
  ``ContextVar`` (powertools' ``thread_safe_append_keys``), not in the shared formatter.
- ``observed``: the same for a schedule or stream handler (its correlation id: the invocation's
  request id).
- ``tracer()``: the powertools Tracer for the asynchronous functions (consumers, outbox
  publishers), built on their first invocation and never when tracing is disabled: building it
  imports the X-Ray SDK (hundreds of ms), which API cold starts must not pay (docs/architecture.md
  "Observability").
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Tracer

T = TypeVar("T")
_correlation: ContextVar[str | None] = ContextVar("shopdesk_correlation_id", default=None)
_warm: set[str] = set()


@lru_cache(maxsize=1)
def logger() -> Logger:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    from shared.privacy import redact_text

    class Redacting(LambdaPowertoolsFormatter):
        """No personal data in logs: e-mails and mobile numbers masked in every line."""

        def format(self, record: Any) -> str:
            return redact_text(super().format(record))

    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "shopdesk"), logger_formatter=Redacting())


class _Log:
    """``log.info(...)`` etc. on the powertools Logger, which is only made when something logs
    (importing a module that logs costs nothing at cold start)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(logger(), name)


log = _Log()


def correlation_id() -> str | None:
    """The correlation id of the invocation (or record) being handled; None outside one."""
    return _correlation.get()


@contextmanager
def invocation(context: Any, correlation_id: str | None = None, **keys: Any) -> Iterator[None]:
    """Log keys and correlation id for one invocation, or one record inside it (nested: the
    record's keys are added to the invocation's and removed after it)."""
    lg = logger()
    before = dict(lg.thread_safe_get_current_keys())
    added: dict[str, Any] = {**keys}
    if context is not None and "function_name" not in before:
        added.update(_lambda_keys(context))
    if correlation_id is not None:
        added["correlation_id"] = correlation_id
    token = _correlation.set(correlation_id if correlation_id is not None else _correlation.get())
    lg.thread_safe_clear_keys()
    # One dict: a key in both (a nested record's correlation_id) is the inner one's, never a TypeError.
    lg.thread_safe_append_keys(**{**before, **added})
    try:
        yield
    finally:
        lg.thread_safe_clear_keys()
        if before:
            lg.thread_safe_append_keys(**before)
        _correlation.reset(token)


def observed(handler: Callable[[Any, Any], T]) -> Callable[[Any, Any], T]:
    """For handlers that are neither API routes nor queue consumers (schedules, stream
    processors): the invocation's logs carry its Lambda context, and its request id is the
    correlation id of the events it causes."""

    @wraps(handler)
    def run(event: Any, context: Any) -> T:
        with invocation(context, getattr(context, "aws_request_id", None)):
            return handler(event, context)

    return run


def _lambda_keys(context: Any) -> dict[str, Any]:
    name = str(getattr(context, "function_name", ""))
    cold = name not in _warm
    _warm.add(name)
    return {
        "function_name": name,
        "function_arn": getattr(context, "invoked_function_arn", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
        "function_request_id": getattr(context, "aws_request_id", None),
        "cold_start": cold,
    }


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() not in ("1", "true")


@lru_cache(maxsize=1)
def tracer() -> Tracer:
    """The Tracer (patches boto3, so every AWS call is a subsegment). Only for asynchronous
    functions, and only when ``tracing_enabled()``."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "shopdesk"))


@contextmanager
def traced(name: str) -> Iterator[None]:
    """A subsegment around the work of an asynchronous invocation (nothing when tracing is off)."""
    if not tracing_enabled():
        yield
        return
    with tracer().provider.in_subsegment(f"## {name}"):
        yield
