"""Buyers' SMS-code sign-in, sessions and the two user pools kept apart (issue 11 points 1-2)."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.buyers import ask_code, last_code, new_mobile, refresh_cookie, sign_in_buyer, unlock
from tests.integration.conftest import new_shop


def url(system, shop_id: str, path: str) -> str:
    return f"{system.url}/api/storefront/{shop_id}{path}"


def test_a_code_by_sms_signs_a_buyer_in_once_and_the_cookie_session_refreshes_and_ends(system, shop_id):
    mobile = new_mobile()
    sent = ask_code(system, shop_id, mobile)
    assert sent.status_code == 202, sent.text
    assert sent.json()["sent_to"] == f"{mobile[:3]}****{mobile[-4:]}"
    assert sent.json()["retry_after"] == 60 and sent.json()["demo_code"] is None
    code = last_code(system, mobile)
    answer = requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": mobile, "code": code}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["buyer"]["mobile"] == f"+86{mobile}" and body["buyer"]["id"].startswith("byr_")
    assert "refresh" not in answer.text.lower().replace("shopdesk_buyer_refresh", "")
    set_cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and f"/storefront/{shop_id}/auth" in set_cookie
    token, cookie = body["id_token"], refresh_cookie(answer)
    me = requests.get(url(system, shop_id, "/me"), headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert me.status_code == 200 and me.json()["mobile"] == f"+86{mobile}" and me.json()["id"] == body["buyer"]["id"]

    replay = requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": mobile, "code": code}, timeout=30)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "code_invalid"

    renewed = requests.post(url(system, shop_id, "/auth/refresh"), headers={"Cookie": f"shopdesk_buyer_refresh={cookie}"},
                            timeout=30)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["buyer"]["id"] == body["buyer"]["id"]

    out = requests.post(url(system, shop_id, "/auth/signout"), timeout=30,
                        headers={"Authorization": f"Bearer {token}", "Cookie": f"shopdesk_buyer_refresh={cookie}"})
    assert out.status_code == 200 and "Max-Age=0" in out.headers["Set-Cookie"]
    after = requests.get(url(system, shop_id, "/me"), headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert after.status_code == 401 and after.json()["error"]["code"] == "session_revoked"
    again = requests.post(url(system, shop_id, "/auth/refresh"), headers={"Cookie": f"shopdesk_buyer_refresh={cookie}"},
                          timeout=30)
    assert again.status_code == 401


def test_a_number_is_one_buyer_per_shop_and_another_shop_does_not_know_them(system, shop_id):
    mobile = new_mobile()
    first = sign_in_buyer(system, shop_id, mobile)
    second = sign_in_buyer(system, shop_id, mobile)
    assert first.buyer_id == second.buyer_id
    other_shop = new_shop()
    elsewhere = sign_in_buyer(system, other_shop, mobile)
    assert elsewhere.buyer_id != first.buyer_id
    # A buyer's token of one shop does not open another shop's storefront.
    crossed = requests.get(url(system, other_shop, "/me"), headers={"Authorization": f"Bearer {first.token}"}, timeout=30)
    assert crossed.status_code == 401


def test_codes_are_limited_per_number_and_per_address(system, shop_id):
    mobile = new_mobile()
    assert ask_code(system, shop_id, mobile).status_code == 202
    again = ask_code(system, shop_id, mobile)
    assert again.status_code == 429 and again.json()["error"]["details"]["limit"] == "buyer_code_resend"
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    for _ in range(4):
        unlock(shop_id, mobile)
        assert ask_code(system, shop_id, mobile).status_code == 202
    unlock(shop_id, mobile)
    hourly = ask_code(system, shop_id, mobile)
    assert hourly.status_code == 429 and hourly.json()["error"]["details"]["limit"] == "buyer_codes_per_mobile"
    # Per client address in a shop: 20 codes an hour whatever the numbers (5 spent above).
    answers = [ask_code(system, shop_id, new_mobile()).status_code for _ in range(16)]
    assert answers == [202] * 15 + [429]


def test_a_wrong_code_counts_and_five_wrong_tries_kill_the_code(system, shop_id):
    mobile = new_mobile()
    assert ask_code(system, shop_id, mobile).status_code == 202
    code = last_code(system, mobile)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(5):
        answer = requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": mobile, "code": wrong}, timeout=30)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "code_invalid"
    late = requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": mobile, "code": code}, timeout=30)
    assert late.status_code == 401


def test_an_expired_code_is_refused_and_an_unknown_number_answers_the_same(system, shop_id):
    from shared import crypto
    from shared.buyers.tables import SignInCode, code_pk

    mobile = new_mobile()
    assert ask_code(system, shop_id, mobile).status_code == 202
    code = last_code(system, mobile)
    item = SignInCode.get(code_pk(shop_id, crypto.blind_index(shop_id, "mobile", f"+86{mobile}")), "CODE")
    assert code not in str(item.digest)  # never the code itself
    item.update(actions=[SignInCode.expires_at.set(int(time.time()) - 1)])
    expired = requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": mobile, "code": code}, timeout=30)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "code_invalid"
    never = requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": new_mobile(), "code": "123456"}, timeout=30)
    assert never.status_code == 401 and never.json()["error"] == {**expired.json()["error"]}


def test_one_code_raced_signs_in_once(system, shop_id):
    mobile = new_mobile()
    assert ask_code(system, shop_id, mobile).status_code == 202
    code = last_code(system, mobile)

    def attempt(_: int) -> int:
        return requests.post(url(system, shop_id, "/auth/signin"), json={"mobile": mobile, "code": code},
                             timeout=30).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(attempt, range(6)))
    assert statuses == [200] + [401] * 5


def test_the_demo_buyer_sees_the_code_only_in_demo_mode(system, shop_id, monkeypatch):
    from shared import config
    from shared.buyers import signin
    from shared.buyers.models import CodeRequest
    from shared.errors import Throttled

    unlock(shop_id, "13800000000")
    demo = ask_code(system, shop_id, "13800000000")
    assert demo.status_code == 202 and demo.json()["demo_code"] == last_code(system, "13800000000")
    # Its code is on screen anyway: the demo buyer may ask again at once (every visitor of a demo is it).
    again = ask_code(system, shop_id, "13800000000")
    assert again.status_code == 202, again.text
    assert again.json()["demo_code"] == last_code(system, "13800000000")
    monkeypatch.setenv("SHOPDESK_DEMO_MODE", "false")
    config.reset()
    try:
        assert signin.request_code(shop_id, CodeRequest(mobile="13800000000"), None, "en").demo_code is None
        with pytest.raises(Throttled):  # outside demo mode the number's limits hold like any other's
            signin.request_code(shop_id, CodeRequest(mobile="13800000000"), None, "en")
    finally:
        monkeypatch.undo()
        config.reset()


def test_bad_sign_in_input_is_named_and_changes_nothing(system, shop_id):
    for body, field in (({"mobile": "12345"}, "mobile"), ({"mobile": "13800000000", "x": 1}, "x"), ({}, "mobile")):
        answer = requests.post(url(system, shop_id, "/auth/code"), json=body, timeout=30)
        assert answer.status_code == 422 and field in answer.text, answer.text
    for body, field in (({"mobile": "13900000000", "code": "12ab56"}, "code"), ({"mobile": "139", "code": "123456"}, "mobile")):
        answer = requests.post(url(system, shop_id, "/auth/signin"), json=body, timeout=30)
        assert answer.status_code == 422 and field in answer.text, answer.text
    bad_json = requests.post(url(system, shop_id, "/auth/code"), data=b"{", timeout=30,
                             headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "invalid_json"
    unknown_shop = requests.post(f"{system.url}/api/storefront/not-a-shop/auth/code", json={"mobile": "13900000000"},
                                 timeout=30)
    assert unknown_shop.status_code == 404


def test_a_buyer_token_never_opens_a_staff_route_and_a_staff_token_never_a_buyer_route(system, shop_id, owner):
    buyer = sign_in_buyer(system, shop_id)
    as_buyer = {"Authorization": f"Bearer {buyer.token}", "X-Shop-Id": shop_id}
    for path in ("/me", "/orders", "/settings", "/staff"):
        answer = requests.get(f"{system.url}/api{path}", headers=as_buyer, timeout=30)
        assert answer.status_code == 401, (path, answer.text)
    as_staff = {"Authorization": f"Bearer {owner.token}"}
    for path in ("/me",):
        answer = requests.get(url(system, shop_id, path), headers=as_staff, timeout=30)
        assert answer.status_code == 401, (path, answer.text)
    out = requests.post(url(system, shop_id, "/auth/signout"), headers=as_staff, timeout=30)
    assert out.status_code == 401
    assert requests.get(url(system, shop_id, "/me"), timeout=30).status_code == 401
