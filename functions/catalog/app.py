"""The catalog (商品管理): products and SKUs, categories, on/off shelf, search; and the
catalog table's stream handlers (outbox publisher, indexer), the shelf schedule and the
consumer of inventory's stock events."""
from __future__ import annotations

from typing import Any

from shared.catalog import categories, images, jobs, products, search, shelf, stock_projection
from shared.catalog.categories import CategoryCreate, CategoryMove, CategoryRename, CategoryTree, CategoryView
from shared.catalog.jobs import (
    ExportRequest,
    ImportRequest,
    ImportTicket,
    JobsQuery,
    JobView,
    TemplateFile,
    TemplateQuery,
)
from shared.catalog.models import (
    BulkShelf,
    BulkShelfResult,
    Done,
    ImageStatusView,
    ImageUpload,
    ImageUploadRequest,
    ProductCreate,
    ProductQuery,
    ProductSummary,
    ProductUpdate,
    ProductView,
    ShelfChange,
    ShelfView,
    SpecsUpdate,
)
from shared.events.consumer import consume, consume_messages
from shared.http import ApiRequest, ShopApp
from shared.observability import observed
from shared.pagination import Page
from shared.uploads import S3Notification

app = ShopApp("catalog")


# -- products ------------------------------------------------------------------------------------
@app.api("GET", "/products", permission="catalog.view", query=ProductQuery, response=Page[ProductSummary])
def list_products(req: ApiRequest[None, ProductQuery]) -> Page[ProductSummary]:
    """Products: search (q), filter by category subtree, status and price; sort; paging."""
    return search.list_products(req.shop.shop_id, req.query)


@app.api("POST", "/products", permission="catalog.create", body=ProductCreate, response=ProductView, status=201,
         idempotent=True)
def create_product(req: ApiRequest[ProductCreate, None]) -> ProductView:
    """Create a product (off shelf) with its specs and one SKU per spec combination."""
    return stock_projection.shown(req.shop.shop_id, products.create(req.shop, req.body))


@app.api("GET", "/products/{product_id}", permission="catalog.view", response=ProductView)
def get_product(req: ApiRequest[None, None]) -> ProductView:
    """One product with all its SKUs and their available stock (read from inventory now)."""
    return stock_projection.shown(req.shop.shop_id, products.get(req.shop.shop_id, req.path["product_id"]))


@app.api("PUT", "/products/{product_id}", permission="catalog.edit", body=ProductUpdate, response=ProductView)
def update_product(req: ApiRequest[ProductUpdate, None]) -> ProductView:
    """Replace a product's content and SKUs (versioned)."""
    return stock_projection.shown(req.shop.shop_id, products.update(req.shop, req.path["product_id"], req.body))


@app.api("PUT", "/products/{product_id}/specs", permission="catalog.edit", body=SpecsUpdate, response=ProductView)
def update_specs(req: ApiRequest[SpecsUpdate, None]) -> ProductView:
    """Change the specs; SKUs of combinations that remain keep their prices and codes."""
    return stock_projection.shown(req.shop.shop_id, products.update_specs(req.shop, req.path["product_id"], req.body))


@app.api("DELETE", "/products/{product_id}", permission="catalog.delete", response=Done)
def delete_product(req: ApiRequest[None, None]) -> Done:
    """Delete an off-shelf product with its SKUs."""
    products.delete(req.shop, req.path["product_id"])
    return Done()


@app.api("POST", "/products/{product_id}/list", permission="catalog.edit", body=ShelfChange, response=ShelfView)
def list_product(req: ApiRequest[ShelfChange, None]) -> ShelfView:
    """Put on shelf (上架) now, or at ``at``."""
    return shelf.change(req.shop.shop_id, req.shop.actor, req.path["product_id"], "list", req.body.at)


@app.api("POST", "/products/{product_id}/delist", permission="catalog.edit", body=ShelfChange, response=ShelfView)
def delist_product(req: ApiRequest[ShelfChange, None]) -> ShelfView:
    """Take off shelf (下架) now, or at ``at``."""
    return shelf.change(req.shop.shop_id, req.shop.actor, req.path["product_id"], "delist", req.body.at)


@app.api("POST", "/products/bulk-shelf", permission="catalog.edit", body=BulkShelf, response=BulkShelfResult)
def bulk_shelf(req: ApiRequest[BulkShelf, None]) -> BulkShelfResult:
    """List or delist up to 100 products, now or at ``at``; a result per product."""
    return BulkShelfResult(results=shelf.bulk(req.shop, req.body, req.language))


@app.api("POST", "/products/{product_id}/image-uploads", permission="catalog.edit", body=ImageUploadRequest,
         response=ImageUpload, status=201, idempotent=True)
def start_image_upload(req: ApiRequest[ImageUploadRequest, None]) -> ImageUpload:
    """A presigned S3 POST for one product image; poll the image until it is ready, then name
    its id in the product's ``images``."""
    return images.start_upload(req.shop.shop_id, req.path["product_id"], req.body.content_type)


@app.api("GET", "/products/{product_id}/images/{image_id}", permission="catalog.view", response=ImageStatusView)
def get_image(req: ApiRequest[None, None]) -> ImageStatusView:
    """An uploaded image's status: pending, ready (with its URLs and size) or rejected (why)."""
    return images.status(req.shop.shop_id, req.path["product_id"], req.path["image_id"])


# -- bulk import and export -----------------------------------------------------------------------
@app.api("GET", "/products/import-template", permission="catalog.create", query=TemplateQuery, response=TemplateFile)
def import_template(req: ApiRequest[None, TemplateQuery]) -> TemplateFile:
    """A download URL of the import template (headers in the caller's language, an example product)."""
    return jobs.template(req.shop.shop_id, req.query.format, req.language)


@app.api("POST", "/products/imports", permission="catalog.create", body=ImportRequest, response=ImportTicket,
         status=201, idempotent=True)
def start_import(req: ApiRequest[ImportRequest, None]) -> ImportTicket:
    """Start an import: the job and a presigned S3 POST for the file (CSV or XLSX, at most 10 MiB);
    the upload starts the job. Poll GET /products/jobs/{job_id}."""
    return jobs.start_import(req.shop, req.body, req.language)


@app.api("POST", "/products/exports", permission="catalog.export", body=ExportRequest, response=JobView, status=202,
         idempotent=True)
def start_export(req: ApiRequest[ExportRequest, None]) -> JobView:
    """Export the products of a filter (one row per SKU, the import layout); poll the job for the file."""
    return jobs.start_export(req.shop, req.body, req.language)


@app.api("GET", "/products/jobs", permission="catalog.view", query=JobsQuery, response=Page[JobView])
def list_jobs(req: ApiRequest[None, JobsQuery]) -> Page[JobView]:
    """Import and export jobs, newest first."""
    page = jobs.list_jobs(req.shop.shop_id, req.query, req.language)
    return Page[JobView](items=[_visible(req, j) for j in page.items], next_cursor=page.next_cursor)


@app.api("GET", "/products/jobs/{job_id}", permission="catalog.view", response=JobView)
def get_job(req: ApiRequest[None, None]) -> JobView:
    """A job's progress, errors and files."""
    return _visible(req, jobs.get(req.shop.shop_id, req.path["job_id"], req.language))


def _visible(req: ApiRequest[Any, Any], job: JobView) -> JobView:
    """An exported file is handed out only to those who may export."""
    return job if req.shop.can("catalog.export") else job.model_copy(update={"file_url": None})


# -- categories ----------------------------------------------------------------------------------
@app.api("GET", "/categories", permission="catalog.view", response=CategoryTree)
def category_tree(req: ApiRequest[None, None]) -> CategoryTree:
    """The category tree with product counts (each including sub-categories)."""
    return categories.tree_view(req.shop.shop_id)


@app.api("POST", "/categories", permission="catalog.create", body=CategoryCreate, response=CategoryView, status=201,
         idempotent=True)
def create_category(req: ApiRequest[CategoryCreate, None]) -> CategoryView:
    """Add a category (last among its siblings), at most four levels deep."""
    return categories.create(req.shop, req.body)


@app.api("PUT", "/categories/{category_id}", permission="catalog.edit", body=CategoryRename, response=CategoryView)
def rename_category(req: ApiRequest[CategoryRename, None]) -> CategoryView:
    """Rename a category (versioned)."""
    return categories.rename(req.shop, req.path["category_id"], req.body)


@app.api("POST", "/categories/{category_id}/move", permission="catalog.edit", body=CategoryMove, response=CategoryView)
def move_category(req: ApiRequest[CategoryMove, None]) -> CategoryView:
    """Move under another parent and/or reorder among the siblings (never under itself)."""
    return categories.move(req.shop, req.path["category_id"], req.body)


@app.api("DELETE", "/categories/{category_id}", permission="catalog.delete", response=Done)
def delete_category(req: ApiRequest[None, None]) -> Done:
    """Delete a category without products and sub-categories."""
    categories.delete(req.shop, req.path["category_id"])
    return Done()


# -- streams and schedules -----------------------------------------------------------------------
@observed
def index_catalog(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Stream handler of the catalog table: listing entries and search postings follow products."""
    from shared.catalog.indexer import handle_stream

    return {"indexed": handle_stream(event)}


def on_image_uploaded(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of the media bucket's upload notifications: checks product images and makes
    their thumbnails."""
    return consume_messages(event, context, S3Notification, images.handle_notification)


def on_catalog_job(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of CatalogJobQueue: import uploads (S3 notifications) and export requests."""
    from shared.catalog import job_worker  # the importer and exporter: loaded by this consumer only

    return consume_messages(event, context, jobs.JobMessage, job_worker.handle_message)


def on_stock_changed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Consumer of inventory's stock events: the product's stock totals and state, read from
    inventory, onto the product item (lists show and filter them)."""
    return consume(event, context, stock_projection.STOCK_EVENTS, stock_projection.Refresher())


@observed
def run_shelf_schedule(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Every minute: the scheduled listings and delistings that are due."""
    return {"executed": shelf.run_due()}
