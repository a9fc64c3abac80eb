"""Webhook signatures and the suppliers' signing secrets.

Both directions use one scheme (like Stripe's and Slack's):

    X-ShopDesk-Timestamp: 1764147600                     (Unix seconds)
    X-ShopDesk-Event-Id:  evt_01JD...                    (unique per message; replays are refused)
    X-ShopDesk-Signature: hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))

A receiver recomputes the HMAC over the raw bytes it got, compares in constant time, refuses a
timestamp more than ``TOLERANCE`` seconds away from its clock, and remembers event ids.

The secret is made by the server (``secrets.token_urlsafe``), shown once, and stored only as a
KMS ciphertext under ``DATA_KEY_ID`` (direct ``kms.encrypt``: it is 48 bytes, far below KMS's
4 KB) with an encryption context binding it to the shop, the supplier and its purpose, so a
ciphertext copied onto another supplier does not decrypt.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

TOLERANCE = 300  # seconds
SECRET_PREFIX = "whsec_"


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(secret: str, timestamp: int, body: bytes, event_id: str) -> dict[str, str]:
    return {"X-ShopDesk-Timestamp": str(timestamp), "X-ShopDesk-Signature": sign(secret, timestamp, body),
            "X-ShopDesk-Event-Id": event_id}


def timestamp_fresh(timestamp: str, now: float) -> bool:
    try:
        value = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(now - value) <= TOLERANCE


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), (signature or "").strip().lower())


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _context(shop_id: str, supplier_id: str) -> dict[str, str]:
    return {"shop_id": shop_id, "supplier_id": supplier_id, "purpose": "supplier_webhook_secret"}


def encrypt(shop_id: str, supplier_id: str, secret: str) -> str:
    from shared.aws import client

    answer = client("kms").encrypt(KeyId=os.environ["DATA_KEY_ID"], Plaintext=secret.encode(),
                                   EncryptionContext=_context(shop_id, supplier_id))
    return base64.b64encode(answer["CiphertextBlob"]).decode()


def decrypt(shop_id: str, supplier_id: str, ciphertext: str) -> str:
    from shared.aws import client

    answer = client("kms").decrypt(CiphertextBlob=base64.b64decode(ciphertext),
                                   EncryptionContext=_context(shop_id, supplier_id))
    return bytes(answer["Plaintext"]).decode()
