"""Bulk import and export jobs of the catalog (商品批量导入/导出).

A job is an item ``JOB#<ulid>`` in the shop's partition of the catalog table (newest first is
one Query), kept 30 days (TTL). It records who started it, its counters, the first
``MAX_ERRORS`` row errors (code + params: the API renders them in the reader's language) and
the keys of its files (export, error report).

- Import: ``start_import`` writes the job (``awaiting_upload``) and answers a presigned POST for
  ``imports/<shop>/<job>.<ext>``. The bucket notifies the upload to ``CatalogJobQueue``;
  ``CatalogJobFunction`` claims the job (``awaiting_upload`` -> ``running``, conditional) and
  runs ``shared.catalog.importer``.
- Export: ``start_export`` writes the job (``queued``) and sends a message to the same queue;
  the worker claims it (``queued`` -> ``running``) and runs ``shared.catalog.exporter``.

The job record, claiming, progress and finishing are ``shared.jobs`` (the one job machinery);
this module holds what is the catalog's: the record class in the catalog table, the API models
and views, and the messages of ``CatalogJobQueue``. The worker's side is
``shared.catalog.job_worker``, which sits above this module, the importer and the exporter.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator
from pynamodb.attributes import UnicodeAttribute

from shared import exports, jobs, uploads
from shared.auth.context import AuthContext
from shared.catalog.models import ProductQuery
from shared.catalog.tables import CatalogItem
from shared.i18n import field_message, message
from shared.ids import new_id
from shared.jobs import MAX_ERRORS, JobActor, JobError, JobFormat, JobRef, JobStatus, Progress, finish, job_sk
from shared.keys import shop_pk
from shared.model import Input, Model
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shared.uploads import PresignedPost

__all__ = ["MAX_ERRORS", "JobActor", "JobError", "JobRef", "Progress", "finish", "job_sk"]

JobKind = Literal["import", "export"]
ImportMode = Literal["valid_rows", "all_or_nothing"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_TYPES = {"csv": "text/csv", "xlsx": XLSX_TYPE}


class JobRecord(jobs.JobFields, CatalogItem, discriminator="job"):
    mode = UnicodeAttribute(null=True)
    filename = UnicodeAttribute(null=True)
    upload_key = UnicodeAttribute(null=True)
    encoding = UnicodeAttribute(null=True)


# -- API models -----------------------------------------------------------------------------------
class ImportRequest(Input):
    format: JobFormat
    mode: ImportMode = Field("valid_rows", description="valid_rows: import the products whose rows are all valid; "
                                                       "all_or_nothing: import nothing if any row fails")
    filename: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=1, le=10 * 1024 * 1024, description="Bytes, at most 10 MiB")


class ExportRequest(Input):
    format: JobFormat
    filter: ProductQuery = Field(default_factory=ProductQuery,  # type: ignore[arg-type]
                                 description="The fields of GET /products (limit and cursor are ignored)")


class TemplateQuery(Input):
    format: JobFormat = "xlsx"


class JobsQuery(PageQuery):
    pass


class RowError(Model):
    row: int | None = Field(None, description="Row number as the spreadsheet shows it (header = 1)")
    column: str | None = Field(None, description="The column's header in the file")
    code: str
    message: str


class JobView(Model):
    id: str
    kind: JobKind
    status: JobStatus
    format: JobFormat
    mode: ImportMode | None = None
    filename: str | None = None
    encoding: str | None = Field(None, description="How a CSV was decoded: utf-8, utf-8-sig, utf-16, gb18030")
    total: int | None = Field(None, description="Rows in the file (import); unknown for an export until it ends")
    processed: int
    created: int
    updated: int
    failed: int = Field(description="Rows not imported")
    error: JobError | None = Field(None, description="Why the job as a whole failed")
    errors: list[RowError]
    error_count: int = Field(description="All row errors; `errors` lists the first 200")
    report_url: str | None = Field(None, description="The failing rows with an error column (presigned GET)")
    file_url: str | None = Field(None, description="The exported file (presigned GET)")
    file_rows: int | None = None
    actor: JobActor
    created_at: str
    updated_at: str
    finished_at: str | None = None


class ImportTicket(Model):
    job: JobView
    upload: PresignedPost = Field(description="POST the file to url with these form fields (file last)")
    expires_in: int
    max_bytes: int


class TemplateFile(Model):
    url: str
    filename: str
    format: JobFormat
    expires_in: int = exports.URL_EXPIRES


# -- reading --------------------------------------------------------------------------------------
def load(shop_id: str, job_id: str) -> JobRecord | None:
    """The job, or None."""
    return jobs.load(JobRecord, shop_id, job_id)


def row_message(code: str, language: str, params: dict[str, Any]) -> str:
    """A row error in the reader's language: our import codes, the API's codes, or a field
    type of the product's validation (the same words as the API's 422)."""
    from shared.i18n import MESSAGES

    if f"import.{code}" in MESSAGES:
        return message(f"import.{code}", language, **params)
    if code in MESSAGES:
        return message(code, language, **params)
    return field_message(code, language, params, params.get("fallback"))


def view(rec: JobRecord, language: str) -> JobView:
    return JobView(
        id=rec.job_id, kind=rec.job_kind, status=rec.status, format=rec.format,  # type: ignore[arg-type]
        mode=rec.mode, filename=rec.filename, encoding=rec.encoding,  # type: ignore[arg-type]
        total=jobs.count(rec.total), processed=int(rec.processed), created=int(rec.created),
        updated=int(rec.updated), failed=int(rec.failed), error=jobs.error_of(rec, language),
        errors=[RowError(row=e.get("row"), column=e.get("column"), code=e["code"],
                         message=row_message(e["code"], language, e.get("params") or {})) for e in rec.errors or []],
        error_count=int(rec.error_count or 0), report_url=jobs.file_url(rec.report_key),
        file_url=jobs.file_url(rec.file_key), file_rows=jobs.count(rec.file_rows), actor=jobs.actor_of(rec),
        created_at=rec.created_at, updated_at=rec.updated_at, finished_at=rec.finished_at)


def get(shop_id: str, job_id: str, language: str) -> JobView:
    return view(jobs.require(JobRecord, shop_id, job_id), language)


def list_jobs(shop_id: str, query: JobsQuery, language: str) -> Page[JobView]:
    scope = f"{shop_id}:jobs"
    found = JobRecord.query(shop_pk(shop_id), JobRecord.sk.startswith("JOB#"), scan_index_forward=False,
                            limit=query.limit, last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [view(rec, language) for rec in found]
    return Page[JobView](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))


# -- starting -------------------------------------------------------------------------------------
def _new(ctx: AuthContext, job_id: str, kind: str, status: str, fmt: str, language: str, **fields: Any) -> JobRecord:
    return jobs.new_job(JobRecord, ctx, job_id, kind, status, fmt, language, **fields)


def start_import(ctx: AuthContext, body: ImportRequest, language: str) -> ImportTicket:
    from shared.catalog.sheet import MAX_BYTES

    job_id = new_id("job_")
    key = f"imports/{ctx.shop_id}/{job_id}.{body.format}"
    rec = _new(ctx, job_id, "import", "awaiting_upload", body.format, language, mode=body.mode,
               filename=body.filename, upload_key=key)
    post = uploads.presigned_post(key, UPLOAD_TYPES[body.format], MAX_BYTES)
    return ImportTicket(job=view(rec, language), upload=PresignedPost(url=post["url"], fields=post["fields"]),
                        expires_in=uploads.UPLOAD_EXPIRES, max_bytes=MAX_BYTES)


def start_export(ctx: AuthContext, body: ExportRequest, language: str) -> JobView:
    wanted = body.filter.model_dump(mode="json", exclude={"limit", "cursor"})
    rec = _new(ctx, new_id("job_"), "export", "queued", body.format, language, filter=wanted)
    jobs.send(rec, "CATALOG_JOB_QUEUE_URL", ExportJobMessage(job=JobRef(shop_id=ctx.shop_id, job_id=rec.job_id)))
    return view(rec, language)


def template(shop_id: str, fmt: str, language: str) -> TemplateFile:
    from shared.catalog import sheet

    lang = "zh" if language == "zh-CN" else "en"
    filename = f"product-import-template-{lang}.{fmt}"
    if fmt == "xlsx":
        body = sheet.template_xlsx(language)
    else:
        body, _ = exports.render(sheet.headers(language), sheet.example_rows(language), "csv")
    key = exports.put(shop_id, filename, body, fmt)  # type: ignore[arg-type]
    return TemplateFile(url=exports.url(key), filename=filename, format=fmt)  # type: ignore[arg-type]


# -- the worker's side (claim, progress, finish: shared.jobs) ----------------------------------------
class ExportJobMessage(Model):
    """What ``start_export`` sends to ``CatalogJobQueue``."""

    job: JobRef


class JobMessage(Model):
    """A message of ``CatalogJobQueue``: an export request, or an S3 notification of an import
    upload (S3's test event included)."""

    message: ExportJobMessage | uploads.S3Notification = Field(union_mode="left_to_right")

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: Any) -> Any:
        return {"message": data}


def actor_context(rec: JobRecord) -> AuthContext:
    """The rights of the person who started the job, as they are now (a member disabled since
    cannot import: the shop "does not exist" for them)."""
    from shared.identity.access import member_context

    return member_context(rec.actor_id, rec.shop_id, "catalog-job")
