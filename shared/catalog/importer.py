"""Importing the product spreadsheet (``shared.catalog.sheet``): validate every row and column,
then create (or, for a ref that is a product id of this shop, replace) each product through
``shared.catalog.products``, so events, audit, claims and indexing are the API's.

1. Cells: required values, yuan with at most two decimals, whole numbers, SKU status.
2. Products (rows with one ref): product fields equal on every row that repeats them, spec names
   consistent, the category path known, the rows making exactly the spec matrix (the API's own
   ``ProductCreate`` validation, mapped back to row and column).
3. The file: a SKU code or barcode twice in the file; codes already used in the shop by another
   product (read before writing; the save's claim conditions still refuse a code taken meanwhile).
4. Writing. ``valid_rows``: products whose rows are all valid are saved, the others reported.
   ``all_or_nothing``: any error -> nothing is written; a save that still fails (a code taken
   meanwhile) -> the products this job created are deleted and those it replaced restored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from shared import exports
from shared.auth.context import AuthContext
from shared.catalog import jobs, products, sheet
from shared.catalog.categories import Tree, load_tree
from shared.catalog.models import MAX_PRICE, ProductCreate, ProductUpdate, SkuInput
from shared.catalog.tables import PRODUCT_SK, CodeClaim, ProductRecord, claim_sk, product_pk
from shared.errors import ShopDeskError, ValidationFailed
from shared.i18n import message
from shared.keys import shop_pk
from shared.observability import log

_PRODUCT_ID = re.compile(r"^prd_[0-9A-HJKMNP-TV-Z]{26}$")
_SKU_COLUMN = {"status": "sku_status", "values": "spec1_value"}
_PRODUCT_COLUMN = {"category_id": "category", "name": "name", "brand": "brand", "description": "description"}


@dataclass
class Row:
    number: int
    cells: list[str]
    record: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str | None, str, dict[str, Any]]] = field(default_factory=list)  # (column key, code, params)

    def fail(self, column: str | None, code: str, /, **params: Any) -> None:
        self.errors.append((column, code, params))


@dataclass
class Group:
    ref: str
    rows: list[Row]
    update_id: str | None = None
    body: dict[str, Any] | None = None

    @property
    def first(self) -> Row:
        return self.rows[0]

    @property
    def valid(self) -> bool:
        return not any(r.errors for r in self.rows)


# -- validation -----------------------------------------------------------------------------------
def parse_row(number: int, cells: list[str], sheet_: sheet.Sheet) -> Row:
    record = {k: sheet.text(v) for k, v in sheet_.record(cells).items()}
    row = Row(number=number, cells=cells, record=record)
    if not record.get("product_ref"):
        row.fail("product_ref", "required")
    for key in ("price", "strike_price", "cost_price"):
        try:
            amount = sheet.yuan_to_fen(record.get(key, ""))
            if amount is not None and amount > MAX_PRICE:
                raise sheet.CellError("price_too_high", max=str(sheet.fen_to_yuan(MAX_PRICE)))
            row.values[key] = amount
        except sheet.CellError as exc:
            row.fail(key, exc.code, **exc.params)
    if row.values.get("price") is None and not any(c == "price" for c, _, _ in row.errors):
        row.fail("price", "required")
    for key in ("weight_g", "volume_cm3"):
        try:
            row.values[key] = sheet.whole(record.get(key, "")) or 0
        except sheet.CellError as exc:
            row.fail(key, exc.code, **exc.params)
    try:
        row.values["status"] = sheet.sku_status(record.get("sku_status", ""))
    except sheet.CellError as exc:
        row.fail("sku_status", exc.code, **exc.params)
    return row


def category_paths(tree: Tree) -> dict[str, str]:
    """Normalised path ("女装/连衣裙") -> category id."""
    paths = {}
    for category_id in tree.nodes:
        names = [tree.nodes[c].name for c in reversed(tree.ancestors(category_id))]
        paths[_path_key("/".join(names))] = category_id
    return paths


def _path_key(path: str) -> str:
    return "/".join(part.strip().casefold() for part in re.split(r"[/>／＞]", path) if part.strip())


def build_group(group: Group, paths: dict[str, str]) -> None:
    """Product-level checks and the ProductCreate body of a group whose cells are valid."""
    first = group.first
    if not first.record.get("name"):
        first.fail("name", "required")
    for row in group.rows[1:]:
        for key in sheet.PRODUCT_FIELDS:
            value = row.record.get(key, "")
            if value and value != first.record.get(key, ""):
                row.fail(key, "conflicts_with_row", row=first.number)
    spec_names: list[str] = []
    for i in range(1, sheet.SPECS + 1):
        name = first.record.get(f"spec{i}_name", "")
        if name:
            spec_names.append(name)
        elif any(r.record.get(f"spec{i}_value") for r in group.rows):
            # a value without a name anywhere in the product
            row = next(r for r in group.rows if r.record.get(f"spec{i}_value"))
            row.fail(f"spec{i}_name", "required")
    combos: list[list[str]] = []
    for row in group.rows:
        combo = []
        for i, name in enumerate(spec_names, start=1):
            given = row.record.get(f"spec{i}_name", "")
            if given and given != name:
                row.fail(f"spec{i}_name", "conflicts_with_row", row=first.number)
            value = row.record.get(f"spec{i}_value", "")
            if not value:
                row.fail(f"spec{i}_value", "required")
            combo.append(value)
        combos.append(combo)
    category_id = None
    path = first.record.get("category", "")
    if path:
        category_id = paths.get(_path_key(path))
        if category_id is None:
            first.fail("category", "unknown_category_path", path=path)
    if not group.valid:
        return
    specs = []
    for i, name in enumerate(spec_names):
        values = list(dict.fromkeys(c[i] for c in combos))
        specs.append({"name": name, "values": values})
    group.body = {
        "name": first.record.get("name", ""), "description": first.record.get("description", ""),
        "category_id": category_id, "brand": first.record.get("brand", ""), "specs": specs,
        "skus": [{"values": combo, "price": row.values["price"], "strike_price": row.values.get("strike_price"),
                  "cost_price": row.values.get("cost_price"), "weight_g": row.values.get("weight_g", 0),
                  "volume_cm3": row.values.get("volume_cm3", 0), "code": row.record.get("code", ""),
                  "barcode": row.record.get("barcode", ""), "status": row.values.get("status", "active")}
                 for row, combo in zip(group.rows, combos, strict=True)],
    }
    try:
        ProductCreate.model_validate(group.body)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            _pydantic_error(group, error)
        group.body = None


def _pydantic_error(group: Group, error: Any) -> None:
    loc = [p for p in error.get("loc", ())]
    params = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (str, int, float, list, tuple))}
    if error["type"] == "strike_below_price" and "price" in params:
        params["price"] = str(sheet.fen_to_yuan(int(str(params["price"]))))
    params["fallback"] = error.get("msg")
    row, column = group.first, None
    if loc and loc[0] == "skus":
        if len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(group.rows):
            row, column = group.rows[loc[1]], _SKU_COLUMN.get(str(loc[2]), str(loc[2]))
        else:
            column = "spec1_value"
    elif loc and loc[0] == "specs":
        index = loc[1] + 1 if len(loc) > 1 and isinstance(loc[1], int) else 1
        column = f"spec{index}_name" if len(loc) > 2 and loc[2] == "name" else f"spec{index}_value"
    elif loc:
        column = _PRODUCT_COLUMN.get(str(loc[0]))
    row.fail(column, error["type"], **params)


def check_codes(shop_id: str, groups: list[Group]) -> None:
    """Codes twice in the file, and codes another product of the shop already has."""
    for kind, attr in (("SKUCODE", "code"), ("BARCODE", "barcode")):
        seen: dict[str, tuple[Row, Group]] = {}
        for group in groups:
            for row in group.rows:
                code = row.record.get(attr, "")
                if not code:
                    continue
                if code.upper() in seen:
                    row.fail(attr, "duplicate_in_file", row=seen[code.upper()][0].number, value=code)
                else:
                    seen[code.upper()] = (row, group)
        if not seen:
            continue
        keys = [(shop_pk(shop_id), claim_sk(kind, code)) for code in seen]
        for claim in CodeClaim.batch_get(keys, consistent_read=True):
            code = claim.sk.split("#", 1)[1]
            row, group = seen[code]
            if claim.product_id != group.update_id:
                row.fail(attr, "sku_code_taken" if kind == "SKUCODE" else "barcode_taken", value=row.record[attr])


def find_updates(ctx: AuthContext, groups: list[Group]) -> None:
    """Refs that are product ids of this shop replace those products (an edited export)."""
    candidates = {g.ref: g for g in groups if _PRODUCT_ID.match(g.ref)}
    if not candidates:
        return
    keys = [(product_pk(ctx.shop_id, ref), PRODUCT_SK) for ref in candidates]
    for found in ProductRecord.batch_get(keys, consistent_read=True, attributes_to_get=["pk", "sk", "kind"]):
        group = candidates[found.product_id]
        group.update_id = found.product_id
        if not ctx.can("catalog.edit"):
            group.first.fail("product_ref", "forbidden", permission="catalog.edit")


def validate(ctx: AuthContext, sheet_: sheet.Sheet) -> list[Group]:
    groups: dict[str, Group] = {}
    loose: list[Group] = []
    for number, cells in sheet_.rows:
        row = parse_row(number, cells, sheet_)
        ref = row.record.get("product_ref", "")
        if not ref:
            loose.append(Group(ref="", rows=[row]))
            continue
        groups.setdefault(ref, Group(ref=ref, rows=[])).rows.append(row)
    ordered = list(groups.values())
    find_updates(ctx, ordered)
    check_codes(ctx.shop_id, ordered)
    paths = category_paths(load_tree(ctx.shop_id))
    for group in ordered:
        if group.valid:
            build_group(group, paths)
    return sorted([*ordered, *loose], key=lambda g: g.first.number)


# -- writing --------------------------------------------------------------------------------------
def _record_errors(group: Group, sheet_: sheet.Sheet, progress: jobs.Progress) -> None:
    for row in group.rows:
        for column, code, params in row.errors:
            progress.error(row.number, sheet_.column_of(column) if column else None, code, **params)


def _save_error(group: Group, exc: ShopDeskError) -> None:
    """A refused save as row errors: ``skus.<i>.<field>`` names the row and column."""
    fields = exc.fields if isinstance(exc, ValidationFailed) else [
        {"field": exc.details.get("field", ""), "type": exc.code, "params": exc.params}]
    for f in fields:
        parts = str(f.get("field", "")).split(".")
        if parts[0] == "skus" and len(parts) >= 3 and parts[1].isdigit() and int(parts[1]) < len(group.rows):
            group.rows[int(parts[1])].fail(_SKU_COLUMN.get(parts[2], parts[2]), f["type"], **(f.get("params") or {}))
        else:
            group.first.fail(_PRODUCT_COLUMN.get(parts[0]), f["type"], **(f.get("params") or {}))


def _write(ctx: AuthContext, group: Group, undo: list[tuple[str, Any]]) -> str:
    """Create or replace one product; records how to undo it. Answers "created"/"updated"."""
    assert group.body is not None
    if group.update_id is None:
        made = products.create(ctx, ProductCreate.model_validate(group.body))
        undo.append(("delete", made.id))
        return "created"
    current = products.get(ctx.shop_id, group.update_id)
    body = {**group.body, "currency": current.currency,
            "attributes": [a.model_dump() for a in current.attributes], "version": current.version}
    products.update(ctx, group.update_id, ProductUpdate.model_validate(body))
    undo.append(("restore", current))
    return "updated"


def _undo(ctx: AuthContext, undo: list[tuple[str, Any]]) -> int:
    """Delete what the job created and restore what it replaced, newest first; answers how many
    could not be undone (reported, never hidden)."""
    failures = 0
    for action, target in reversed(undo):
        try:
            if action == "delete":
                products.delete(ctx, target)
            else:
                now = products.get(ctx.shop_id, target.id)
                old = {"name": target.name, "description": target.description, "category_id": target.category_id,
                       "brand": target.brand, "currency": target.currency,
                       "attributes": [a.model_dump() for a in target.attributes],
                       "specs": [s.model_dump() for s in target.specs],
                       "skus": [SkuInput.model_validate(s.model_dump()).model_dump() for s in target.skus],
                       "version": now.version}
                products.update(ctx, target.id, ProductUpdate.model_validate(old))
        except ShopDeskError:
            log.exception("could not undo %s %s", action, getattr(target, "id", target))
            failures += 1
    return failures


def run_import(rec: jobs.JobRecord) -> None:
    from shared import uploads

    s3, bucket, key = uploads.s3(), uploads.bucket(), str(rec.upload_key)
    progress = jobs.Progress(rec)
    try:
        try:
            data = uploads.read_upload(key, sheet.MAX_BYTES)  # one bounded download
        except uploads.UploadTooLarge:
            raise sheet.SheetRefused("import_file_too_large", max_mb=sheet.MAX_BYTES // (1024 * 1024)) from None
        if data is None:
            raise sheet.SheetRefused("import_empty")
        parsed = sheet.read(data)
    except sheet.SheetRefused as exc:
        jobs.finish(rec, "failed", error=(exc.code, exc.params))
        s3.delete_object(Bucket=bucket, Key=key)
        return
    rec.update([jobs.JobRecord.total.set(len(parsed.rows)), jobs.JobRecord.encoding.set(parsed.encoding)])
    try:
        ctx = jobs.actor_context(rec)
        ctx.require("catalog.create")
    except ShopDeskError as exc:
        jobs.finish(rec, "failed", error=(exc.code, exc.params))
        return
    groups = validate(ctx, parsed)
    invalid = [g for g in groups if not g.valid]
    undo: list[tuple[str, Any]] = []
    error: tuple[str, dict[str, Any]] | None = None
    if rec.mode == "all_or_nothing" and invalid:
        for group in invalid:
            _record_errors(group, parsed, progress)
        progress.processed, progress.failed = len(parsed.rows), len(parsed.rows)
        error = ("import_rows_failed", {"count": sum(1 for g in invalid for r in g.rows if r.errors)})
    else:
        for group in groups:
            if group.valid:
                try:
                    outcome = _write(ctx, group, undo)
                    setattr(progress, outcome, getattr(progress, outcome) + 1)
                except ShopDeskError as exc:
                    _save_error(group, exc)
            if not group.valid:
                _record_errors(group, parsed, progress)
                progress.failed += len(group.rows)
                if rec.mode == "all_or_nothing":
                    break
            progress.advance(len(group.rows))
        if rec.mode == "all_or_nothing" and progress.failed:
            not_undone = _undo(ctx, undo)
            progress.created = progress.updated = 0
            progress.processed, progress.failed = len(parsed.rows), len(parsed.rows)
            error = ("import_rolled_back", {"count": len(undo) - not_undone, "left": not_undone})
    report_key = _report(rec, parsed, [g for g in groups if not g.valid]) if progress.error_count else None
    imported = progress.created + progress.updated
    if error is None and not progress.failed:
        status = "succeeded"
    elif error is None and imported:
        status = "partial"
    else:
        status = "failed"
        error = error or ("import_rows_failed", {"count": progress.error_count})
    extra = {"report_key": report_key} if report_key else {}
    jobs.finish(rec, status, error=error, progress=progress, **extra)
    s3.delete_object(Bucket=bucket, Key=key)


def _report(rec: jobs.JobRecord, parsed: sheet.Sheet, failed: list[Group]) -> str:
    """The rows of the products not imported, as uploaded, with an error column: fix and upload
    it again (the extra column is ignored)."""
    language = rec.language or "zh-CN"
    width = len(parsed.headers)

    def rows() -> Any:
        for group in failed:
            for row in group.rows:
                notes = [f"{parsed.column_of(c)}: " if c else "" for c, _, _ in row.errors]
                texts = [n + jobs.row_message(code, language, params)
                         for n, (_, code, params) in zip(notes, row.errors, strict=True)]
                if not texts:
                    texts = [message("import.product_rejected", language, row=next(
                        r.number for r in group.rows if r.errors))]
                yield [*(row.cells + [""] * width)[:width], "; ".join(texts)]

    header = [*parsed.headers, "错误" if language == "zh-CN" else "Error"]
    key, _, _ = exports.store(rec.shop_id, "product-import-errors", header, rows(), rec.format)  # type: ignore[arg-type]
    return key
