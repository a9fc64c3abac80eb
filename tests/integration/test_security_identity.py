"""Attack tests of identity security (issue 9, points 1-4, 10 in part, 13), played through the
HTTP API as an outsider would. Each test fails if any step of the attack succeeds.

See docs/security.md for the threat each one answers."""
from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.integration.conftest import PASSWORD, Api, eventually, new_shop, sign_in

COOKIE = "shopdesk_refresh"


# -- helpers ------------------------------------------------------------------------------------------
def post(system: Any, path: str, body: Any, *, session: requests.Session | None = None,
         headers: dict[str, str] | None = None) -> requests.Response:
    return (session or requests).post(f"{system.url}/api{path}", json=body, timeout=30, headers=headers or {})


class _SourceAddress(HTTPAdapter):
    """Connects from another loopback address (127.0.0.0/8 is all this machine): another client IP."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", _SourceAddress(address))
    return session


def fresh_ip() -> str:
    n = uuid.uuid4().int
    return f"127.{n % 200 + 20}.{(n >> 8) % 250 + 1}.{(n >> 16) % 250 + 1}"


def messages_to(system: Any, login: str) -> list[str]:
    """Texts of every e-mail or SMS the local cloud accepted for ``login``."""
    data = requests.get(f"{system.env['AWS_ENDPOINT_URL']}/moto-api/data.json", timeout=30).json()
    out = [json.dumps(m, ensure_ascii=False) for m in data["ses"].get("Message", [])
           if login in m["destinations"]["ToAddresses"]]
    out += [json.dumps(m, ensure_ascii=False) for m in data["sns"].get("SMS", []) if m["phone_number"] == login]
    return out


def code_in(text: str) -> str:
    found = re.findall(r"(?<!\d)(\d{6})(?!\d)", text)
    assert found, text
    return found[-1]


def new_login() -> str:
    return f"person-{uuid.uuid4().hex[:8]}@test.shop"


def invite(api: Api, login: str, roles: list[str], name: str = "新同事") -> requests.Response:
    return api.post("/staff", json={"login": login, "name": name, "roles": roles},
                    headers={"Idempotency-Key": str(uuid.uuid4())})


def user_of(api: Api) -> dict[str, Any]:
    return dict(api.get("/me").json()["user"])


def signin_answer(system: Any, login: str, password: str, session: requests.Session | None = None,
                  ) -> requests.Response:
    return post(system, "/auth/signin", {"email": login, "password": password}, session=session)


def shape(value: Any) -> Any:
    """The structure of a JSON answer without its values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__


# -- 1. account takeover across shops -------------------------------------------------------------------
def test_a_member_cannot_take_over_another_shops_owner_by_adding_and_resetting_them(system, make_staff):
    victim_shop = new_shop("受害者的店")
    victim = make_staff(victim_shop, "owner")
    victim_login = user_of(victim)["login"]
    attacker = make_staff(new_shop("攻击者所在的店"), "marketing")

    # The attacker opens a shop of their own, where they are owner.
    opened = attacker.post("/shops", json={"name": "我的新店"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert opened.status_code == 201, opened.text
    mine = Api(system.url, attacker.token, opened.json()["shop_id"])

    # "Adding" the victim's login and a login nobody has answer alike: an invitation, nothing more.
    added = invite(mine, victim_login, ["owner"], name="随便写的名字")
    unknown = invite(mine, new_login(), ["owner"], name="随便写的名字")
    assert added.status_code == unknown.status_code == 201, (added.text, unknown.text)
    assert shape(added.json()) == shape(unknown.json())
    for answer in (added.json(), unknown.json()):
        assert "temporary_password" not in answer and "new_login" not in answer
        assert answer["staff"]["status"] == "invited" and answer["staff"]["name"] == "随便写的名字"
    listed = {s["login"]: s for s in mine.get("/staff").json()["items"]}
    assert listed[victim_login]["name"] == "随便写的名字", "the victim's own name leaked to the inviter"

    # The invitation gives no access: the victim's membership is not active until they accept.
    victim_id = added.json()["staff"]["user_id"]
    # The admin reset route is gone; nobody but the person can reset their password.
    reset = mine.post(f"/staff/{victim_id}/reset-password")
    assert reset.status_code in (404, 405), reset.text
    # The person's own "forgot password" sends the code to the person, not to the caller.
    forgot = post(system, "/auth/forgot-password", {"login": victim_login})
    forgot_nobody = post(system, "/auth/forgot-password", {"login": new_login()})
    assert forgot.status_code == forgot_nobody.status_code == 202
    assert forgot.json() == forgot_nobody.json()
    assert not re.search(r"\d{6}", forgot.text)
    guessed = post(system, "/auth/reset-password", {"login": victim_login, "code": "000000",
                                                    "new_password": "Attacker-pass-1"})
    assert guessed.status_code == 400 and guessed.json()["error"]["code"] == "reset_code_invalid"

    # Nothing the attacker did changed the victim's password, and no message carried one.
    assert signin_answer(system, victim_login, PASSWORD).status_code == 200
    assert signin_answer(system, victim_login, "Attacker-pass-1").status_code == 401
    assert all("临时密码" not in m and "temporary password" not in m for m in messages_to(system, victim_login))

    # The victim sees the invitation after signing in, and declines it.
    pending = victim.get("/me/invitations").json()["items"]
    assert [i["shop_id"] for i in pending] == [mine.shop_id]
    assert victim.get("/me").json()["invitations"][0]["shop_name"] == "我的新店"
    assert victim.post(f"/me/invitations/{mine.shop_id}/decline").status_code == 200
    assert victim.get("/me/invitations").json()["items"] == []
    assert victim_login not in {s["login"] for s in mine.get("/staff").json()["items"]}
    assert Api(system.url, victim.token, mine.shop_id).get("/settings").status_code == 404


def test_an_invited_new_login_gets_its_first_password_only_by_message_and_accepts(system, owner: Api):
    login = new_login()
    answer = invite(owner, login, ["customer_service"])
    assert answer.status_code == 201, answer.text
    assert "temporary_password" not in answer.text
    [message] = eventually(lambda: messages_to(system, login))
    temporary = re.search(r"Sd[A-Za-z0-9]{10}\da", message)
    assert temporary, message
    challenge = signin_answer(system, login, temporary.group(0)).json()
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    done = post(system, "/auth/new-password", {"email": login, "session": challenge["session"],
                                               "new_password": "Chosen-pass-9"})
    assert done.status_code == 200, done.text
    person = Api(system.url, done.json()["id_token"], owner.shop_id)
    assert person.get("/settings").status_code == 404  # not a member until accepted
    accepted = person.post(f"/me/invitations/{owner.shop_id}/accept")
    assert accepted.status_code == 200, accepted.text
    assert person.get("/me").json()["current"]["roles"] == ["customer_service"]
    assert {s["login"]: s["status"] for s in owner.get("/staff").json()["items"]}[login] == "active"


def test_forgot_password_sends_a_code_to_the_person_that_sets_a_new_password_once(system, make_staff):
    person = make_staff(new_shop(), "finance")
    login = user_of(person)["login"]
    assert post(system, "/auth/forgot-password", {"login": login}).status_code == 202
    code = code_in(eventually(lambda: messages_to(system, login))[-1])
    wrong = post(system, "/auth/reset-password", {"login": login, "code": f"{(int(code) + 1) % 10**6:06d}",
                                                  "new_password": "Another-pass-2"})
    assert wrong.status_code == 400
    done = post(system, "/auth/reset-password", {"login": login, "code": code, "new_password": "Another-pass-2"})
    assert done.status_code == 200, done.text
    again = post(system, "/auth/reset-password", {"login": login, "code": code, "new_password": "Third-pass-3"})
    assert again.status_code == 400  # one use
    assert signin_answer(system, login, "Another-pass-2").status_code == 200
    # The reset signed out the sessions opened before it.
    assert person.get("/me").status_code == 401


# -- 2. no granting more than you hold --------------------------------------------------------------------
BUILT_IN = ["owner", "customer_service", "warehouse", "marketing", "finance", "auditor"]
STAFF_ADMIN = ["staff.view", "staff.create", "staff.edit", "roles.view", "roles.create", "roles.edit"]


@pytest.fixture(scope="module")
def roles_catalog(system) -> dict[str, set[str]]:
    from shared.auth.built_in_roles import BUILT_IN_ROLES

    return {code: set(role.permissions) for code, role in BUILT_IN_ROLES.items()}


@pytest.mark.parametrize("granter_role", BUILT_IN)
def test_nobody_grants_a_role_or_permission_beyond_their_own(system, make_staff, granter_role, roles_catalog):
    from shared.auth.permissions import ALL

    shop = new_shop()
    owner = make_staff(shop, "owner")
    # Every built-in role plus staff administration (a custom role the owner composed).
    admin_role = owner.post("/roles", json={"name_zh": "人事", "name_en": "Staff admin", "permissions": STAFF_ADMIN},
                            headers={"Idempotency-Key": str(uuid.uuid4())}).json()["code"]
    granter = make_staff(shop, granter_role)
    granter_id = user_of(granter)["id"]
    me = granter.get("/me").json()["current"]
    assert owner.put(f"/staff/{granter_id}", json={"version": 1, "name": "授权人",
                                                   "roles": [granter_role, admin_role]}).status_code == 200
    held = roles_catalog[granter_role] | set(STAFF_ADMIN)
    target = make_staff(shop, "auditor")
    target_id = user_of(target)["id"]
    before_staff = owner.get("/staff").json()["items"]
    before_roles = owner.get("/roles").json()["items"]

    for role in BUILT_IN:
        exceeds = not roles_catalog[role] <= held or (role == "owner" and granter_role != "owner")
        invited = invite(granter, new_login(), [role])
        version = owner.get(f"/staff/{target_id}").json()["version"]
        changed = granter.put(f"/staff/{target_id}", json={"version": version, "name": "目标", "roles": [role]})
        if exceeds:
            assert invited.status_code == 403, (role, invited.text)
            assert invited.json()["error"]["code"] in ("grant_exceeds_own", "owner_only"), invited.text
            assert changed.status_code == 403, (role, changed.text)
        else:
            assert invited.status_code == 201, (role, invited.text)
            assert changed.status_code == 200, (role, changed.text)
            owner.put(f"/staff/{target_id}", json={"version": changed.json()["version"], "name": "目标",
                                                   "roles": ["auditor"]})
    for permission in sorted(ALL - held):
        created = granter.post("/roles", json={"name_zh": "越权", "name_en": "Beyond", "permissions": [permission]},
                               headers={"Idempotency-Key": str(uuid.uuid4())})
        assert created.status_code == 403, (permission, created.text)
        assert created.json()["error"]["code"] == "grant_exceeds_own"
        assert created.json()["error"]["details"]["permission"] == permission
        raised = granter.put(f"/roles/{admin_role}", json={"version": 1, "name_zh": "人事", "name_en": "Staff admin",
                                                            "permissions": [*STAFF_ADMIN, permission]})
        assert raised.status_code == 403, (permission, raised.text)
    # Nobody edits their own roles, not even to keep them.
    own = granter.get(f"/staff/{granter_id}").json()
    mine = granter.put(f"/staff/{granter_id}", json={"version": own["version"], "name": own["name"],
                                                     "roles": sorted({*own["roles"], "auditor"})})
    assert mine.status_code == 403 and mine.json()["error"]["code"] == "own_roles", mine.text
    after_staff = [s for s in owner.get("/staff").json()["items"] if s["status"] != "invited"]
    assert {s["user_id"]: s["roles"] for s in after_staff} == {s["user_id"]: s["roles"] for s in before_staff}
    def permissions_by_role(items: list[dict[str, Any]]) -> dict[str, list[str]]:
        return {r["code"]: r["permissions"] for r in items}

    assert permissions_by_role(owner.get("/roles").json()["items"]) == permissions_by_role(before_roles)
    assert me["roles"] == [granter_role]


# -- 4. sessions ---------------------------------------------------------------------------------------------
def test_the_refresh_token_lives_only_in_an_http_only_cookie_and_sign_out_revokes_it(system, owner: Api):
    login = user_of(owner)["login"]
    browser = requests.Session()
    answer = signin_answer(system, login, PASSWORD, session=browser)
    assert answer.status_code == 200
    assert not answer.json().get("refresh_token"), "the refresh token is readable by page scripts"
    cookie = answer.headers.get("Set-Cookie", "")
    assert cookie.startswith(f"{COOKIE}=")
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path"} <= set(attributes)
    assert attributes["samesite"].lower() == "samesite=strict" and attributes["path"] == "Path=/api/auth"
    refreshed = browser.post(f"{system.url}/api/auth/refresh", json={}, timeout=30,
                             cookies={COOKIE: cookie.split(";")[0].split("=", 1)[1]})
    assert refreshed.status_code == 200 and refreshed.json()["id_token"], refreshed.text
    token = refreshed.json()["id_token"]
    raw = cookie.split(";")[0].split("=", 1)[1]
    out = requests.post(f"{system.url}/api/auth/signout", timeout=30, cookies={COOKIE: raw},
                        headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 200, out.text
    assert "Max-Age=0" in out.headers.get("Set-Cookie", "")
    again = requests.post(f"{system.url}/api/auth/refresh", json={}, timeout=30, cookies={COOKIE: raw})
    assert again.status_code == 401
    assert Api(system.url, token, owner.shop_id).get("/settings").status_code == 401
    assert owner.get("/settings").status_code == 200  # another session of the same person goes on


def test_a_password_change_signs_out_every_other_session(system, make_staff):
    person = make_staff(new_shop(), "owner")
    login = user_of(person)["login"]
    other = signin_answer(system, login, PASSWORD)
    other_cookie = other.cookies.get(COOKIE) or "x" * 20
    tokens = signin_answer(system, login, PASSWORD).json()
    changed = post(system, "/me/password", {"access_token": tokens["access_token"], "old_password": PASSWORD,
                                             "new_password": "Changed-pass-4"},
                   headers={"Authorization": f"Bearer {tokens['id_token']}"})
    assert changed.status_code == 200, changed.text
    assert Api(system.url, other.json()["id_token"], person.shop_id).get("/settings").status_code == 401
    assert person.get("/me").status_code == 401
    assert requests.post(f"{system.url}/api/auth/refresh", json={}, timeout=30,
                         cookies={COOKIE: other_cookie}).status_code == 401
    # The session that changed it continues with the tokens the change answered.
    assert Api(system.url, changed.json()["id_token"], person.shop_id).get("/settings").status_code == 200


def test_disabling_a_member_ends_their_sessions_for_good(system, owner: Api, make_staff):
    member = make_staff(owner.shop_id, "customer_service")
    member_id = user_of(member)["id"]
    assert owner.post(f"/staff/{member_id}/disable").status_code == 200
    assert owner.post(f"/staff/{member_id}/enable").status_code == 200
    refused = member.get("/settings")
    assert refused.status_code == 401, "a session opened before the disable works again after enable"
    fresh = Api(system.url, sign_in(system, member_login(owner, member_id)), owner.shop_id)
    assert fresh.get("/settings").status_code == 200


def member_login(owner: Api, user_id: str) -> str:
    return str(owner.get(f"/staff/{user_id}").json()["login"])


def test_the_audit_actor_is_the_member_not_a_claim_the_user_can_edit(system, make_staff):
    import boto3

    shop = new_shop()
    owner = make_staff(shop, "owner")
    login = user_of(owner)["login"]
    tokens = signin_answer(system, login, PASSWORD).json()
    idp = boto3.client("cognito-idp")
    try:
        idp.update_user_attributes(AccessToken=tokens["access_token"],
                                   UserAttributes=[{"Name": "email", "Value": "ceo@victim.shop"}])
        edited = True
    except idp.exceptions.NotAuthorizedException:
        edited = False
    assert not edited, "the app client lets a user rewrite their own e-mail attribute"
    forged = post(system, "/auth/refresh", {}, headers={"Cookie": f"{COOKIE}={signin_cookie(system, login)}"})
    me = Api(system.url, forged.json()["id_token"], shop)
    created = me.post("/roles", json={"name_zh": "审计", "name_en": "Audit probe", "permissions": ["orders.view"]},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201

    def entry() -> Any:
        items = owner.get("/audit", params={"resource": "roles"}).json()["items"]
        return items[0] if items else None

    assert eventually(entry)["actor"]["email"] == login


def signin_cookie(system: Any, login: str, password: str = PASSWORD) -> str:
    return str(signin_answer(system, login, password).cookies.get(COOKIE))


def test_a_disabled_account_and_a_wrong_password_answer_alike(system, make_staff):
    import boto3

    person = make_staff(new_shop(), "marketing")
    login = user_of(person)["login"]
    wrong = signin_answer(system, login, "Wrong-pass-1")
    boto3.client("cognito-idp").admin_disable_user(UserPoolId=system.env["USER_POOL_ID"], Username=login)
    disabled = signin_answer(system, login, PASSWORD)
    assert disabled.status_code == wrong.status_code == 401
    assert disabled.json() == wrong.json()


def test_failed_sign_ins_are_throttled_per_login(system, make_staff):
    person = make_staff(new_shop(), "marketing")
    login = user_of(person)["login"]
    client = client_from(fresh_ip())
    answers = [signin_answer(system, login, f"Wrong-pass-{i}", session=client).status_code for i in range(6)]
    assert answers[:5] == [401] * 5 and answers[5] == 429, answers
    # Locked for now even with the right password, from anywhere; the answer says when to retry.
    locked = signin_answer(system, login, PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert locked.json()["error"]["code"] == "rate_limited"
    zh, en = (requests.post(f"{system.url}/api/auth/signin", json={"email": login, "password": PASSWORD}, timeout=30,
                            headers={"Accept-Language": language}).json()["error"]["message"]
              for language in ("zh-CN", "en"))
    assert re.search(r"[\u4e00-\u9fff]", zh) and "try again" in en, (zh, en)


def test_failed_sign_ins_are_throttled_per_client_address(system):
    client = client_from(fresh_ip())
    answers = [signin_answer(system, new_login(), "Wrong-pass-1", session=client).status_code for _ in range(21)]
    assert answers[:20] == [401] * 20 and answers[20] == 429, answers
    assert signin_answer(system, new_login(), "Wrong-pass-1").status_code == 401  # other clients are not blocked


# -- 10. per-client throttles and daily caps --------------------------------------------------------------------
def test_reset_codes_are_throttled_per_login_with_the_same_answer_for_unknown_logins(system):
    for login in (new_login(), f"+86139{uuid.uuid4().int % 10**8:08d}"):
        client = client_from(fresh_ip())
        answers = [post(system, "/auth/forgot-password", {"login": login}, session=client) for _ in range(4)]
        assert [a.status_code for a in answers] == [202, 202, 202, 429], [a.text for a in answers]
        assert answers[3].json()["error"]["details"]["limit"] == "reset_codes_per_login"


def test_invitations_and_shops_have_per_member_caps(system, owner: Api):
    from shared import ratelimit

    user_id = user_of(owner)["id"]
    limit = ratelimit.LIMITS["invitations_per_day"]
    for _ in range(limit.max - 1):
        ratelimit.consume(limit, user_id)
    first = invite(owner, new_login(), ["auditor"])
    assert first.status_code == 201, first.text
    capped = invite(owner, new_login(), ["auditor"])
    assert capped.status_code == 429 and capped.json()["error"]["details"]["limit"] == "invitations_per_day"
    assert int(capped.headers["Retry-After"]) > 0
    shops = ratelimit.LIMITS["shops_per_day"]
    for _ in range(shops.max):
        ratelimit.consume(shops, user_id)
    opened = owner.post("/shops", json={"name": "又一家店"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert opened.status_code == 429 and opened.json()["error"]["details"]["limit"] == "shops_per_day"


# -- 13. local signing keys ---------------------------------------------------------------------------------------
def test_a_token_forged_with_motos_published_key_is_refused(system, owner: Api):
    import gzip
    from importlib import resources

    from joserfc import jwk, jwt

    me = user_of(owner)
    shipped = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    key = jwk.RSAKey.import_key(json.loads(gzip.decompress(shipped)))
    now = int(time.time())
    claims = {"iss": f"https://cognito-idp.{system.env['AWS_REGION']}.amazonaws.com/{system.env['USER_POOL_ID']}",
              "sub": me["id"], "aud": system.env["USER_POOL_CLIENT_ID"], "token_use": "id", "iat": now,
              "auth_time": now, "exp": now + 3600, "email": me["login"], "cognito:username": me["login"]}
    forged = jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, key)
    answer = Api(system.url, forged, owner.shop_id).get("/settings")
    assert answer.status_code == 401, "a token signed with moto's public key opened the API"


# -- 3. separation of duties ------------------------------------------------------------------------------------
def test_a_large_purchase_order_is_not_approved_by_the_person_who_created_it(system, make_staff):
    from tests.integration.inventory import product
    from tests.integration.test_purchasing import draft, supplier

    shop = new_shop()
    owner, keeper = make_staff(shop, "owner"), make_staff(shop, "warehouse")
    prd = product(owner)
    sup = supplier(keeper)["id"]
    large = draft(keeper, sup, prd, [(0, 10, 60_000)])  # ¥6,000, above the default ¥5,000
    alone = keeper.post(f"/purchase-orders/{large['id']}/submit", json={"version": large["version"]})
    assert alone.status_code == 403, alone.text
    assert alone.json()["error"]["code"] == "approval_needs_second_person"
    assert keeper.get(f"/purchase-orders/{large['id']}").json()["status"] == "draft"
    second = owner.post(f"/purchase-orders/{large['id']}/submit", json={"version": large["version"]})
    assert second.status_code == 200 and second.json()["status"] == "submitted", second.text
    small = draft(keeper, sup, prd, [(0, 2, 10_000)])  # ¥200: the creator may submit it
    assert keeper.post(f"/purchase-orders/{small['id']}/submit", json={"version": small["version"]}).status_code == 200
    # The shop can switch it off (only someone holding the approvals may).
    policy = owner.get("/settings").json()["approvals"]
    assert (policy["separate_approver"], policy["purchase_order_limit"]) == (True, 500_000)
    off = owner.put("/settings/approvals", json={**policy, "separate_approver": False})
    assert off.status_code == 200, off.text
    again = draft(keeper, sup, prd, [(0, 10, 60_000)])
    assert keeper.post(f"/purchase-orders/{again['id']}/submit", json={"version": again["version"]}).status_code == 200


def test_a_stocktake_with_a_large_variance_is_not_approved_by_the_person_who_opened_it(system, make_staff):
    from tests.integration.inventory import by_warehouse, product, receive
    from tests.integration.test_inventory_stocktake import enter, open_count

    shop = new_shop()
    owner, keeper = make_staff(shop, "owner"), make_staff(shop, "warehouse")
    prd = product(owner)
    receive(owner, prd, 0, 50)
    count = open_count(keeper, note="月末盘点")
    enter(keeper, count["id"], [{"sku_id": prd["skus"][0]["id"], "counted": 10}])  # 40 missing, > ¥2,000 at cost
    alone = keeper.post(f"/inventory/stocktakes/{count['id']}/approve")
    assert alone.status_code == 403 and alone.json()["error"]["code"] == "approval_needs_second_person", alone.text
    assert by_warehouse(owner, prd["skus"][0]["id"]) == {"wh_default": (50, 0, 50)}
    approved = owner.post(f"/inventory/stocktakes/{count['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    assert by_warehouse(owner, prd["skus"][0]["id"]) == {"wh_default": (10, 0, 10)}
