"""Write-only values of the payment-method settings: the providers' private keys and secrets.

Stored sealed with the shop's data key (``shared.crypto``, the field name in the AAD), never
answered (a stored secret reads ``configured``), never put in an event or the audit log, and kept
when a form sends it back as null, omitted, ``configured`` or masked. The public credential
fields (app id, public keys, serials) are kept the same way when sent as null, so a form that
does not know them never wipes them.
"""
from __future__ import annotations

import copy
from typing import Any

from shared.privacy import is_masked
from shared.settings.models import PAYMENT_KEPT, PAYMENT_SECRETS, SECRET_CONFIGURED


def _methods(section: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {str(m.get("code")): m for m in (section or {}).get("methods", []) if isinstance(m, dict)}


def keep_stored(stored: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """``sent`` with each secret/credential value that means "unchanged" replaced by the stored one."""
    out = copy.deepcopy(sent)
    old = _methods(stored)
    for method in out.get("methods", []):
        values = method.get("settings") or {}
        before = (old.get(method.get("code")) or {}).get("settings") or {}
        for key in PAYMENT_SECRETS | PAYMENT_KEPT:
            if key not in values and key not in before:
                continue
            value = values.get(key)
            unchanged = value is None or (key in PAYMENT_SECRETS and (value == SECRET_CONFIGURED or is_masked(value)))
            if unchanged:
                values[key] = before.get(key)
    return out


def redact(section: dict[str, Any]) -> dict[str, Any]:
    """What may be shown or published: each secret as ``configured`` (stored) or null."""
    out = copy.deepcopy(section)
    for method in out.get("methods", []) if isinstance(out, dict) else []:
        values = method.get("settings") or {}
        for key in PAYMENT_SECRETS & values.keys():
            values[key] = SECRET_CONFIGURED if values[key] else None
    return out
