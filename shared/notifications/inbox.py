"""A member's own notifications: the list (newest first, or unread only), the unread count of
the header badge, marking read. Every read and write is inside the caller's partition
(``SHOP#<s>#USER#<u>``): another member's notification id is simply not found.
"""
from __future__ import annotations

import re
from typing import Any

from pydantic import Field
from pynamodb.exceptions import UpdateError
from ulid import ULID

from shared import clock
from shared.errors import NotFound
from shared.model import Model
from shared.notifications.delivery import Localized
from shared.notifications.tables import KEEP_FOR, NOTIFICATION_TABLE_ENV, NoteRecord, member_pk
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor

BADGE_CAP = 99  # the badge says "99+" beyond this: counting further is work nobody reads
READ_ALL_LIMIT = 500
_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only notifications not read yet")


class NotificationView(Model):
    id: str
    topic: str
    title: Localized
    body: Localized
    link: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: str
    read: bool
    read_at: str | None = None


class UnreadCount(Model):
    count: int = Field(description=f"Unread notifications, counted up to {BADGE_CAP + 1}")
    more: bool = Field(description=f"More than {BADGE_CAP} (show {BADGE_CAP}+)")


class ReadAll(Model):
    marked: int
    more: bool = Field(False, description=f"More than {READ_ALL_LIMIT} were unread: call again")


def _horizon() -> str:
    """The lowest key still kept: notes older than KEEP_FOR are expired even if not yet deleted."""
    ms = int((clock.now() - KEEP_FOR).timestamp() * 1000)
    return f"NOTE#{ULID.from_bytes(ms.to_bytes(6, 'big') + bytes(10))}"


def _view(r: NoteRecord) -> NotificationView:
    return NotificationView(id=r.sk.removeprefix("NOTE#"), topic=r.topic,
                            title=Localized(zh=r.title_zh, en=r.title_en), body=Localized(zh=r.body_zh, en=r.body_en),
                            link=r.link, data=r.data or {}, created_at=r.created_at, read=bool(r.read),
                            read_at=r.read_at)


def list_notes(shop_id: str, user_id: str, query: NotificationQuery) -> Page[NotificationView]:
    pk = member_pk(shop_id, user_id)
    scope = f"notes:{shop_id}:{user_id}:{'unread' if query.unread else 'all'}"
    kwargs: dict[str, Any] = {"scan_index_forward": False, "limit": query.limit,
                              "last_evaluated_key": decode_cursor(query.cursor, scope)}
    condition = NoteRecord.sk.between(_horizon(), "NOTE#~")
    results = (NoteRecord.by_unread.query(pk, condition, **kwargs) if query.unread
               else NoteRecord.query(pk, condition, **kwargs))
    items = [_view(r) for r in results]
    return Page[NotificationView](items=items, next_cursor=encode_cursor(results.last_evaluated_key, scope))


def unread_count(shop_id: str, user_id: str) -> UnreadCount:
    """One Query of the sparse index, keys only counted, at most BADGE_CAP + 1 entries."""
    import os

    from shared.aws import client

    answer = client("dynamodb").query(
        TableName=os.environ[NOTIFICATION_TABLE_ENV], IndexName="unread", Select="COUNT", Limit=BADGE_CAP + 1,
        KeyConditionExpression="unread_pk = :pk AND sk BETWEEN :low AND :high",
        ExpressionAttributeValues={":pk": {"S": member_pk(shop_id, user_id)}, ":low": {"S": _horizon()},
                                   ":high": {"S": "NOTE#~"}})
    count = int(answer.get("Count", 0))
    return UnreadCount(count=min(count, BADGE_CAP), more=count > BADGE_CAP)


def mark_read(shop_id: str, user_id: str, note_id: str) -> NotificationView:
    if not _ID.match(note_id):
        raise NotFound("notification_not_found")
    note = NoteRecord(pk=member_pk(shop_id, user_id), sk=f"NOTE#{note_id}")
    try:
        # Marking twice keeps the first read time.
        note.update(actions=[NoteRecord.read.set(True), NoteRecord.read_at.set(NoteRecord.read_at | clock.iso()),
                             NoteRecord.unread_pk.remove()],
                    condition=NoteRecord.sk.exists() & (NoteRecord.sk >= _horizon()))
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise NotFound("notification_not_found") from exc
        raise
    return _view(note)


def mark_all_read(shop_id: str, user_id: str) -> ReadAll:
    pk, now = member_pk(shop_id, user_id), clock.iso()
    marked = 0
    for r in NoteRecord.by_unread.query(pk, NoteRecord.sk.between(_horizon(), "NOTE#~"), limit=READ_ALL_LIMIT + 1,
                                        attributes_to_get=["pk", "sk"]):
        if marked == READ_ALL_LIMIT:
            return ReadAll(marked=marked, more=True)
        try:
            NoteRecord(pk=pk, sk=r.sk).update(
                actions=[NoteRecord.read.set(True), NoteRecord.read_at.set(now), NoteRecord.unread_pk.remove()],
                condition=NoteRecord.unread_pk.exists())
            marked += 1
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise  # else: read in the meantime (another tab)
    return ReadAll(marked=marked)
