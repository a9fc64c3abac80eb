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

The worker's side is ``shared.catalog.job_worker``, which sits above this module, the importer
and the exporter (they report progress through ``Progress`` and ``finish`` here).
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, model_validator
from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError

from shared import clock, exports, uploads
from shared.auth.context import AuthContext
from shared.catalog.models import ProductQuery
from shared.catalog.tables import CatalogItem
from shared.errors import NotFound
from shared.i18n import field_message, message
from shared.ids import new_id
from shared.keys import shop_of, shop_pk
from shared.model import Input, Model
from shared.pagination import Page, PageQuery, decode_cursor, encode_cursor
from shared.uploads import PresignedPost

MAX_ERRORS = 200
KEEP_DAYS = 30
LEASE_SECONDS = 16 * 60  # the worker's Lambda timeout (15 min) and a margin
FLUSH_ROWS, FLUSH_SECONDS = 50, 1.0
JobKind = Literal["import", "export"]
JobStatus = Literal["awaiting_upload", "queued", "running", "succeeded", "partial", "failed"]
JobFormat = Literal["csv", "xlsx"]
ImportMode = Literal["valid_rows", "all_or_nothing"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_TYPES = {"csv": "text/csv", "xlsx": XLSX_TYPE}


def job_sk(job_id: str) -> str:
    return f"JOB#{job_id}"


class JobRecord(CatalogItem, discriminator="job"):
    job_kind = UnicodeAttribute()
    status = UnicodeAttribute()
    format = UnicodeAttribute()
    mode = UnicodeAttribute(null=True)
    filename = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="zh-CN")
    actor_id = UnicodeAttribute()
    actor_email = UnicodeAttribute(default="")
    filter = JSONAttribute(null=True)
    upload_key = UnicodeAttribute(null=True)
    encoding = UnicodeAttribute(null=True)
    total = NumberAttribute(null=True)
    processed = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    error_code = UnicodeAttribute(null=True)
    error_params = JSONAttribute(null=True)
    errors = JSONAttribute(default=list)
    error_count = NumberAttribute(default=0)
    report_key = UnicodeAttribute(null=True)
    file_key = UnicodeAttribute(null=True)
    file_rows = NumberAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()

    @property
    def job_id(self) -> str:
        return self.sk.removeprefix("JOB#")

    @property
    def shop_id(self) -> str:
        return shop_of(self.pk)


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


class JobError(Model):
    code: str
    message: str


class JobActor(Model):
    id: str
    email: str


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
    try:
        return JobRecord.get(shop_pk(shop_id), job_sk(job_id), consistent_read=True)
    except JobRecord.DoesNotExist:
        return None


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
    error = None
    if rec.error_code:
        error = JobError(code=rec.error_code, message=message(rec.error_code, language, **(rec.error_params or {})))
    return JobView(
        id=rec.job_id, kind=rec.job_kind, status=rec.status, format=rec.format,  # type: ignore[arg-type]
        mode=rec.mode, filename=rec.filename, encoding=rec.encoding,  # type: ignore[arg-type]
        total=None if rec.total is None else int(rec.total), processed=int(rec.processed), created=int(rec.created),
        updated=int(rec.updated), failed=int(rec.failed), error=error,
        errors=[RowError(row=e.get("row"), column=e.get("column"), code=e["code"],
                         message=row_message(e["code"], language, e.get("params") or {})) for e in rec.errors or []],
        error_count=int(rec.error_count or 0),
        report_url=exports.url(rec.report_key) if rec.report_key else None,
        file_url=exports.url(rec.file_key) if rec.file_key else None,
        file_rows=None if rec.file_rows is None else int(rec.file_rows),
        actor=JobActor(id=rec.actor_id, email=rec.actor_email or ""), created_at=rec.created_at,
        updated_at=rec.updated_at, finished_at=rec.finished_at)


def get(shop_id: str, job_id: str, language: str) -> JobView:
    rec = load(shop_id, job_id)
    if rec is None:
        raise NotFound("job_not_found", details={"job_id": job_id})
    return view(rec, language)


def list_jobs(shop_id: str, query: JobsQuery, language: str) -> Page[JobView]:
    scope = f"{shop_id}:jobs"
    found = JobRecord.query(shop_pk(shop_id), JobRecord.sk.startswith("JOB#"), scan_index_forward=False,
                            limit=query.limit, last_evaluated_key=decode_cursor(query.cursor, scope))
    items = [view(rec, language) for rec in found]
    return Page[JobView](items=items, next_cursor=encode_cursor(found.last_evaluated_key, scope))


# -- starting -------------------------------------------------------------------------------------
def _new(ctx: AuthContext, job_id: str, kind: str, status: str, fmt: str, language: str, **fields: Any) -> JobRecord:
    now = clock.now()
    rec = JobRecord(shop_pk(ctx.shop_id), job_sk(job_id), job_kind=kind, status=status, format=fmt,
                    language=language, actor_id=ctx.user_id, actor_email=ctx.email, processed=0, created=0,
                    updated=0, failed=0, errors=[], error_count=0, created_at=clock.iso(now), updated_at=clock.iso(now),
                    expires_at=int((now + timedelta(days=KEEP_DAYS)).timestamp()), **fields)
    rec.save(JobRecord.pk.does_not_exist())
    return rec


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
    from shared.aws import client
    from shared.config import env

    wanted = body.filter.model_dump(mode="json", exclude={"limit", "cursor"})
    rec = _new(ctx, new_id("job_"), "export", "queued", body.format, language, filter=wanted)
    try:
        client("sqs").send_message(QueueUrl=env("CATALOG_JOB_QUEUE_URL"),
                                   MessageBody=ExportJobMessage(job=JobRef(shop_id=ctx.shop_id, job_id=rec.job_id)).model_dump_json())
    except Exception:
        finish(rec, "failed", error=("job_failed", {}))
        raise
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


# -- the worker's side ----------------------------------------------------------------------------
def claim(rec: JobRecord, expected: str) -> bool:
    """``expected`` -> ``running`` with a lease; False when another delivery got there first."""
    now = clock.now()
    try:
        rec.update([JobRecord.status.set("running"), JobRecord.updated_at.set(clock.iso(now)),
                    JobRecord.lease_until.set(clock.iso(now + timedelta(seconds=LEASE_SECONDS)))],
                   condition=JobRecord.status == expected)
        return True
    except (UpdateError, PutError) as exc:
        if "ConditionalCheckFailed" in str(exc):
            return False
        raise


class Progress:
    """Counters of a running job, written at most every ``FLUSH_ROWS`` rows or ``FLUSH_SECONDS``."""

    def __init__(self, rec: JobRecord) -> None:
        self.rec = rec
        self.processed = self.created = self.updated = self.failed = 0
        self.errors: list[dict[str, Any]] = []
        self.error_count = 0
        self._rows_since = 0
        self._last = time.monotonic()

    def error(self, at_row: int | None, column: str | None, code: str, /, **params: Any) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": at_row, "column": column, "code": code,
                                "params": {k: v for k, v in params.items() if v is not None}})

    def advance(self, rows: int) -> None:
        self.processed += rows
        self._rows_since += rows
        if self._rows_since >= FLUSH_ROWS or time.monotonic() - self._last >= FLUSH_SECONDS:
            self.flush()

    def actions(self) -> list[Any]:
        return [JobRecord.processed.set(self.processed), JobRecord.created.set(self.created),
                JobRecord.updated.set(self.updated), JobRecord.failed.set(self.failed),
                JobRecord.errors.set(self.errors), JobRecord.error_count.set(self.error_count)]

    def flush(self) -> None:
        self.rec.update([*self.actions(), JobRecord.updated_at.set(clock.iso())])
        self._rows_since, self._last = 0, time.monotonic()


def finish(rec: JobRecord, status: str, *, error: tuple[str, dict[str, Any]] | None = None,
           progress: Progress | None = None, **fields: Any) -> None:
    actions: list[Any] = [JobRecord.status.set(status), JobRecord.finished_at.set(clock.iso()),
                          JobRecord.updated_at.set(clock.iso()), JobRecord.lease_until.remove()]
    if progress is not None:
        actions += progress.actions()
    if error is not None:
        actions += [JobRecord.error_code.set(error[0]), JobRecord.error_params.set(error[1])]
    for name, value in fields.items():
        actions.append(getattr(JobRecord, name).set(value))
    rec.update(actions)


class JobRef(Model):
    shop_id: str
    job_id: str


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
    from shared.identity.access import authorize
    from shared.identity.sessions import TokenFacts

    ctx, _ = authorize(TokenFacts.without_token(rec.actor_id), rec.shop_id, source_ip=None, user_agent="catalog-job")
    return ctx
