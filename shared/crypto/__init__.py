"""Personal data encrypted at rest, field by field: the one module every capability uses.

    from shared import crypto

    class CustomerRecord(CustomersItem):
        mobile = crypto.PersonalAttribute(default="")       # sealed at rest, plaintext in Python
        mobile_index = UnicodeAttribute(null=True)          # crypto.blind_index(shop, "mobile", ...)

    token = crypto.seal(shop_id, "phone", "13800138000")    # 'pd1:1:Xq…' (random nonce: differs each time)
    crypto.unseal(shop_id, "phone", token)                  # '13800138000'
    crypto.blind_index(shop_id, "mobile", "+8613800138000") # equal for equal values, keyed per scope

- Envelope encryption: one AES-256 data key per shop (``GLOBAL`` for staff logins and
  profiles, which belong to no shop), wrapped by the template's KMS key and cached per
  container for a bounded time (``keyring``). AES-256-GCM with a random 96-bit nonce per value;
  the AAD names the scope and the field, so a value moved to another shop or field does not open.
- ``seal_tree`` / ``unseal_tree`` do the same for personal keys inside JSON documents (settings
  sections, events, audit diffs), by key name.
- How to declare and look up a personal field: docs/personal-data.md.
"""
from __future__ import annotations

from shared.crypto import keyring
from shared.crypto.attribute import PersonalAttribute, PlaintextRefused, Sealed
from shared.crypto.cipher import CannotOpen, is_sealed
from shared.crypto.fields import blind_index, reveal, seal, seal_tree, unseal, unseal_tree
from shared.crypto.keyring import GLOBAL

__all__ = ["GLOBAL", "CannotOpen", "PersonalAttribute", "PlaintextRefused", "Sealed", "blind_index", "is_sealed",
           "keyring", "reveal", "seal", "seal_tree", "unseal", "unseal_tree"]
