"""RSA (PKCS#1 v1.5 with SHA-256, "RSA2" / SHA256withRSA) and HMAC-SHA256, via ``cryptography``.

Keys arrive as PEM text (PKCS#1 or PKCS#8, or an X.509 certificate for WeChat Pay's platform
certificates) or as the bare base64 DER that Alipay's console shows. Parsed keys are cached by
their text: parsing an RSA key costs more than verifying with it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@lru_cache(maxsize=64)
def private_key(text: str) -> rsa.RSAPrivateKey:
    text = text.strip()
    key: Any
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        key = serialization.load_der_private_key(base64.b64decode(text), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


@lru_cache(maxsize=64)
def public_key(text: str) -> rsa.RSAPublicKey:
    """A public key from PEM, an X.509 certificate PEM, or bare base64 SubjectPublicKeyInfo DER."""
    from cryptography import x509

    text = text.strip()
    key: Any
    if "BEGIN CERTIFICATE" in text:
        key = x509.load_pem_x509_certificate(text.encode()).public_key()
    elif text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
    else:
        key = serialization.load_der_public_key(base64.b64decode(text))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def rsa_sign(private_pem: str, message: bytes) -> str:
    """base64 of SHA256withRSA over ``message``."""
    signature = private_key(private_pem).sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(public_pem: str, message: bytes, signature_b64: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        public_key(public_pem).verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two texts."""
    return hmac.compare_digest(a.encode(), b.encode())
