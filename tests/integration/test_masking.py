"""Masking (issue 9, point 6), through the API: without ``personal_data.view`` the shop's contacts
and bank account, who invited whom, actors' e-mails in jobs, stock movements and receipts, and
the audit log's source IPs come back masked; without ``purchasing.view_costs`` cost prices come
back null. A masked value (or a null cost) sent back unchanged never overwrites the real one."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import product, receive
from tests.integration.test_catalog_products import put_body

CONTACTS = {"contact_name": "钱晓燕", "contact_phone": "13711112222", "contact_email": "kefu@huajianji.example",
            "address": "浙江省杭州市西湖区天目山路 181 号"}
BANK = {"account_name": "钱晓燕", "bank_name": "中国工商银行杭州文一支行", "account_number": "6222021202004455667"}


def member_with(owner: Api, make_staff: Callable[..., Api], base_role: str, permissions: list[str]) -> Api:
    """A member with ``base_role`` plus a custom role granting ``permissions`` (none of personal_data.view)."""
    role = owner.post("/roles", json={"name_zh": "设置维护", "name_en": "Settings upkeep", "permissions": permissions})
    assert role.status_code == 201, role.text
    member = make_staff(owner.shop_id, base_role)
    me = member.get("/me").json()["user"]
    view = owner.get(f"/staff/{me['id']}").json()
    answer = owner.put(f"/staff/{me['id']}", json={"version": view["version"], "name": view["name"],
                                                   "roles": [base_role, role.json()["code"]]})
    assert answer.status_code == 200, answer.text
    return member


def filled_in(owner: Api) -> dict[str, Any]:
    view = owner.get("/settings").json()
    profile = {k: v for k, v in view["profile"].items() if k != "logo_url"}
    assert owner.put("/settings/profile", json={**profile, **CONTACTS}).status_code == 200
    methods = [{"code": "bank_transfer", "enabled": True, "settings": BANK}]
    assert owner.put("/settings/payment-methods", json={"methods": methods, "version": 0}).status_code == 200
    topics = view["notifications"]["topics"]
    topics["low_stock"] = {**topics["low_stock"], "extra_emails": ["boss@huajianji.example"],
                           "extra_phones": ["13633334444"]}
    assert owner.put("/settings/notifications", json={"topics": topics, "version": 0}).status_code == 200
    return dict(owner.get("/settings").json())


def test_settings_contacts_and_bank_account_are_masked_and_sending_them_back_keeps_the_real_ones(
        owner: Api, make_staff: Callable[..., Api]):
    real = filled_in(owner)
    editor = member_with(owner, make_staff, "marketing", ["settings.view", "settings.edit"])
    seen = editor.get("/settings").json()
    profile = seen["profile"]
    assert (profile["contact_name"], profile["contact_phone"], profile["contact_email"]) == \
        ("钱**", "137****2222", "k***@huajianji.example")
    assert profile["address"] == "浙江省杭州市****"
    bank = next(m for m in seen["payment_methods"]["methods"] if m["code"] == "bank_transfer")["settings"]
    assert (bank["account_name"], bank["account_number"], bank["bank_name"]) == ("钱**", "**** 5667", BANK["bank_name"])
    extras = seen["notifications"]["topics"]["low_stock"]
    assert extras["extra_emails"] == ["b***@huajianji.example"] and extras["extra_phones"] == ["+86136****4444"]
    assert "13711112222" not in str(seen) and "6222021202004455667" not in str(seen)

    # The editor saves each section as shown (masked), changing only what they may see.
    body = {k: v for k, v in profile.items() if k != "logo_url"}
    answer = editor.put("/settings/profile", json={**body, "name": "花间集 · 新店名"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["contact_phone"] == "137****2222"  # the answer is masked too
    answer = editor.put("/settings/payment-methods", json={"methods": seen["payment_methods"]["methods"],
                                                           "version": seen["payment_methods"]["version"]})
    assert answer.status_code == 200, answer.text
    answer = editor.put("/settings/notifications", json={"topics": seen["notifications"]["topics"],
                                                         "version": seen["notifications"]["version"]})
    assert answer.status_code == 200, answer.text

    after = owner.get("/settings").json()
    assert after["profile"]["name"] == "花间集 · 新店名"
    assert {k: after["profile"][k] for k in CONTACTS} == CONTACTS
    assert next(m for m in after["payment_methods"]["methods"] if m["code"] == "bank_transfer")["settings"] == BANK
    assert after["notifications"]["topics"]["low_stock"]["extra_emails"] == ["boss@huajianji.example"]
    assert after["notifications"]["topics"]["low_stock"]["extra_phones"] == ["+8613633334444"]
    assert after["payment_methods"]["version"] == real["payment_methods"]["version"]  # nothing changed: no new version


def test_two_addresses_with_the_same_mask_are_shown_and_kept_both(owner: Api, make_staff: Callable[..., Api]):
    """b1@ and b2@ of one domain both mask to b***@: the masked view answers (it once was a 500,
    the duplicate rule seeing the masks) and sending it back keeps both real addresses."""
    view = owner.get("/settings").json()
    topics = view["notifications"]["topics"]
    emails = ["buyer1@supplier.example", "buyer2@supplier.example"]
    topics["low_stock"] = {**topics["low_stock"], "extra_emails": emails}
    put = owner.put("/settings/notifications", json={"topics": topics, "version": view["notifications"]["version"]})
    assert put.status_code == 200, put.text
    editor = member_with(owner, make_staff, "marketing", ["settings.view", "settings.edit"])
    seen = editor.get("/settings")
    assert seen.status_code == 200, seen.text
    shown = seen.json()["notifications"]
    assert shown["topics"]["low_stock"]["extra_emails"] == ["b***@supplier.example"] * 2
    back = editor.put("/settings/notifications", json={"topics": shown["topics"], "version": shown["version"]})
    assert back.status_code == 200, back.text
    assert owner.get("/settings").json()["notifications"]["topics"]["low_stock"]["extra_emails"] == emails


def test_a_masked_looking_value_that_is_not_the_stored_ones_mask_is_refused(owner: Api, make_staff: Callable[..., Api]):
    filled_in(owner)
    editor = member_with(owner, make_staff, "marketing", ["settings.view", "settings.edit"])
    profile = {k: v for k, v in editor.get("/settings").json()["profile"].items() if k != "logo_url"}
    answer = editor.put("/settings/profile", json={**profile, "contact_phone": "139****0000"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["field"] == "contact_phone"
    assert owner.get("/settings").json()["profile"]["contact_phone"] == CONTACTS["contact_phone"]
    # A real new value is of course taken.
    answer = editor.put("/settings/profile", json={**profile, "contact_phone": "13900001234"})
    assert answer.status_code == 200, answer.text
    assert owner.get("/settings").json()["profile"]["contact_phone"] == "13900001234"


def test_staff_audit_jobs_movements_and_receipts_mask_people_for_a_role_without_personal_data(
        owner: Api, make_staff: Callable[..., Api]):
    auditor = make_staff(owner.shop_id, "auditor")  # every .view but personal_data.view
    owner_email = owner.get("/me").json()["user"]["email"]
    invited = owner.post("/staff", json={"login": "13911110000", "name": "仓管 小周", "roles": ["warehouse"]})
    assert invited.status_code == 201, invited.text
    prd = product(owner)
    receive(owner, prd, qty=5)
    supplier = owner.post("/suppliers", json={"name": "面料厂", "contact": "周经理", "phone": "13800138000"}).json()
    po = owner.post("/purchase-orders", json={"supplier_id": supplier["id"], "lines": [
        {"product_id": prd["id"], "sku_id": prd["skus"][0]["id"], "qty": 4, "unit_cost": 3500}]}).json()
    assert owner.post(f"/purchase-orders/{po['id']}/submit", json={"version": po["version"]}).status_code == 200
    assert owner.post(f"/purchase-orders/{po['id']}/receipts",
                      json={"lines": [{"sku_id": prd["skus"][0]["id"], "qty": 4}]}).status_code == 201
    job = owner.post("/products/exports", json={"format": "csv", "filter": {}})
    assert job.status_code == 202, job.text

    masked_email = re.compile(r"^.\*\*\*@")
    member = next(m for m in auditor.get("/staff").json()["items"] if m["name"] == "仓管 小周")
    assert member["login"] == "+86139****0000" and masked_email.match(member["invited_by"])
    assert next(m for m in owner.get("/staff").json()["items"] if m["name"] == "仓管 小周")["invited_by"] == owner_email

    entries = eventually(lambda: auditor.get("/audit", params={"resource": "staff"}).json()["items"])
    assert entries[0]["source_ip"] and entries[0]["source_ip"].endswith(".*.*")
    assert masked_email.match(entries[0]["actor"]["email"])
    assert re.match(r"^\d+\.\d+\.\d+\.\d+$", owner.get("/audit", params={"resource": "staff"}).json()["items"][0]["source_ip"])

    [seen_job] = [j for j in auditor.get("/products/jobs").json()["items"] if j["id"] == job.json()["id"]]
    assert masked_email.match(seen_job["actor"]["email"])
    movements = auditor.get("/inventory/movements", params={"sku_id": prd["skus"][0]["id"]}).json()["items"]
    assert movements and all(masked_email.match(m["actor_email"]) for m in movements)
    assert owner.get("/inventory/movements", params={"sku_id": prd["skus"][0]["id"]}).json()["items"][0]["actor_email"] \
        == owner_email
    detail = auditor.get(f"/purchase-orders/{po['id']}").json()
    assert all(masked_email.match(r["actor_email"]) for r in detail["receipts"])
    supplier_seen = auditor.get(f"/suppliers/{supplier['id']}").json()
    assert (supplier_seen["contact"], supplier_seen["phone"]) == ("周**", "138****8000")


@pytest.mark.parametrize(("role", "sees_costs"), [("owner", True), ("finance", True), ("warehouse", True),
                                                  ("auditor", False)])
def test_cost_prices_only_for_those_who_may_see_costs(owner: Api, make_staff: Callable[..., Api], role: str,
                                                      sees_costs: bool):
    prd = product(owner)
    supplier = owner.post("/suppliers", json={"name": "面料厂"}).json()
    po = owner.post("/purchase-orders", json={"supplier_id": supplier["id"], "lines": [
        {"product_id": prd["id"], "sku_id": prd["skus"][0]["id"], "qty": 4, "unit_cost": 3500}]}).json()
    viewer = owner if role == "owner" else make_staff(owner.shop_id, role)
    seen = viewer.get(f"/purchase-orders/{po['id']}").json()
    listed = next(p for p in viewer.get("/purchase-orders").json()["items"] if p["id"] == po["id"])
    cost = viewer.get(f"/purchasing/skus/{prd['skus'][0]['id']}").json()
    if sees_costs:
        assert seen["lines"][0]["unit_cost"] == 3500 and seen["total"]["amount"] == 14000
        assert listed["total"]["amount"] == 14000
    else:
        assert seen["lines"][0]["unit_cost"] is None and seen["total"] is None and seen["lines"][0]["line_total"] is None
        assert listed["total"] is None and cost["avg_cost"] is None
        assert seen["lines"][0]["qty"] == 4  # the rest of the order is there
    sku = viewer.get(f"/products/{prd['id']}").json()["skus"][0] if role != "finance" else None
    if sku is not None:
        assert (sku["cost_price"] is not None) == sees_costs


def test_a_product_saved_by_someone_who_cannot_see_costs_keeps_its_cost_prices(owner: Api, make_staff: Callable[..., Api]):
    prd = product(owner)
    costs = [s["cost_price"] for s in prd["skus"]]
    assert all(c is not None for c in costs)
    editor = member_with(owner, make_staff, "marketing", ["catalog.view", "catalog.edit"])
    shown = editor.get(f"/products/{prd['id']}").json()
    assert all(s["cost_price"] is None for s in shown["skus"])
    answer = editor.put(f"/products/{prd['id']}", json=put_body(shown, name=shown["name"] + " 新款"))
    assert answer.status_code == 200, answer.text
    after = owner.get(f"/products/{prd['id']}").json()
    assert after["name"].endswith("新款") and [s["cost_price"] for s in after["skus"]] == costs


def test_an_idempotent_repeat_answers_the_secret_as_null_and_the_record_holds_no_secret_nor_personal_data(owner: Api):
    import json
    import os
    import uuid

    import boto3

    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"name": "重放供应商", "contact": "骆冰", "phone": "13522223333", "email": "luo@replay.example"}
    first = owner.post("/suppliers", json=body, headers=key)
    again = owner.post("/suppliers", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    secret = first.json()["webhook_secret"]
    assert secret.startswith("whsec_") and again.json()["webhook_secret"] is None
    assert {**first.json(), "webhook_secret": None} == again.json()  # the same supplier, the same answer otherwise
    items = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=os.environ["IDEMPOTENCY_TABLE"])
    stored = json.dumps([i for page in items for i in page["Items"]], ensure_ascii=False)
    assert secret not in stored and secret[-12:] not in stored
    assert "13522223333" not in stored and "luo@replay.example" not in stored and "骆冰" not in stored
