"""API models of the buyer routes (functions/storefront). A buyer sees their own personal data
whole: these answers go only to the buyer they belong to."""
from __future__ import annotations

from pydantic import Field

from shared.model import Input, Model

MOBILE_PATTERN = r"^(\+86)?1[3-9]\d{9}$"
CODE_LENGTH = 6


def normalize_mobile(mobile: str) -> str:
    """``13800000000`` and ``+8613800000000`` are one number: stored and indexed as ``+86…``."""
    return mobile if mobile.startswith("+86") else f"+86{mobile}"


def masked_mobile(mobile: str) -> str:
    digits = mobile.removeprefix("+86")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"


class CodeRequest(Input):
    mobile: str = Field(pattern=MOBILE_PATTERN, description="Mainland China mobile number, with or without +86")


class BuyerCodeSent(Model):
    sent_to: str = Field(description="The number, masked (138****0000)")
    retry_after: int = Field(description="Seconds before another code may be asked for this number")
    expires_in: int
    demo_code: str | None = Field(None, description="Demo mode only, for the demo buyer 13800000000")


class BuyerSignIn(Input):
    mobile: str = Field(pattern=MOBILE_PATTERN)
    code: str = Field(pattern=r"^\d{6}$")


class BuyerView(Model):
    id: str
    mobile: str = Field(description="The buyer's own number, whole (answered only to them)")
    created_at: str


class BuyerTokens(Model):
    """The page's ID token (the refresh token goes only into an HttpOnly cookie)."""

    id_token: str
    expires_in: int
    buyer: BuyerView


class DivisionQuery(Input):
    parent: str | None = Field(None, pattern=r"^\d{6}$", description="Province or city code; none: the provinces")


class DivisionView(Model):
    code: str
    name: str
    name_en: str | None = None
    level: str
    has_children: bool


class DivisionList(Model):
    items: list[DivisionView]
