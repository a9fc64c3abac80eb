"""Notifications through the real local system: fan-out to the members whose permissions match
the audience, no duplicates on redelivery, e-mail/SMS by the shop's settings (read back from the
local cloud), each member seeing and marking only their own, and the settings section."""
from __future__ import annotations

import json
import time
import uuid

import boto3
import pytest
import requests

from shared.keys import shop_pk
from tests.integration.conftest import Api, eventually, new_shop
from tests.integration.test_events import queue_url
from tests.integration.test_staff_api import sent_emails, sent_sms

TITLE = {"zh-CN": "库存不足：青花瓷杯", "en": "Low stock: porcelain cup"}
BODY = {"zh-CN": "可用库存 3，低于预警值 5。", "en": "3 available, below the threshold of 5."}


def low_stock(shop_id: str, key: str | None = None, audience: str = "inventory.edit", **extra):
    """An alert for those who act on stock: owner and warehouse staff hold inventory.edit (customer
    service only views stock, so inventory.view would reach them too; see docs/notifications.md)."""
    from shared.notifications.delivery import deliver

    return deliver(shop_id, "low_stock", audience, TITLE, BODY, "/inventory?sku=SKU-1",
                   key or f"test:{uuid.uuid4().hex}", {"sku_id": "SKU-1", **extra})


def login_of(api: Api) -> str:
    return api.get("/me").json()["user"]["login"]


def notes(api: Api, **params) -> list[dict]:
    answer = api.get("/notifications", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def unread(api: Api) -> int:
    return api.get("/notifications/unread-count").json()["count"]


@pytest.fixture
def team(shop_id: str, make_staff) -> dict[str, Api]:
    return {role: make_staff(shop_id, role) for role in ("owner", "warehouse", "customer_service", "marketing")}


def test_an_inventory_alert_reaches_owner_and_warehouse_but_not_customer_service(system, team):
    outcome = low_stock(team["owner"].shop_id)
    assert outcome.members == 2 and not outcome.duplicate
    for role in ("owner", "warehouse"):
        [note] = notes(team[role])
        assert note["title"] == TITLE and note["body"] == BODY and note["topic"] == "low_stock"
        assert note["link"] == "/inventory?sku=SKU-1" and note["read"] is False and note["id"] == outcome.note_id
        assert unread(team[role]) == 1
    assert notes(team["customer_service"]) == [] and unread(team["customer_service"]) == 0
    # low_stock e-mails by default: the two members' logins, both languages, Chinese first
    for role in ("owner", "warehouse"):
        [mail] = sent_emails(system, login_of(team[role]))
        assert "库存不足：青花瓷杯 / Low stock: porcelain cup" in mail["subject"]
        assert mail["body"].index("可用库存") < mail["body"].index("3 available")
    assert sent_emails(system, login_of(team["customer_service"])) == []


def test_the_audience_is_resolved_from_roles_and_custom_role_permissions(team):
    """inventory.view: owner, warehouse and customer service (who views stock), not marketing;
    a custom role granting inventory.view brings its holder in."""
    owner = team["owner"]
    assert low_stock(owner.shop_id, audience="inventory.view").members == 3
    assert notes(team["marketing"]) == []
    role = owner.post("/roles", json={"name_zh": "盘点员", "name_en": "Stock counter", "permissions": ["inventory.view"]},
                      headers={"Idempotency-Key": str(uuid.uuid4())})
    assert role.status_code == 201, role.text
    marketing_id = team["marketing"].get("/me").json()["user"]["id"]
    version = owner.get(f"/staff/{marketing_id}").json()["version"]
    assert owner.put(f"/staff/{marketing_id}", json={"version": version, "name": "小李",
                                                     "roles": ["marketing", role.json()["code"]]}).status_code == 200
    assert low_stock(owner.shop_id, audience="inventory.view").members == 4
    assert len(notes(team["marketing"])) == 1


def test_a_redelivered_alert_notifies_nobody_twice(system, team):
    key = f"StockLow:{uuid.uuid4().hex}"
    first = low_stock(team["owner"].shop_id, key)
    again = low_stock(team["owner"].shop_id, key)
    assert again.duplicate and again.note_id == first.note_id
    assert len(notes(team["owner"])) == 1 and len(notes(team["warehouse"])) == 1
    assert len(sent_emails(system, login_of(team["owner"]))) == 1


def test_a_half_done_delivery_resumes_without_repeating_what_was_done(system, team):
    """A crash after the first member's note and e-mail: the retry completes the rest only."""
    from shared.crypto import blind_index
    from shared.notifications.tables import DeliveryRecord

    shop, key = team["owner"].shop_id, f"StockLow:{uuid.uuid4().hex}"
    first = low_stock(shop, key)
    marker = DeliveryRecord.get(shop_pk(shop), f"DELIVERY#{key}")
    warehouse = login_of(team["warehouse"])
    assert len(marker.sent) == 2 and not any("@" in a for a in marker.sent)  # addresses kept as their keyed index
    owner_sent = blind_index(shop, "notified", login_of(team["owner"]))
    assert owner_sent in marker.sent
    marker.update(actions=[DeliveryRecord.status.set("pending"), DeliveryRecord.sent.set({owner_sent})])
    retry = low_stock(shop, key)
    assert not retry.duplicate and retry.members == 0 and retry.messages == 1
    assert len(sent_emails(system, warehouse)) == 2 and len(sent_emails(system, login_of(team["owner"]))) == 1
    assert [n["id"] for n in notes(team["owner"])] == [first.note_id]


def test_attempts_of_one_delivery_at_once_send_each_message_once(system, team):
    """SQS may hand the same event to two consumers while the first is still sending: however
    the attempts interleave, each address gets one message, and an attempt that finds another
    one sending fails retryably (SQS brings it back) instead of calling the delivery done."""
    from concurrent.futures import ThreadPoolExecutor

    from shared.notifications.delivery import DeliveryInFlight
    from shared.notifications.tables import DeliveryRecord

    shop, key = team["owner"].shop_id, f"StockLow:{uuid.uuid4().hex}"

    def attempt(_: int) -> str:
        try:
            return "duplicate" if low_stock(shop, key).duplicate else "done"
        except DeliveryInFlight:
            return "in flight"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    # Several may finish ("done": everything they found was sent); what matters is what people get.
    if "done" not in outcomes:  # each attempt met another's lease: SQS's redelivery finishes it
        finish = low_stock(shop, key)
        assert not finish.duplicate and finish.messages == 0
    for role in ("owner", "warehouse"):
        assert len(sent_emails(system, login_of(team[role]))) == 1, role
        assert len(notes(team[role])) == 1
    assert low_stock(shop, key).duplicate  # a later redelivery sends nothing more
    marker = DeliveryRecord.get(shop_pk(shop), f"DELIVERY#{key}", consistent_read=True)
    assert marker.status == "done" and len(marker.sent) == 2 and marker.sending.as_dict() == {}  # no lease left
    assert len(sent_emails(system, login_of(team["owner"]))) == 1


def test_a_lease_left_by_a_crashed_attempt_runs_out_and_the_message_is_sent(system, team):
    from shared.crypto import blind_index
    from shared.notifications.delivery import DeliveryInFlight
    from shared.notifications.tables import DeliveryRecord

    shop, key = team["owner"].shop_id, f"StockLow:{uuid.uuid4().hex}"
    low_stock(shop, key)
    owner = login_of(team["owner"])
    index = blind_index(shop, "notified", owner)
    marker = DeliveryRecord.get(shop_pk(shop), f"DELIVERY#{key}")
    # As if an attempt had leased the owner's address and died before sending.
    held = int(time.time()) + 600
    marker.update(actions=[DeliveryRecord.status.set("pending"), DeliveryRecord.sent.delete({index}),
                           DeliveryRecord.sending[index].set(held)])
    with pytest.raises(DeliveryInFlight):
        low_stock(shop, key)  # the lease still runs: not sent twice, not marked done
    assert len(sent_emails(system, owner)) == 1
    marker.update(actions=[DeliveryRecord.sending[index].set(int(time.time()) - 1)])
    retry = low_stock(shop, key)
    assert retry.messages == 1 and len(sent_emails(system, owner)) == 2


def test_channels_and_extra_recipients_follow_the_shops_settings(system, team):
    owner = team["owner"]
    view = owner.get("/settings").json()["notifications"]
    assert list(view["topics"]) == ["low_stock", "stock_digest", "staff_access", "order_review", "payment_anomaly",
                                    "buyer_order_placed", "buyer_order_paid", "buyer_order_cancelled"]
    assert view["version"] == 0
    assert view["topics"]["low_stock"] == {"in_app": True, "email": True, "sms": False, "extra_emails": [],
                                           "extra_phones": []}
    mobile = f"139{uuid.uuid4().int % 10**8:08d}"
    extra = f"buyer-{uuid.uuid4().hex[:6]}@Supplier.cn"
    topics = {**view["topics"], "low_stock": {"email": False, "sms": True, "extra_emails": [extra],
                                              "extra_phones": [mobile]}}
    answer = owner.put("/settings/notifications", json={"version": 0, "topics": topics})
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert saved["version"] == 1 and saved["topics"]["low_stock"]["extra_phones"] == [f"+86{mobile}"]
    assert saved["topics"]["low_stock"]["extra_emails"] == [extra.lower()]
    assert owner.get("/settings").json()["notifications"] == saved

    low_stock(owner.shop_id)
    [sms] = sent_sms(system, mobile)
    assert sms["phone_number"] == f"+86{mobile}" and "库存不足" in sms["message"] and "Low stock" in sms["message"]
    # e-mail is off for the topic: neither the staff nor the extra address get one
    assert sent_emails(system, login_of(owner)) == [] and sent_emails(system, extra.lower()) == []
    assert len(notes(team["warehouse"])) == 1  # in-app is always on


@pytest.mark.parametrize("topics, field", [
    ({"low_stock": {"extra_emails": ["not-an-address"]}}, "topics.low_stock.extra_emails.0"),
    ({"low_stock": {"extra_phones": ["1381234"]}}, "topics.low_stock.extra_phones.0"),
    ({"low_stock": {"extra_phones": ["13812345678", "+86 138 1234 5678"]}}, "topics.low_stock.extra_phones"),
    ({"low_stock": {"extra_emails": [f"a{i}@shop.cn" for i in range(6)]}}, "topics.low_stock.extra_emails"),
    ({"low_stock": {"in_app": False}}, "topics.low_stock.in_app"),
    ({"low_stock": {"email": "yes please"}}, "topics.low_stock.email"),
    ({"parcel_lost": {"email": True}}, "topics"),
])
def test_bad_notification_settings_name_the_field_and_change_nothing(owner: Api, topics, field):
    before = owner.get("/settings").json()["notifications"]
    answer = owner.put("/settings/notifications", json={"version": 0, "topics": topics})
    assert answer.status_code == 422, answer.text
    assert field in [f["field"] for f in answer.json()["error"]["details"]["fields"]]
    assert owner.get("/settings").json()["notifications"] == before


def test_a_stale_notification_settings_version_is_409(owner: Api):
    body = {"version": 0, "topics": {"stock_digest": {"email": False}}}
    assert owner.put("/settings/notifications", json=body).status_code == 200
    stale = owner.put("/settings/notifications", json={**body, "topics": {"stock_digest": {"sms": True}}})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert owner.get("/settings").json()["notifications"]["topics"]["stock_digest"]["sms"] is False


def test_customer_service_may_read_but_not_change_notification_settings(team):
    assert "notifications" in team["customer_service"].get("/settings").json()
    answer = team["customer_service"].put("/settings/notifications", json={"version": 0, "topics": {}})
    assert answer.status_code == 403


def test_a_member_sees_and_marks_only_their_own(team):
    owner, warehouse = team["owner"], team["warehouse"]
    shared_note = low_stock(owner.shop_id).note_id
    assert owner.post(f"/notifications/{shared_note}/read").status_code == 200
    assert unread(owner) == 0 and unread(warehouse) == 1  # the same alert, each member's own copy
    assert notes(warehouse)[0]["read"] is False

    from shared.notifications.delivery import deliver

    owners_only = deliver(owner.shop_id, "staff_access", "staff.edit", TITLE, BODY, "/staff",
                          f"test:{uuid.uuid4().hex}").note_id
    answer = warehouse.post(f"/notifications/{owners_only}/read")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "notification_not_found"
    assert [n["id"] for n in notes(owner, unread="true")] == [owners_only]
    assert warehouse.post("/notifications/not-an-id/read").status_code == 404


def test_the_list_pages_newest_first_filters_unread_and_reads_all(team):
    owner = team["owner"]
    ids = [low_stock(owner.shop_id, n=i).note_id for i in range(5)]
    owner.post(f"/notifications/{ids[1]}/read")
    first = owner.get("/notifications", params={"limit": 2}).json()
    second = owner.get("/notifications", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [n["id"] for n in first["items"] + second["items"]] == ids[::-1][:4]
    assert [n["id"] for n in notes(owner, unread="true")] == [ids[4], ids[3], ids[2], ids[0]]
    forged = owner.get("/notifications", params={"unread": "true", "cursor": first["next_cursor"]})
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "invalid_cursor"
    assert unread(owner) == 4
    answer = owner.post("/notifications/read-all")
    assert answer.status_code == 200 and answer.json() == {"marked": 4, "more": False}
    assert unread(owner) == 0 and notes(owner, unread="true") == []
    assert unread(team["warehouse"]) == 5  # nobody else's


def test_a_disabled_staff_member_notifies_every_staff_manager_once(system, team, make_staff):
    owner, second_owner, warehouse = team["owner"], make_staff(team["owner"].shop_id, "owner"), team["warehouse"]
    victim = make_staff(owner.shop_id, "marketing")
    victim_id = victim.get("/me").json()["user"]["id"]
    assert owner.post(f"/staff/{victim_id}/disable").status_code == 200
    for api in (owner, second_owner):
        [note] = eventually(lambda api=api: notes(api))
        assert note["topic"] == "staff_access" and note["link"] == "/staff"
        assert note["title"] == {"zh-CN": "员工已停用", "en": "Staff member disabled"}
        assert login_of(owner) in note["body"]["en"] and note["data"] == {"kind": "disabled", "user_id": victim_id}
    assert notes(warehouse) == []  # warehouse staff do not manage staff

    # The same event delivered again (SQS at least once) adds nothing.
    from shared.notifications.tables import DeliveryRecord

    [marker] = DeliveryRecord.query(shop_pk(owner.shop_id), DeliveryRecord.sk.startswith("DELIVERY#"))
    sqs = boto3.client("sqs")
    url = queue_url("NotificationsQueue")
    original = notes(owner)[0]
    envelope = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "StaffDisabled", "source": "shopdesk.identity",
                "detail": {"event_id": marker.sk.removeprefix("DELIVERY#"), "shop_id": owner.shop_id, "version": 1,
                           "occurred_at": original["created_at"], "resource_id": victim_id, "resource": "staff"}}
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope))
    eventually(lambda: int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
                           ["ApproximateNumberOfMessages"]) == 0)
    eventually(lambda: requests.get(f"{system.url}/__local/idle", timeout=10).json()["idle"])
    assert [n["id"] for n in notes(owner)] == [original["id"]]


def test_a_name_change_is_no_access_change_but_a_role_change_is(team):
    owner = team["owner"]
    warehouse_id = team["warehouse"].get("/me").json()["user"]["id"]
    version = owner.get(f"/staff/{warehouse_id}").json()["version"]
    renamed = owner.put(f"/staff/{warehouse_id}", json={"version": version, "name": "仓库小王", "roles": ["warehouse"]})
    assert renamed.status_code == 200, renamed.text
    assert owner.put(f"/staff/{warehouse_id}", json={"version": version + 1, "name": "仓库小王",
                                                     "roles": ["warehouse", "customer_service"]}).status_code == 200
    [note] = eventually(lambda: notes(owner))
    assert note["title"]["en"] == "Staff roles changed" and "from Warehouse to Customer service, Warehouse" in note["body"]["en"]
    assert "「仓库管理员」改为「客服、仓库管理员」" in note["body"]["zh-CN"]


def test_notifications_belong_to_the_shop_they_were_sent_in(make_staff, team):
    other = new_shop("另一家店")
    low_stock(other)
    assert notes(team["owner"]) == []
