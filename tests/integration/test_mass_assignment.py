"""OWASP API3 (broken object property level authorization), played as an attacker: a body that
sets what the server owns (ids, the shop, versions, status, stock figures, who did it) is refused
with 422 naming the field, and nothing changes. Every request model forbids unknown fields
(``shared.model.Model``: ``extra="forbid"``); this test shows it where it matters."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.integration.inventory import product, receive, stock


def refused_naming(answer: Any, field: str) -> None:
    assert answer.status_code == 422, answer.text
    details = answer.json()["error"]["details"]
    named = [f["field"] for f in details.get("fields", [])] or [details.get("field")]
    assert field in named, details


SUPPLIER = {"name": "越权供应商", "contact": "王经理", "phone": "13800138000", "email": "a@b.example",
            "address": "浙江省杭州市", "lead_time_days": 3, "payment_terms": "现结"}


@pytest.mark.parametrize("field, value", [("id", "sup_01JBX8Y2Q7M3N4P5R6S7T8V9W0"), ("shop_id", "shp_other"),
                                          ("created_by", "someone@else.example"), ("webhook_secret", "known")])
def test_a_supplier_cannot_be_created_with_fields_the_server_owns(owner: Api, field: str, value: str):
    before = owner.get("/suppliers").json()["items"]
    refused_naming(owner.post("/suppliers", json={**SUPPLIER, field: value},
                              headers={"Idempotency-Key": str(uuid.uuid4())}), field)
    assert owner.get("/suppliers").json()["items"] == before


@pytest.mark.parametrize("field, value", [("on_hand", 100000), ("available", 100000), ("movement_id", "mv_x")])
def test_a_receipt_cannot_set_stock_figures_itself(owner: Api, field: str, value: Any):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    receive(owner, prd, 0, 5)
    before = stock(owner, sku_id)
    answer = owner.post("/inventory/receipts", json={"product_id": prd["id"], "sku_id": sku_id, "qty": 1,
                                                     field: value})
    refused_naming(answer, field)
    assert stock(owner, sku_id) == before


@pytest.mark.parametrize("field, value", [("status", "active"), ("shop_id", "shp_other"), ("permissions", ["*"])])
def test_an_invitation_cannot_make_itself_active_or_point_at_another_shop(owner: Api, field: str, value: Any):
    login = f"mass{uuid.uuid4().hex[:8]}@example.com"
    answer = owner.post("/staff", json={"login": login, "name": "越权", "roles": ["customer_service"], field: value},
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    refused_naming(answer, field)
    assert login not in str(owner.get("/staff").json())


def test_settings_cannot_carry_another_shops_id_or_a_made_up_version_field(owner: Api):
    view = owner.get("/settings").json()
    for field, value in (("shop_id", "shp_other"), ("updated_by", "x"), ("updated_at", "2020-01-01T00:00:00Z")):
        answer = owner.put("/settings/profile", json={"version": view["profile"]["version"],
                                                     "name": "越权的店名", field: value})
        refused_naming(answer, field)
    assert owner.get("/settings").json() == view
