"""Staff sign-in through the API (Cognito user pool in the local cloud)."""
from __future__ import annotations

import uuid

import requests

from tests.integration.conftest import PASSWORD, Api


def post(system, path, body):
    return requests.post(f"{system.url}/api{path}", json=body, timeout=30)


def test_sign_in_returns_tokens_that_open_the_api(system, owner: Api):
    me = owner.get("/me").json()
    assert me["current"]["shop_id"] == owner.shop_id
    assert "settings.edit" in me["current"]["permissions"]
    assert me["user"]["email"].endswith("@test.shop")


def test_wrong_password_and_unknown_user_look_the_same(system, owner: Api):
    email = owner.get("/me").json()["user"]["email"]
    wrong = post(system, "/auth/signin", {"email": email, "password": "Wrong-pass-1"})
    unknown = post(system, "/auth/signin", {"email": "nobody@test.shop", "password": "Wrong-pass-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"


def test_refresh_gives_a_new_id_token_from_the_cookie(system, owner: Api):
    email = owner.get("/me").json()["user"]["email"]
    signed = post(system, "/auth/signin", {"email": email, "password": PASSWORD})
    cookie = signed.cookies.get("shopdesk_refresh")
    assert cookie and "refresh_token" not in signed.json()
    refreshed = requests.post(f"{system.url}/api/auth/refresh", timeout=30, cookies={"shopdesk_refresh": cookie})
    assert refreshed.status_code == 200
    assert Api(system.url, refreshed.json()["id_token"], owner.shop_id).get("/settings").status_code == 200
    forged = requests.post(f"{system.url}/api/auth/refresh", timeout=30, cookies={"shopdesk_refresh": "x" * 40})
    assert forged.status_code == 401
    assert post(system, "/auth/refresh", {}).status_code == 401  # no cookie


def test_first_sign_in_requires_a_new_password(system, shop_id):
    from shared.identity import access, signin

    email = f"new-{uuid.uuid4().hex[:6]}@test.shop"
    user_id = signin.create_staff_login(email, "Temp-pass-1", temporary=True)
    access.upsert_user(user_id, email, "新员工")
    access.add_member(user_id, shop_id, {"customer_service"})
    challenge = post(system, "/auth/signin", {"email": email, "password": "Temp-pass-1"}).json()
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED" and challenge["session"]
    done = post(system, "/auth/new-password", {"email": email, "session": challenge["session"],
                                                "new_password": "Brand-new-1"})
    assert done.status_code == 200 and done.json()["id_token"]
    assert post(system, "/auth/signin", {"email": email, "password": "Brand-new-1"}).json()["id_token"]


def test_sign_in_input_is_validated(system):
    answer = post(system, "/auth/signin", {"email": "a"})
    assert answer.status_code == 422
    assert {f["field"] for f in answer.json()["error"]["details"]["fields"]} == {"email", "password"}


def test_demo_mode_tells_the_sign_in_page_the_demo_accounts(system):
    config = requests.get(f"{system.url}/api/auth/config", timeout=10).json()
    assert config["demo"] is True and config["demo_password"] == "ShopDesk-demo-1"
    assert {a["email"] for a in config["demo_accounts"]} >= {"owner@demo.shop", "finance@demo.shop"}
    assert config["demo_shop_id"] == "shp_demo"  # the storefront's shop picker opens it


def test_the_demo_staff_sign_in_with_their_roles(system):
    for email, role in [("owner@demo.shop", "owner"), ("warehouse@demo.shop", "warehouse")]:
        tokens = post(system, "/auth/signin", {"email": email, "password": "ShopDesk-demo-1"}).json()
        me = Api(system.url, tokens["id_token"]).get("/me").json()
        assert me["current"]["roles"] == [role]


def test_unknown_routes_and_methods_answer_in_the_error_shape(system):
    assert requests.get(f"{system.url}/api/nope", timeout=10).json()["error"]["code"] == "route_not_found"
    answer = requests.delete(f"{system.url}/api/settings", timeout=10)
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"
