"""Powertools Logger, Metrics and Tracer, created once per container and as cheaply as possible.

Logger and Metrics are cheap and made at first call; the Tracer (100+ ms to build) is only made
when a handler asks for it, and switches itself off outside Lambda.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer


@lru_cache(maxsize=1)
def logger() -> Logger:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    from shared.privacy import redact_text

    class Redacting(LambdaPowertoolsFormatter):
        """No personal data in logs: e-mails and mobile numbers masked in every line."""

        def format(self, record: Any) -> str:
            return redact_text(super().format(record))

    return Logger(service="shopdesk", logger_formatter=Redacting())


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="ShopDesk", service="shopdesk")


@lru_cache(maxsize=1)
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service="shopdesk")
