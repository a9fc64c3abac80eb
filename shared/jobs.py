"""Asynchronous jobs (批量任务): the one way a capability runs work longer than an API request
(imports, exports). The catalog's import/export and the order desk's exports use it; the next
capability copies them.

- **The record**: a capability's item class mixes in ``JobFields`` under its own table's item
  base, at ``JOB#<job_id>`` in the shop's partition (newest first is one Query), kept
  ``KEEP_DAYS`` (TTL). It records who started it (sealed e-mail), its status, counters, the first
  ``MAX_ERRORS`` row errors (code + params: rendered in the reader's language) and its files.
- **Starting**: ``new_job`` writes the record (``queued`` or ``awaiting_upload``, conditional on
  a new key; with ``events``, in one transaction with their outbox items), then ``send`` puts a
  ``JobRef`` on the capability's job queue (a failed send fails the job at once).
- **The worker**: the capability's consumer is ``consume_messages(event, context, Message,
  handler)`` (powertools' batch processing); its record handler calls ``run`` with the loaded
  record, the status it expects and the work. ``run`` claims the job (``expected`` ->
  ``running`` with a lease, conditional), so a redelivered message does nothing; a job whose
  worker died (lease passed while ``running``) ends ``failed`` with ``job_interrupted`` when its
  message comes back; an exception in the work ends it ``failed`` with ``job_failed``.
- **Progress**: ``Progress`` counts rows and writes the counters at most every ``FLUSH_ROWS``
  rows or ``FLUSH_SECONDS``; ``finish`` sets the end status, counters and files.

Each capability has its own queue and worker function (template ``Mappings.JobQueues``, or the
catalog's upload queue which S3 also notifies): docs/architecture.md "Jobs" says why.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

from pydantic import Field
from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, UpdateError

from shared import clock, exports
from shared.auth.context import AuthContext
from shared.crypto import PersonalAttribute
from shared.errors import NotFound
from shared.i18n import message
from shared.keys import shop_of, shop_pk
from shared.model import Model
from shared.observability import log

MAX_ERRORS = 200
KEEP_DAYS = 30
LEASE_SECONDS = 16 * 60  # a worker's Lambda timeout (15 min) and a margin
FLUSH_ROWS, FLUSH_SECONDS = 50, 1.0
JobStatus = Literal["awaiting_upload", "queued", "running", "succeeded", "partial", "failed"]
JobFormat = exports.Format


def job_sk(job_id: str) -> str:
    return f"JOB#{job_id}"


class JobFields:
    """The attributes of every job record (mixed into a capability's ``ShopItem`` subclass)."""

    job_kind = UnicodeAttribute()
    status = UnicodeAttribute()
    format = UnicodeAttribute()
    language = UnicodeAttribute(default="zh-CN")
    actor_id = UnicodeAttribute()
    actor_email = PersonalAttribute(default="")  # sealed at rest (shared.crypto)
    filter = JSONAttribute(null=True)
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
        return self.sk.removeprefix("JOB#")  # type: ignore[attr-defined,no-any-return]

    @property
    def shop_id(self) -> str:
        return shop_of(self.pk)  # type: ignore[attr-defined]


Job = TypeVar("Job", bound=Any)


# -- what the API shows ---------------------------------------------------------------------------
class JobError(Model):
    code: str
    message: str


class JobActor(Model):
    id: str
    email: str


class JobRef(Model):
    """The message a job queue carries: which job to run."""

    shop_id: str
    job_id: str


def error_of(rec: Any, language: str) -> JobError | None:
    if not rec.error_code:
        return None
    return JobError(code=rec.error_code, message=message(rec.error_code, language, **(rec.error_params or {})))


def actor_of(rec: Any) -> JobActor:
    return JobActor(id=rec.actor_id, email=rec.actor_email or "")


def file_url(key: str | None) -> str | None:
    return exports.url(key) if key else None


def count(value: Any) -> int | None:
    return None if value is None else int(value)


# -- reading and starting -------------------------------------------------------------------------
def load(cls: type[Job], shop_id: str, job_id: str) -> Job | None:
    """The job, or None."""
    try:
        return cls.get(shop_pk(shop_id), job_sk(job_id), consistent_read=True)  # type: ignore[no-any-return]
    except cls.DoesNotExist:
        return None


def require(cls: type[Job], shop_id: str, job_id: str) -> Job:
    """The job, or 404 ``job_not_found`` (also for another shop's job id)."""
    rec = load(cls, shop_id, job_id)
    if rec is None:
        raise NotFound("job_not_found", details={"job_id": job_id})
    return rec


def new_job(cls: type[Job], ctx: AuthContext, job_id: str, kind: str, status: str, fmt: str, language: str, *,
            events: list[Any] | None = None, table_env: str | None = None, **fields: Any) -> Job:
    """Write a new job record; with ``events`` (and the table's env name) their outbox items go in
    the same transaction (an export is audited exactly when its job exists)."""
    now = clock.now()
    rec: Job = cls(shop_pk(ctx.shop_id), job_sk(job_id), job_kind=kind, status=status, format=fmt, language=language,
                   actor_id=ctx.user_id, actor_email=ctx.email, processed=0, created=0, updated=0, failed=0, errors=[],
                   error_count=0, created_at=clock.iso(now), updated_at=clock.iso(now),
                   expires_at=int((now + timedelta(days=KEEP_DAYS)).timestamp()), **fields)
    if not events:
        rec.save(cls.pk.does_not_exist())
        return rec
    from shared.events.outbox import outbox_item
    from shared.tx import Writes

    writes = Writes()
    writes.put(rec, cls.pk.does_not_exist())
    for event in events:
        writes.put(outbox_item(table_env or "", event))
    writes.commit()
    return rec


def send(rec: Any, queue_url_env: str, body: Model | None = None) -> None:
    """Queue the job (``body``: the message, default its ``JobRef``); a failed send fails the job."""
    from shared.aws import client
    from shared.config import env

    message_body = body if body is not None else JobRef(shop_id=rec.shop_id, job_id=rec.job_id)
    try:
        client("sqs").send_message(QueueUrl=env(queue_url_env), MessageBody=message_body.model_dump_json())
    except Exception:
        finish(rec, "failed", error=("job_failed", {}))
        raise


# -- the worker's side ----------------------------------------------------------------------------
def claim(rec: Any, expected: str) -> bool:
    """``expected`` -> ``running`` with a lease; False when another delivery got there first."""
    cls = type(rec)
    now = clock.now()
    try:
        rec.update([cls.status.set("running"), cls.updated_at.set(clock.iso(now)),
                    cls.lease_until.set(clock.iso(now + timedelta(seconds=LEASE_SECONDS)))],
                   condition=cls.status == expected)
        return True
    except (UpdateError, PutError) as exc:
        if "ConditionalCheckFailed" in str(exc):
            return False
        raise


def run(rec: Any, expected: str, work: Callable[[Any], None]) -> None:
    """Claim the job and do ``work(rec)``: a redelivery of a job already claimed does nothing; a
    job whose worker died ends ``job_interrupted``; an exception ends it ``job_failed``."""
    if rec.status != expected:
        if rec.status == "running" and (rec.lease_until or "") < clock.iso():
            finish(rec, "failed", error=("job_interrupted", {"processed": int(rec.processed)}))
        return  # a redelivery: the job is (or was) handled by the first delivery
    if not claim(rec, expected):
        return
    try:
        work(rec)
    except Exception:
        log.exception("job %s failed", rec.job_id)
        finish(rec, "failed", error=("job_failed", {}))


class Progress:
    """Counters of a running job, written at most every ``FLUSH_ROWS`` rows or ``FLUSH_SECONDS``."""

    def __init__(self, rec: Any) -> None:
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
        cls = type(self.rec)
        return [cls.processed.set(self.processed), cls.created.set(self.created), cls.updated.set(self.updated),
                cls.failed.set(self.failed), cls.errors.set(self.errors), cls.error_count.set(self.error_count)]

    def flush(self) -> None:
        self.rec.update([*self.actions(), type(self.rec).updated_at.set(clock.iso())])
        self._rows_since, self._last = 0, time.monotonic()


def finish(rec: Any, status: str, *, error: tuple[str, dict[str, Any]] | None = None,
           progress: Progress | None = None, **fields: Any) -> None:
    cls = type(rec)
    actions: list[Any] = [cls.status.set(status), cls.finished_at.set(clock.iso()), cls.updated_at.set(clock.iso()),
                          cls.lease_until.remove()]
    if progress is not None:
        actions += progress.actions()
    if error is not None:
        actions += [cls.error_code.set(error[0]), cls.error_params.set(error[1])]
    for name, value in fields.items():
        actions.append(getattr(cls, name).set(value))
    rec.update(actions)


class ExportJobView(Model):
    """An export job as its starter polls it: the download URL once it succeeded."""

    id: str
    status: JobStatus
    format: JobFormat
    processed: int = Field(description="Rows written so far")
    total: int | None = Field(None, description="Rows in the file, once done")
    max_rows: int = Field(description="At most this many rows (else the job fails with export_too_large)")
    error: JobError | None = Field(None, description="Why the job failed")
    file_url: str | None = Field(None, description="The exported file (presigned GET, short-lived)")
    expires_in: int | None = Field(None, description="Seconds the URL stays valid")
    file_rows: int | None = None
    actor: JobActor
    created_at: str
    updated_at: str
    finished_at: str | None = None


def export_view(rec: Any, language: str, max_rows: int) -> ExportJobView:
    url = file_url(rec.file_key)
    return ExportJobView(id=rec.job_id, status=rec.status, format=rec.format, processed=int(rec.processed),
                         total=count(rec.total), max_rows=max_rows, error=error_of(rec, language), file_url=url,
                         expires_in=exports.URL_EXPIRES if url else None, file_rows=count(rec.file_rows),
                         actor=actor_of(rec), created_at=rec.created_at, updated_at=rec.updated_at,
                         finished_at=rec.finished_at)
