"""Shop settings through the real local API: what a merchant sees when editing settings."""
from __future__ import annotations

import uuid

import pytest
import requests

from tests.integration.conftest import Api, eventually
from tests.integration.images import png, windows_exe

SECTIONS = {
    "profile": "/settings/profile",
    "payment_methods": "/settings/payment-methods",
    "delivery_regions": "/settings/delivery-regions",
    "business_hours": "/settings/business-hours",
}


def body_of(view: dict, section: str) -> dict:
    body = dict(view[section])
    body.pop("logo_url", None)
    return body


def test_a_new_shop_starts_with_its_name_and_defaults(owner: Api):
    view = owner.get("/settings").json()
    assert view["profile"]["name"].startswith("测试店铺") and view["profile"]["version"] == 1
    assert view["profile"]["time_zone"] == "Asia/Shanghai" and view["profile"]["currency"] == "CNY"
    assert view["payment_methods"]["version"] == 0
    assert [m["code"] for m in view["payment_methods"]["methods"]] == [
        "alipay", "wechat_pay", "stripe", "unionpay", "bank_transfer", "cash_on_delivery"]
    assert [d["weekday"] for d in view["business_hours"]["weekly"]] == [1, 2, 3, 4, 5, 6, 7]
    assert view["delivery_regions"]["provinces"] == []


def test_each_section_saves_bumps_its_version_and_is_read_back(owner: Api):
    view = owner.get("/settings").json()
    changes = {
        "profile": {**body_of(view, "profile"), "name": "云朵小铺", "contact_phone": "13912345678",
                    "contact_email": "Boss@Example.com", "time_zone": "Asia/Hong_Kong", "currency": "HKD"},
        "payment_methods": {"version": 0, "methods": [
            {"code": "alipay", "enabled": True, "settings": {"merchant_id": "2088000000000001", "fee_rate_bp": 55}},
            {"code": "cash_on_delivery", "enabled": True, "settings": {"max_order_amount": 50000, "fee_rate_bp": 0}}]},
        "delivery_regions": {"version": 0, "provinces": ["330000", "110000"]},
        "business_hours": {"version": 0, "weekly": [{"weekday": d, "open": "08:30", "close": "20:00"} for d in range(1, 8)],
                           "closed_days": [{"date": "2027-01-01", "reason": "元旦"}]},
    }
    for section, body in changes.items():
        answer = owner.put(SECTIONS[section], json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"] == body["version"] + 1
    after = owner.get("/settings").json()
    assert after["profile"]["name"] == "云朵小铺" and after["profile"]["contact_email"] == "boss@example.com"
    assert after["profile"]["currency"] == "HKD"
    methods = {m["code"]: m for m in after["payment_methods"]["methods"]}
    assert methods["alipay"]["enabled"] and methods["alipay"]["settings"]["fee_rate_bp"] == 55
    assert methods["cash_on_delivery"]["settings"]["max_order_amount"] == 50000
    assert not methods["wechat_pay"]["enabled"]
    assert after["delivery_regions"]["provinces"] == ["110000", "330000"]
    assert after["business_hours"]["closed_days"] == [{"date": "2027-01-01", "reason": "元旦"}]
    assert {s: after[s]["version"] for s in SECTIONS} == {s: changes[s]["version"] + 1 for s in SECTIONS}


def test_a_stale_version_answers_409_and_keeps_the_newer_data(owner: Api):
    view = owner.get("/settings").json()
    first = {**body_of(view, "profile"), "name": "第一次"}
    assert owner.put("/settings/profile", json=first).status_code == 200
    stale = owner.put("/settings/profile", json={**first, "name": "过期的修改"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    base = view["profile"]["version"]
    assert stale.json()["error"]["details"] == {"expected": base, "current": base + 1}
    assert owner.get("/settings").json()["profile"]["name"] == "第一次"


def test_editing_different_sections_from_the_same_old_view_does_not_conflict(owner: Api):
    view = owner.get("/settings").json()
    assert owner.put("/settings/delivery-regions", json={"version": 0, "provinces": ["440000"]}).status_code == 200
    assert owner.put("/settings/profile", json={**body_of(view, "profile"), "name": "互不影响"}).status_code == 200


BAD_INPUTS = [
    # (path, body, field named in the error, status)
    ("/settings/profile", {"version": 0, "name": ""}, "name", 422),
    ("/settings/profile", {"version": 0, "name": "x" * 61}, "name", 422),
    ("/settings/profile", {"version": 0}, "name", 422),
    ("/settings/profile", {"version": "one", "name": "A"}, "version", 422),
    ("/settings/profile", {"version": -1, "name": "A"}, "version", 422),
    ("/settings/profile", {"version": 0, "name": "A", "contact_phone": "12345"}, "contact_phone", 422),
    ("/settings/profile", {"version": 0, "name": "A", "contact_email": "nope"}, "contact_email", 422),
    ("/settings/profile", {"version": 0, "name": "A", "time_zone": "Mars/Base"}, "time_zone", 422),
    ("/settings/profile", {"version": 0, "name": "A", "currency": "BTC"}, "currency", 422),
    ("/settings/profile", {"version": 0, "name": "A", "address": "路" * 201}, "address", 422),
    ("/settings/profile", {"version": 0, "name": "A", "is_admin": True}, "is_admin", 422),
    ("/settings/profile", {"version": 0, "name": "A", "logo_key": "uploads/another-shop/logo/x.png"}, "logo_key", 422),
    ("/settings/payment-methods", {"version": 0, "methods": [{"code": "paypal"}]}, "methods.0", 422),
    ("/settings/payment-methods", {"version": 0, "methods": [{"code": "alipay", "enabled": True}]}, "methods.0.alipay", 422),
    ("/settings/payment-methods", {"version": 0, "methods": [
        {"code": "alipay", "settings": {"merchant_id": "2088000000000001", "fee_rate_bp": 10001}}]},
     "methods.0.alipay.settings.fee_rate_bp", 422),
    ("/settings/payment-methods", {"version": 0, "methods": [
        {"code": "cash_on_delivery", "settings": {"max_order_amount": 12.5}}]},
     "methods.0.cash_on_delivery.settings.max_order_amount", 422),
    ("/settings/delivery-regions", {"version": 0, "provinces": ["110000", "999999"]}, "provinces", 422),
    ("/settings/delivery-regions", {"version": 0, "provinces": "110000"}, "provinces", 422),
    ("/settings/business-hours", {"version": 0, "weekly": [{"weekday": 1}]}, "weekly", 422),
    ("/settings/business-hours", {"version": 0, "weekly": [
        {"weekday": d, "open": "25:00"} for d in range(1, 8)]}, "weekly.0.open", 422),
    ("/settings/business-hours", {"version": 0, "closed_days": [{"date": "2027-02-30"}]}, "closed_days.0.date", 422),
    ("/settings/logo-uploads", {"content_type": "application/x-msdownload", "size": 100}, "content_type", 422),
    ("/settings/logo-uploads", {"content_type": "image/png", "size": 10 * 1024 * 1024}, "size", 422),
]


@pytest.mark.parametrize(("path", "body", "field", "status"), BAD_INPUTS)
def test_bad_input_names_the_field_and_changes_nothing(owner: Api, path, body, field, status):
    before = owner.get("/settings").json()
    method = "POST" if path.endswith("uploads") else "PUT"
    answer = owner.call(method, path, json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    names = [f["field"] for f in error["details"].get("fields", [])] or [error["details"].get("field")]
    assert any(n == field or n.startswith(field + ".") for n in names), (names, field)
    assert all(f["message"] for f in error["details"].get("fields", []))
    assert owner.get("/settings").json() == before


def test_error_messages_come_in_the_callers_language(owner: Api):
    owner.language = "zh-CN"
    zh = owner.put("/settings/profile", json={"version": 0, "name": ""}).json()["error"]
    owner.language = "en"
    en = owner.put("/settings/profile", json={"version": 0, "name": ""}).json()["error"]
    assert "至少" in zh["details"]["fields"][0]["message"]
    assert "at least" in en["details"]["fields"][0]["message"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "null", "\"text\""])
def test_malformed_or_non_object_bodies_are_refused(owner: Api, raw):
    answer = owner.put("/settings/profile", data=raw.encode(), headers={"Content-Type": "application/json"})
    assert answer.status_code in (400, 422)
    assert answer.json()["error"]["code"] in ("invalid_json", "validation_failed")


def test_an_oversized_body_is_refused(owner: Api):
    answer = owner.put("/settings/profile", json={"version": 0, "name": "A", "address": "x" * 300_000})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "payload_too_large"


def test_no_token_is_401_and_a_forged_token_too(system, shop_id):
    anonymous = Api(system.url, None, shop_id)
    assert anonymous.get("/settings").status_code == 401
    forged = Api(system.url, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", shop_id)
    answer = forged.get("/settings")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_authenticated"


def test_another_shops_settings_answer_404_and_stay_untouched(owner: Api, make_staff):
    from tests.integration.conftest import new_shop

    other_shop = new_shop("别人的店")
    other_owner = make_staff(other_shop, "owner")
    owner.shop_id = other_shop
    assert owner.get("/settings").status_code == 404
    answer = owner.put("/settings/profile", json={"version": 0, "name": "入侵"})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "shop_not_found"
    assert other_owner.get("/settings").json()["profile"]["name"] != "入侵"


def test_a_missing_shop_header_is_a_clear_400(owner: Api):
    owner.shop_id = None
    answer = owner.get("/settings")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "shop_required"


@pytest.mark.parametrize("role", ["customer_service", "warehouse", "marketing", "finance"])
def test_staff_without_settings_edit_can_read_but_not_change(shop_id, make_staff, role):
    staff = make_staff(shop_id, role)
    assert staff.get("/settings").status_code == 200
    answer = staff.put("/settings/profile", json={"version": 0, "name": "越权"})
    assert answer.status_code == 403
    assert answer.json()["error"]["details"] == {"permission": "settings.edit"}


def upload(owner: Api, content: bytes, content_type: str = "image/png", key: str | None = None) -> str:
    ticket = owner.post("/settings/logo-uploads", json={"content_type": content_type, "size": len(content)},
                        headers={"Idempotency-Key": key or str(uuid.uuid4())})
    assert ticket.status_code == 201, ticket.text
    t = ticket.json()
    posted = requests.post(t["upload"]["url"], data=t["upload"]["fields"],
                           files={"file": ("logo.png", content, content_type)}, timeout=30)
    assert posted.status_code in (200, 201, 204), posted.text
    return str(t["key"])


def test_a_logo_uploaded_through_the_presigned_post_becomes_the_shops_logo(owner: Api):
    image = png(16, 16)
    key = upload(owner, image)
    view = owner.get("/settings").json()
    saved = owner.put("/settings/profile", json={**body_of(view, "profile"), "logo_key": key})
    assert saved.status_code == 200, saved.text
    stored_key = saved.json()["logo_key"]
    assert stored_key.startswith(f"shops/{owner.shop_id}/logo/") and stored_key.endswith(".png")
    logo = requests.get(owner.get("/settings").json()["profile"]["logo_url"], timeout=30)
    assert logo.status_code == 200 and logo.content == image


def test_an_exe_renamed_png_is_refused_and_removed(owner: Api):
    key = upload(owner, windows_exe())
    view = owner.get("/settings").json()
    answer = owner.put("/settings/profile", json={**body_of(view, "profile"), "logo_key": key})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "logo_invalid"
    assert owner.get("/settings").json()["profile"]["logo_key"] is None
    again = owner.put("/settings/profile", json={**body_of(view, "profile"), "logo_key": key})
    assert again.json()["error"]["code"] == "logo_missing"


def test_a_logo_upload_repeated_with_the_same_idempotency_key_answers_the_same_ticket(owner: Api):
    key = str(uuid.uuid4())
    body = {"content_type": "image/png", "size": 1000}
    first = owner.post("/settings/logo-uploads", json=body, headers={"Idempotency-Key": key})
    second = owner.post("/settings/logo-uploads", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json()["key"] == second.json()["key"]
    other = owner.post("/settings/logo-uploads", json={**body, "size": 2000}, headers={"Idempotency-Key": key})
    assert other.status_code == 400 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_every_change_is_in_the_audit_log_with_who_and_the_diff(owner: Api):
    view = owner.get("/settings").json()
    owner.put("/settings/profile", json={**body_of(view, "profile"), "name": "审计测试", "address": "杭州"})
    owner.put("/settings/delivery-regions", json={"version": 0, "provinces": ["310000"]})

    def entries():
        items = owner.get("/audit", params={"resource": "settings"}).json()["items"]
        return items if len(items) >= 3 else None  # with the new shop's own profile entry, which may come last

    items = eventually(entries)
    regions, profile = items[0], items[1]
    assert regions["action"] == "settings.delivery_regions.modified"
    assert regions["after"] == {"provinces": ["310000"]} and regions["before"] == {"provinces": []}
    assert profile["action"] == "settings.profile.modified"
    assert set(profile["changed"]) >= {"name", "address"}
    assert profile["after"]["name"] == "审计测试"
    assert profile["actor"]["email"].endswith("@test.shop")
    assert profile["source_ip"] == "127.0.0.1"


def test_the_audit_log_pages_with_a_cursor_and_refuses_a_forged_one(owner: Api):
    view = owner.get("/settings").json()
    version = view["profile"]["version"]
    for i in range(3):
        saved = owner.put("/settings/profile", json={**body_of(view, "profile"), "name": f"第{i}版", "version": version})
        version = saved.json()["version"]
    eventually(lambda: len(owner.get("/audit").json()["items"]) >= 3)
    first = owner.get("/audit", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = owner.get("/audit", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert {i["id"] for i in second["items"]}.isdisjoint({i["id"] for i in first["items"]})
    assert owner.get("/audit", params={"cursor": "forged"}).json()["error"]["code"] == "invalid_cursor"
    assert owner.get("/audit", params={"limit": 1000}).status_code == 422


def test_regions_reference_lists_the_34_provinces_in_both_languages(owner: Api):
    items = owner.get("/settings/regions").json()["items"]
    assert len(items) == 34
    assert {"code": "330000", "name_zh": "浙江省", "name_en": "Zhejiang"} in items


def test_renaming_the_shop_renames_it_in_the_shop_switcher(owner: Api):
    view = owner.get("/settings").json()
    owner.put("/settings/profile", json={**body_of(view, "profile"), "name": "改名后的店"})
    eventually(lambda: owner.get("/me").json()["current"]["name"] == "改名后的店")
    assert {s["name"] for s in owner.get("/me").json()["shops"]} == {"改名后的店"}
