"""Staff logins: an e-mail address or a mainland mobile number, normalised to the Cognito
username (lower-case e-mail, or +86 and 11 digits)."""
from __future__ import annotations

import re
import secrets
import string

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
_MOBILE = re.compile(r"^(?:\+?86)?[ -]?(1[3-9]\d{9})$")


def normalize(login: str) -> str | None:
    """The canonical login, or None when it is neither an e-mail nor a mainland mobile number."""
    value = login.strip()
    if _EMAIL.match(value):
        return value.lower()
    mobile = _MOBILE.match(value.replace(" ", "").replace("-", ""))
    if mobile:
        return f"+86{mobile.group(1)}"
    return None


def is_phone(login: str) -> bool:
    return login.startswith("+86")


def temporary_password() -> str:
    """A one-time password that meets the pool's policy (upper, lower, digit, 12+ characters)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"Sd{body}{secrets.randbelow(10)}a"
