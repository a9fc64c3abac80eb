"""boto3 clients, one per service per container, made on first use (cold start)."""
from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=endpoint_url,
                        config=Config(retries={"max_attempts": 3, "mode": "standard"}))


def reset() -> None:
    client.cache_clear()
