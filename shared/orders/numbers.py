"""Order numbers: human-readable and unique per shop: ``YYMMDD`` in the shop's time zone
(Asia/Shanghai until shops choose theirs) + 8 random digits, e.g. ``26120712345678``. The number
is claimed (``NumberClaim``, conditional put) in the order's own transaction; a taken number
fails that condition and the order is planned again with a new one (1 in 10^8 per day's order)."""
from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from shared import clock
from shared.orders.tables import CLAIM_SK, NumberClaim, number_pk
from shared.tx import Writes

SHOP_ZONE = ZoneInfo("Asia/Shanghai")


def new_number(at: datetime | None = None) -> str:
    day = (at or clock.now()).astimezone(SHOP_ZONE).strftime("%y%m%d")
    return f"{day}{secrets.randbelow(10**8):08d}"


def claim(writes: Writes, shop_id: str, number: str, order_id: str) -> None:
    writes.put(NumberClaim(number_pk(shop_id, number), CLAIM_SK, order_id=order_id),
               NumberClaim.pk.does_not_exist(), ("number", number))


def find(shop_id: str, number: str) -> str | None:
    """The order id of a number (one GetItem)."""
    try:
        return str(NumberClaim.get(number_pk(shop_id, number), CLAIM_SK).order_id)
    except NumberClaim.DoesNotExist:
        return None
