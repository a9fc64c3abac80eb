"""One-off data migrations, each run once per data set: ``make run`` runs the pending ones at
start (``infra.system``), before serving; against AWS run ``python -m infra.migrate`` with the
functions' environment (table names, ``DATA_KEY_ID``).

    python -m infra.migrate            # run what is pending; prints what each migration changed
    python -m infra.migrate --force    # run again even if marked done (changes nothing the 2nd time)

A migration that finished is marked by an item in the identity table (``PLATFORM``,
``MIGRATION#<name>``). Each is idempotent anyway: a second run finds nothing left to change.

``personal-data-v1`` (issue 9): data written before field encryption holds personal data in
clear. It makes the data keys of every shop (and the global key of logins), then seals in place,
with a condition that the value is still the plaintext it read (a concurrent write wins): every
``PersonalAttribute`` of every model, the personal values of the settings sections and of the
audit log's before/after, the outbox items' event details; it replaces logins in the ``LOGIN#``
index by their blind index and e-mail/SMS addresses on notification markers by theirs, and drops
idempotency records stored in clear (24 hours of replays: a repeated create runs again) and
rate-limit counters keyed by a client address or an unkeyed hash of a login (their windows
start again; the longest is a day).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from shared.keys import shop_of

MARKER_PK = "PLATFORM"


def _ddb() -> Any:
    from shared.aws import client

    return client("dynamodb")


def _scan(table: str) -> Iterator[dict[str, Any]]:
    for page in _ddb().get_paginator("scan").paginate(TableName=table, PaginationConfig={"PageSize": 200}):
        yield from page.get("Items", [])


def _key(raw: dict[str, Any], names: tuple[str, ...] = ("pk", "sk")) -> dict[str, Any]:
    return {k: raw[k] for k in names if k in raw}


def _set_if_unchanged(table: str, raw: dict[str, Any], new: dict[str, dict[str, Any]],
                      key_names: tuple[str, ...] = ("pk", "sk")) -> bool:
    """SET attributes to ``new`` values if each still holds what ``raw`` read. False if changed meanwhile."""
    if not new:
        return False
    names = {f"#a{i}": name for i, name in enumerate(new)}
    values: dict[str, Any] = {}
    sets, conditions = [], []
    for i, (name, value) in enumerate(new.items()):
        values[f":n{i}"] = value
        sets.append(f"#a{i} = :n{i}")
        if name in raw:
            values[f":o{i}"] = raw[name]
            conditions.append(f"#a{i} = :o{i}")
        else:
            conditions.append(f"attribute_not_exists(#a{i})")
    ddb = _ddb()
    try:
        ddb.update_item(TableName=table, Key=_key(raw, key_names), UpdateExpression="SET " + ", ".join(sets),
                        ConditionExpression=" AND ".join(conditions), ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values)
        return True
    except ddb.exceptions.ConditionalCheckFailedException:
        return False


# -- personal-data-v1 ---------------------------------------------------------------------------------
def _personal_attributes(model: type[Any]) -> dict[str, Any]:
    from shared.crypto import PersonalAttribute

    return {name: attr for name, attr in model.get_attributes().items() if isinstance(attr, PersonalAttribute)}


def _seal_record(table: str, raw: dict[str, Any], model: type[Any], counts: Counter[str]) -> None:
    """Seal the plaintext personal attributes of one item of ``model``."""
    from shared import crypto

    record = model.from_raw_data(raw)
    model = type(record)
    new: dict[str, dict[str, Any]] = {}
    for attr in _personal_attributes(model).values():
        value = raw.get(attr.attr_name, {}).get("S")
        if value and not crypto.is_sealed(value):
            new[attr.attr_name] = {"S": crypto.seal(record.data_scope(), str(attr.field), value)}
    if _set_if_unchanged(table, raw, new):
        counts[model.__name__] += 1


def _seal_user(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    from shared.identity.tables import UserRecord, login_key

    gsi1pk = raw.get("gsi1pk", {}).get("S", "")
    login = gsi1pk.removeprefix("LOGIN#")
    plain = gsi1pk.startswith("LOGIN#") and ("@" in login or login.startswith("+"))
    if plain and _set_if_unchanged(table, raw, {"gsi1pk": {"S": login_key(login)}}):
        counts["login index"] += 1
        raw = {**raw, "gsi1pk": {"S": login_key(login)}}
    _seal_record(table, raw, UserRecord, counts)


def _event_classes() -> dict[str, Any]:
    from shared.events.registry import EVENTS

    return {e.detail_type(): e for e in EVENTS}


def _seal_detail(shop_id: str, detail_type: str, detail: str) -> str:
    """An outbox item's event detail as ``shared.events.outbox.sealed_detail`` writes it now."""
    from shared import crypto

    data = json.loads(detail)
    actor = data.get("actor") or {}
    for key, field in (("email", "actor_email"), ("source_ip", "source_ip")):
        if actor.get(key):
            actor[key] = crypto.seal(shop_id, field, actor[key])
    event = _event_classes().get(detail_type)
    personal = getattr(event, "personal", frozenset()) if event else frozenset()
    if personal:
        envelope = {"event_id", "shop_id", "occurred_at", "version", "actor"}
        data.update(crypto.seal_tree(shop_id, {k: v for k, v in data.items() if k not in envelope}, personal))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _seal_outbox(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    from shared.events.outbox import BUNDLE

    shop_id = shop_of(raw["pk"]["S"])
    detail_type, detail = raw.get("detail_type", {}).get("S", ""), raw.get("detail", {}).get("S", "")
    if detail_type == BUNDLE:
        entries = json.loads(detail)
        for entry in entries:
            entry["detail"] = _seal_detail(shop_id, entry["detail_type"], entry["detail"])
        sealed = json.dumps(entries, ensure_ascii=False)
    else:
        sealed = _seal_detail(shop_id, detail_type, detail)
    if _plain_changed(detail, sealed) and _set_if_unchanged(table, raw, {"detail": {"S": sealed}}):
        counts["outbox event"] += 1


def _plain_changed(before: str, after: str) -> bool:
    """Sealing changed something (not just re-serialised the same JSON)."""
    return json.loads(before) != json.loads(after)


def _audit_keys() -> dict[str, frozenset[str]]:
    """Personal keys of the audit diffs by resource: what the events of that resource declare."""
    from shared.privacy import PERSONAL_KEYS

    found: dict[str, set[str]] = {}
    for event in _event_classes().values():
        field = event.model_fields.get("resource")
        resource = field.default if field is not None and isinstance(field.default, str) else None
        if resource and event.personal:
            found.setdefault(resource, set()).update(event.personal)
    return {k: frozenset(v) | PERSONAL_KEYS for k, v in found.items()}


def _seal_audit(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    from shared import crypto
    from shared.identity.audit import AuditRecord
    from shared.privacy import PERSONAL_KEYS

    _seal_record(table, raw, AuditRecord, counts)
    shop_id = shop_of(raw["pk"]["S"])
    keys = _audit_keys().get(raw.get("resource", {}).get("S", ""), PERSONAL_KEYS)
    new = {}
    for name in ("before", "after"):
        text = raw.get(name, {}).get("S")
        if text:
            sealed = json.dumps(crypto.seal_tree(shop_id, json.loads(text), keys))
            if _plain_changed(text, sealed):
                new[name] = {"S": sealed}
    if _set_if_unchanged(table, raw, new):
        counts["audit diff"] += 1


def _seal_settings(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    from shared import crypto
    from shared.settings.service import PERSONAL

    shop_id = shop_of(raw["pk"]["S"])
    new = {}
    for name, value in raw.items():
        text = value.get("S")
        if name in ("pk", "sk") or not text or not text.startswith("{"):
            continue
        sealed = json.dumps(crypto.seal_tree(shop_id, json.loads(text), PERSONAL))
        if _plain_changed(text, sealed):
            new[name] = {"S": sealed}
    if _set_if_unchanged(table, raw, new):
        counts["settings section"] += len(new)


def _seal_delivery(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    from shared import crypto

    sent = raw.get("sent", {}).get("SS") or []
    if not any("@" in a or a.startswith("+") for a in sent):
        return
    shop_id = shop_of(raw["pk"]["S"])
    indexes = sorted({crypto.blind_index(shop_id, "notified", a) if ("@" in a or a.startswith("+")) else a
                      for a in sent})
    if _set_if_unchanged(table, raw, {"sent": {"SS": indexes}}):
        counts["notification marker"] += 1


def _drop_plain_idempotency(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    data = raw.get("data", {}).get("S")
    if not data or '"sealed"' in data:
        return
    ddb = _ddb()
    try:
        ddb.delete_item(TableName=table, Key=_key(raw, ("id",)), ConditionExpression="#d = :d",
                        ExpressionAttributeNames={"#d": "data"}, ExpressionAttributeValues={":d": raw["data"]})
        counts["idempotency record dropped"] += 1
    except ddb.exceptions.ConditionalCheckFailedException:
        pass


def _drop_plain_counter(table: str, raw: dict[str, Any], counts: Counter[str]) -> None:
    import re

    key = raw["pk"]["S"].partition("#")[2]
    if re.fullmatch(r"[A-Za-z0-9_-]{22}", key):  # a blind index (shared.ratelimit)
        return
    _ddb().delete_item(TableName=table, Key=_key(raw))
    counts["rate-limit counter dropped"] += 1


def seal_personal_data() -> dict[str, int]:
    # Every model with personal attributes must be imported for its discriminator to resolve.
    import shared.catalog.jobs
    import shared.inventory.stocktake  # noqa: F401
    from shared.catalog.tables import CatalogItem
    from shared.crypto import GLOBAL, keyring
    from shared.identity.tables import MembershipRecord
    from shared.inventory.tables import InventoryItem
    from shared.notifications.tables import NoteRecord
    from shared.purchasing.tables import PurchasingItem

    env = os.environ
    counts: Counter[str] = Counter()
    for scope in [GLOBAL] + [shop_of(raw["pk"]["S"]) for raw in _scan(env["IDENTITY_TABLE"])
                             if raw.get("sk", {}).get("S") == "SHOP"]:
        if not keyring.versions(scope):
            keyring.ensure(scope)
            counts["data keys made"] += 1
    bases = {"CATALOG_TABLE": CatalogItem, "INVENTORY_TABLE": InventoryItem, "PURCHASING_TABLE": PurchasingItem}
    for table_env in ("IDENTITY_TABLE", "SETTINGS_TABLE", "AUDIT_TABLE", "CATALOG_TABLE", "INVENTORY_TABLE",
                      "PURCHASING_TABLE", "NOTIFICATION_TABLE"):
        table = env[table_env]
        for raw in _scan(table):
            sk = raw.get("sk", {}).get("S", "")
            if sk.startswith("OUTBOX#"):
                _seal_outbox(table, raw, counts)
            elif table_env == "IDENTITY_TABLE" and sk == "PROFILE":
                _seal_user(table, raw, counts)
            elif table_env == "IDENTITY_TABLE" and sk.startswith("MEMBER#"):
                _seal_record(table, raw, MembershipRecord, counts)
            elif table_env == "SETTINGS_TABLE" and sk == "SETTINGS":
                _seal_settings(table, raw, counts)
            elif table_env == "AUDIT_TABLE":
                _seal_audit(table, raw, counts)
            elif table_env == "NOTIFICATION_TABLE" and sk.startswith("NOTE#"):
                _seal_record(table, raw, NoteRecord, counts)
            elif table_env == "NOTIFICATION_TABLE" and sk.startswith("DELIVERY#"):
                _seal_delivery(table, raw, counts)
            elif table_env in bases and "kind" in raw:
                _seal_record(table, raw, bases[table_env], counts)
    for raw in _scan(env["IDEMPOTENCY_TABLE"]):
        _drop_plain_idempotency(env["IDEMPOTENCY_TABLE"], raw, counts)
    if env.get("RATE_LIMIT_TABLE"):
        for raw in _scan(env["RATE_LIMIT_TABLE"]):
            _drop_plain_counter(env["RATE_LIMIT_TABLE"], raw, counts)
    return dict(counts)


MIGRATIONS: list[tuple[str, Callable[[], dict[str, int]]]] = [("personal-data-v1", seal_personal_data)]


def run(force: bool = False, say: Callable[[str], None] = print) -> dict[str, dict[str, int]]:
    """Run the pending migrations (all with ``force``); what each changed."""
    from shared import clock

    ddb, table, done = _ddb(), os.environ["IDENTITY_TABLE"], {}
    for name, migrate in MIGRATIONS:
        key = {"pk": {"S": MARKER_PK}, "sk": {"S": f"MIGRATION#{name}"}}
        if not force and "Item" in ddb.get_item(TableName=table, Key=key, ConsistentRead=True):
            continue
        counts = migrate()
        ddb.put_item(TableName=table, Item={**key, "done_at": {"S": clock.iso()},
                                            "changed": {"S": json.dumps(counts, ensure_ascii=False)}})
        done[name] = counts
        say(f"migration {name}: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to change"))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="run every migration again, even if marked done")
    args = parser.parse_args(argv)
    run(force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
