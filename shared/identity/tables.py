"""Items of the identity table (``IDENTITY_TABLE``), keyed for the access patterns:

| item        | pk              | sk              | gsi1pk        | gsi1sk         |
|-------------|-----------------|-----------------|---------------|----------------|
| shop        | SHOP#<id>       | SHOP            |               |                |
| custom role | SHOP#<id>       | ROLE#<code>     |               |                |
| user        | USER#<sub>      | PROFILE         | LOGIN#<login> | USER           |
| membership  | USER#<sub>      | MEMBER#<shop>   | SHOP#<shop>   | MEMBER#<sub>   |
| revoked session | USER#<sub>  | SESSION#<jti>   |               |                |
| reset code  | USER#<sub>      | RESET_CODE      |               |                |

- A request's auth check reads one membership item (in the same BatchGetItem as the route's
  main item). It carries the permissions of the member's custom roles, resolved when roles are
  assigned or a custom role changes, so the check never needs a second read.
- A shop's staff list is one Query of gsi1 (``SHOP#<shop>``, ``MEMBER#``); the membership
  carries a copy of the member's name and contacts for it.
- A login (e-mail or +86 mobile) maps to one user through gsi1 (``LOGIN#<login>``).

- Sessions: ``tokens_valid_after`` (epoch seconds) on the user ends every session opened before
  it (password change or reset, or a disable). A signed-out session's ``origin_jti`` is a revoked-session item (TTL). The
  per-request check reads them in the same BatchGetItem as the membership.
- A membership is ``invited`` until the person accepts it (``shared.identity.invitations``).

The audit log has a table of its own (``AUDIT_TABLE``): no function but the audit consumer may
write it.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
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


class RoleRecord(IdentityItem):
    """A custom role of a shop (pk SHOP#<id>, sk ROLE#<code>)."""

    name_zh = UnicodeAttribute()
    name_en = UnicodeAttribute()
    permissions = UnicodeSetAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()


class UserRecord(IdentityItem):
    email = UnicodeAttribute(default="")
    phone = UnicodeAttribute(default="")
    login = UnicodeAttribute(default="")
    name = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")
    created_at = UnicodeAttribute()
    tokens_valid_after = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()


class MembershipRecord(IdentityItem):
    shop_name = UnicodeAttribute()
    roles = UnicodeSetAttribute()
    custom_permissions = UnicodeSetAttribute(null=True)
    status = UnicodeAttribute(default="active")
    name = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    phone = UnicodeAttribute(default="")
    login = UnicodeAttribute(default="")
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    invited_by = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_gsi1 = ByGsi1()


class RevokedSession(IdentityItem):
    """A signed-out session (pk USER#<sub>, sk SESSION#<origin_jti>): its tokens no longer open the API."""

    expires_at = NumberAttribute()


class ResetCodeRecord(IdentityItem):
    """The one pending password-reset code of a user (pk USER#<sub>, sk RESET_CODE), hashed."""

    code_hash = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute()
