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
    """A ``Meta`` bound to an env variable, for models made at run time (outbox items).
    Declared models write ``class Meta(metaclass=TableMeta): table_env = "SETTINGS_TABLE"``."""
    return TableMeta("Meta", (), {"table_env": env_name})


class ShopItem(Model):
    """Base of items in a capability's single table: ``pk``/``sk`` strings, shop first in ``pk``.

    Personal fields (``shared.crypto.PersonalAttribute``) are sealed with the key of
    ``data_scope()``: the shop of ``pk`` (``SHOP#<shop>...``) unless a model says otherwise.
    """

    class Meta:
        abstract = True

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    def data_scope(self) -> str:
        """Whose key seals this item's personal fields: its shop."""
        from shared.keys import shop_of

        return shop_of(str(self.pk))

    def set_personal(self, **values: str) -> list[Any]:
        """Update actions setting personal fields to ``values`` (sealed by each attribute with this
        item's scope, which an update action alone cannot know); the instance shows them too."""
        attributes: dict[str, Any] = self.get_attributes()  # PersonalAttribute (shared.crypto) has set_for
        return [attributes[name].set_for(self, value) for name, value in values.items()]

    def _container_serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # Personal attributes answer their sealed form while the item is being serialized.
        self.__dict__["_pd_sealing"] = True
        try:
            return super()._container_serialize(null_check=null_check)
        finally:
            self.__dict__["_pd_sealing"] = False


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


ItemKey = tuple[type[Model], str, str]


def batch_get(keys: list[ItemKey]) -> list[Model | None]:
    """Several items, of one or several tables, in one BatchGetItem round trip (strongly
    consistent). Answers in the order of ``keys``; None where an item does not exist.

    The API uses it to read the caller's membership and a route's main item together, so
    "check access, then read" costs one round trip instead of two.
    """
    from shared.aws import client

    wanted: dict[str, dict[str, Any]] = {}
    for model, hash_key, range_key in keys:
        table = model.Meta.table_name
        entry = wanted.setdefault(table, {"Keys": [], "ConsistentRead": True})
        entry["Keys"].append({model._hash_keyname: {"S": hash_key}, model._range_keyname: {"S": range_key}})
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    request = wanted
    while request:
        answer = client("dynamodb").batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            for item in items:
                found[(table, item["pk"]["S"], item["sk"]["S"])] = item
        request = answer.get("UnprocessedKeys") or {}
    results: list[Model | None] = []
    for model, hash_key, range_key in keys:
        raw = found.get((model.Meta.table_name, hash_key, range_key))
        results.append(model.from_raw_data(raw) if raw is not None else None)
    return results
