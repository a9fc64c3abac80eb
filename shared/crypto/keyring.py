"""Data keys of each scope (a shop, or ``GLOBAL``), wrapped by the template's KMS key (envelope
encryption), stored once in the identity table, and cached per container for a bounded time.

| item           | pk                               | sk              | what                              |
|----------------|----------------------------------|-----------------|-----------------------------------|
| data key       | SHOP#<shop> (GLOBAL: PLATFORM)   | DATAKEY#<00001> | AES-256 key, KMS-wrapped, by version |
| index key      | SHOP#<shop> (GLOBAL: PLATFORM)   | INDEXKEY        | HMAC key of the blind indexes     |

A key is made by KMS ``GenerateDataKey`` under ``DATA_KEY_ID``; only its wrapped form (the KMS
ciphertext, with an encryption context naming the scope, the purpose and the version) is stored,
so a wrapped key copied to another shop's items does not unwrap. The plaintext key lives in the
container's memory for ``SHOPDESK_DATA_KEY_CACHE_SECONDS`` (default 300) and then is unwrapped
again: KMS is called about once per shop per container per five minutes, not per value.

Rotation (``rotate``): a new version is added; new values are sealed with it, old values keep
naming the version that sealed them and still open. Other containers pick the new version up
when their cached "current version" expires. ``rewrap`` re-encrypts the stored wrapped keys
under the KMS key's newest backing key (after KMS's own yearly rotation) without touching any
value. The index key is never rotated with the data keys: blind indexes would all change
(changing it means rebuilding the indexes; see docs/personal-data.md).

A shop's keys are made with the shop (``shared.identity.access.create_shop``) and, for data
from before encryption, by ``python -m infra.migrate``; ``ensure`` makes them on first use
otherwise (a conditional put, so two containers racing make one).
"""
from __future__ import annotations

import base64
import os
import threading
import time
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError

from shared import clock
from shared.db import ShopItem, TableMeta
from shared.keys import shop_pk

GLOBAL = "@global"  # the scope of data that belongs to no shop: staff logins and profiles
DATA_PREFIX = "DATAKEY#"
INDEX_SK = "INDEXKEY"
_lock = threading.Lock()
_keys: dict[tuple[str, int], tuple[float, bytes]] = {}
_index_keys: dict[str, tuple[float, bytes]] = {}
_current: dict[str, tuple[float, int]] = {}
MAX_CACHED = 2000


class MissingKey(RuntimeError):
    """A sealed value names a key version this scope does not have."""


class KeyItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = "IDENTITY_TABLE"

    wrapped = UnicodeAttribute()  # base64 KMS ciphertext of the key
    purpose = UnicodeAttribute()  # personal-data-key | blind-index-key
    created_at = UnicodeAttribute()
    rewrapped_at = UnicodeAttribute(null=True)


def _pk(scope: str) -> str:
    return "PLATFORM" if scope == GLOBAL else shop_pk(scope)


def _sk(version: int) -> str:
    return f"{DATA_PREFIX}{version:05d}"


def _context(scope: str, purpose: str, version: int | None) -> dict[str, str]:
    context = {"shopdesk:purpose": purpose, "shopdesk:scope": scope}
    if version is not None:
        context["shopdesk:version"] = str(version)
    return context


def _ttl() -> float:
    return float(os.environ.get("SHOPDESK_DATA_KEY_CACHE_SECONDS", "300"))


def _kms() -> Any:
    from shared.aws import client

    return client("kms")


def _generate(scope: str, purpose: str, version: int | None) -> tuple[bytes, str]:
    answer = _kms().generate_data_key(KeyId=os.environ["DATA_KEY_ID"], KeySpec="AES_256",
                                      EncryptionContext=_context(scope, purpose, version))
    return bytes(answer["Plaintext"]), base64.b64encode(answer["CiphertextBlob"]).decode()


def _unwrap(item: KeyItem, scope: str, version: int | None) -> bytes:
    answer = _kms().decrypt(CiphertextBlob=base64.b64decode(item.wrapped),
                            EncryptionContext=_context(scope, item.purpose, version))
    return bytes(answer["Plaintext"])


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    with _lock:
        if len(cache) >= MAX_CACHED:  # drop the entries closest to expiry
            for stale in sorted(cache, key=lambda k: cache[k][0])[: MAX_CACHED // 10]:
                cache.pop(stale, None)
        cache[key] = (time.monotonic() + _ttl(), value)


def _cached(cache: dict[Any, Any], key: Any) -> Any:
    found = cache.get(key)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    return None


def _latest_version(scope: str) -> int:
    for item in KeyItem.query(_pk(scope), KeyItem.sk.startswith(DATA_PREFIX), scan_index_forward=False, limit=1,
                              consistent_read=True):
        return int(item.sk.removeprefix(DATA_PREFIX))
    return 0


def _put_new(scope: str, version: int) -> bool:
    """Store a new data key version (and the index key with version 1). False if another
    container stored this version first."""
    key, wrapped = _generate(scope, "personal-data-key", version)
    now = clock.iso()
    try:
        KeyItem(_pk(scope), _sk(version), wrapped=wrapped, purpose="personal-data-key",
                created_at=now).save(condition=KeyItem.sk.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    _remember(_keys, (scope, version), key)
    if version == 1:
        _, wrapped_index = _generate(scope, "blind-index-key", None)
        try:
            KeyItem(_pk(scope), INDEX_SK, wrapped=wrapped_index, purpose="blind-index-key",
                    created_at=now).save(condition=KeyItem.sk.does_not_exist())
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
    return True


def ensure(scope: str) -> int:
    """The scope's current key version, making version 1 (and the index key) if it has none."""
    version = _latest_version(scope)
    if version == 0:
        _put_new(scope, 1)
        version = _latest_version(scope)
    _remember(_current, scope, version)
    return version


def current(scope: str) -> tuple[int, bytes]:
    """(version, key) that new values of the scope are sealed with."""
    version = _cached(_current, scope)
    if version is None:
        version = ensure(scope)
    return version, key(scope, version)


def key(scope: str, version: int) -> bytes:
    found = _cached(_keys, (scope, version))
    if found is not None:
        return bytes(found)
    try:
        item = KeyItem.get(_pk(scope), _sk(version), consistent_read=True)
    except KeyItem.DoesNotExist as exc:
        raise MissingKey(f"no data key version {version} for this scope") from exc
    plain = _unwrap(item, scope, version)
    _remember(_keys, (scope, version), plain)
    return plain


def index_key(scope: str) -> bytes:
    found = _cached(_index_keys, scope)
    if found is not None:
        return bytes(found)
    try:
        item = KeyItem.get(_pk(scope), INDEX_SK, consistent_read=True)
    except KeyItem.DoesNotExist:
        ensure(scope)
        item = KeyItem.get(_pk(scope), INDEX_SK, consistent_read=True)
    plain = _unwrap(item, scope, None)
    _remember(_index_keys, scope, plain)
    return plain


def rotate(scope: str) -> int:
    """Add a new data key version for the scope; returns it. New values use it from now on (in
    this container at once, in others within the cache time); old values still open."""
    while True:
        version = _latest_version(scope) + 1
        if _put_new(scope, version):
            _remember(_current, scope, version)
            return version


def rewrap(scope: str) -> int:
    """Re-encrypt the scope's stored wrapped keys under the KMS key's current backing key
    (``ReEncrypt``: the plaintext keys never leave KMS). Returns how many were re-wrapped."""
    kms, done = _kms(), 0
    for item in KeyItem.query(_pk(scope), KeyItem.sk.between(DATA_PREFIX, INDEX_SK), consistent_read=True):
        version = None if item.sk == INDEX_SK else int(item.sk.removeprefix(DATA_PREFIX))
        context = _context(scope, item.purpose, version)
        answer = kms.re_encrypt(CiphertextBlob=base64.b64decode(item.wrapped), SourceEncryptionContext=context,
                                DestinationKeyId=os.environ["DATA_KEY_ID"], DestinationEncryptionContext=context)
        item.update(actions=[KeyItem.wrapped.set(base64.b64encode(answer["CiphertextBlob"]).decode()),
                             KeyItem.rewrapped_at.set(clock.iso())])
        done += 1
    return done


def versions(scope: str) -> list[int]:
    return sorted(int(i.sk.removeprefix(DATA_PREFIX))
                  for i in KeyItem.query(_pk(scope), KeyItem.sk.startswith(DATA_PREFIX), consistent_read=True))


def forget() -> None:
    """Drop every cached key (tests; a container never needs it)."""
    with _lock:
        _keys.clear()
        _index_keys.clear()
        _current.clear()
