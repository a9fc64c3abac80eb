"""Items of the identity table (``IDENTITY_TABLE``), keyed for the access patterns:

| item        | pk              | sk              | gsi1pk        | gsi1sk         |
|-------------|-----------------|-----------------|---------------|----------------|
| shop        | SHOP#<id>       | SHOP            |               |                |
| user        | USER#<sub>      | PROFILE         | EMAIL#<email> | USER           |
| membership  | USER#<sub>      | MEMBER#<shop>   | SHOP#<shop>   | MEMBER#<sub>   |

A request's auth check is one GetItem of (USER#sub, MEMBER#shop). The audit log has a table of
its own (``AUDIT_TABLE``) because no function but the audit consumer may write it.
"""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from shared.db import ShopItem, TableMeta


class ByGsi1(GlobalSecondaryIndex["IdentityItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class IdentityItem(ShopItem):
    class Meta(metaclass=TableMeta):
        table_env = "IDENTITY_TABLE"


class ShopRecord(IdentityItem):
    name = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    created_at = UnicodeAttribute()


class UserRecord(IdentityItem):
    email = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()


class MembershipRecord(IdentityItem):
    shop_name = UnicodeAttribute()
    roles = UnicodeSetAttribute()
    status = UnicodeAttribute(default="active")
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()
    extra = JSONAttribute(null=True)
