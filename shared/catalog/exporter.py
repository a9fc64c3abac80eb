"""Exporting the products of a filter (the fields of ``GET /products``) as the product
spreadsheet: one row per SKU in the import template's layout, so the file can be edited and
imported again (its refs are the product ids: importing it replaces those products).

Pages through ``shared.catalog.search.list_products`` (the eventually consistent index, as the
list the person was looking at) and reads each product (one Query) for its SKUs. Cells are
written through ``shared.exports`` (formulas neutralised, CSV with a UTF-8 BOM).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shared import exports
from shared.catalog import jobs, products, sheet
from shared.catalog.categories import load_tree
from shared.catalog.models import ProductQuery, ProductView
from shared.catalog.search import list_products
from shared.errors import NotFound

MAX_ROWS = 100_000


class _TooLarge(Exception):
    pass


def product_rows(product: ProductView, path: str, language: str) -> list[dict[str, Any]]:
    rows = []
    for sku in product.skus:
        record: dict[str, Any] = {"product_ref": product.id, "name": product.name, "category": path,
                                  "brand": product.brand, "description": product.description,
                                  "price": sheet.fen_to_yuan(sku.price), "strike_price": sheet.fen_to_yuan(sku.strike_price),
                                  "cost_price": sheet.fen_to_yuan(sku.cost_price), "weight_g": sku.weight_g or "",
                                  "volume_cm3": sku.volume_cm3 or "", "code": sku.code, "barcode": sku.barcode,
                                  "sku_status": sheet.STATUS_LABELS[language][sku.status]}
        for i, (spec, value) in enumerate(zip(product.specs, sku.values, strict=False), start=1):
            record[f"spec{i}_name"], record[f"spec{i}_value"] = spec.name, value
        rows.append(record)
    return rows


def run_export(rec: jobs.JobRecord) -> None:
    shop_id, language = rec.shop_id, rec.language or "zh-CN"
    query = ProductQuery.model_validate({**(rec.filter or {}), "limit": 100})
    tree = load_tree(shop_id)

    def path_of(category_id: str | None) -> str:
        return "/".join(tree.nodes[c].name for c in reversed(tree.ancestors(category_id)))

    progress = jobs.Progress(rec)

    def rows() -> Iterator[list[Any]]:
        page_query = query
        while True:
            page = list_products(shop_id, page_query)
            for summary in page.items:
                try:
                    product = products.get(shop_id, summary.id)
                except NotFound:  # deleted since the index saw it
                    continue
                found = product_rows(product, path_of(product.category_id), language)
                if progress.processed + len(found) > MAX_ROWS:
                    raise _TooLarge()
                yield from sheet.rows_of(found)
                progress.created += 1  # products written
                progress.advance(len(found))
            if not page.next_cursor:
                return
            page_query = page_query.model_copy(update={"cursor": page.next_cursor})

    try:
        key, _, count = exports.store(shop_id, "products", sheet.headers(language), rows(), rec.format)  # type: ignore[arg-type]
    except _TooLarge:
        jobs.finish(rec, "failed", error=("export_too_large", {"max": MAX_ROWS}), progress=progress)
        return
    progress.processed = count
    jobs.finish(rec, "succeeded", progress=progress, total=count, file_key=key, file_rows=count)
