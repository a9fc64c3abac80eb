"""The authorization matrix, generated from the route declarations and the permission registry:
every route x every built-in role, plus no token, a disabled member and a member of another
shop. Calls carry empty bodies and unknown ids, so an allowed call answers 4xx-but-not-401/403
(validation, not found) and changes nothing; a denied one answers exactly 403 naming the
permission. Zero unexpected allows, zero unexpected denials."""
from __future__ import annotations

import re

import pytest
import requests

from shared.auth.built_in_roles import BUILT_IN_ROLES
from shared.http.app import SHOP_MEMBER
from tests.contract.test_template_contract import API_FUNCTIONS, load_module
from tests.integration.conftest import Api, new_shop

SPECS = sorted((s for logical in API_FUNCTIONS for s in load_module(logical).app.specs),
               key=lambda s: (s.path, s.method))
PROTECTED = [s for s in SPECS if s.access != "public"]
SHOP_SCOPED = [s for s in SPECS if s.access == "shop"]
PLACEHOLDERS = {"user_id": "usr-not-a-member", "code": "role_not_there", "product_id": "prd_not_there",
                "category_id": "cat_not_there", "image_id": "img_not_there", "job_id": "job_not_there",
                "notification_id": "01J0000000000000000000NOPE",
                "sku_id": "sku_not_there", "warehouse_id": "wh_not_there", "order_id": "ord_not_there",
                "supplier_id": "sup_not_there", "po_id": "po_not_there",
                "stocktake_id": "stk_not_there"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDERS[m.group(1)], path)


def call(api: Api, spec) -> requests.Response:
    body = {} if spec.body is not None else None
    return api.call(spec.method, concrete(spec.path), json=body)


@pytest.fixture(scope="module")
def staff_by_role(system) -> dict[str, Api]:
    from shared.identity import access, signin
    from tests.integration.conftest import PASSWORD, sign_in

    shop = new_shop("权限矩阵店")
    apis = {}
    for role in BUILT_IN_ROLES:
        email = f"matrix-{role}@{shop.lower()}.test"
        user_id = signin.create_staff_login(email, PASSWORD)
        access.upsert_user(user_id, email, role)
        access.add_member(user_id, shop, {role})
        apis[role] = Api(system.url, sign_in(system, email), shop)
    return apis


@pytest.mark.parametrize("role", sorted(BUILT_IN_ROLES))
def test_every_route_allows_exactly_the_roles_holding_its_permission(staff_by_role, role):
    api = staff_by_role[role]
    granted = BUILT_IN_ROLES[role].permissions
    unexpected = []
    for spec in PROTECTED:
        answer = call(api, spec)
        allowed = spec.access == "user" or spec.permission == SHOP_MEMBER or spec.permission in granted
        if allowed and answer.status_code in (401, 403):
            unexpected.append(f"DENIED {spec.method} {spec.path}: {answer.status_code} {answer.text[:120]}")
        if not allowed and (answer.status_code != 403
                            or answer.json()["error"]["details"].get("permission") != spec.permission):
            unexpected.append(f"ALLOWED {spec.method} {spec.path}: {answer.status_code} {answer.text[:120]}")
    assert unexpected == [], f"{role}: " + "\n".join(unexpected)


def test_no_token_is_401_on_every_protected_route(system):
    anonymous = Api(system.url, None, "shp_demo")
    wrong = [f"{s.method} {s.path}: {call(anonymous, s).status_code}" for s in PROTECTED
             if call(anonymous, s).status_code != 401]
    assert wrong == []


def test_a_disabled_member_and_a_member_of_another_shop_get_404_everywhere(system, staff_by_role, make_staff):
    owner = staff_by_role["owner"]
    victim = make_staff(owner.shop_id, "owner")
    victim_id = victim.get("/me").json()["user"]["id"]
    assert owner.post(f"/staff/{victim_id}/disable").status_code == 200
    stranger = make_staff(new_shop("隔壁店"), "owner")
    stranger.shop_id = owner.shop_id
    wrong = []
    for api, who in ((victim, "disabled"), (stranger, "other shop")):
        for spec in SHOP_SCOPED:
            answer = call(api, spec)
            if answer.status_code != 404 or answer.json()["error"]["code"] != "shop_not_found":
                wrong.append(f"{who}: {spec.method} {spec.path}: {answer.status_code}")
    assert wrong == []


def test_the_matrix_covers_every_route_and_role():
    assert len(PROTECTED) * len(BUILT_IN_ROLES) >= 150
    assert {s.permission for s in SHOP_SCOPED} >= {"settings.edit", "staff.edit", "roles.edit", "audit.export"}
