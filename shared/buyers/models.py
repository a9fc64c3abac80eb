"""API models of the buyer routes (functions/storefront). A buyer sees their own personal data
whole: these answers go only to the buyer they belong to."""
from __future__ import annotations

from pydantic import Field

from shared.model import Input, Model
from shared.orders.models import Quote

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


# -- addresses ------------------------------------------------------------------------------------
MAX_ADDRESSES = 20


class AddressInput(Input):
    name: str = Field(min_length=1, max_length=40, description="Receiver")
    mobile: str = Field(pattern=MOBILE_PATTERN, description="Receiver's mobile")
    province: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 code (GET /storefront/{shop_id}/regions)")
    city: str = Field(default="", pattern=r"^(\d{6})?$", description="Empty only where the province has no cities")
    district: str = Field(default="", pattern=r"^(\d{6})?$", description="Empty only where the city has no districts")
    detail: str = Field(min_length=2, max_length=120, description="Street, building, room")
    is_default: bool = False


class AddressUpdate(AddressInput):
    version: int = Field(ge=1, description="The version read (a stale one answers 409)")


class AddressView(Model):
    id: str
    name: str
    mobile: str
    province: str
    province_name: str
    city: str
    city_name: str
    district: str
    district_name: str
    detail: str
    is_default: bool
    version: int
    created_at: str


class AddressList(Model):
    items: list[AddressView] = Field(description="The default first, then newest first")


# -- cart -----------------------------------------------------------------------------------------
CART_MAX_LINES = 100
ID_PRODUCT = r"^prd_[0-9A-HJKMNP-TV-Z]{26}$"
ID_SKU = r"^sku_[0-9A-HJKMNP-TV-Z]{26}$"


class CartLineInput(Input):
    product_id: str = Field(pattern=ID_PRODUCT)
    sku_id: str = Field(pattern=ID_SKU)
    qty: int = Field(ge=1, le=9999)


class CartQty(Input):
    qty: int = Field(ge=1, le=9999)


class CartMerge(Input):
    lines: list[CartLineInput] = Field(max_length=CART_MAX_LINES, description="The cart the page kept signed out")


class CartLineView(Model):
    product_id: str
    sku_id: str
    qty: int
    name: str = ""
    spec_values: list[str] = []
    image: str | None = None
    unit_price: int | None = None
    available: bool = Field(description="False: the SKU is off shelf, disabled or gone (kept until removed)")


class CartDrop(Model):
    sku_id: str
    reason: str = Field(description="unknown_sku | not_on_sale | cart_full")


class CartView(Model):
    lines: list[CartLineView]
    version: int
    quote: Quote | None = Field(None, description="The pipeline's quote of the available lines (null when none)")
    dropped: list[CartDrop] = Field(default_factory=list, description="Lines a merge did not take, and why")


class StorefrontShop(Model):
    """What the storefront header shows of the shop (nothing of its contacts)."""

    shop_id: str
    name: str
    currency: str
    logo: str | None = None
