"""Helpers of the buyer tests: a storefront buyer signed in by SMS code, read back from the SMS
the local cloud "sent"."""
from __future__ import annotations

import random
import re
from typing import Any

import requests

from tests.integration.conftest import Api
from tests.integration.test_staff_api import sent_sms


def new_mobile() -> str:
    return f"139{random.randrange(10 ** 8):08d}"


def last_code(system: Any, mobile: str) -> str:
    texts = [m["message"] for m in sent_sms(system, mobile[-8:])]
    assert texts, f"no SMS to {mobile}"
    found = re.search(r"\d{6}", texts[-1])
    assert found, texts[-1]
    return found.group(0)


def ask_code(system: Any, shop_id: str, mobile: str, **kw: Any) -> requests.Response:
    return requests.post(f"{system.url}/api/storefront/{shop_id}/auth/code", json={"mobile": mobile}, timeout=30, **kw)


def unlock(shop_id: str, mobile: str) -> None:
    """Forget the one-a-minute window of a number (as support would), so a test may ask again."""
    from shared import ratelimit
    from shared.buyers.models import normalize_mobile

    ratelimit.forget(ratelimit.LIMITS["buyer_code_resend"], ratelimit.person_key(f"{shop_id}:{normalize_mobile(mobile)}"))


def refresh_cookie(answer: requests.Response) -> str | None:
    found = re.search(r"shopdesk_buyer_refresh=([^;]*)", answer.headers.get("Set-Cookie", ""))
    return found.group(1) if found else None


class BuyerApi(Api):
    """An HTTP client of one shop's storefront as one signed-in buyer (paths below /storefront/<shop>)."""

    def __init__(self, base: str, shop_id: str, token: str, answer: dict[str, Any], cookie: str | None):
        super().__init__(base, token, None)
        self.shop, self.answer, self.cookie = shop_id, answer, cookie
        self.buyer_id = answer["buyer"]["id"]

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        return super().call(method, f"/storefront/{self.shop}{path}", **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.call("DELETE", path, **kw)


def sign_in_buyer(system: Any, shop_id: str, mobile: str | None = None) -> BuyerApi:
    mobile = mobile or new_mobile()
    unlock(shop_id, mobile)
    sent = ask_code(system, shop_id, mobile)
    assert sent.status_code == 202, sent.text
    answer = requests.post(f"{system.url}/api/storefront/{shop_id}/auth/signin",
                           json={"mobile": mobile, "code": last_code(system, mobile)}, timeout=30)
    assert answer.status_code == 200, answer.text
    cookie = refresh_cookie(answer)
    return BuyerApi(system.url, shop_id, answer.json()["id_token"], answer.json(), cookie)
