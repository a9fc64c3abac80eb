"""Staff and roles through the real local API: invitations, roles, custom roles, disabling,
the guards that keep a shop manageable, personal data masking, and the audit trail."""
from __future__ import annotations

import csv
import io
import json
import re
import uuid

import pytest
import requests

from tests.integration.conftest import PASSWORD, Api, eventually, new_shop


def moto_data(system) -> dict:
    return requests.get(f"{system.env['AWS_ENDPOINT_URL']}/moto-api/data.json", timeout=30).json()


def sent_emails(system, to: str) -> list[dict]:
    """E-mails the local cloud accepted for ``to`` (moto keeps what SES "sent")."""
    return [m for m in moto_data(system)["ses"].get("Message", []) if to in m["destinations"]["ToAddresses"]]


def sent_sms(system, digits: str) -> list[dict]:
    return [m for m in moto_data(system)["sns"].get("SMS", []) if m["phone_number"].endswith(digits)]


def signin(system, login: str, password: str) -> dict:
    return requests.post(f"{system.url}/api/auth/signin", json={"email": login, "password": password}, timeout=30).json()


def first_sign_in(system, login: str, temporary: str, new_password: str = "Chosen-pass-9") -> str:
    challenge = signin(system, login, temporary)
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED", challenge
    done = requests.post(f"{system.url}/api/auth/new-password", timeout=30, json={
        "email": login, "session": challenge["session"], "new_password": new_password}).json()
    return str(done["id_token"])


def invite(owner: Api, login: str, roles: list[str], name: str = "新同事") -> requests.Response:
    return owner.post("/staff", json={"login": login, "name": name, "roles": roles},
                      headers={"Idempotency-Key": str(uuid.uuid4())})


def first_password(system, login: str) -> str:
    """The first-time password of a new login, from the message the person received (never the API)."""
    def found() -> str | None:
        texts = [json.dumps(m, ensure_ascii=False) for m in sent_emails(system, login)]
        if login.startswith("+86") or login.isdigit():
            texts += [json.dumps(m, ensure_ascii=False) for m in sent_sms(system, login[-8:])]
        hits = [m.group(0) for t in texts for m in [re.search(r"Sd[A-Za-z0-9]{10}\da", t)] if m]
        return hits[0] if hits else None

    return str(eventually(found))


def joined(system, login: str, shop_id: str, new_password: str = "Chosen-pass-9") -> str:
    """The invited new login signs in for the first time and accepts the invitation: its ID token."""
    token = first_sign_in(system, login, first_password(system, login), new_password)
    accepted = Api(system.url, token).post(f"/me/invitations/{shop_id}/accept")
    assert accepted.status_code == 200, accepted.text
    return token


def test_an_invited_staff_member_gets_an_email_signs_in_and_sees_the_shop(system, owner: Api):
    login = f"new-{uuid.uuid4().hex[:6]}@test.shop"
    answer = invite(owner, login, ["customer_service"])
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["sent_to"] == login and "temporary_password" not in body
    assert body["staff"]["roles"] == ["customer_service"] and body["staff"]["status"] == "invited"
    token = joined(system, login, owner.shop_id)
    me = Api(system.url, token, owner.shop_id).get("/me").json()
    assert me["current"]["roles"] == ["customer_service"]
    assert "personal_data.view" in me["current"]["permissions"] and "staff.view" not in me["current"]["permissions"]


def test_a_mobile_number_invitation_is_sent_by_sms_and_signs_in_with_the_number(system, owner: Api):
    digits = f"139{uuid.uuid4().int % 10**8:08d}"
    answer = invite(owner, digits, ["warehouse"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["sent_to"] == f"+86{digits}"
    token = joined(system, f"+86{digits}", owner.shop_id)
    assert Api(system.url, token, owner.shop_id).get("/settings").status_code == 200


@pytest.mark.parametrize(("login", "roles", "field"), [
    ("not-an-email", ["customer_service"], "login"),
    ("12345", ["customer_service"], "login"),
    ("ok@test.shop", [], "roles"),
    ("ok@test.shop", ["emperor"], "roles"),
])
def test_bad_invitations_name_the_field_and_create_nothing(owner: Api, login, roles, field):
    before = owner.get("/staff").json()["items"]
    answer = invite(owner, login, roles)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"]["field"] == field
    assert owner.get("/staff").json()["items"] == before


def test_inviting_a_member_twice_is_a_conflict(owner: Api):
    login = f"twice-{uuid.uuid4().hex[:6]}@test.shop"
    assert invite(owner, login, ["marketing"]).status_code == 201
    again = invite(owner, login, ["finance"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "member_exists"
    staff = [s for s in owner.get("/staff").json()["items"] if s["login"] == login]
    assert len(staff) == 1 and staff[0]["roles"] == ["marketing"]


def test_someone_already_signed_up_joins_a_second_shop_and_switches(system, owner: Api, make_staff):
    login = f"multi-{uuid.uuid4().hex[:6]}@test.shop"
    invite(owner, login, ["finance"])
    token = joined(system, login, owner.shop_id)
    other_shop = new_shop("第二家店")
    other_owner = make_staff(other_shop, "owner")
    second = invite(other_owner, login, ["marketing"]).json()
    assert second["staff"]["status"] == "invited" and "temporary_password" not in second
    assert Api(system.url, token).post(f"/me/invitations/{other_shop}/accept").status_code == 200
    me = Api(system.url, token).get("/me").json()
    assert {s["shop_id"] for s in me["shops"]} == {owner.shop_id, other_shop}
    in_second = Api(system.url, token, other_shop).get("/me").json()["current"]
    assert in_second["roles"] == ["marketing"] and "finance.view" not in in_second["permissions"]


def test_disabling_takes_effect_on_the_next_request_and_enabling_restores(system, owner: Api, make_staff):
    member = make_staff(owner.shop_id, "customer_service")
    member_id = member.get("/me").json()["user"]["id"]
    assert member.get("/settings").status_code == 200
    disabled = owner.post(f"/staff/{member_id}/disable")
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["status"] == "disabled"
    refused = member.get("/settings")  # the disable ended the member's sessions
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_revoked"
    login = owner.get(f"/staff/{member_id}").json()["login"]
    again = Api(system.url, signin(system, login, PASSWORD)["id_token"], owner.shop_id).get("/settings")
    assert again.status_code == 404 and again.json()["error"]["code"] == "shop_not_found"
    assert owner.post(f"/staff/{member_id}/enable").json()["status"] == "active"
    # The session from before the disable stays ended; a new sign-in works again.
    assert member.get("/settings").status_code == 401
    assert Api(system.url, signin(system, login, PASSWORD)["id_token"], owner.shop_id).get("/settings").status_code == 200


def test_a_shop_always_keeps_an_owner_and_nobody_locks_themselves_out(owner: Api, make_staff):
    owner_id = owner.get("/me").json()["user"]["id"]
    me = owner.get(f"/staff/{owner_id}").json()
    demote = owner.put(f"/staff/{owner_id}", json={"version": me["version"], "name": me["name"], "roles": ["marketing"]})
    assert demote.status_code == 403 and demote.json()["error"]["code"] == "own_roles"
    assert owner.post(f"/staff/{owner_id}/disable").json()["error"]["code"] == "self_lockout"
    # someone allowed to manage staff (a custom role) cannot touch an owner at all
    role = owner.post("/roles", json={"name_zh": "人事", "name_en": "HR", "permissions": [
        "staff.view", "staff.edit", "staff.delete"]}).json()
    hr = make_staff(owner.shop_id, "owner")
    hr_id = hr.get("/me").json()["user"]["id"]
    hr_me = owner.get(f"/staff/{hr_id}").json()
    assert owner.put(f"/staff/{hr_id}", json={"version": hr_me["version"], "name": "人事", "roles": [role["code"]]}
                     ).status_code == 200
    me = owner.get(f"/staff/{owner_id}").json()
    for call in (lambda: hr.put(f"/staff/{owner_id}", json={"version": me["version"], "name": me["name"],
                                                            "roles": ["finance"]}),
                 lambda: hr.post(f"/staff/{owner_id}/disable"),
                 lambda: hr.call("DELETE", f"/staff/{owner_id}")):
        answer = call()
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "owner_only", answer.text
    assert owner.get(f"/staff/{owner_id}").json()["roles"] == ["owner"]


def test_a_stale_staff_edit_is_a_conflict(owner: Api, make_staff):
    member = make_staff(owner.shop_id, "marketing")
    member_id = member.get("/me").json()["user"]["id"]
    view = owner.get(f"/staff/{member_id}").json()
    assert owner.put(f"/staff/{member_id}", json={**_edit(view), "roles": ["finance"]}).status_code == 200
    stale = owner.put(f"/staff/{member_id}", json={**_edit(view), "roles": ["warehouse"]})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert owner.get(f"/staff/{member_id}").json()["roles"] == ["finance"]


def _edit(view: dict) -> dict:
    return {"version": view["version"], "name": view["name"], "roles": view["roles"]}


def test_no_administrator_can_reset_a_members_password(system, owner: Api):
    login = f"reset-{uuid.uuid4().hex[:6]}@test.shop"
    invited = invite(owner, login, ["finance"]).json()
    joined(system, login, owner.shop_id)
    reset = owner.post(f"/staff/{invited['staff']['user_id']}/reset-password")
    assert reset.status_code in (404, 405)
    assert signin(system, login, "Chosen-pass-9")["id_token"]


def test_a_custom_role_grants_exactly_what_it_lists_and_follows_its_changes(owner: Api, make_staff, system):
    role = owner.post("/roles", json={"name_zh": "商品查看", "name_en": "Catalog viewer",
                                      "permissions": ["catalog.view", "settings.view"]})
    assert role.status_code == 201, role.text
    code = role.json()["code"]
    login = f"custom-{uuid.uuid4().hex[:6]}@test.shop"
    invite(owner, login, [code])
    member = Api(system.url, joined(system, login, owner.shop_id), owner.shop_id)
    assert member.get("/me").json()["current"]["permissions"] == ["catalog.view", "settings.view"]
    assert member.get("/settings").status_code == 200
    view = member.get("/settings").json()["profile"]
    edit = {k: v for k, v in view.items() if k != "logo_url"}
    assert member.put("/settings/profile", json=edit).status_code == 403
    current = next(r for r in owner.get("/roles").json()["items"] if r["code"] == code)
    assert current["members"] == 1 and current["built_in"] is False
    changed = owner.put(f"/roles/{code}", json={"version": current["version"], "name_zh": "商品查看", "name_en": "Catalog viewer",
                                                "permissions": ["catalog.view", "settings.view", "settings.edit"]})
    assert changed.status_code == 200, changed.text
    assert member.put("/settings/profile", json={**edit, "name": "由自定义角色修改"}).status_code == 200
    in_use = owner.call("DELETE", f"/roles/{code}")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "role_in_use"


@pytest.mark.parametrize(("body", "field"), [
    ({"name_zh": "x", "name_en": "x", "permissions": ["catalog.fly"]}, "permissions"),
    ({"name_zh": "x", "name_en": "x", "permissions": []}, "permissions"),
    ({"name_zh": "", "name_en": "x", "permissions": ["catalog.view"]}, "name_zh"),
])
def test_bad_roles_are_refused(owner: Api, body, field):
    answer = owner.post("/roles", json=body)
    assert answer.status_code == 422 and answer.json()["error"]["details"]["field"] == field


def test_built_in_roles_cannot_be_changed(owner: Api):
    answer = owner.put("/roles/owner", json={"version": 1, "name_zh": "x", "name_en": "x", "permissions": ["audit.view"]})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "role_built_in"


def test_personal_data_is_masked_without_the_permission(owner: Api, make_staff):
    view = owner.get("/settings").json()["profile"]
    owner.put("/settings/profile", json={**{k: v for k, v in view.items() if k != "logo_url"},
                                          "contact_phone": "13812345678"})
    finance = make_staff(owner.shop_id, "finance")
    entry = eventually(lambda: [e for e in finance.get("/audit").json()["items"] if "contact_phone" in e["changed"]])
    assert entry[0]["after"]["contact_phone"] == "138****5678"
    full = eventually(lambda: [e for e in owner.get("/audit").json()["items"] if "contact_phone" in e["changed"]])
    assert full[0]["after"]["contact_phone"] == "13812345678"
    role = owner.post("/roles", json={"name_zh": "员工查看", "name_en": "Staff viewer",
                                      "permissions": ["staff.view"]}).json()
    viewer_login = f"viewer-{uuid.uuid4().hex[:6]}@test.shop"
    invite(owner, viewer_login, [role["code"]])
    masked = finance  # finance has no staff.view: use a custom role instead
    assert masked.get("/staff").status_code == 403
    listed = owner.get("/staff").json()["items"]
    assert any(s["login"] == viewer_login for s in listed)


def test_staff_lists_mask_logins_for_roles_without_personal_data(owner: Api, make_staff, system):
    role = owner.post("/roles", json={"name_zh": "员工查看", "name_en": "Staff viewer",
                                      "permissions": ["staff.view"]}).json()
    login = f"masked-{uuid.uuid4().hex[:6]}@test.shop"
    invited = invite(owner, login, [role["code"]]).json()
    viewer = Api(system.url, joined(system, login, owner.shop_id), owner.shop_id)
    mine = next(s for s in viewer.get("/staff").json()["items"] if s["user_id"] == invited["staff"]["user_id"])
    assert mine["login"] == f"{login[0]}***@test.shop" and mine["email"].startswith(login[0] + "***")
    full = next(s for s in owner.get("/staff").json()["items"] if s["user_id"] == invited["staff"]["user_id"])
    assert full["login"] == login


def test_every_staff_change_is_audited_with_its_diff(system, owner: Api, make_staff):
    login = f"audit-{uuid.uuid4().hex[:6]}@test.shop"
    user_id = invite(owner, login, ["marketing"], name="审计对象").json()["staff"]["user_id"]
    joined(system, login, owner.shop_id)
    view = owner.get(f"/staff/{user_id}").json()
    owner.put(f"/staff/{user_id}", json={**_edit(view), "roles": ["marketing", "finance"]})
    owner.post(f"/staff/{user_id}/disable")
    owner.post(f"/staff/{user_id}/enable")
    owner.call("DELETE", f"/staff/{user_id}")
    wanted = ["staff.invited", "staff.invitation_accepted", "staff.modified", "staff.disabled", "staff.enabled",
              "staff.removed"]

    def entries():
        items = owner.get("/audit", params={"resource": "staff", "limit": 50}).json()["items"]
        mine = [i for i in items if i["resource_id"] == user_id]
        return mine if len(mine) >= len(wanted) else None

    mine = eventually(entries)
    assert sorted(i["action"] for i in mine) == sorted(wanted)
    modified = next(i for i in mine if i["action"] == "staff.modified")
    assert modified["changed"] == ["roles"]
    assert modified["before"] == {"roles": ["marketing"]} and modified["after"] == {"roles": ["finance", "marketing"]}
    assert "Temp" not in json.dumps(mine) and "password" not in json.dumps([i["after"] for i in mine])
    only_disable = owner.get("/audit", params={"action": "staff.disabled", "resource": "staff"}).json()["items"]
    assert {i["action"] for i in only_disable} == {"staff.disabled"}


def test_the_audit_log_filters_by_time_and_exports_csv_and_xlsx_safely(owner: Api, make_staff):
    login = f"csv-{uuid.uuid4().hex[:6]}@test.shop"
    invite(owner, login, ["marketing"], name="=cmd|' /C calc'!A0")
    eventually(lambda: owner.get("/audit", params={"resource": "staff"}).json()["items"])
    assert owner.get("/audit", params={"from": "2000-01-01", "to": "2000-01-02"}).json()["items"] == []
    assert owner.get("/audit", params={"from": "2030-01-02", "to": "2030-01-01"}).status_code == 422
    export = owner.get("/audit/export", params={"format": "csv", "resource": "staff"}).json()
    assert export["rows"] >= 1 and export["filename"].endswith(".csv")
    text = requests.get(export["url"], timeout=30).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["time_utc", "user", "action"]
    assert any("staff.invited" in r for r in rows)
    assert not any(cell.startswith("=") for r in rows for cell in r)
    xlsx = owner.get("/audit/export", params={"format": "xlsx"}).json()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(requests.get(xlsx["url"], timeout=30).content))
    assert book.active.max_row == xlsx["rows"] + 1
    finance = make_staff(owner.shop_id, "marketing")
    assert finance.get("/audit/export").status_code == 403


def test_a_signed_in_user_edits_their_profile_and_password(system, owner: Api, make_staff):
    member = make_staff(owner.shop_id, "warehouse")
    me = member.get("/me").json()
    assert member.put("/me", json={"name": "仓管小周", "phone": "13900001111"}).json()["name"] == "仓管小周"
    assert owner.get(f"/staff/{me['user']['id']}").json()["name"] == "仓管小周"
    tokens = signin(system, me["user"]["login"], PASSWORD)
    bad = member.post("/me/password", json={"access_token": tokens["access_token"], "old_password": "wrong",
                                             "new_password": "Newer-pass-5"})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "old_password"
    ok = member.post("/me/password", json={"access_token": tokens["access_token"], "old_password": PASSWORD,
                                            "new_password": "Newer-pass-5"})
    assert ok.status_code == 200, ok.text
    assert signin(system, me["user"]["login"], "Newer-pass-5")["id_token"]


def test_a_user_opens_a_second_shop_and_owns_it(system, owner: Api):
    created = owner.post("/shops", json={"name": "新开的店"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201
    shop = created.json()["shop_id"]
    me = Api(system.url, owner.token, shop).get("/me").json()
    assert me["current"]["roles"] == ["owner"] and me["current"]["name"] == "新开的店"
    profile = eventually(lambda: Api(system.url, owner.token, shop).get("/settings").json()["profile"]["version"] >= 1
                         and Api(system.url, owner.token, shop).get("/settings").json()["profile"])
    assert profile["name"] == "新开的店"


def test_me_names_custom_roles_and_lists_shops_in_the_order_joined(system, owner: Api):
    role = owner.post("/roles", json={"name_zh": "夜班客服", "name_en": "Night shift",
                                      "permissions": ["orders.view"]}).json()
    login = f"names-{uuid.uuid4().hex[:6]}@test.shop"
    invite(owner, login, [role["code"], "finance"])
    member = Api(system.url, joined(system, login, owner.shop_id), owner.shop_id)
    names = member.get("/me").json()["current"]["role_names"]
    assert {(n["code"], n["name_zh"]) for n in names} == {(role["code"], "夜班客服"), ("finance", "财务")}
    newer = owner.post("/shops", json={"name": "后开的店"}, headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    shops = [s["shop_id"] for s in Api(system.url, owner.token).get("/me").json()["shops"]]
    assert shops.index(owner.shop_id) < shops.index(newer["shop_id"])


def test_audit_filters_by_resource_and_user_together(owner: Api, make_staff):
    other = make_staff(owner.shop_id, "owner")
    view = owner.get("/settings").json()
    owner.put("/settings/profile", json={**body_edit(view), "name": "甲改的"})
    view = other.get("/settings").json()
    other.put("/settings/profile", json={**body_edit(view), "name": "乙改的"})
    other_id = other.get("/me").json()["user"]["id"]
    eventually(lambda: len(owner.get("/audit", params={"resource": "settings"}).json()["items"]) >= 3)
    mine = owner.get("/audit", params={"resource": "settings", "actor": other_id}).json()["items"]
    assert mine and {i["actor"]["id"] for i in mine} == {other_id}


def body_edit(view: dict) -> dict:
    return {k: v for k, v in view["profile"].items() if k != "logo_url"}
