"""seal / unseal / blind_index and the JSON helpers: the functions of ``shared.crypto``
(imported from there; this module exists so that the attribute can use them without a cycle)."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from shared.crypto import keyring
from shared.crypto.cipher import index_with, is_sealed, open_with, seal_with, version_of


def seal(scope: str, field: str, value: str) -> str:
    """``value`` sealed for ``field`` of ``scope`` (a shop id or ``GLOBAL``). An empty value
    stays empty (nothing to hide, no key needed); a sealed value is returned as it is."""
    if not value or is_sealed(value):
        return value
    version, key = keyring.current(scope)
    return seal_with(key, version, scope, field, value)


def unseal(scope: str, field: str, token: str) -> str:
    """The plaintext of a sealed value; ``CannotOpen`` if it is not one of this scope and field."""
    if not token:
        return token
    return open_with(keyring.key(scope, version_of(token)), scope, field, token)


def reveal(scope: str, field: str, value: str | None) -> str | None:
    """``unseal`` for values that may also be stored plainly: ids, or data written before
    encryption (``actor_email or actor_id`` columns). Not for new personal fields."""
    return unseal(scope, field, value) if value is not None and is_sealed(value) else value


def blind_index(scope: str, kind: str, value: str) -> str:
    """The keyed index of a normalised value (``kind``: login, mobile, email ...) for exact
    look-ups. Staff logins use ``GLOBAL`` (sign-in comes before any shop is chosen); a shop's
    own look-ups (its customers' mobiles) use the shop, so the same number in two shops gives
    two unrelated indexes."""
    return index_with(keyring.index_key(scope), kind, value)


def seal_tree(scope: str, data: Any, fields: Collection[str]) -> Any:
    """A copy of a JSON document with every string under a key in ``fields`` sealed (also the
    strings of lists and objects under such a key); the field of each value is its key."""
    if isinstance(data, dict):
        return {k: (_seal_all(scope, k, v) if k in fields else seal_tree(scope, v, fields)) for k, v in data.items()}
    if isinstance(data, list):
        return [seal_tree(scope, v, fields) for v in data]
    return data


def _seal_all(scope: str, field: str, value: Any) -> Any:
    if isinstance(value, str):
        return seal(scope, field, value)
    if isinstance(value, list):
        return [_seal_all(scope, field, v) for v in value]
    if isinstance(value, dict):
        return {k: _seal_all(scope, k, v) for k, v in value.items()}
    return value


def unseal_tree(scope: str, data: Any, _field: str = "") -> Any:
    """A copy of a JSON document with every sealed value opened (the field being its key)."""
    if isinstance(data, dict):
        return {k: unseal_tree(scope, v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [unseal_tree(scope, v, _field) for v in data]
    if _field and is_sealed(data):
        return unseal(scope, _field, data)
    return data
