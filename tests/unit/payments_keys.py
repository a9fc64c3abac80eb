"""One set of sandbox keys for the payment unit tests (RSA generation costs ~0.1 s a key), and the
local shop's credentials that pair with them."""
from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter

from infra.payment_sandbox import keys as sandbox_keys
from shared.payments import ProviderCredentials

BASE = "http://sandbox.invalid/__sandbox/pay"


@cache
def sandbox() -> dict[str, Any]:
    return sandbox_keys.generate()


def credentials(provider: str) -> Any:
    data = sandbox_keys.merchant_credentials(sandbox(), BASE)[provider]
    return TypeAdapter(ProviderCredentials).validate_python(data)
