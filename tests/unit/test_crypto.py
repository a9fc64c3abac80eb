"""Field encryption without I/O: the sealed-value format, AES-GCM's binding to scope and field,
the blind index, the pynamodb attribute and the JSON helpers (the keyring's KMS and DynamoDB
side is tested against the local cloud in tests/integration/test_personal_data_keys.py)."""
from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pynamodb.attributes import UnicodeAttribute

from shared import crypto
from shared.crypto import cipher, keyring
from shared.db import ShopItem, TableMeta

KEYS = {1: os.urandom(32), 2: os.urandom(32)}
INDEX = {"shp_a": os.urandom(32), "shp_b": os.urandom(32), crypto.GLOBAL: os.urandom(32)}


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> dict[int, bytes]:
    """Every scope has versions 1 and 2 (the same bytes, the AAD keeps scopes apart); 2 is current."""
    state = {"current": 2}
    monkeypatch.setattr(keyring, "current", lambda scope: (state["current"], KEYS[state["current"]]))
    monkeypatch.setattr(keyring, "key", lambda scope, version: KEYS[version])
    monkeypatch.setattr(keyring, "index_key", lambda scope: INDEX[scope])
    return KEYS


class Supplier(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = "PURCHASING_TABLE"  # a real table: the contract test checks every model's table

    name = UnicodeAttribute()
    phone = crypto.PersonalAttribute(default="")
    email = crypto.PersonalAttribute(null=True, field="contact_email")


def test_a_sealed_value_is_compact_self_describing_and_differs_every_time():
    first, second = crypto.seal("shp_a", "phone", "13800138000"), crypto.seal("shp_a", "phone", "13800138000")
    assert first != second  # a random nonce per value
    assert first.startswith("pd1:2:") and crypto.is_sealed(first) and "13800138000" not in first
    assert len(first) < 80
    assert crypto.unseal("shp_a", "phone", first) == crypto.unseal("shp_a", "phone", second) == "13800138000"


@given(st.text(min_size=1, max_size=200))
def test_any_text_comes_back(text):
    assert crypto.unseal("shp_a", "note", crypto.seal("shp_a", "note", text)) == text


def test_a_value_moved_to_another_shop_or_field_does_not_open():
    token = crypto.seal("shp_a", "phone", "13800138000")
    with pytest.raises(crypto.CannotOpen):
        crypto.unseal("shp_b", "phone", token)
    with pytest.raises(crypto.CannotOpen):
        crypto.unseal("shp_a", "email", token)


def test_an_altered_value_does_not_open():
    token = crypto.seal("shp_a", "phone", "13800138000")
    body = token.split(":")[2]
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    with pytest.raises(crypto.CannotOpen):
        crypto.unseal("shp_a", "phone", f"pd1:2:{flipped}")
    with pytest.raises(crypto.CannotOpen):
        crypto.unseal("shp_a", "phone", "13800138000")  # plaintext is not a sealed value


def test_old_key_versions_still_open_after_rotation(monkeypatch: pytest.MonkeyPatch):
    old = cipher.seal_with(KEYS[1], 1, "shp_a", "phone", "13800138000")
    assert old.startswith("pd1:1:") and crypto.unseal("shp_a", "phone", old) == "13800138000"
    assert crypto.seal("shp_a", "phone", "x").startswith("pd1:2:")


def test_empty_values_and_sealed_values_are_left_as_they_are():
    token = crypto.seal("shp_a", "phone", "13800138000")
    assert crypto.seal("shp_a", "phone", "") == "" and crypto.unseal("shp_a", "phone", "") == ""
    assert crypto.seal("shp_a", "phone", token) == token
    assert crypto.reveal("shp_a", "actor_email", "usr_123") == "usr_123"


def test_blind_indexes_are_equal_for_equal_values_and_keyed_per_scope():
    one = crypto.blind_index(crypto.GLOBAL, "login", "+8613800138000")
    assert one == crypto.blind_index(crypto.GLOBAL, "login", "+8613800138000")
    assert one != crypto.blind_index(crypto.GLOBAL, "login", "+8613800138001")
    assert one != crypto.blind_index(crypto.GLOBAL, "mobile", "+8613800138000")
    assert one != crypto.blind_index("shp_a", "login", "+8613800138000")
    assert "138" not in one and len(one) == 22


def test_a_personal_attribute_is_sealed_in_storage_and_plain_in_python():
    record = Supplier("SHOP#shp_a", "SUP#1", name="杭州丝绸厂", phone="13800138000", email="sales@silk.example")
    stored = record.serialize()
    assert crypto.is_sealed(stored["phone"]["S"]) and crypto.is_sealed(stored["email"]["S"])
    assert "13800138000" not in str(stored) and "silk.example" not in str(stored)
    assert stored["name"]["S"] == "杭州丝绸厂"
    read = Supplier.from_raw_data({**stored})
    assert read.phone == "13800138000" and read.email == "sales@silk.example"
    assert crypto.unseal("shp_a", "contact_email", stored["email"]["S"]) == "sales@silk.example"  # field= names it
    assert read.serialize()["phone"] == stored["phone"]  # saved again unchanged: not re-encrypted


def test_a_personal_attribute_opens_only_in_its_own_shop():
    stored = Supplier("SHOP#shp_a", "SUP#1", name="x", phone="13800138000").serialize()
    moved = Supplier.from_raw_data({**stored, "pk": {"S": "SHOP#shp_b"}})
    with pytest.raises(crypto.CannotOpen):
        _ = moved.phone


def test_plaintext_never_reaches_dynamodb_through_an_update_or_a_filter():
    with pytest.raises(crypto.PlaintextRefused):
        Supplier.phone.set("13800138000")
    with pytest.raises(crypto.PlaintextRefused):
        Supplier.phone.contains("138")
    record = Supplier("SHOP#shp_a", "SUP#1", name="x")
    [action] = record.set_personal(phone="13911112222")
    assert crypto.is_sealed(action.values[1].value["S"]) and record.phone == "13911112222"


def test_values_stored_before_encryption_read_as_they_are_and_are_sealed_on_the_next_save():
    legacy = Supplier.from_raw_data({"pk": {"S": "SHOP#shp_a"}, "sk": {"S": "SUP#1"}, "name": {"S": "x"},
                                     "phone": {"S": "13800138000"}})
    assert legacy.phone == "13800138000"
    assert crypto.unseal("shp_a", "phone", legacy.serialize()["phone"]["S"]) == "13800138000"


def test_json_documents_are_sealed_by_key_name_and_opened_back():
    section = {"name": "花间集", "contact_phone": "13800138000", "topics": {"low_stock": {
        "extra_emails": ["a@b.cn", "c@d.cn"], "email": True}}, "methods": [{"settings": {"account_number": "6222"}}]}
    sealed = crypto.seal_tree("shp_a", section, {"contact_phone", "extra_emails", "account_number"})
    assert sealed["name"] == "花间集" and sealed["topics"]["low_stock"]["email"] is True
    assert all(crypto.is_sealed(v) for v in sealed["topics"]["low_stock"]["extra_emails"])
    assert crypto.is_sealed(sealed["contact_phone"]) and crypto.is_sealed(sealed["methods"][0]["settings"]["account_number"])
    assert crypto.unseal_tree("shp_a", sealed) == section
    assert crypto.seal_tree("shp_a", sealed, {"contact_phone"}) == sealed  # sealing twice changes nothing
