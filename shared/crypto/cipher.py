"""The pure part of field encryption: the sealed-value format, AES-256-GCM, and the keyed blind
index. No I/O here (keys come from ``keyring``), so it is unit-tested directly.

A sealed value is one compact, self-describing string::

    pd1:<key version>:<base64url(nonce 12 bytes | ciphertext | GCM tag 16 bytes)>

``pd1`` names this format; the key version says which of the scope's data keys sealed it (keys
are rotated, old versions still open old values). The additional authenticated data binds the
value to its scope (a shop, or the global scope of staff logins) and its field: a value copied to
another shop or another field does not open.

A blind index is HMAC-SHA256 under the scope's index key of ``<kind>\\x1f<value>``, truncated to
128 bits: equal values give equal indexes (exact look-ups by login, mobile, e-mail), and nothing
about the value can be learnt without the key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

FORMAT = "pd1"
NONCE_BYTES = 12  # 96 bits, random per value (NIST SP 800-38D)
INDEX_BYTES = 16
_SEALED = re.compile(r"^pd1:[1-9]\d{0,5}:[A-Za-z0-9_-]{38,}$")


class CannotOpen(ValueError):
    """The value is not a sealed value of this scope and field, or was altered."""


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and bool(_SEALED.match(value))


def _aad(scope: str, field: str) -> bytes:
    return f"shopdesk/{FORMAT}\x1f{scope}\x1f{field}".encode()


def seal_with(key: bytes, version: int, scope: str, field: str, value: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), _aad(scope, field))
    return f"{FORMAT}:{version}:{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"


def version_of(token: str) -> int:
    if not is_sealed(token):
        raise CannotOpen("not a sealed value")
    return int(token.split(":", 2)[1])


def open_with(key: bytes, scope: str, field: str, token: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    body = token.split(":", 2)[2]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(scope, field)).decode()
    except InvalidTag as exc:
        raise CannotOpen(f"sealed value does not open as {field!r} of this scope") from exc


def index_with(key: bytes, kind: str, value: str) -> str:
    digest = hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).digest()[:INDEX_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
