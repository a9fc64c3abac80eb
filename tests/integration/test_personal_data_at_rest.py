"""Personal data at rest (issue 9, point 5): after a realistic demo shop has lived a little, the
raw items of every table of the template, the messages on every queue and dead-letter queue,
everything the bus delivered, and the system's captured logs hold no plaintext phone number,
e-mail address, name, address or bank account number.

The test runs its own system (its own data folder), so the logs it reads are this run's only
and the demo shop is seeded fresh by ``make run``'s own seeding. It reads the tables with Scan
from the test process: the scan guard of the system still counts API-request scans, and the
test checks none happened.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infra import background
from tests.integration import receiver as webhooks
from tests.integration.conftest import Api, eventually

DEMO_SHOP = "shp_demo"
DEMO_PASSWORD = "ShopDesk-demo-1"
# What infra/seed.py writes (the demo staff, the shop's contacts, the suppliers' contacts) ...
SEEDED = [
    "owner@demo.shop", "service@demo.shop", "warehouse@demo.shop", "marketing@demo.shop", "finance@demo.shop",
    "王芳", "李娜", "张伟", "刘洋", "陈静",
    "13800138000", "service@huajianji.example", "浙江省杭州市余杭区文一西路 998 号",
    "周建国", "13957112345", "陈小梅", "020-86661234", "王海涛", "13805851234", "zhou.jg@hzsilk.example",
    "浙江省杭州市萧山区衙前镇工业园 18 号", "广东省广州市白云区三元里大道 1208 号", "浙江省绍兴市柯桥区轻纺城大道 2099 号",
]
# ... and what this test adds through the API.
MOBILE_INVITE = "13912345678"
ADDED = {
    "invited mobile": MOBILE_INVITE, "invited name": "赵磊",
    "supplier contact": "孙丽", "supplier phone": "13687654321", "supplier e-mail": "sunli@silk-supplier.example",
    "supplier address": "江苏省苏州市吴江区盛泽镇舜湖西路 66 号",
    "shop contact": "钱晓燕", "shop phone": "13711112222", "shop e-mail": "kefu@huajianji.example",
    "shop address": "浙江省杭州市西湖区天目山路 181 号",
    "account name": "钱晓燕", "account number": "6222021202004455667",
    "extra e-mail": "boss.alerts@huajianji.example", "extra mobile": "13633334444",
    "receiver name": "吴秀英", "receiver mobile": "13566667777", "receiver address": "人民南路四段 11 号 3 单元",
    "buyer mobile": "13522223333", "buyer message": "到了请打 13599998888",
}
PHONE = re.compile(r"(?:(?<=\+86)|(?<![0-9A-Za-z]))1[3-9]\d{9}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass
class Finding:
    where: str
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} in {self.text[:160]!r}"


def findings_in(where: str, text: str) -> list[Finding]:
    found = [Finding(where, f"known value {v!r}", text) for v in [*SEEDED, *ADDED.values()] if v in text]
    found += [Finding(where, f"phone-like {m.group()!r}", text) for m in PHONE.finditer(text)]
    found += [Finding(where, f"e-mail-like {m.group()!r}", text) for m in EMAIL.finditer(text)]
    return found


@pytest.fixture(scope="module")
def own_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[background.RunningSystem]:
    running = background.start(Path(tmp_path_factory.mktemp("pd-at-rest")),
                               extra_env={"SHOPDESK_FORBID_SCAN": "1", "SHOPDESK_LOG_LEVEL": "INFO", **webhooks.ENV})
    try:
        yield running
    finally:
        running.stop()


def aws(system: background.RunningSystem, service: str) -> Any:
    env = system.env
    endpoint = env["AWS_ENDPOINT_URL_DYNAMODB"] if service == "dynamodb" else env["AWS_ENDPOINT_URL"]
    return boto3.client(service, endpoint_url=endpoint, region_name=env["AWS_REGION"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


def owner_api(system: background.RunningSystem) -> Api:
    answer = requests.post(f"{system.url}/api/auth/signin", json={"email": "owner@demo.shop", "password": DEMO_PASSWORD},
                           timeout=30)
    assert answer.status_code == 200, answer.text
    return Api(system.url, answer.json()["id_token"], DEMO_SHOP)


def bus_tap(system: background.RunningSystem) -> str:
    """A queue that receives every event put on the bus from now on (what every consumer queue gets)."""
    sqs, events = aws(system, "sqs"), aws(system, "events")
    url = sqs.create_queue(QueueName=f"tap-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"tap-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventBusName=system.env["EVENT_BUS_NAME"],
                    EventPattern=json.dumps({"source": [{"prefix": "shopdesk"}]}))
    events.put_targets(Rule=rule, EventBusName=system.env["EVENT_BUS_NAME"], Targets=[{"Id": "tap", "Arn": arn}])
    return str(url)


def live_a_little(api: Api, receiver: webhooks.Receiver, system: background.RunningSystem) -> None:
    """What a shop owner does in a first week: contacts and bank account in the settings, a warehouse
    clerk invited by mobile and promoted, a supplier with its contact, a purchase order sent to it, a buyer's
    order with its receiver and message."""
    settings = api.get("/settings").json()
    profile = {**{k: v for k, v in settings["profile"].items() if k not in ("version", "logo_url")},
               "contact_name": ADDED["shop contact"], "contact_phone": ADDED["shop phone"],
               "contact_email": ADDED["shop e-mail"], "address": ADDED["shop address"],
               "version": settings["profile"]["version"]}
    assert api.put("/settings/profile", json=profile).status_code == 200
    methods = [m for m in settings["payment_methods"]["methods"] if m["code"] != "bank_transfer"]
    methods.append({"code": "bank_transfer", "enabled": True, "settings": {
        "account_name": ADDED["account name"], "bank_name": "中国工商银行杭州文一支行",
        "account_number": ADDED["account number"]}})
    answer = api.put("/settings/payment-methods", json={"methods": methods,
                                                        "version": settings["payment_methods"]["version"]})
    assert answer.status_code == 200, answer.text
    topics = settings["notifications"]["topics"]
    topics["low_stock"] = {**topics["low_stock"], "email": True, "sms": True,
                           "extra_emails": [ADDED["extra e-mail"]], "extra_phones": [ADDED["extra mobile"]]}
    answer = api.put("/settings/notifications", json={"topics": topics, "version": settings["notifications"]["version"]})
    assert answer.status_code == 200, answer.text

    invited = api.post("/staff", json={"login": MOBILE_INVITE, "name": f"仓管 {ADDED['invited name']}",
                                       "roles": ["warehouse"]}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert invited.status_code == 201, invited.text
    member = invited.json()["staff"]
    answer = api.put(f"/staff/{member['user_id']}", json={"version": member["version"], "name": member["name"],
                                                          "roles": ["warehouse", "customer_service"]})
    assert answer.status_code == 200, answer.text

    supplier = api.post("/suppliers", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "name": "苏州盛泽真丝织造厂", "contact": ADDED["supplier contact"], "phone": ADDED["supplier phone"],
        "email": ADDED["supplier e-mail"], "address": ADDED["supplier address"], "lead_time_days": 12,
        "payment_terms": "月结30天", "webhook_url": receiver.url})
    assert supplier.status_code == 201, supplier.text
    product = api.get("/products", params={"limit": 1}).json()["items"][0]
    sku = api.get(f"/products/{product['id']}").json()["skus"][0]
    po = api.post("/purchase-orders", json={"supplier_id": supplier.json()["id"], "lines": [
        {"product_id": product["id"], "sku_id": sku["id"], "qty": 30, "unit_cost": 4800}]},
        headers={"Idempotency-Key": uuid.uuid4().hex})
    assert po.status_code == 201, po.text
    answer = api.post(f"/purchase-orders/{po.json()['id']}/submit", json={"version": po.json()["version"]})
    assert answer.status_code == 200, answer.text
    eventually(lambda: receiver.calls, timeout=60)
    eventually(lambda: api.get(f"/purchase-orders/{po.json()['id']}").json()["webhook"]["status"] == "delivered")

    # A buyer signs in and orders through the storefront (address book, cart, place order).
    listed = api.post(f"/products/{product['id']}/list", json={})
    assert listed.status_code in (200, 409), listed.text
    received = api.post("/inventory/receipts", json={"product_id": product["id"], "sku_id": sku["id"], "qty": 5})
    assert received.status_code == 201, received.text
    place_order(system, product["id"], sku["id"])

    # The audit log has recorded all of it (its consumer ran on every event above).
    wanted = ("settings.profile.", "settings.payment_methods.", "settings.notifications.", "staff.invited",
              "staff.modified", "supplier")

    def audited() -> bool:
        actions = [e["action"] for e in api.get("/audit", params={"limit": 100}).json()["items"]]
        return all(any(w in a for a in actions) for w in wanted)

    eventually(audited, timeout=60)

    # The clerk mistypes a password, then asks for a reset code and mistypes it too: the per-login and
    # per-address counters (RateLimitTable) and the pending code (identity table) are stored.
    anonymous = Api(api.base)
    wrong = anonymous.call("POST", "/auth/signin", json={"email": MOBILE_INVITE, "password": "Not-the-password-1"})
    assert wrong.status_code == 401, wrong.text
    sent = anonymous.call("POST", "/auth/forgot-password", json={"login": MOBILE_INVITE})
    assert sent.status_code == 202, sent.text
    guess = anonymous.call("POST", "/auth/reset-password", json={"login": MOBILE_INVITE, "code": "000000",
                                                                 "new_password": "New-password-1"})
    assert guess.status_code in (400, 422), guess.text


def place_order(system: background.RunningSystem, product_id: str, sku_id: str) -> None:
    """The buyer signs in by SMS code, keeps the receiver in the address book, orders from the cart."""
    shop = f"{system.url}/api/storefront/{DEMO_SHOP}"
    mobile = ADDED["buyer mobile"]
    assert requests.post(f"{shop}/auth/code", json={"mobile": mobile}, timeout=30).status_code == 202
    sms = requests.get(f"{system.env['AWS_ENDPOINT_URL']}/moto-api/data.json", timeout=30).json()["sns"]["SMS"]
    code = re.search(r"\d{6}", [m for m in sms if m["phone_number"].endswith(mobile)][-1]["message"]).group(0)
    signed = requests.post(f"{shop}/auth/signin", json={"mobile": mobile, "code": code}, timeout=30)
    assert signed.status_code == 200, signed.text
    auth = {"Authorization": f"Bearer {signed.json()['id_token']}"}
    address = requests.post(f"{shop}/addresses", headers=auth, timeout=30, json={
        "name": ADDED["receiver name"], "mobile": ADDED["receiver mobile"], "province": "510000", "city": "510100",
        "district": "510107", "detail": ADDED["receiver address"]})
    assert address.status_code == 201, address.text
    cart = requests.post(f"{shop}/cart/items", headers=auth, timeout=30,
                         json={"product_id": product_id, "sku_id": sku_id, "qty": 1})
    assert cart.status_code == 200, cart.text
    order = requests.post(f"{shop}/orders", headers={**auth, "Idempotency-Key": "pd-1"}, timeout=30, json={
        "address_id": address.json()["id"], "buyer_message": ADDED["buyer message"],
        "quote_hash": cart.json()["quote"]["quote_hash"]})
    assert order.status_code == 201, order.text
    # ... and pays it with Alipay in the payment sandbox (payment record and provider event stored).
    order_id, number = order.json()["id"], order.json()["number"]
    back = f"{system.url}/shop/#/{DEMO_SHOP}/orders/{order_id}?paid=1"
    started = requests.post(f"{shop}/orders/{order_id}/payments", headers=auth, timeout=30,
                            json={"provider": "alipay", "return_url": back})
    assert started.status_code == 200, started.text
    assert requests.get(started.json()["cashier_url"], timeout=30).status_code == 200
    sandbox = f"{system.url}/__sandbox/pay/control"
    trade = requests.get(f"{sandbox}/trades", params={"provider": "alipay", "out_trade_no": number}, timeout=30).json()
    assert requests.post(f"{sandbox}/trades/{trade['trade']['id']}/pay", json={}, timeout=30).status_code == 200
    eventually(lambda: requests.get(f"{shop}/orders/{order_id}", headers=auth, timeout=30).json()["payment_status"]
               == "paid", timeout=60)


def raw_tables(system: background.RunningSystem) -> dict[str, list[dict[str, Any]]]:
    """Every item of every table of the template, as DynamoDB stores it."""
    from infra.stack import Stack

    ddb = aws(system, "dynamodb")
    stack = Stack.load(region=system.env["AWS_REGION"], prefix="shopdesk-local")
    tables = {}
    for logical in stack.of_type("AWS::DynamoDB::Table"):
        name = ddb.describe_table(TableName=stack.name_for(logical))["Table"]["TableName"]
        items: list[dict[str, Any]] = []
        for page in ddb.get_paginator("scan").paginate(TableName=name):
            items += page["Items"]
        tables[logical] = items
    return tables


def queue_messages(system: background.RunningSystem, extra: list[str]) -> dict[str, list[str]]:
    """The bodies of the messages waiting on every queue of the template (peeked: visibility 0)."""
    from infra.stack import Stack

    sqs = aws(system, "sqs")
    stack = Stack.load(region=system.env["AWS_REGION"], prefix="shopdesk-local")
    urls = {logical: sqs.get_queue_url(QueueName=stack.name_for(logical))["QueueUrl"]
            for logical in stack.of_type("AWS::SQS::Queue")}
    urls.update({f"tap {u}": u for u in extra})
    found: dict[str, list[str]] = {}
    for name, url in urls.items():
        bodies: dict[str, str] = {}
        for _ in range(20):
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                      WaitTimeSeconds=0 if not name.startswith("tap") else 1).get("Messages", [])
            new = {m["MessageId"]: m["Body"] for m in got if m["MessageId"] not in bodies}
            if not new:
                break
            bodies.update(new)
        found[name] = list(bodies.values())
    return found


def test_no_plaintext_personal_data_in_tables_queues_or_logs(own_system: background.RunningSystem):
    api = owner_api(own_system)
    tap = bus_tap(own_system)
    receiver = webhooks.Receiver()
    try:
        live_a_little(api, receiver, own_system)
    finally:
        receiver.close()

    tables = raw_tables(own_system)
    assert all(tables.values()), {k: len(v) for k, v in tables.items()}
    # The reset code was made for the clerk (found by the blind index of their login) and the failures counted.
    assert any(item["sk"]["S"] == "RESET_CODE" for item in tables["IdentityTable"])
    limits = {item["pk"]["S"].partition("#")[0] for item in tables["RateLimitTable"]}
    assert {"signin_failures_per_login", "signin_failures_per_ip", "reset_codes_per_login",
            "reset_codes_per_ip"} <= limits, limits
    assert not [i for i in tables["RateLimitTable"] if "127.0.0.1" in json.dumps(i)], "a client address in clear"
    messages = queue_messages(own_system, [tap])
    assert messages[f"tap {tap}"], "the bus tap saw no event: the scenario did not reach the bus"
    log = Path(own_system.log).read_text(encoding="utf-8", errors="replace")

    found: list[Finding] = []
    for logical, items in tables.items():
        for item in items:
            key = f"{item.get('pk', item.get('id', {})).get('S', '?')} / {item.get('sk', {}).get('S', '')}"
            found += findings_in(f"table {logical} [{key}]", json.dumps(item, ensure_ascii=False))
    for queue, bodies in messages.items():
        for body in bodies:
            found += findings_in(f"queue {queue}", body)
    for n, line in enumerate(log.splitlines(), start=1):
        found += findings_in(f"log line {n}", line)
    # Not vacuous: the personal values are there, sealed (settings contacts and bank account, the
    # invited clerk, the supplier's contact), and the API still answers them in clear to the owner.
    sealed = sum(json.dumps(item).count('"pd1:') for items in tables.values() for item in items)
    assert sealed >= 100, f"only {sealed} sealed values in all tables"
    settings = api.get("/settings").json()
    assert settings["profile"]["contact_phone"] == ADDED["shop phone"]
    bank = next(m for m in settings["payment_methods"]["methods"] if m["code"] == "bank_transfer")["settings"]
    assert bank["account_number"] == ADDED["account number"]
    assert any(m["login"] == f"+86{MOBILE_INVITE}" for m in api.get("/staff").json()["items"])
    guard = requests.get(f"{own_system.url}/__local/guard", timeout=10).json()
    assert guard["api_scans"] == 0, "the scan guard counted Scans made while serving API requests"
    assert not found, report(found)


def report(found: list[Finding]) -> str:
    """How many findings where (per table and item kind, queue, log), then examples."""
    from collections import Counter

    def place(f: Finding) -> str:
        if f.where.startswith("table "):
            table, _, key = f.where.partition(" [")
            sk = key.split(" / ")[-1].rstrip("]")
            return f"{table} {re.sub(r'[#:].*', '', sk) or key.split('#')[0]}"
        return f.where.split(" ")[0] + (" " + f.where.split(" ")[1] if f.where.startswith("queue") else "")

    counts = Counter(place(f) for f in found)
    lines = [f"{len(found)} plaintext personal values at rest:"]
    lines += [f"  {n:5d}  {where}" for where, n in counts.most_common()]
    seen: set[str] = set()
    examples = [f for f in found if not (place(f) in seen or seen.add(place(f)))]  # type: ignore[func-returns-value]
    lines += ["examples:"] + [f"  {f}" for f in examples]
    return "\n".join(lines)
