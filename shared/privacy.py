"""Personal data masking: without ``personal_data.view`` phone numbers, e-mails, addresses, contact
and account holder names, bank account numbers, logins, actors' e-mails and source IPs come back
masked (138****1234, w***@example.com, 浙江省杭州市****, 王*, **** 5667, 10.0.*.*) everywhere:
lists, details, audit diffs, jobs, stock movements and exports. Masking is applied by key name,
recursively, so a new field named like personal data is masked without further code.

Every answer of a shop's API is masked by ``shared.http`` for a caller without the permission, so
a capability's new personal field is masked by being named like one; views that mask themselves
(exports, audit) use ``mask``/``visible``; masking twice changes nothing.

A masked value sent back unchanged in an update (a form shows what it was given) keeps the real
value: ``restore_masked``. A masked-looking value that is not the mask of the stored one is
refused (``masked_value_changed``), never stored.

Free text is not masked by key: ``redact_text`` replaces
e-mail addresses and mainland mobile numbers in log lines and exception texts (the loggers'
formatters apply it: ``RedactingFormatter``, ``shared.observability.logger``).
"""
from __future__ import annotations

import logging
import re
from typing import Any

PHONE_KEYS = frozenset({"phone", "mobile", "contact_phone", "phone_number", "extra_phones"})
EMAIL_KEYS = frozenset({"email", "contact_email", "extra_emails"})
ADDRESS_KEYS = frozenset({"address", "detail_address"})
NAME_KEYS = frozenset({"contact", "contact_name", "account_name"})  # people named as contacts, account holders
ACCOUNT_KEYS = frozenset({"account_number"})
IP_KEYS = frozenset({"source_ip"})
# Logins and "who did it" columns: an e-mail address, a +86 number, or a user id (kept).
LOGIN_KEYS = frozenset({"login", "username", "invited_by", "actor_email", "created_by", "updated_by", "opened_by",
                        "closed_by", "counted_by"})
_DIGITS = re.compile(r"\d")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MOBILE_IN_TEXT = re.compile(r"(?:(?<=\+86)|(?<![0-9A-Za-z]))1[3-9]\d{9}(?![0-9A-Za-z])")


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


def mask_name(value: str) -> str:
    """王芳 -> 王*, 欧阳娜娜 -> 欧***, Anna Lee -> A*******"""
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_account(value: str) -> str:
    digits = value.replace(" ", "")
    return f"**** {digits[-4:]}" if len(digits) > 4 else "*" * len(digits)


def mask_ip(value: str) -> str:
    if "." in value:
        parts = value.split(".")
        return ".".join(parts[:2] + ["*"] * (len(parts) - 2))
    parts = value.split(":")
    return ":".join([*parts[:2], "*"]) if len(parts) > 2 else "*"


def mask_login(value: str) -> str:
    if "@" in value:
        return mask_email(value)
    if value.startswith("+") or value.isdigit():
        return mask_phone(value)
    return value  # a user id, not personal


def _maskers() -> dict[str, Any]:
    table: dict[str, Any] = {}
    for keys, fn in ((PHONE_KEYS, mask_phone), (EMAIL_KEYS, mask_email), (ADDRESS_KEYS, mask_address),
                     (NAME_KEYS, mask_name), (ACCOUNT_KEYS, mask_account), (IP_KEYS, mask_ip),
                     (LOGIN_KEYS, mask_login)):
        table.update(dict.fromkeys(keys, fn))
    return table


MASKERS = _maskers()
PERSONAL_KEYS = frozenset(MASKERS)


def _masked_value(key: str, value: Any) -> Any:
    fn = MASKERS[key]
    if isinstance(value, str):
        return fn(value) if value and not is_masked(value) else value  # masking twice changes nothing
    if isinstance(value, list):
        return [fn(v) if isinstance(v, str) and v and not is_masked(v) else v for v in value]
    return mask(value)


def mask(data: Any) -> Any:
    """A copy of ``data`` with personal fields masked (dicts and lists are walked)."""
    if isinstance(data, list):
        return [mask(v) for v in data]
    if not isinstance(data, dict):
        return data
    return {key: _masked_value(key, value) if key in MASKERS else mask(value) for key, value in data.items()}


def visible(data: Any, may_see: bool) -> Any:
    return data if may_see else mask(data)


# A masked phone number as ``mask_phone`` writes it (138****8000, +86138****8000, 020-****1234): the
# documented patterns of phone fields admit it, since answers carry it and a form may send it back.
MASKED_PHONE = r"\+?[0-9 -]*\*+[0-9 -]*"


def is_masked(value: object) -> bool:
    """Looks like something ``mask`` made (validators let it through to ``restore_masked``)."""
    return isinstance(value, str) and "*" in value


class MaskedValueChanged(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def restore_masked(stored: Any, sent: Any, path: str = "") -> Any:
    """``sent`` with every masked value that is the mask of the stored value at the same place
    replaced by the stored value (lists of addresses: matched by their mask). A masked-looking
    value that matches nothing stored raises ``MaskedValueChanged`` (its dotted path)."""
    if isinstance(sent, dict):
        old = stored if isinstance(stored, dict) else {}
        return {k: _restore(k, old.get(k), v, f"{path}.{k}" if path else k) if k in MASKERS
                else restore_masked(old.get(k), v, f"{path}.{k}" if path else k) for k, v in sent.items()}
    if isinstance(sent, list):
        old_list = stored if isinstance(stored, list) else []
        return [restore_masked(old_list[i] if i < len(old_list) else None, v, f"{path}.{i}") for i, v in enumerate(sent)]
    return sent


def _restore(key: str, stored: Any, sent: Any, path: str) -> Any:
    if isinstance(sent, list):
        # Two addresses may share a mask (b1@x.cn and b2@x.cn are both b***@x.cn): each mask
        # stands for the stored values it masks, taken in their stored order, so sending a
        # list back unchanged gives back every address it held, none twice.
        by_mask: dict[str, list[str]] = {}
        for s in stored if isinstance(stored, list) else []:
            if isinstance(s, str) and s:
                by_mask.setdefault(MASKERS[key](s), []).append(s)
        return [_restore_one(key, None, v, f"{path}.{i}", by_mask) for i, v in enumerate(sent)]
    if isinstance(sent, dict):
        return restore_masked(stored, sent, path)
    return _restore_one(key, stored, sent, path, {})


def _restore_one(key: str, stored: Any, sent: Any, path: str, by_mask: dict[str, list[str]]) -> Any:
    if not is_masked(sent):
        return sent
    if isinstance(stored, str) and stored and MASKERS[key](stored) == sent:
        return stored
    if by_mask.get(sent):
        return by_mask[sent].pop(0)
    raise MaskedValueChanged(path)


# Cost prices: answered as null to callers without ``purchasing.view_costs`` by routes that
# declare ``costs=True`` (only there: ``total`` means a cost only in a purchase order's answer).
COST_KEYS = frozenset({"unit_cost", "line_total", "total", "received_total", "avg_cost", "avg_cost_after",
                       "last_unit_cost", "cost_price"})


def without_costs(data: Any) -> Any:
    """A copy of ``data`` with every cost field null (dicts and lists are walked)."""
    if isinstance(data, list):
        return [without_costs(v) for v in data]
    if not isinstance(data, dict):
        return data
    return {k: None if k in COST_KEYS else without_costs(v) for k, v in data.items()}


def redact_text(text: str) -> str:
    """Free text with e-mail addresses and mainland mobile numbers masked (for logs)."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose lines have e-mails and mobile numbers masked, exception texts
    included (an exception message may quote a login or a phone number)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))
