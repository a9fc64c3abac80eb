"""The partition keys every table shares. One deployment serves several shops: every item of a
shop's data lives under a key that starts with its shop, so that no Query or GetItem built for
one shop reaches another's items; a person's own records (their profile, their memberships of
shops) live under ``USER#<sub>``.

These keys are built here and nowhere else (a contract test looks for ``"SHOP#"`` and ``"USER#"``
spelled anywhere else in ``shared/``). A table module names its partitions with them and keeps
its sort keys to itself:

    def product_pk(shop_id: str, product_id: str) -> str:
        return shop_key(shop_id, "PRD", product_id)          # SHOP#<shop>#PRD#<product>

Shop and user ids never contain ``#`` (ULIDs with a prefix; Cognito subs), so ``shop_of`` /
``user_of`` read them back from any such key.
"""
from __future__ import annotations

SEPARATOR = "#"
SHOP = "SHOP"
USER = "USER"


def shop_pk(shop_id: str) -> str:
    """The shop's own partition: ``SHOP#<shop>`` (its settings, roles, suppliers, the outbox...)."""
    return f"{SHOP}{SEPARATOR}{shop_id}"


def shop_key(shop_id: str, *parts: str | int) -> str:
    """A partition inside the shop's data: ``SHOP#<shop>#<part>#<part>...``."""
    return SEPARATOR.join((shop_pk(shop_id), *(str(p) for p in parts)))


def shop_of(key: str) -> str:
    """The shop of a key made by ``shop_pk`` / ``shop_key``: ``SHOP#s#PRD#p`` -> ``s``."""
    kind, _, rest = key.partition(SEPARATOR)
    if kind != SHOP or not rest:
        raise ValueError(f"not a shop key: {key!r}")
    return rest.partition(SEPARATOR)[0]


def user_pk(user_id: str) -> str:
    """A person's own partition, across shops: ``USER#<sub>``."""
    return f"{USER}{SEPARATOR}{user_id}"


def user_of(key: str) -> str:
    """The user of a key made by ``user_pk``."""
    kind, _, rest = key.partition(SEPARATOR)
    if kind != USER or not rest:
        raise ValueError(f"not a user key: {key!r}")
    return rest
