"""Which moto services changed since the last snapshot.

Requests are attributed to the moto service that served them. Some services write into others
(SNS and EventBridge deliver to SQS, SES publishes to SNS, S3 notifies SQS/SNS), so a change
anywhere also marks every "light" service: those are cheap to pickle. The heavy ones (S3 with
its object bodies, IAM, KMS, Cognito) are marked only by their own requests; no other moto
service writes into them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from moto.backends import get_backend

# Snapshotted only after their own requests. Everything else is snapshotted after any change.
HEAVY_SERVICES = frozenset({"s3", "iam", "kms", "cognito-idp"})


class ChangeTracker:
    """Thread-safe set of changed services, filled by request threads, drained by snapshots."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: set[str] = set()
        self._light = False
        self._everything = False
        self._names: dict[str, str | None] = {}

    def _service_name(self, moto_service: str) -> str | None:
        # Moto names apps after its modules ("cognitoidp"); state lives under the
        # BackendDict's service name ("cognito-idp").
        if moto_service not in self._names:
            try:
                self._names[moto_service] = get_backend(moto_service).service_name  # type: ignore[call-overload]
            except Exception:
                self._names[moto_service] = None
        return self._names[moto_service]

    def note(self, moto_service: str | None) -> None:
        """Record a possibly-changing request served by ``moto_service``'s app."""
        name = None if moto_service is None or moto_service == "moto_api" else self._service_name(moto_service)
        with self._lock:
            if name is None:
                # moto-api (reset, seed) or an app we cannot map: assume everything changed.
                self._everything = True
                return
            self._services.add(name)
            if name not in HEAVY_SERVICES:
                self._light = True

    def mark(self, services: Iterable[str]) -> None:
        """Put services back, e.g. after their snapshot failed."""
        with self._lock:
            self._services.update(services)

    def pending(self) -> bool:
        with self._lock:
            return bool(self._services or self._light or self._everything)

    def take(self, live: Iterable[str], saved: Iterable[str], everything: bool = False) -> set[str]:
        """Services to snapshot now, given those with state in memory and those on disk.

        Saved services are included when everything changed: a moto reset empties memory, and
        their files must be rewritten empty rather than come back on the next start.
        """
        live_set = set(live)
        with self._lock:
            if everything or self._everything:
                result = live_set | set(saved) | self._services
            else:
                result = set(self._services)
                if self._light:
                    result |= {s for s in live_set if s not in HEAVY_SERVICES}
            self._services.clear()
            self._light = False
            self._everything = False
        return result
