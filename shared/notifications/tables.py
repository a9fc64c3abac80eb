"""The notification table (``NOTIFICATION_TABLE``), owned by this capability.

| item      | pk                     | sk                  | unread_pk (sparse index "unread") |
|-----------|------------------------|---------------------|-----------------------------------|
| note      | SHOP#<s>#USER#<u>      | NOTE#<ulid>         | = pk while unread, absent once read |
| delivery  | SHOP#<s>               | DELIVERY#<dedupe>   |                                   |

- A member's list is one Query of their partition, newest first (ULIDs sort by time); the
  unread filter and the badge query the sparse index, which holds unread notes only, so the
  badge is one small Query (``Select=COUNT``, bounded) and can never drift from the notes
  the way a separate counter could (TTL deletions, half-failed updates).
- Every note of one delivery has the same id in every member's partition: the delivery
  marker keeps it, so a redelivered event re-puts the same keys (conditional) and notifies
  nobody twice.
- Notes and markers expire after ``KEEP_FOR`` (TTL); reads ignore expired items by key range,
  because local clouds never delete them and AWS deletes them late.
"""
from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from shared.db import ShopItem, TableMeta
from shared.keys import shop_key

NOTIFICATION_TABLE_ENV = "NOTIFICATION_TABLE"
KEEP_FOR = timedelta(days=90)


class _Unread(GlobalSecondaryIndex["NoteRecord"]):  # type: ignore[no-untyped-call]  # pynamodb: untyped
    class Meta:
        index_name = "unread"
        projection = AllProjection()

    unread_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class NotificationItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = NOTIFICATION_TABLE_ENV


class NoteRecord(NotificationItem):
    topic = UnicodeAttribute()
    title_zh = UnicodeAttribute()
    title_en = UnicodeAttribute()
    body_zh = UnicodeAttribute(default="")
    body_en = UnicodeAttribute(default="")
    link = UnicodeAttribute(null=True)
    data = JSONAttribute(null=True)
    created_at = UnicodeAttribute()
    read = BooleanAttribute(default=False)
    read_at = UnicodeAttribute(null=True)
    unread_pk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()
    by_unread = _Unread()


class DeliveryRecord(NotificationItem):
    """One delivery (``dedupe_key``): the note id its members got, and the addresses already
    sent an e-mail or SMS, so a retry resumes where a failure stopped."""

    note_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending -> done
    sent = UnicodeSetAttribute(null=True)
    created_at = UnicodeAttribute()
    expires_at = TTLAttribute()


def member_pk(shop_id: str, user_id: str) -> str:
    return shop_key(shop_id, "USER", user_id)
