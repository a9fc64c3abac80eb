"""Exports mask personal data for a caller without ``personal_data.view``, like the screens do:
the audit log's export (staff invited by e-mail and mobile, suppliers' contacts in the diffs, the
acting user) and the stock movements' export (who moved the stock). The owner's exports of the
same records show them in clear, so the masking is what makes the difference."""
from __future__ import annotations

import uuid

import requests

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import product, receive
from tests.integration.test_staff_api import invite


def download(api: Api, answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text
    return requests.get(answer.json()["url"], timeout=30).content.decode("utf-8-sig")


def test_the_audit_export_masks_staff_and_supplier_contacts_without_personal_data_view(owner: Api, make_staff):
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    email = f"sales-{uuid.uuid4().hex[:6]}@silk.example"
    login = f"staff-{uuid.uuid4().hex[:6]}@test.shop"
    assert invite(owner, login, ["marketing"]).status_code == 201
    assert invite(owner, mobile, ["warehouse"]).status_code == 201
    supplier = owner.post("/suppliers", json={"name": "杭州丝绸厂", "contact": "周经理", "phone": "13800138000",
                                              "email": email, "address": "浙江省杭州市余杭区良渚街道"})
    assert supplier.status_code == 201, supplier.text
    eventually(lambda: owner.get("/audit", params={"resource": "suppliers"}).json()["items"]
               and len(owner.get("/audit", params={"resource": "staff"}).json()["items"]) == 2)
    owner_email = owner.get("/me").json()["user"]["login"]
    clear = download(owner, owner.get("/audit/export", params={"format": "csv"}))
    for value in (mobile, email, login, "13800138000", "浙江省杭州市余杭区良渚街道", owner_email):
        assert value in clear, value

    auditor = make_staff(owner.shop_id, "auditor")  # audit.export, no personal_data.view
    masked = download(auditor, auditor.get("/audit/export", params={"format": "csv"}))
    for value in (mobile, email, login, "13800138000", "浙江省杭州市余杭区良渚街道", owner_email):
        assert value not in masked, value
    assert f"{mobile[:3]}****{mobile[-4:]}" in masked and "138****8000" in masked
    assert "s***@silk.example" in masked and f"{login[0]}***@test.shop" in masked
    assert masked.count("\n") == clear.count("\n"), "the same entries, masked"


def test_the_stock_movements_export_masks_who_moved_the_stock(owner: Api, make_staff):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 5)
    owner_email = owner.get("/me").json()["user"]["login"]
    body = {"format": "csv", "filter": {"sku_id": sku_id}}
    assert owner_email in download(owner, owner.post("/inventory/movements/export", json=body))

    role = owner.post("/roles", json={"name_zh": "库存导出", "name_en": "Stock export",
                                      "permissions": ["inventory.view", "inventory.export"]},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert role.status_code == 201, role.text
    clerk = make_staff(owner.shop_id, "marketing")
    clerk_id = clerk.get("/me").json()["user"]["id"]
    member = owner.get(f"/staff/{clerk_id}").json()
    assert owner.put(f"/staff/{clerk_id}", json={"version": member["version"], "name": member["name"],
                                                 "roles": [role.json()["code"]]}).status_code == 200
    masked = download(clerk, clerk.post("/inventory/movements/export", json=body))
    assert owner_email not in masked and f"{owner_email[0]}***@{owner_email.split('@')[1]}" in masked
