"""Settings from the environment, read on first use (never at import: cold start and tests).

The names are the ones ``template.yaml`` gives each function; the local runtime sets the same
names from the same template, so the code cannot tell local from AWS.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


class MissingSetting(RuntimeError):
    pass


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise MissingSetting(f"environment variable {name} is not set (see template.yaml)")
    return value


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    demo_mode: bool
    event_bus_name: str
    media_bucket: str
    user_pool_id: str
    user_pool_client_id: str
    media_public_endpoint: str | None
    buyer_pool_id: str = ""  # the storefront's buyers (docs/buyers.md); set for the storefront function
    buyer_pool_client_id: str = ""
    # The header a trusted proxy (the admin's CloudFront function) puts the viewer's address in;
    # set by the template only when the API refuses requests that bypass that proxy.
    viewer_ip_header: str | None = None


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        stage=env("SHOPDESK_STAGE", "local"),
        region=env("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
        demo_mode=env("SHOPDESK_DEMO_MODE", "false").lower() == "true",
        event_bus_name=env("EVENT_BUS_NAME", ""),
        media_bucket=env("MEDIA_BUCKET", ""),
        user_pool_id=env("USER_POOL_ID", ""),
        user_pool_client_id=env("USER_POOL_CLIENT_ID", ""),
        media_public_endpoint=os.environ.get("MEDIA_PUBLIC_ENDPOINT") or None,
        viewer_ip_header=(os.environ.get("VIEWER_IP_HEADER") or "").lower() or None,
        buyer_pool_id=env("BUYER_POOL_ID", ""),
        buyer_pool_client_id=env("BUYER_POOL_CLIENT_ID", ""),
    )


def reset() -> None:
    """Forget cached settings (tests that start a stack with other names)."""
    settings.cache_clear()
