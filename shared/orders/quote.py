"""The one pricing pipeline (issue 11 point 4). The storefront, place order and the admin all
price through ``price`` (or ``quote``, which reads the facts first).

Ordered, named steps; the order is data (``STEPS``), not control flow. Each step is a small
object with ``name`` and ``apply(draft, facts)`` that may change unit prices, add discounts
(each with its source and its allocation to lines: floor shares, remainder to the last eligible
line, ``shared.orders.allocation``) or set freight. All amounts are integer fen.

1. ``list_price``      each line's SKU price from the catalog (never the client's)
2. ``activity_price``  限时折扣 / member price / 秒杀 (``shared.marketing.pricing``)
3. ``threshold_offers`` 满减 / 满折 / 满赠
4. ``coupons``         one coupon, the best or the buyer's
   (2-4 do nothing while ``Facts.offers`` is None: nothing reads running activities or wallets yet)
5. ``freight``         the shop's flat delivery fee and free-shipping threshold (settings
                       section ``delivery_fee``), until freight templates replace the step

The facts a quote needs (the SKUs as the catalog has them, the shop's delivery fee) are read by
``read_facts`` in few round trips; place order reads them together with the stock
(``shared.orders.placing``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from shared import db
from shared.catalog import images
from shared.catalog.products import load as load_product
from shared.catalog.products import to_sku
from shared.catalog.staging import live_keys
from shared.catalog.tables import PRODUCT_SK, ProductRecord, SkuRecord, parse_sku_sk, product_pk
from shared.errors import ValidationFailed, field_error
from shared.marketing.pricing import ActivityPriceStep, CouponsStep, Outcome, ThresholdOffersStep
from shared.orders.allocation import allocate
from shared.orders.models import Allocation, Discount, Quote, QuoteLine, QuoteLineInput
from shared.settings.models import DeliveryFee
from shared.settings.service import delivery_fee_of, item_key
from shared.settings.tables import SettingsItem

if TYPE_CHECKING:
    from shared.marketing.pricing import Offers


@dataclass(frozen=True)
class CatalogSku:
    product_id: str
    sku_id: str
    name: str
    spec_values: list[str]
    image_ids: list[str]
    price: int
    currency: str
    sellable: bool  # on shelf and the SKU active


@dataclass
class Facts:
    shop_id: str
    skus: dict[str, CatalogSku]  # by SKU id, the ones asked that exist in that product
    delivery: DeliveryFee
    region: str | None = None  # the receiver's province (freight templates will read it)
    offers: Offers | None = None  # running activities and the buyer's coupons (marketing); None: none


@dataclass
class DraftLine:
    sku: CatalogSku
    qty: int
    unit_list_price: int = 0
    unit_price: int = 0
    allocations: list[Allocation] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.qty

    @property
    def payable(self) -> int:
        return self.subtotal - sum(a.amount for a in self.allocations)


@dataclass
class Draft:
    lines: list[DraftLine]
    currency: str
    discounts: list[Discount] = field(default_factory=list)
    freight: int = 0

    def discount(self, source: str, step: str, amount: int, eligible: list[bool] | None = None) -> None:
        """An order-level discount spread over the eligible lines by their payable (分摊), in SKU
        order (the remainder to the eligible line of the largest SKU id): the same cart allocates
        the same whatever order its lines came in."""
        weights = [max(line.payable, 0) if eligible is None or eligible[i] else 0 for i, line in enumerate(self.lines)]
        amount = min(amount, sum(weights))  # never below zero (DOMAIN.md §5.1, Taobao's cap)
        if amount <= 0:
            return
        order = sorted(range(len(self.lines)), key=lambda i: self.lines[i].sku.sku_id)
        shares = [0] * len(weights)
        for i, share in zip(order, allocate(amount, [weights[i] for i in order]), strict=True):
            shares[i] = share
        for line, share in zip(self.lines, shares, strict=True):
            if share:
                line.allocations.append(Allocation(source=source, step=step, amount=share))
        self.discounts.append(Discount(source=source, step=step, amount=amount, allocation=shares))


class Step(Protocol):
    name: str

    def apply(self, draft: Draft, facts: Facts) -> None: ...


class ListPrice:
    name = "list_price"

    def apply(self, draft: Draft, facts: Facts) -> None:
        for line in draft.lines:
            line.unit_list_price = line.unit_price = line.sku.price


class Freight:
    name = "freight"

    def apply(self, draft: Draft, facts: Facts) -> None:
        goods = sum(line.payable for line in draft.lines)
        free_over = facts.delivery.free_over
        draft.freight = 0 if free_over is not None and goods >= free_over else facts.delivery.flat_fee


STEPS: tuple[Step, ...] = (ListPrice(), ActivityPriceStep(), ThresholdOffersStep(), CouponsStep(), Freight())


def merged(lines: list[QuoteLineInput]) -> list[QuoteLineInput]:
    """The same SKU twice is one line of the summed quantity (first position kept)."""
    out: dict[str, QuoteLineInput] = {}
    for line in lines:
        if line.sku_id in out:
            prev = out[line.sku_id]
            out[line.sku_id] = QuoteLineInput(product_id=prev.product_id, sku_id=prev.sku_id, qty=prev.qty + line.qty)
        else:
            out[line.sku_id] = line
    return list(out.values())


def check(lines: list[QuoteLineInput], facts: Facts, prefix: str = "lines") -> None:
    """422 naming every line whose product or SKU is unknown, off shelf or disabled."""
    errors = []
    for i, line in enumerate(lines):
        sku = facts.skus.get(line.sku_id)
        if sku is None or sku.product_id != line.product_id:
            errors.append({"field": f"{prefix}.{i}.sku_id", "type": "unknown_sku", "params": {"sku_id": line.sku_id}})
        elif not sku.sellable:
            errors.append({"field": f"{prefix}.{i}.sku_id", "type": "not_on_sale", "params": {"sku_id": line.sku_id}})
    if errors:
        raise ValidationFailed(errors)


def price(lines: list[QuoteLineInput], facts: Facts, steps: tuple[Step, ...] = STEPS) -> Quote:
    lines = merged(lines)
    check(lines, facts)
    draft_lines = [DraftLine(sku=facts.skus[line.sku_id], qty=line.qty) for line in lines]
    draft = Draft(lines=draft_lines, currency=draft_lines[0].sku.currency)
    for step in steps:
        step.apply(draft, facts)
    out = [QuoteLine(sku_id=d.sku.sku_id, product_id=d.sku.product_id, name=d.sku.name,
                     spec_values=d.sku.spec_values,
                     image=images.main_image_url(facts.shop_id, d.sku.product_id, d.sku.image_ids),
                     qty=d.qty, unit_list_price=d.unit_list_price, unit_price=d.unit_price, line_subtotal=d.subtotal,
                     allocations=d.allocations, line_payable=d.payable) for d in draft.lines]
    subtotal = sum(line.line_subtotal for line in out)
    discount_total = sum(d.amount for d in draft.discounts)
    payable = subtotal - discount_total + draft.freight
    return Quote(lines=out, discounts=draft.discounts, subtotal=subtotal, discount_total=discount_total,
                 freight=draft.freight, payable=payable, currency=draft.currency,  # type: ignore[arg-type]
                 quote_hash=quote_hash(out, draft.discounts, draft.freight, payable))


def price_with_offers(lines: list[QuoteLineInput], facts: Facts) -> tuple[Quote, Outcome]:
    """The quote and what marketing decided (hints, coupon options, gifts) in one call."""
    quote = price(lines, facts)
    return quote, facts.offers.outcome if facts.offers is not None else Outcome()


def quote_hash(lines: list[QuoteLine], discounts: list[Discount], freight: int, payable: int) -> str:
    """What the client echoes back when placing: any change of price, discount or freight changes it."""
    doc = {"lines": [[line.sku_id, line.qty, line.unit_price, line.line_payable] for line in lines],
           "discounts": [[d.source, d.step, d.amount] for d in discounts], "freight": freight, "payable": payable}
    return hashlib.sha256(json.dumps(doc, separators=(",", ":")).encode()).hexdigest()[:32]


# -- reading the facts ----------------------------------------------------------------------------
def product_keys(shop_id: str, lines: list[QuoteLineInput]) -> list[db.ItemKey]:
    return [(ProductRecord, product_pk(shop_id, p), PRODUCT_SK) for p in dict.fromkeys(line.product_id for line in lines)]


def sku_keys(products: list[ProductRecord], wanted: set[str]) -> list[db.ItemKey]:
    """The live revisions of the asked SKUs that must still be read: none for a product item that
    carries its SKUs' selling facts (``sku_sale``), else the revisions it names."""
    keys: list[db.ItemKey] = []
    for p in products:
        if p.sku_sale is not None:
            continue
        for sk in sorted(live_keys(p) or ()):
            if parse_sku_sk(sk)[0] in wanted:
                keys.append((SkuRecord, p.pk, sk))
    return keys


def catalog_skus(shop_id: str, products: list[ProductRecord], sku_records: list[SkuRecord],
                 wanted: set[str]) -> dict[str, CatalogSku]:
    by_pk = {p.pk: p for p in products}
    records = list(sku_records)
    for p in products:  # saved before SKU revisions existed: read them the old way
        if p.sku_revs is None and p.sku_sale is None:
            records += load_product(shop_id, p.product_id).skus
    out: dict[str, CatalogSku] = {}
    for p in products:  # the product item's copy of its SKUs' selling facts (one read)
        for sku_id, sale in (p.sku_sale or {}).items():
            if sku_id in wanted:
                out[sku_id] = _catalog_sku(p, sku_id, list(sale["values"]), int(sale["price"]), str(sale["status"]))
    for rec in records:
        sku = to_sku(rec)
        owner = by_pk.get(rec.pk)
        if owner is None or sku.id not in wanted:
            continue
        out[sku.id] = _catalog_sku(owner, sku.id, list(sku.values), sku.price, sku.status)
    return out


def _catalog_sku(owner: ProductRecord, sku_id: str, values: list[str], price: int, status: str) -> CatalogSku:
    return CatalogSku(product_id=owner.product_id, sku_id=sku_id, name=owner.name, spec_values=values,
                      image_ids=list(owner.images or []), price=price, currency=owner.currency,
                      sellable=owner.status == "on_shelf" and status == "active")


def read_facts(shop_id: str, lines: list[QuoteLineInput], *, region: str | None = None) -> Facts:
    """One BatchGetItem: the products (carrying their SKUs' selling facts) and the settings item;
    a second one only for products saved before the product item carried them."""
    first = db.batch_get([item_key(shop_id), *product_keys(shop_id, lines)])
    settings = first[0]
    products = [p for p in first[1:] if isinstance(p, ProductRecord)]
    wanted = {line.sku_id for line in lines}
    keys = sku_keys(products, wanted)
    skus = [s for s in db.batch_get(keys) if isinstance(s, SkuRecord)] if keys else []
    return Facts(shop_id=shop_id, skus=catalog_skus(shop_id, products, skus, wanted),
                 delivery=delivery_fee_of(settings if isinstance(settings, SettingsItem) else None), region=region)


def quote(shop_id: str, lines: list[QuoteLineInput], *, region: str | None = None) -> Quote:
    if not lines:
        raise field_error("lines", "too_short", min_length=1)
    return price(lines, read_facts(shop_id, lines, region=region))
