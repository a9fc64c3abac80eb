"""What the catalog API accepts and answers (pydantic). Prices are integer minor units (分) in
the product's currency; every price field refuses fractions, strings and negatives.

``description`` is a small safe subset of HTML (paragraphs, line breaks, bold, italic,
underline, strike, lists, h3/h4, blockquote), without attributes: anything else (scripts,
styles, event handlers, links, images, iframes) is removed on input. Plain text is valid too.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from shared import clock
from shared.catalog import matrix
from shared.model import Input, Model, schema_enum
from shared.money import Currency
from shared.pagination import PageQuery
from shared.uploads import PresignedPost

MAX_PRICE = 10**9  # ¥10,000,000.00
Price = Annotated[int, Field(ge=0, le=MAX_PRICE, strict=True, description="Minor units (分), e.g. 12900 = ¥129.00")]
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z._/-]*$"
BARCODE_PATTERN = r"^[0-9A-Za-z-]+$"
DESCRIPTION_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h3", "h4", "blockquote"}
SkuStatus = Literal["active", "disabled"]
ProductStatus = Literal["on_shelf", "off_shelf"]
ShelfAction = Literal["list", "delist"]
StockState = Literal["in_stock", "low", "out"]


def sanitize_description(html: str) -> str:
    import nh3  # ammonia's allow-list sanitizer (Rust); imported on first use

    return nh3.clean(html, tags=DESCRIPTION_TAGS, attributes={}, strip_comments=True).strip()


MAX_IMAGES = 20
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")


def _unique(values: list[str], key: str = "value") -> None:
    seen: set[str] = set()
    for v in values:
        folded = v.casefold()
        if folded in seen:
            raise PydanticCustomError("duplicate", "contains {value} twice", {key: v})
        seen.add(folded)


# -- input --------------------------------------------------------------------------------------
class SpecInput(Input):
    name: str = Field(min_length=1, max_length=20, description="e.g. 颜色")
    values: list[Annotated[str, Field(min_length=1, max_length=30)]] = Field(
        min_length=1, max_length=50, description="In display order, e.g. [红色, 蓝色]")

    @field_validator("values")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        _unique(v)
        return v


class SkuInput(Input):
    id: str | None = Field(None, max_length=40, description="An existing SKU's id: keeps it when its values are renamed")
    values: list[Annotated[str, Field(max_length=30)]] = Field(
        default_factory=list, max_length=3, description="One value per spec, in spec order ([] without specs)")
    price: Price
    strike_price: Price | None = Field(None, description="划线价, at least the price")
    cost_price: Price | None = Field(None, description="成本价")
    weight_g: int = Field(0, ge=0, le=1_000_000, strict=True)
    volume_cm3: int = Field(0, ge=0, le=10**9, strict=True)
    code: str = Field("", max_length=40, pattern=r"^$|" + CODE_PATTERN, description="商家编码, unique in the shop")
    barcode: str = Field("", max_length=32, pattern=r"^$|" + BARCODE_PATTERN, description="条形码, unique in the shop")
    status: SkuStatus = "active"
    available: int | None = Field(None, exclude=True, description="Read-only (inventory's stock, as GET answers it): "
                                                                  "accepted so a product read can be sent back, ignored")

    @field_validator("strike_price")
    @classmethod
    def _strike_at_least_price(cls, v: int | None, info: ValidationInfo) -> int | None:
        price = info.data.get("price")
        if v is not None and price is not None and v < price:
            raise PydanticCustomError("strike_below_price", "must be at least the price ({price})", {"price": price})
        return v


class Attribute(Input):
    name: str = Field(min_length=1, max_length=20, description="e.g. 面料")
    value: str = Field(min_length=1, max_length=100, description="e.g. 100% 棉")


class ProductFields(Input):
    name: str = Field(min_length=1, max_length=60)
    description: str = Field("", max_length=20000, description="Safe HTML subset or plain text (see docs/catalog.md)")
    category_id: str | None = Field(None, max_length=40)
    brand: str = Field("", max_length=40)
    currency: Currency = "CNY"
    attributes: list[Attribute] = Field(default_factory=list, max_length=30)
    specs: list[SpecInput] = Field(default_factory=list, max_length=3)
    skus: list[SkuInput] = Field(min_length=1, max_length=matrix.MAX_SKUS)
    images: list[str] | None = Field(None, max_length=MAX_IMAGES,
                                     description="Ids of ready images of this product, in display order; the first is "
                                                 "the main image. Omitted: the images stay as they are.")

    @field_validator("images")
    @classmethod
    def _distinct_images(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            _unique(v)
        return v

    @field_validator("description")
    @classmethod
    def _safe_html(cls, v: str) -> str:
        return sanitize_description(v) if v else v

    @field_validator("attributes")
    @classmethod
    def _distinct_attributes(cls, v: list[Attribute]) -> list[Attribute]:
        _unique([a.name for a in v])
        return v

    @field_validator("specs")
    @classmethod
    def _specs(cls, v: list[SpecInput]) -> list[SpecInput]:
        return check_specs(v)

    @field_validator("skus")
    @classmethod
    def _skus(cls, v: list[SkuInput], info: ValidationInfo) -> list[SkuInput]:
        for field in ("code", "barcode", "id"):
            _unique([str(getattr(s, field)) for s in v if getattr(s, field)])
        specs = info.data.get("specs")
        if specs is None:  # the specs are invalid and reported themselves
            return v
        mismatch = matrix.compare(to_specs(specs), [tuple(s.values) for s in v])
        if mismatch:
            raise PydanticCustomError(
                "sku_matrix", "needs exactly one SKU per spec combination (missing: {missing}; not in the specs: {extra})",
                {"missing": [_label(c) for c in mismatch.missing[:5]] or "-",
                 "extra": [_label(c) for c in (mismatch.extra + mismatch.duplicates)[:5]] or "-"})
        return v


def check_specs(v: list[SpecInput]) -> list[SpecInput]:
    _unique([s.name for s in v])
    count = matrix.size(to_specs(v))
    if count > matrix.MAX_SKUS:
        raise PydanticCustomError("too_many_skus", "the specs make {count} SKUs, at most {max}",
                                  {"count": count, "max": matrix.MAX_SKUS})
    return v


def _label(combo: matrix.Combo) -> str:
    return "/".join(combo) or "(no specs)"


def to_specs(specs: list[SpecInput]) -> list[matrix.Spec]:
    return [matrix.Spec(name=s.name, values=tuple(s.values)) for s in specs]


class ProductCreate(ProductFields):
    pass


class ProductUpdate(ProductFields):
    version: int = Field(ge=1, description="The version this update is based on (optimistic lock)")


class SpecsUpdate(Input):
    version: int = Field(ge=1)
    specs: list[SpecInput] = Field(max_length=3)

    @field_validator("specs")
    @classmethod
    def _specs(cls, v: list[SpecInput]) -> list[SpecInput]:
        return check_specs(v)


class ShelfChange(Input):
    at: datetime | None = Field(None, description="Do it at this time (ISO-8601, in the future); now when absent")

    @field_validator("at")
    @classmethod
    def _future(cls, v: datetime | None) -> datetime | None:
        if v is None:
            return v
        v = v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
        now = clock.now()
        if v <= now or v > now + timedelta(days=366):
            raise PydanticCustomError("future_datetime", "must be a time in the next year")
        return v


class BulkShelf(ShelfChange):
    action: ShelfAction
    ids: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1, max_length=100)

    @field_validator("ids")
    @classmethod
    def _distinct_ids(cls, v: list[str]) -> list[str]:
        _unique(v)
        return v


ProductSort = Literal["created", "updated", "price"]


class ProductQuery(PageQuery):
    q: str | None = Field(None, max_length=40, description="Words of the name or brand, or part of a SKU code or barcode")
    category_id: str | None = Field(None, max_length=40, description="This category and its sub-categories")
    status: ProductStatus | None = None
    stock_state: StockState | None = Field(None, description="in_stock, low (a SKU at or below its safety stock) "
                                                             "or out (nothing available)")
    price_min: int | None = Field(None, ge=0, le=MAX_PRICE, description="Lowest SKU price from (分)")
    price_max: int | None = Field(None, ge=0, le=MAX_PRICE, description="Lowest SKU price up to (分)")
    sort: ProductSort = Field("created", description="With q and a sort other than created, the newest 1,000 "
                                                     "candidates are sorted (``truncated`` says when there were more)")
    order: Literal["asc", "desc"] = "desc"

    @field_validator("price_max")
    @classmethod
    def _range(cls, v: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("price_min")
        if v is not None and low is not None and v < low:
            raise PydanticCustomError("price_range", "must not be below price_min")
        return v


# -- output -------------------------------------------------------------------------------------
class SpecView(Model):
    name: str
    values: list[str]


class AttributeView(Model):
    name: str
    value: str


class SkuView(Model):
    id: str
    values: list[str]
    price: int
    strike_price: int | None = None
    cost_price: int | None = None
    weight_g: int = 0
    volume_cm3: int = 0
    code: str = ""
    barcode: str = ""
    status: SkuStatus = "active"
    available: int | None = Field(None, description="Units available in all warehouses (inventory's), read when the "
                                                     "API answers with the product")


class ScheduleView(Model):
    action: ShelfAction
    at: str


class ProductSummary(Model):
    id: str
    name: str
    brand: str
    category_id: str | None
    currency: str
    main_image: str | None = None
    status: ProductStatus
    schedule: ScheduleView | None = None
    price_min: int
    price_max: int
    sku_count: int
    stock_available: int = Field(0, description="Units available, all SKUs and warehouses (inventory's, shown "
                                                "a moment after it changes)")
    stock_state: StockState = Field("out", description="out: nothing available (or no stock yet); low: a SKU at or "
                                                       "below its safety stock in a warehouse; else in_stock")
    version: int
    created_at: str
    updated_at: str


class ImageView(Model):
    id: str
    url: str = Field(description="The original (presigned GET, valid an hour)")
    thumb_url: str = Field(description="200 px WebP (presigned GET)")
    large_url: str = Field(description="800 px WebP (presigned GET)")
    width: int
    height: int


class ImageUploadRequest(Input):
    content_type: str = Field(max_length=40, json_schema_extra=schema_enum(IMAGE_TYPES))
    size: int = Field(ge=1, le=IMAGE_MAX_BYTES, description=f"Bytes, at most {IMAGE_MAX_BYTES}")

    @field_validator("content_type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in IMAGE_TYPES:
            raise PydanticCustomError("content_type", "must be image/png, image/jpeg or image/webp")
        return v


class ImageUpload(Model):
    image_id: str
    key: str
    upload: PresignedPost = Field(description="POST the file to url with these form fields (file last)")
    expires_in: int
    max_bytes: int = IMAGE_MAX_BYTES


ImageStatus = Literal["pending", "ready", "rejected"]


class ImageStatusView(Model):
    id: str
    status: ImageStatus
    reason: str | None = None
    image: ImageView | None = Field(None, description="When ready")


class ProductView(ProductSummary):
    description: str
    attributes: list[AttributeView]
    images: list[ImageView]
    specs: list[SpecView]
    skus: list[SkuView]


class ShelfView(Model):
    id: str
    status: ProductStatus
    schedule: ScheduleView | None = None


class ShelfError(Model):
    code: str
    message: str


class ShelfResult(Model):
    id: str
    ok: bool
    status: ProductStatus | None = None
    schedule: ScheduleView | None = None
    error: ShelfError | None = None


class BulkShelfResult(Model):
    results: list[ShelfResult]


class Done(Model):
    ok: bool = True
