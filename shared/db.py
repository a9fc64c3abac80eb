"""DynamoDB access through pynamodb, with table names resolved from the environment on first use.

pynamodb wants ``Meta.table_name`` on the class; reading the environment at import time would
tie the module to one stack and cost cold start. ``TableMeta`` is a metaclass whose
``table_name`` property reads the variable each time, so one import serves any stack and
pynamodb reconnects if the name changes. Endpoints come from botocore's own
``AWS_ENDPOINT_URL_DYNAMODB`` (local cloud) or the default (AWS).
"""
from __future__ import annotations

import os
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model


class TableMeta(type):
    """Metaclass for a model's ``Meta``: ``table_env`` names the variable holding the table name."""

    table_env: str

    @property
    def table_name(cls) -> str:
        return os.environ.get(cls.table_env, f"missing-{cls.table_env}")


def table_meta(env_name: str) -> type:
    """``class Meta(table_meta("SETTINGS_TABLE")): pass`` — a Meta bound to an env variable."""
    return TableMeta("Meta", (), {"table_env": env_name})


class ShopItem(Model):
    """Base of items in a capability's single table: ``pk``/``sk`` strings, shop first in ``pk``."""

    class Meta:
        abstract = True

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


_connection: Connection | None = None


def connection() -> Connection:
    """One low-level connection per container, for transactions across models."""
    global _connection
    if _connection is None:
        _connection = Connection(host=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None)
    return _connection


def version_condition(attribute: NumberAttribute, expected: int) -> Any:
    """Optimistic lock: the stored version equals ``expected`` (0 = the item does not exist yet)."""
    return attribute.does_not_exist() if expected == 0 else attribute == expected
