"""Pure parts of notifications: what a delivery accepts, what the staff builders make of events,
and the notification settings section's input rules."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.identity.events import StaffModified, StaffRemoved
from shared.notifications.delivery import Delivery, _addresses
from shared.notifications.staff_notices import staff_modified, staff_removed
from shared.settings.models import NotificationSettings, NotificationSettingsUpdate, TopicChannels

BASE = {"shop_id": "shp_1", "topic": "low_stock", "audience": "inventory.edit", "title": {"zh-CN": "标题", "en": "T"},
        "body": {"zh-CN": "", "en": ""}, "link": "/inventory", "dedupe_key": "k1"}


@pytest.mark.parametrize("change, error", [
    ({"topic": "parcel_lost"}, "unknown_topic"),
    ({"audience": "inventory.fly"}, "unknown_permission"),
    ({"link": "https://evil.example/"}, "link"),
    ({"data": {"blob": "x" * 3000}}, "data_too_large"),
    ({"title": {"en": "only English"}}, "missing"),
])
def test_a_delivery_refuses_what_it_cannot_send(change, error):
    with pytest.raises(ValidationError) as info:
        Delivery.model_validate({**BASE, **change})
    assert error in {e["type"] for e in info.value.errors()}


def envelope(detail_type: str, **detail):
    event = {"StaffModified": StaffModified, "StaffRemoved": StaffRemoved}[detail_type]
    return event.model_validate({"event_id": "evt_1", "shop_id": "shp_1", "resource_id": "usr_9",
                                 "actor": {"id": "u1", "email": "boss@shop.cn"}, **detail})


def test_a_name_change_notifies_nobody_and_a_role_change_names_the_roles_in_both_languages():
    renamed = envelope("StaffModified", old={"name": "a", "roles": ["warehouse"]}, new={"name": "b", "roles": ["warehouse"]},
                       changed=["name"])
    assert staff_modified(renamed) is None
    promoted = staff_modified(envelope("StaffModified", old={"name": "小王", "login": "w@shop.cn", "roles": ["warehouse"]},
                                       new={"name": "小王", "login": "w@shop.cn", "roles": ["owner"]}, changed=["roles"]))
    assert promoted is not None and promoted.topic == "staff_access" and promoted.audience == "staff.edit"
    assert promoted.body.zh == "小王 (w@shop.cn) 的角色由「仓库管理员」改为「店主」，操作人 boss@shop.cn。"
    assert promoted.body.en == "小王 (w@shop.cn): roles changed from Warehouse to Owner by boss@shop.cn."
    assert promoted.dedupe_key == "evt_1" and promoted.link == "/staff"


def test_a_removal_uses_the_snapshot_in_the_event():
    removed = staff_removed(envelope("StaffRemoved", old={"name": "小李", "login": "+8613800138000"}))
    assert removed.title.en == "Staff member removed" and "小李 (+8613800138000)" in removed.body.zh


def test_messages_go_to_each_member_login_and_extra_recipient_once_by_channel():
    members = [("a@shop.cn", "", "a@shop.cn"), ("", "+8613800000001", "+8613800000001"), ("A@shop.cn", "", "a@shop.cn")]
    both = TopicChannels(email=True, sms=True, extra_emails=["x@y.cn"], extra_phones=["13900000002"])
    assert _addresses(both, members) == ["a@shop.cn", "+8613800000001", "x@y.cn", "+8613900000002"]
    assert _addresses(TopicChannels(email=False, sms=False, extra_emails=["x@y.cn"]), members) == []


def test_settings_complete_every_topic_and_refuse_bad_recipients():
    assert list(NotificationSettings().completed().topics) == [
        "low_stock", "stock_digest", "staff_access", "order_review", "payment_anomaly", "buyer_order_placed",
        "buyer_order_paid", "buyer_order_cancelled"]
    with pytest.raises(ValidationError) as info:
        NotificationSettingsUpdate.model_validate({"version": 0, "topics": {"low_stock": {
            "extra_emails": ["ok@shop.cn", "nope"], "extra_phones": ["1380013800"]}}})
    assert {".".join(map(str, e["loc"])) for e in info.value.errors()} == {
        "topics.low_stock.extra_emails.1", "topics.low_stock.extra_phones.0"}
