"""``deliver``: one notification to the staff concerned, in-app for every active member whose
permissions include the audience permission, and e-mail/SMS as the shop's settings say for the
topic. Idempotent by ``dedupe_key``: a redelivered event notifies nobody twice.

The delivery marker (``SHOP#<s>``, ``DELIVERY#<dedupe_key>``) is claimed first with a
conditional put and keeps the note id; notes are conditional puts of that id into each member's
partition; each e-mail/SMS address is recorded on the marker once sent. A failure half-way
retries (SQS) and resumes: members who have their note are skipped, addresses already sent are
not sent again (at most the one message in flight at the failure could go twice).
"""
from __future__ import annotations

import json
from typing import Any

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from pynamodb.exceptions import DoesNotExist, PutError

from shared import clock
from shared.keys import shop_pk
from shared.model import Model
from shared.notifications.tables import KEEP_FOR, DeliveryRecord, NoteRecord, member_pk
from shared.notifications.topics import TOPICS

MAX_DATA_BYTES = 2048


class Localized(Model):
    """A text in both languages (the API answers both; the UI shows the user's)."""

    zh: str = Field(alias="zh-CN", max_length=500)
    en: str = Field(max_length=500)

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True,
                              defer_build=True)


class Delivery(Model):
    """What a trigger builds from an event, and what ``deliver`` sends."""

    shop_id: str = Field(min_length=1, max_length=80)
    topic: str
    audience: str = Field(description="Permission the recipients hold, e.g. inventory.view")
    title: Localized
    body: Localized
    link: str | None = Field(None, max_length=300, description="Admin UI path, e.g. /inventory?sku=...")
    dedupe_key: str = Field(min_length=1, max_length=200, description="The same key = the same notification")
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("topic")
    @classmethod
    def _topic(cls, v: str) -> str:
        if v not in TOPICS:
            raise PydanticCustomError("unknown_topic", "unknown notification topic {code}", {"code": v})
        return v

    @field_validator("audience")
    @classmethod
    def _audience(cls, v: str) -> str:
        from shared.auth.permissions import is_known

        if not is_known(v):
            raise PydanticCustomError("unknown_permission", "unknown permission {code}", {"code": v})
        return v

    @field_validator("link")
    @classmethod
    def _link(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("/"):
            raise PydanticCustomError("link", "must be a path of the admin UI starting with /")
        return v

    @field_validator("data")
    @classmethod
    def _small(cls, v: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(v, ensure_ascii=False).encode()) > MAX_DATA_BYTES:
            raise PydanticCustomError("data_too_large", "data must be at most {max} bytes", {"max": MAX_DATA_BYTES})
        return v


class Outcome(Model):
    note_id: str
    duplicate: bool = Field(description="The dedupe key was delivered already: nothing was done")
    members: int = 0
    messages: int = 0


def deliver(shop_id: str, topic: str, audience: str, title: dict[str, str], body: dict[str, str],
            link: str | None, dedupe_key: str, data: dict[str, Any] | None = None) -> Outcome:
    return send(Delivery(shop_id=shop_id, topic=topic, audience=audience, title=Localized.model_validate(title),
                         body=Localized.model_validate(body), link=link, dedupe_key=dedupe_key, data=data or {}))


def send(d: Delivery) -> Outcome:
    from shared.identity.access import active_members

    marker = _claim(d)
    if marker.status == "done":
        return Outcome(note_id=marker.note_id, duplicate=True)
    members = active_members(d.shop_id, d.audience)
    created = 0
    for member in members:
        created += _put_note(d, member.user_id, marker)
    channels, shop_name = _channels(d.shop_id, d.topic)
    addresses = _addresses(channels, [(m.email, m.phone, m.login) for m in members])
    subject, text = _message(shop_name, d)
    done = set(marker.sent or ())
    sent = 0
    for address in addresses:
        if address in done:
            continue
        from shared import messaging

        messaging.send(address, subject, text)
        marker.update(actions=[DeliveryRecord.sent.add({address})])
        sent += 1
    marker.update(actions=[DeliveryRecord.status.set("done")])
    return Outcome(note_id=marker.note_id, duplicate=False, members=created, messages=sent)


def _claim(d: Delivery) -> DeliveryRecord:
    from shared.ids import new_id

    now = clock.now()
    marker = DeliveryRecord(pk=shop_pk(d.shop_id), sk=f"DELIVERY#{d.dedupe_key}", note_id=new_id(), topic=d.topic,
                            status="pending", created_at=clock.iso(now), expires_at=now + KEEP_FOR)
    try:
        marker.save(condition=DeliveryRecord.sk.does_not_exist())
        return marker
    except PutError as exc:
        if not _condition_failed(exc):
            raise
    try:
        return DeliveryRecord.get(marker.pk, marker.sk, consistent_read=True)
    except DoesNotExist:  # expired and swept between the two calls: treat as delivered long ago
        marker.status = "done"
        return marker


def _put_note(d: Delivery, user_id: str, marker: DeliveryRecord) -> int:
    pk = member_pk(d.shop_id, user_id)
    note = NoteRecord(pk=pk, sk=f"NOTE#{marker.note_id}", topic=d.topic, title_zh=d.title.zh, title_en=d.title.en,
                      body_zh=d.body.zh, body_en=d.body.en, link=d.link, data=d.data or None,
                      created_at=marker.created_at, read=False, unread_pk=pk, expires_at=marker.expires_at)
    try:
        note.save(condition=NoteRecord.sk.does_not_exist())
        return 1
    except PutError as exc:
        if _condition_failed(exc):
            return 0  # this member got it on an earlier attempt (and may have read it since)
        raise


def _condition_failed(exc: PutError) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _channels(shop_id: str, topic: str) -> tuple[Any, str]:
    from shared.settings.models import NotificationSettings
    from shared.settings.service import read_section

    settings = NotificationSettings.model_validate(read_section(shop_id, "notifications")).completed()
    return settings.topics[topic], str(read_section(shop_id, "profile").get("name") or "")


def _addresses(channels: Any, members: list[tuple[str, str, str]]) -> list[str]:
    """E-mail addresses and +86 numbers to message, each once, in a stable order."""
    from shared.identity.logins import normalize

    found: list[str] = []
    for email, phone, login in members:
        if channels.email:
            found.append((email or (login if "@" in login else "")).lower())
        if channels.sms:
            found.append(normalize(phone or "") or (login if login.startswith("+86") else ""))
    if channels.email:
        found.extend(channels.extra_emails)
    if channels.sms:
        found.extend(channels.extra_phones)
    return list(dict.fromkeys(a for a in found if a))


def _message(shop_name: str, d: Delivery) -> tuple[str, str]:
    """Both languages, Chinese first (the recipient's choice is not known), like shared.messaging."""
    shop = f"「{shop_name}」" if shop_name else ""
    subject = f"{shop}{d.title.zh} / {d.title.en}"
    text = f"{d.body.zh}\n{d.body.en}".strip() or f"{d.title.zh}\n{d.title.en}"
    return subject, text
