"""The keys of personal data (issue 9, point 5): a shop's data key rotated, KMS's own key rotated
and the wrapped keys re-wrapped: old values still read, new values use the new key version. And
data written before encryption existed (the old format) is sealed in place by the migration that
``make run`` runs once, keeps reading the same through the API, and a second run changes nothing."""
from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from typing import Any

import boto3

from tests.integration.conftest import PASSWORD, Api, new_shop, sign_in


def raw_item(table_env: str, pk: str, sk: str) -> dict[str, Any]:
    answer = boto3.client("dynamodb").get_item(TableName=os.environ[table_env], Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                               ConsistentRead=True)
    return dict(answer["Item"])


def owner_context(shop_id: str, user_id: str, email: str) -> Any:
    from shared.auth.context import AuthContext
    from shared.auth.permissions import ALL

    return AuthContext(user_id=user_id, email=email, shop_id=shop_id, roles=frozenset({"owner"}), permissions=ALL)


# -- rotation -------------------------------------------------------------------------------------------
def test_after_rotating_a_shops_key_new_values_use_the_new_version_and_old_ones_still_read(
        system: Any, make_staff: Callable[..., Api]):
    from shared import crypto
    from shared.crypto import keyring
    from shared.purchasing import suppliers
    from shared.purchasing.models import SupplierCreate
    from shared.settings import service
    from shared.settings.models import ShopProfile

    shop = new_shop()
    owner = make_staff(shop, "owner")
    me = owner.get("/me").json()["user"]
    ctx = owner_context(shop, me["id"], me["email"])
    # Old data, sealed with version 1: the profile's contacts, a supplier's contact, the owner's membership.
    profile = service.get_settings(shop).profile
    old_profile = ShopProfile(**{**profile.model_dump(exclude={"version", "logo_url"}), "contact_name": "林秀英",
                                 "contact_phone": "13900001111", "contact_email": "lin@old.example",
                                 "address": "上海市徐汇区漕溪北路 88 号"})
    service.update_section(shop, "profile", old_profile, profile.version, ctx.actor)
    old_supplier = suppliers.create(ctx, SupplierCreate(name="老供应商", contact="黄建军", phone="13900002222",
                                                        email="huang@old.example"))
    stored = json.loads(raw_item("SETTINGS_TABLE", f"SHOP#{shop}", "SETTINGS")["profile"]["S"])
    assert stored["contact_phone"].startswith("pd1:1:") and stored["address"].startswith("pd1:1:")
    assert keyring.versions(shop) == [1]

    assert keyring.rotate(shop) == 2
    assert keyring.versions(shop) == [1, 2]

    # Old values read back through the API, unchanged.
    view = owner.get("/settings").json()["profile"]
    assert (view["contact_name"], view["contact_phone"], view["contact_email"], view["address"]) == \
        ("林秀英", "13900001111", "lin@old.example", "上海市徐汇区漕溪北路 88 号")
    got = owner.get(f"/suppliers/{old_supplier.id}").json()
    assert (got["contact"], got["phone"], got["email"]) == ("黄建军", "13900002222", "huang@old.example")
    assert [m["login"] for m in owner.get("/staff").json()["items"]] == [me["email"]]
    supplier_raw = raw_item("PURCHASING_TABLE", f"SHOP#{shop}", f"SUP#{old_supplier.id}")
    assert supplier_raw["phone"]["S"].startswith("pd1:1:")

    # New values (written through the API after the rotation) use version 2.
    body = {k: v for k, v in view.items() if k != "logo_url"}
    answer = owner.put("/settings/profile", json={**body, "contact_email": "lin@new.example"})
    assert answer.status_code == 200, answer.text
    stored = json.loads(raw_item("SETTINGS_TABLE", f"SHOP#{shop}", "SETTINGS")["profile"]["S"])
    assert {stored[k][:6] for k in ("contact_name", "contact_phone", "contact_email", "address")} == {"pd1:2:"}
    new_supplier = owner.post("/suppliers", json={"name": "新供应商", "contact": "郑丽", "phone": "13900003333"}).json()
    assert raw_item("PURCHASING_TABLE", f"SHOP#{shop}", f"SUP#{new_supplier['id']}")["phone"]["S"].startswith("pd1:2:")
    assert owner.get(f"/suppliers/{new_supplier['id']}").json()["phone"] == "13900003333"
    assert owner.get("/settings").json()["profile"]["contact_email"] == "lin@new.example"

    # KMS rotates its own backing key; the wrapped data keys are re-wrapped under it. Nothing
    # sealed changes and everything still opens (here with a cold key cache: KMS unwraps again).
    kms = boto3.client("kms")
    kms.rotate_key_on_demand(KeyId=os.environ["DATA_KEY_ID"])
    assert kms.get_key_rotation_status(KeyId=os.environ["DATA_KEY_ID"])["KeyRotationEnabled"]
    before = raw_item("IDENTITY_TABLE", f"SHOP#{shop}", "DATAKEY#00001")["wrapped"]["S"]
    assert keyring.rewrap(shop) == 3  # versions 1 and 2, and the blind-index key
    assert raw_item("IDENTITY_TABLE", f"SHOP#{shop}", "DATAKEY#00001")["wrapped"]["S"] != before
    keyring.forget()
    assert crypto.unseal(shop, "phone", supplier_raw["phone"]["S"]) == "13900002222"
    assert owner.get(f"/suppliers/{old_supplier.id}").json()["phone"] == "13900002222"


def test_a_value_copied_to_another_shop_does_not_open_there(system: Any):
    from shared import crypto

    one, other = new_shop(), new_shop()
    token = crypto.seal(one, "phone", "13900004444")
    assert crypto.unseal(one, "phone", token) == "13900004444"
    for scope, field in ((other, "phone"), (one, "contact_phone")):
        try:
            crypto.unseal(scope, field, token)
        except crypto.CannotOpen:
            continue
        raise AssertionError(f"a value of {one}/phone opened as {scope}/{field}")


# -- migration of data in the old format ---------------------------------------------------------------
def legacy_shop() -> dict[str, Any]:
    """A shop as the code before encryption wrote it: every personal value in clear."""
    from shared.identity import signin

    shop, tag = f"shp_legacy{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:6]
    email = f"boss.{tag}@legacy.example"
    user_id = signin.create_staff_login(email, PASSWORD)
    clerk_mobile = f"+86137{uuid.uuid4().int % 10**8:08d}"
    values = {"email": email, "name": "店主 宋美玲", "phone": "13611112222", "contact": "何志强", "supplier_phone": "13655556666",
              "supplier_email": f"he.{tag}@legacy.example", "address": "四川省成都市武侯区天府大道 1000 号",
              "account": "6228480402564890018", "extra": f"alerts.{tag}@legacy.example", "clerk": clerk_mobile,
              "clerk_name": "仓管 邓超"}
    from shared import clock
    from shared.ids import new_id

    now, evt, note_id, audit_id, supplier_id = clock.iso(), new_id("evt_"), new_id(), new_id(), new_id("sup_")
    s = lambda v: {"S": v}  # noqa: E731
    identity = [
        {"pk": s(f"SHOP#{shop}"), "sk": s("SHOP"), "name": s("老店"), "status": s("active"), "created_at": s(now)},
        {"pk": s(f"USER#{user_id}"), "sk": s("PROFILE"), "email": s(email), "phone": s(values["phone"]), "login": s(email),
         "name": s(values["name"]), "status": s("active"), "created_at": s(now), "gsi1pk": s(f"LOGIN#{email}"),
         "gsi1sk": s("USER")},
        {"pk": s(f"USER#{user_id}"), "sk": s(f"MEMBER#{shop}"), "shop_name": s("老店"), "roles": {"SS": ["owner"]},
         "status": s("active"), "name": s(values["name"]), "email": s(email), "phone": s(values["phone"]),
         "login": s(email), "version": {"N": "1"}, "created_at": s(now), "gsi1pk": s(f"SHOP#{shop}"),
         "gsi1sk": s(f"MEMBER#{user_id}")},
        {"pk": s("USER#usr_clerk"), "sk": s(f"MEMBER#{shop}"), "shop_name": s("老店"), "roles": {"SS": ["warehouse"]},
         "status": s("active"), "name": s(values["clerk_name"]), "email": s(""), "phone": s(clerk_mobile),
         "login": s(clerk_mobile), "version": {"N": "1"}, "created_at": s(now), "invited_by": s(email),
         "gsi1pk": s(f"SHOP#{shop}"), "gsi1sk": s("MEMBER#usr_clerk")},
        {"pk": s(f"SHOP#{shop}"), "sk": s(f"OUTBOX#{evt}"), "source": s("shopdesk.identity"), "detail_type": s("StaffInvited"),
         "expires_at": {"N": "1893456000"}, "detail": s(json.dumps({
             "event_id": evt, "shop_id": shop, "occurred_at": now, "version": 1,
             "actor": {"id": user_id, "email": email, "source_ip": "203.0.113.9", "user_agent": "Mozilla"},
             "resource": "staff", "resource_id": "usr_clerk", "channel": "sms",
             "new": {"name": values["clerk_name"], "login": clerk_mobile, "roles": ["warehouse"], "status": "active"}},
             ensure_ascii=False))},
    ]
    profile = {"name": "老店", "logo_key": None, "contact_name": "宋美玲", "contact_phone": values["phone"],
               "contact_email": email, "address": values["address"], "time_zone": "Asia/Shanghai", "currency": "CNY"}
    methods = {"methods": [{"code": "bank_transfer", "enabled": True, "settings": {
        "account_name": "宋美玲", "bank_name": "中国农业银行成都分行", "account_number": values["account"]}}]}
    notices = {"topics": {"low_stock": {"in_app": True, "email": True, "sms": False, "extra_emails": [values["extra"]],
                                        "extra_phones": []}}}
    settings = {"pk": s(f"SHOP#{shop}"), "sk": s("SETTINGS"), "profile": s(json.dumps(profile, ensure_ascii=False)),
                "profile_version": {"N": "2"}, "payment_methods": s(json.dumps(methods, ensure_ascii=False)),
                "payment_methods_version": {"N": "1"}, "notifications": s(json.dumps(notices)),
                "notifications_version": {"N": "1"}}
    audit = {"pk": s(f"SHOP#{shop}"), "sk": s(f"AUDIT#{audit_id}"), "occurred_at": s(now),
             "action": s("settings.profile.modified"), "resource": s("settings"), "resource_id": s("profile"),
             "actor_id": s(user_id), "actor_email": s(email), "source_ip": s("203.0.113.9"), "user_agent": s("Mozilla"),
             "changed": {"L": [s("contact_phone")]}, "before": s(json.dumps({"contact_phone": "13600000000"})),
             "after": s(json.dumps({"contact_phone": values["phone"]})), "gsi1pk": s(f"SHOP#{shop}#RES#settings"),
             "gsi2pk": s(f"SHOP#{shop}#USER#{user_id}")}
    supplier = {"pk": s(f"SHOP#{shop}"), "sk": s(f"SUP#{supplier_id}"), "kind": s("supplier"), "name": s("成都老面料"),
                "name_search": s("成都老面料"), "contact": s(values["contact"]), "phone": s(values["supplier_phone"]),
                "email": s(values["supplier_email"]), "address": s(values["address"]), "lead_time_days": {"N": "7"},
                "payment_terms": s(""), "notes": s(""), "active": {"BOOL": True}, "version": {"N": "1"},
                "created_at": s(now), "updated_at": s(now)}
    movement = {"pk": s(f"SHOP#{shop}#MOV#sku_legacy#0"), "sk": s(f"{now}#mov_legacy"), "kind": s("movement"),
                "movement_id": s("mov_legacy"), "movement_kind": s("adjustment"), "sku_id": s("sku_legacy"),
                "product_id": s("prd_legacy"), "warehouse_id": s("wh_default"), "shard": {"N": "0"},
                "on_hand_delta": {"N": "1"}, "reserved_delta": {"N": "0"}, "on_hand_after": {"N": "1"}, "reason": s(""),
                "actor_id": s(user_id), "actor_email": s(email), "at": s(now)}
    note = {"pk": s(f"SHOP#{shop}#USER#{user_id}"), "sk": s(f"NOTE#{note_id}"), "topic": s("staff_access"),
            "title_zh": s("员工角色已变更"), "title_en": s("Staff roles changed"),
            "body_zh": s(f"{values['clerk_name']} ({clerk_mobile}) 的角色已变更，操作人 {email}。"),
            "body_en": s(f"{values['clerk_name']} ({clerk_mobile}): roles changed by {email}."),
            "created_at": s(now), "read": {"BOOL": False}, "unread_pk": s(f"SHOP#{shop}#USER#{user_id}"),
            "expires_at": {"N": "1893456000"}}
    delivery = {"pk": s(f"SHOP#{shop}"), "sk": s(f"DELIVERY#{evt}"), "note_id": s(note_id),
                "topic": s("low_stock"), "status": s("done"), "sent": {"SS": [email, values["extra"]]},
                "created_at": s(now), "expires_at": {"N": "1893456000"}}
    ddb = boto3.client("dynamodb")
    for table_env, items in (("IDENTITY_TABLE", identity), ("SETTINGS_TABLE", [settings]), ("AUDIT_TABLE", [audit]),
                             ("PURCHASING_TABLE", [supplier]), ("INVENTORY_TABLE", [movement]),
                             ("NOTIFICATION_TABLE", [note, delivery])):
        for item in items:
            ddb.put_item(TableName=os.environ[table_env], Item=item)
    idempotency = {"id": s(f"legacy#{uuid.uuid4().hex}"), "expiration": {"N": "1893456000"}, "status": s("COMPLETED"),
                   "data": s(json.dumps({"status": 201, "body": {"phone": values["supplier_phone"]}}))}
    ddb.put_item(TableName=os.environ["IDEMPOTENCY_TABLE"], Item=idempotency)
    # Rate-limit counters as the first per-client limits kept them: a client address in clear, and an
    # unkeyed hash of a login (which anyone can reverse by hashing every mobile number).
    login_hash = hashlib.sha256(f"shopdesk-limit:{values['clerk']}".encode()).hexdigest()[:32]
    counters = [{"pk": s(f"signin_failures_per_ip#203.0.113.{uuid.uuid4().int % 250}"), "sk": s("1700000000"),
                 "hits": {"N": "1"}, "expires_at": {"N": "1893456000"}},
                {"pk": s(f"reset_codes_per_login#{login_hash}"), "sk": s("1700000000"), "hits": {"N": "1"},
                 "expires_at": {"N": "1893456000"}}]
    for item in counters:
        ddb.put_item(TableName=os.environ["RATE_LIMIT_TABLE"], Item=item)
    items = {"identity": identity, "settings": [settings], "audit": [audit], "purchasing": [supplier],
             "inventory": [movement], "notifications": [note, delivery]}
    return {"shop": shop, "user_id": user_id, "values": values, "items": items, "idempotency": idempotency,
            "supplier_id": supplier_id, "counters": counters}


def stored_again(items: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The items as they are stored now (same keys)."""
    ddb, found = boto3.client("dynamodb"), []
    tables = {"identity": "IDENTITY_TABLE", "settings": "SETTINGS_TABLE", "audit": "AUDIT_TABLE",
              "purchasing": "PURCHASING_TABLE", "inventory": "INVENTORY_TABLE", "notifications": "NOTIFICATION_TABLE"}
    for kind, listed in items.items():
        for item in listed:
            found.append(ddb.get_item(TableName=os.environ[tables[kind]], Key={"pk": item["pk"], "sk": item["sk"]},
                                      ConsistentRead=True)["Item"])
    return found


def test_data_in_the_old_format_is_sealed_in_place_once_and_reads_the_same(system: Any):
    from infra import migrate
    from shared.crypto import keyring
    from shared.identity import access

    legacy = legacy_shop()
    values, shop = legacy["values"], legacy["shop"]
    plain = [v for k, v in values.items() if k not in ("clerk_name", "name")] + ["宋美玲", "邓超", "何志强"]
    assert all(any(v in json.dumps(i, ensure_ascii=False) for i in stored_again(legacy["items"])) for v in plain)
    owner = Api(system.url, sign_in(system, values["email"]), shop)
    # Before the migration the old format already reads (a value stored in clear reads as itself).
    assert owner.get("/settings").json()["profile"]["contact_phone"] == values["phone"]

    changed = migrate.seal_personal_data()
    # The shop has its keys (made here, or already by the audit consumer sealing the old outbox
    # event this test wrote, which the running system published as a new one).
    assert keyring.versions(shop) == [1]
    assert changed["MembershipRecord"] >= 2 and changed["UserRecord"] >= 1 and changed["login index"] >= 1
    assert changed["SupplierRecord"] >= 1 and changed["MovementRecord"] >= 1 and changed["NoteRecord"] >= 1
    assert changed["AuditRecord"] >= 1 and changed["audit diff"] >= 1 and changed["settings section"] >= 3
    assert changed["outbox event"] >= 1 and changed["notification marker"] >= 1
    assert changed["idempotency record dropped"] >= 1 and changed["rate-limit counter dropped"] >= 2

    after = json.dumps(stored_again(legacy["items"]), ensure_ascii=False)
    leftovers = [v for v in plain if v in after]
    assert not leftovers, f"still in clear after the migration: {leftovers}"
    assert "pd1:" in after
    gone = boto3.client("dynamodb").get_item(TableName=os.environ["IDEMPOTENCY_TABLE"],
                                             Key={"id": legacy["idempotency"]["id"]})
    assert "Item" not in gone
    for counter in legacy["counters"]:
        left = boto3.client("dynamodb").get_item(TableName=os.environ["RATE_LIMIT_TABLE"],
                                                 Key={"pk": counter["pk"], "sk": counter["sk"]})
        assert "Item" not in left, counter["pk"]

    # Everything reads the same through the API, and the login is found by its blind index.
    me = owner.get("/me").json()["user"]
    assert (me["name"], me["login"], me["phone"]) == (values["name"], values["email"], values["phone"])
    profile = owner.get("/settings").json()
    assert (profile["profile"]["contact_email"], profile["profile"]["address"]) == (values["email"], values["address"])
    bank = next(m for m in profile["payment_methods"]["methods"] if m["code"] == "bank_transfer")
    assert bank["settings"]["account_number"] == values["account"]
    assert profile["notifications"]["topics"]["low_stock"]["extra_emails"] == [values["extra"]]
    supplier = owner.get(f"/suppliers/{legacy['supplier_id']}").json()
    assert (supplier["contact"], supplier["phone"], supplier["email"]) == \
        (values["contact"], values["supplier_phone"], values["supplier_email"])
    entry = owner.get("/audit", params={"resource": "settings"}).json()["items"][0]
    assert entry["actor"]["email"] == values["email"] and entry["after"] == {"contact_phone": values["phone"]}
    assert entry["source_ip"] == "203.0.113.9"
    staff = owner.get("/staff", params={"q": "邓超"}).json()["items"]
    assert [(m["login"], m["invited_by"]) for m in staff] == [(values["clerk"], values["email"])]
    note = owner.get("/notifications").json()["items"][0]
    assert values["clerk"] in note["body"]["zh-CN"]
    found = access.find_user(values["email"].upper())
    assert found is not None and found.pk == f"USER#{legacy['user_id']}"

    # Run again: nothing left to change (and make run's own run is marked done: it is skipped).
    again = migrate.seal_personal_data()
    assert {k: v for k, v in again.items() if k != "data keys made"} == {}, again
    assert migrate.run(say=lambda _: None) == {}
