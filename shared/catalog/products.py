"""Products and their SKUs: create, read, replace, change specs, delete.

A save that fits is one transaction (``shared.tx``): the product item (conditional on
the version the caller saw), the SKU items that changed, the uniqueness claims of SKU codes
and barcodes (``SKUCODE#``/``BARCODE#`` items, conditional on not existing), the release of
codes and images no longer used, the category counters and the outbox events. A code taken
by another product fails the claim's condition, and the whole save with it. A bigger save is
staged (``shared.catalog.staging``) with the same guarantees: SKU items are revisions, live
only once the product item names them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from shared import clock
from shared.auth.context import AuthContext
from shared.auth.permissions import VIEW_COSTS
from shared.catalog import images, matrix, staging
from shared.catalog.events import ProductCreated, ProductDeleted, ProductModified, SkuPriceChanged
from shared.catalog.models import (
    AttributeView,
    ProductCreate,
    ProductFields,
    ProductSummary,
    ProductUpdate,
    ProductView,
    ScheduleView,
    SkuInput,
    SkuView,
    SpecsUpdate,
    SpecView,
)
from shared.catalog.tables import (
    CATALOG_TABLE_ENV,
    PRODUCT_SK,
    CatalogItem,
    CategoryRecord,
    CodeClaim,
    ImageRecord,
    ProductRecord,
    SkuRecord,
    StagedSave,
    category_sk,
    claim_sk,
    parse_product_pk,
    parse_sku_sk,
    product_pk,
    sku_sk,
)
from shared.errors import Conflict, NotFound, VersionConflict, field_error
from shared.events.base import DomainEvent, changed_fields
from shared.events.outbox import outbox_bundles, outbox_item
from shared.ids import new_id
from shared.keys import shop_pk
from shared.tx import LIMIT, ConditionsFailed, Writes

CLAIMS = (("SKUCODE", "code"), ("BARCODE", "barcode"))


@dataclass
class Loaded:
    product: ProductRecord
    skus: list[SkuRecord]  # the live revisions, in matrix order
    images: dict[str, ImageRecord] = field(default_factory=dict)  # by image id, any status
    garbage: list[SkuRecord] = field(default_factory=list)  # revisions the product does not name
    journals: list[StagedSave] = field(default_factory=list)  # staged saves in flight or crashed


@dataclass
class Draft:
    """A product's content as a save will store it."""

    name: str
    description: str
    category_id: str | None
    brand: str
    currency: str
    attributes: list[dict[str, str]]
    specs: list[dict[str, Any]]
    skus: list[matrix.Sku] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # ready image ids, display order

    def content(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("skus")
        return data

    def snapshot(self) -> dict[str, Any]:
        """What events carry: the content, and the SKUs keyed by id."""
        return {**self.content(), "skus": {s.id: _sku_data(s) for s in self.skus}}

    def matrix_specs(self) -> list[matrix.Spec]:
        return [matrix.Spec(name=s["name"], values=tuple(s["values"])) for s in self.specs]


def _sku_data(sku: matrix.Sku) -> dict[str, Any]:
    data = asdict(sku)
    data.pop("id")
    data["values"] = list(sku.values)
    return data


# -- reading ------------------------------------------------------------------------------------
def load(shop_id: str, product_id: str) -> Loaded:
    """The product, its SKUs and its images: one Query of the product's partition (strongly
    consistent). Items are told apart by their kind (``IMAGE#`` items live there too); of the
    SKU items only the revisions the product item names are its SKUs (a staged save's new
    revisions are invisible until its commit)."""
    product, skus, found, journals = None, [], {}, []
    for item in CatalogItem.query(product_pk(shop_id, product_id), consistent_read=True):
        if isinstance(item, ProductRecord):
            product = item
        elif isinstance(item, SkuRecord):
            skus.append(item)
        elif isinstance(item, ImageRecord):
            found[item.image_id] = item
        elif isinstance(item, StagedSave):
            journals.append(item)
    if product is None:
        raise NotFound("product_not_found", details={"product_id": product_id})
    live = staging.live_keys(product)
    named = [s for s in skus if live is None or s.sk in live]
    return Loaded(product=product, skus=sorted(named, key=lambda s: int(s.position)), images=found,
                  garbage=[s for s in skus if live is not None and s.sk not in live], journals=journals)


def to_sku(rec: SkuRecord) -> matrix.Sku:
    return matrix.Sku(id=parse_sku_sk(rec.sk)[0], values=tuple(rec.values or ()), price=int(rec.price),
                      strike_price=_int(rec.strike_price), cost_price=_int(rec.cost_price), weight_g=int(rec.weight_g),
                      volume_cm3=int(rec.volume_cm3), code=rec.code or "", barcode=rec.barcode or "",
                      status=rec.status)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def draft_of(product: ProductRecord, skus: list[matrix.Sku]) -> Draft:
    return Draft(name=product.name, description=product.description or "", category_id=product.category_id,
                 brand=product.brand or "", currency=product.currency, attributes=list(product.attributes or []),
                 specs=list(product.specs or []), skus=skus, images=list(product.images or []))


def schedule_of(product: ProductRecord) -> ScheduleView | None:
    if product.scheduled_action and product.scheduled_at:
        return ScheduleView(action=product.scheduled_action, at=product.scheduled_at)  # type: ignore[arg-type]
    return None


def summary_data(product: ProductRecord) -> dict[str, Any]:
    shop_id, product_id = parse_product_pk(product.pk)
    return {"id": product.product_id, "name": product.name, "brand": product.brand or "",
            "category_id": product.category_id, "currency": product.currency,
            "main_image": images.main_image_url(shop_id, product_id, list(product.images or [])),
            "status": product.status, "schedule": schedule_of(product), "price_min": int(product.price_min),
            "price_max": int(product.price_max), "sku_count": int(product.sku_count),
            "stock_available": int(product.stock_available or 0), "stock_state": product.stock_state or "out",
            "version": int(product.version), "created_at": product.created_at, "updated_at": product.updated_at}


def summary(product: ProductRecord) -> ProductSummary:
    return ProductSummary(**summary_data(product))


def view(product: ProductRecord, skus: list[matrix.Sku], found: dict[str, ImageRecord]) -> ProductView:
    return ProductView(**summary_data(product), description=product.description or "",
                       attributes=[AttributeView(**a) for a in product.attributes or []],
                       images=images.views(list(product.images or []), found), specs=[SpecView(**s) for s in product.specs or []],
                       skus=[SkuView(id=s.id, **_sku_data(s)) for s in skus])


def get(shop_id: str, product_id: str) -> ProductView:
    loaded = load(shop_id, product_id)
    return view(loaded.product, [to_sku(s) for s in loaded.skus], loaded.images)


# -- saving -------------------------------------------------------------------------------------
def _draft(body: ProductFields, skus: list[matrix.Sku], current_images: list[str] | None = None) -> Draft:
    # A client that does not send `images` (an editor without an image panel) keeps them.
    images = list(body.images) if body.images is not None else list(current_images or [])
    return Draft(name=body.name, description=body.description, category_id=body.category_id, brand=body.brand,
                 currency=body.currency, attributes=[a.model_dump() for a in body.attributes],
                 specs=[s.model_dump() for s in body.specs], skus=skus, images=images)


def _sku(sku_id: str, given: SkuInput) -> matrix.Sku:
    return matrix.Sku(id=sku_id, values=tuple(given.values), price=given.price, strike_price=given.strike_price,
                      cost_price=given.cost_price, weight_g=given.weight_g, volume_cm3=given.volume_cm3,
                      code=given.code, barcode=given.barcode, status=given.status)


def create(ctx: AuthContext, body: ProductCreate) -> ProductView:
    for i, given in enumerate(body.skus):
        if given.id:
            raise field_error(f"skus.{i}.id", "unknown_sku")
    draft = _draft(body, [_sku(new_id("sku_"), s) for s in body.skus])
    return _save(ctx, new_id("prd_"), None, draft, 0)


def update(ctx: AuthContext, product_id: str, body: ProductUpdate) -> ProductView:
    """Replace the content and SKUs. A SKU keeps its id when the request names it, or else when
    its spec values are unchanged; the others are new, and SKUs not sent are deleted."""
    loaded = load(ctx.shop_id, product_id)
    _check_version(loaded.product, body.version)
    old = {parse_sku_sk(r.sk)[0]: tuple(r.values or ()) for r in loaded.skus}
    named = {s.id for s in body.skus if s.id}
    by_values = {values: sku_id for sku_id, values in old.items() if sku_id not in named}
    # Cost prices were answered as null to a caller who may not see them: what they send back keeps them.
    costs = None if ctx.can(VIEW_COSTS) else {parse_sku_sk(r.sk)[0]: _int(r.cost_price) for r in loaded.skus}
    skus = []
    for i, given in enumerate(body.skus):
        if given.id and given.id not in old:
            raise field_error(f"skus.{i}.id", "unknown_sku")
        sku = _sku(given.id or by_values.pop(tuple(given.values), None) or new_id("sku_"), given)
        skus.append(sku if costs is None else replace(sku, cost_price=costs.get(sku.id)))
    return _save(ctx, product_id, loaded, _draft(body, skus, list(loaded.product.images or [])), body.version)


def update_specs(ctx: AuthContext, product_id: str, body: SpecsUpdate) -> ProductView:
    """Change the specs; the SKU matrix follows and keeps what was entered (``matrix.merge``)."""
    loaded = load(ctx.shop_id, product_id)
    _check_version(loaded.product, body.version)
    current = draft_of(loaded.product, [to_sku(s) for s in loaded.skus])
    new_specs = [s.model_dump() for s in body.specs]
    draft = Draft(**{**current.content(), "specs": new_specs})
    draft.skus = matrix.merge(current.matrix_specs(), current.skus, draft.matrix_specs(), lambda: new_id("sku_"))
    return _save(ctx, product_id, loaded, draft, body.version)


def _check_version(product: ProductRecord, expected: int) -> None:
    if int(product.version) != expected:
        raise VersionConflict(expected=expected, current=int(product.version))


def _record_fields(draft: Draft, skus: list[matrix.Sku]) -> dict[str, Any]:
    active = [s for s in skus if s.status == "active"]
    priced = active or skus
    return {"name": draft.name, "description": draft.description, "category_id": draft.category_id,
            "brand": draft.brand, "currency": draft.currency, "attributes": draft.attributes, "specs": draft.specs,
            "sku_codes": [s.code for s in skus if s.code], "barcodes": [s.barcode for s in skus if s.barcode],
            "price_min": min(s.price for s in priced), "price_max": max(s.price for s in priced),
            "sku_count": len(skus), "active_skus": len(active), "images": draft.images,
            "sku_sale": {s.id: {"price": s.price, "status": s.status, "values": list(s.values)} for s in skus}}


def _sku_record(pk: str, sku: matrix.Sku, position: int, rev: str) -> SkuRecord:
    return SkuRecord(pk, sku_sk(sku.id, rev), position=position, values=list(sku.values), price=sku.price,
                     strike_price=sku.strike_price, cost_price=sku.cost_price, weight_g=sku.weight_g,
                     volume_cm3=sku.volume_cm3, code=sku.code, barcode=sku.barcode, status=sku.status)


def _claim_changes(before: list[matrix.Sku], after: list[matrix.Sku]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The codes to claim (kind, code as entered; in SKU order) and to release (kind, CODE)."""
    claims, releases = [], []
    for kind, attr in CLAIMS:
        old = {getattr(s, attr).upper() for s in before if getattr(s, attr)}
        new: dict[str, str] = {}
        for s in after:
            if getattr(s, attr):
                new.setdefault(getattr(s, attr).upper(), getattr(s, attr))
        claims += [(kind, code) for upper, code in new.items() if upper not in old]
        releases += [(kind, code) for code in sorted(old - new.keys())]
    return claims, releases


def _release(writes: Writes, shop_id: str, product_id: str, kind: str, code: str) -> None:
    writes.delete(CodeClaim(shop_pk(shop_id), claim_sk(kind, code)),
                  CodeClaim.pk.does_not_exist() | (CodeClaim.product_id == product_id), ("release", kind, code))


def _count(writes: Writes, shop_id: str, category_id: str | None, delta: int) -> None:
    if category_id:
        writes.update(CategoryRecord(shop_pk(shop_id), category_sk(category_id)),
                      [CategoryRecord.product_count.add(delta)], CategoryRecord.pk.exists(), ("category", category_id))


def _diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Only what changed, and of the SKUs only the changed ones (events stay small)."""
    changed = changed_fields(old, new)
    old_part = {k: old.get(k) for k in changed}
    new_part = {k: new.get(k) for k in changed}
    if "skus" in changed:
        ids = {i for i in old["skus"].keys() | new["skus"].keys() if old["skus"].get(i) != new["skus"].get(i)}
        old_part["skus"] = {i: v for i, v in old["skus"].items() if i in ids}
        new_part["skus"] = {i: v for i, v in new["skus"].items() if i in ids}
    return old_part, new_part, changed


def _save(ctx: AuthContext, product_id: str, before: Loaded | None, draft: Draft, expected: int) -> ProductView:
    skus = matrix.in_matrix_order(draft.matrix_specs(), draft.skus)
    found = before.images if before else {}
    images.check_ready(draft.images, found)
    old_recs = {parse_sku_sk(r.sk)[0]: r for r in before.skus} if before else {}
    old_skus = {sku_id: (to_sku(r), int(r.position)) for sku_id, r in old_recs.items()}
    old_draft = draft_of(before.product, [s for s, _ in old_skus.values()]) if before else None
    events: list[DomainEvent] = []
    if old_draft is None:
        events.append(ProductCreated(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=product_id, new=draft.snapshot()))
    else:
        old, new, changed = _diff(old_draft.snapshot(), draft.snapshot())
        if not changed:
            return view(before.product, skus, found) if before else get(ctx.shop_id, product_id)
        events.append(ProductModified(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=product_id, old=old, new=new,
                                      changed=changed))
        for sku in skus:
            previous = old_skus.get(sku.id)
            if previous and previous[0].price != sku.price:
                events.append(SkuPriceChanged(shop_id=ctx.shop_id, actor=ctx.actor, resource_id=product_id, sku_id=sku.id,
                                              values=list(sku.values), currency=draft.currency,
                                              old_price=previous[0].price, new_price=sku.price))
    if before is not None and before.product.status == "on_shelf" and not any(s.status == "active" for s in skus):
        raise Conflict("on_shelf_needs_active_sku")
    token = staging.new_token()
    plan, record = _plan(ctx, product_id, before, draft, skus, events, expected, token, staged=False)
    try:
        if len(plan.single()) <= LIMIT:
            staging.commit_single(plan)
        else:
            plan, record = _plan(ctx, product_id, before, draft, skus, events, expected, token, staged=True)
            staging.commit_staged(plan)
    except staging.ClaimTaken as exc:
        _taken(exc, ctx.shop_id, product_id, draft, expected)
    except ConditionsFailed as exc:
        _explain(exc, ctx.shop_id, product_id, expected)
    if before is not None and (before.garbage or before.journals):
        staging.sweep(ctx.shop_id, product_id, before.garbage, before.journals)
    return view(record, skus, found)


def _plan(ctx: AuthContext, product_id: str, before: Loaded | None, draft: Draft, skus: list[matrix.Sku],
          events: list[DomainEvent], expected: int, token: str,
          staged: bool) -> tuple[staging.SavePlan, ProductRecord]:
    """What the save writes (and the product item as it will be). A changed SKU is rewritten in place (same revision) when the whole
    save is one transaction, and as a new revision when it is staged (readers keep seeing the
    old one until the commit). New SKUs always get the save's revision."""
    pk, now = product_pk(ctx.shop_id, product_id), clock.iso()
    old_recs = {parse_sku_sk(r.sk)[0]: r for r in before.skus} if before else {}
    revs: dict[str, str] = {}
    puts: list[SkuRecord] = []
    superseded: list[tuple[str, str]] = []
    for position, sku in enumerate(skus):
        rec = old_recs.get(sku.id)
        rev = parse_sku_sk(rec.sk)[1] if rec is not None else token
        if rec is None or (to_sku(rec), int(rec.position)) != (sku, position):
            if rec is not None and staged:
                superseded.append((rec.pk, rec.sk))
                rev = token
            puts.append(_sku_record(pk, sku, position, rev))
        revs[sku.id] = rev
    superseded += [(r.pk, r.sk) for sku_id, r in old_recs.items() if sku_id not in revs]
    claims, releases = _claim_changes([to_sku(r) for r in old_recs.values()], skus)
    kept = set(draft.images)
    dropped = [before.images[i] for i in before.product.images or [] if i not in kept and i in before.images] \
        if before else []
    fields = {**_record_fields(draft, skus), "sku_revs": staging.grouped(revs)}
    head = Writes()
    old_category = before.product.category_id if before else None
    if draft.category_id != old_category:
        _count(head, ctx.shop_id, old_category, -1)
        _count(head, ctx.shop_id, draft.category_id, 1)
    if before is None:
        record = ProductRecord(pk, PRODUCT_SK, **fields, status="off_shelf", version=1, created_at=now, updated_at=now,
                               created_by=ctx.email or ctx.user_id, updated_by=ctx.email or ctx.user_id)
        head.put(record, ProductRecord.pk.does_not_exist(), ("exists",))
    else:
        record = before.product
        condition = ProductRecord.version == expected
        if fields["active_skus"] == 0:
            condition &= ProductRecord.status == "off_shelf"
        actions = [getattr(ProductRecord, k).set(v) if v is not None else getattr(ProductRecord, k).remove()
                   for k, v in fields.items()]
        head.update(record, [*actions, ProductRecord.updated_at.set(now),
                             *record.set_personal(updated_by=ctx.email or ctx.user_id), ProductRecord.version.add(1)],
                    condition, ("version",))
        saved = ProductRecord.from_raw_data(record.serialize())
        for key, value in fields.items():
            setattr(saved, key, value)
        saved.updated_at, saved.version = now, expected + 1
        record = saved
    room = LIMIT - len(head) - 1
    for item in ([outbox_item(CATALOG_TABLE_ENV, e) for e in events] if len(events) <= room or not staged
                 else outbox_bundles(CATALOG_TABLE_ENV, events)):
        head.put(item)
    return staging.SavePlan(shop_id=ctx.shop_id, product_id=product_id, token=token, claims=claims,
                            releases=releases, sku_puts=puts, superseded=superseded, dropped_images=dropped,
                            head=head), record


def _taken(exc: staging.ClaimTaken, shop_id: str, product_id: str, draft: Draft, expected: int) -> None:
    """A code another product has: named by the first SKU (as sent) that carries it. When the
    product itself took it meanwhile (a concurrent save of it), that is a stale version."""
    if expected:
        current = int(load(shop_id, product_id).product.version)
        if current != expected:
            raise VersionConflict(expected=expected, current=current) from exc
    kind, code = exc.key
    attr = "code" if kind == "SKUCODE" else "barcode"
    index = next(i for i, s in enumerate(draft.skus) if getattr(s, attr).upper() == code)
    raise Conflict("sku_code_taken" if kind == "SKUCODE" else "barcode_taken",
                   details={"field": f"skus.{index}.{attr}", "code": getattr(draft.skus[index], attr)},
                   value=getattr(draft.skus[index], attr)) from exc


def _explain(exc: ConditionsFailed, shop_id: str, product_id: str, expected: int) -> None:
    """Turn failed conditions into the error the caller can act on."""
    for label in exc.labels:
        if label[0] == "category":
            raise field_error("category_id", "unknown_category") from exc
        if label[0] == "version":
            try:
                current = load(shop_id, product_id).product
            except NotFound:
                raise NotFound("product_not_found", details={"product_id": product_id}) from exc
            if current.status == "on_shelf" and int(current.version) == expected:
                raise Conflict("on_shelf_needs_active_sku") from exc
            raise VersionConflict(expected=expected, current=int(current.version)) from exc
    raise exc


def delete(ctx: AuthContext, product_id: str) -> None:
    """Delete an off-shelf product. Its SKU items, images and code claims go in the same
    transaction when they fit; otherwise the indexer removes them when the deletion reaches
    the stream (and, either way, the S3 files of the images whose items are deleted)."""
    loaded = load(ctx.shop_id, product_id)
    product = loaded.product
    if product.status == "on_shelf":
        raise Conflict("product_on_shelf")
    skus = [to_sku(r) for r in loaded.skus]
    writes = Writes()
    writes.delete(product, ProductRecord.status == "off_shelf", ("listed",))
    _count(writes, ctx.shop_id, product.category_id, -1)
    old = {**draft_of(product, skus).content(), "sku_count": len(skus)}
    writes.put(outbox_item(CATALOG_TABLE_ENV, ProductDeleted(shop_id=ctx.shop_id, actor=ctx.actor,
                                                             resource_id=product_id, old=old)))
    tidy = Writes()
    for rec in [*loaded.skus, *loaded.garbage]:
        tidy.delete(rec)
    for image in loaded.images.values():
        tidy.delete(image)
    for kind, code in _claim_changes(skus, [])[1]:
        _release(tidy, ctx.shop_id, product_id, kind, code)
    if len(writes) + len(tidy) <= LIMIT and not loaded.journals:
        writes.extend(tidy)
    try:
        writes.commit()
    except ConditionsFailed as exc:
        if ("listed",) in exc.labels:
            raise Conflict("product_on_shelf") from exc
        raise
