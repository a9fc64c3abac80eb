"""Personal data masking: without ``personal_data.view`` phone numbers, e-mails and addresses
come back masked (138****1234, w***@example.com, 浙江省杭州市****) everywhere — lists, details,
audit diffs and exports. Masking is applied by key name, recursively, so a new field named
like personal data is masked without further code.
"""
from __future__ import annotations

import re
from typing import Any

PHONE_KEYS = frozenset({"phone", "mobile", "contact_phone", "phone_number"})
EMAIL_KEYS = frozenset({"email", "contact_email"})
ADDRESS_KEYS = frozenset({"address", "detail_address"})
LOGIN_KEYS = frozenset({"login", "username"})  # an e-mail address or a phone number
_DIGITS = re.compile(r"\d")


def mask_phone(value: str) -> str:
    if value.startswith("+86"):
        return "+86" + mask_phone(value[3:])
    digits = [m.start() for m in _DIGITS.finditer(value)]
    if len(digits) < 7:
        return "*" * len(value)
    hide = set(digits[3:-4])
    return "".join("*" if i in hide else c for i, c in enumerate(value))


def mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_address(value: str) -> str:
    keep = min(6, max(0, len(value) // 3))
    return value[:keep] + "****" if value else value


def mask(data: Any) -> Any:
    """A copy of ``data`` with personal fields masked (dicts and lists are walked)."""
    if isinstance(data, list):
        return [mask(v) for v in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and value:
            if key in PHONE_KEYS:
                value = mask_phone(value)
            elif key in EMAIL_KEYS:
                value = mask_email(value)
            elif key in ADDRESS_KEYS:
                value = mask_address(value)
            elif key in LOGIN_KEYS:
                value = mask_email(value) if "@" in value else mask_phone(value)
        elif isinstance(value, (dict, list)):
            value = mask(value)
        out[key] = value
    return out


def visible(data: Any, may_see: bool) -> Any:
    return data if may_see else mask(data)
