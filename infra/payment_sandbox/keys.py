"""The sandbox's own keys and secrets, made once per data folder and never committed.

The sandbox plays three providers, so it holds *their* private keys (Alipay's, WeChat Pay's
platform certificate and 微信支付公钥, Stripe's webhook secret) and the *merchant's* public keys
(to check the shop's signed requests, as the real providers do). The local shop's side of each
pair - the merchant credentials - is written beside them for the shop to import.
"""
from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

KEYS_FILE = "keys.json"
MERCHANT_FILE = "merchant-credentials.json"


def _rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _platform_certificate(mchid: str) -> tuple[str, str, str]:
    """A self-signed stand-in for a WeChat Pay platform certificate: (serial hex, cert PEM, key PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    serial = x509.random_serial_number()
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tenpay.com (ShopDesk sandbox)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"Tenpay.com Root CA sandbox {mchid}")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=5 * 365))
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return f"{serial:X}", cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem


def _digits(n: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def generate() -> dict[str, Any]:
    alipay_private, alipay_public = _rsa_pair()
    app_private, app_public = _rsa_pair()
    mchid = "1" + _digits(9)
    cert_serial, cert_pem, cert_key = _platform_certificate(mchid)
    pubkey_private, pubkey_public = _rsa_pair()
    merchant_private, merchant_public = _rsa_pair()
    return {
        "alipay": {"app_id": "2021" + _digits(12), "seller_id": "2088" + _digits(12),
                   "alipay_private_key_pem": alipay_private, "alipay_public_key_pem": alipay_public,
                   "app_private_key_pem": app_private, "app_public_key_pem": app_public},
        "wechat_pay": {"mchid": mchid, "appid": "wx" + secrets.token_hex(8),
                       "platform_serial": cert_serial, "platform_cert_pem": cert_pem, "platform_key_pem": cert_key,
                       "public_key_id": "PUB_KEY_ID_01" + _digits(10) + _digits(10),
                       "public_key_pem": pubkey_public, "public_key_private_pem": pubkey_private,
                       "apiv3_key": secrets.token_urlsafe(24)[:32],
                       "merchant_serial_no": secrets.token_hex(20).upper(),
                       "merchant_private_key_pem": merchant_private, "merchant_public_key_pem": merchant_public},
        "stripe": {"account_id": "acct_" + secrets.token_hex(8), "secret_key": "sk_test_" + secrets.token_urlsafe(32),
                   "publishable_key": "pk_test_" + secrets.token_urlsafe(32),
                   "webhook_secret": "whsec_" + secrets.token_urlsafe(32)},
    }


def load_or_create(folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEYS_FILE
    if path.exists():
        return dict(json.loads(path.read_text()))
    keys = generate()
    _write_private(path, keys)
    return keys


def merchant_credentials(keys: dict[str, Any], base_url: str) -> dict[str, dict[str, Any]]:
    """The local shop's credentials for each provider: its own private keys, the sandbox's public
    keys and secrets, and the sandbox's URLs instead of the providers' (the only local difference)."""
    a, w, s = keys["alipay"], keys["wechat_pay"], keys["stripe"]
    return {
        "alipay": {"provider": "alipay", "app_id": a["app_id"], "seller_id": a["seller_id"],
                   "app_private_key_pem": a["app_private_key_pem"], "alipay_public_key_pem": a["alipay_public_key_pem"],
                   "gateway_url": f"{base_url}/alipay/gateway.do"},
        "wechat_pay": {"provider": "wechat_pay", "mchid": w["mchid"], "appid": w["appid"],
                       "merchant_serial_no": w["merchant_serial_no"], "merchant_private_key_pem": w["merchant_private_key_pem"],
                       "apiv3_key": w["apiv3_key"],
                       "platform_keys": {w["platform_serial"]: w["platform_cert_pem"], w["public_key_id"]: w["public_key_pem"]},
                       "api_base": f"{base_url}/wechatpay"},
        "stripe": {"provider": "stripe", "account_id": s["account_id"], "secret_key": s["secret_key"],
                   "webhook_secret": s["webhook_secret"], "api_base": f"{base_url}/stripe"},
    }


def write_merchant_credentials(folder: Path, keys: dict[str, Any], base_url: str) -> Path:
    path = folder / MERCHANT_FILE
    _write_private(path, merchant_credentials(keys, base_url))
    return path


def _write_private(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=1)
    tmp.replace(path)
