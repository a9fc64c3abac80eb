"""The catalog job worker (``CatalogJobFunction``): takes a message of ``CatalogJobQueue``, claims
its job (``shared.catalog.jobs``) and runs the importer or the exporter. It sits above all three:
they never import it.

A redelivered message finds the job already claimed and does nothing. A job whose worker died
(its lease passed while ``running``) is refused cleanly when the message comes back: it ends
``failed`` with ``job_interrupted`` and the counters of its last checkpoint.
"""
from __future__ import annotations

import re

from shared import clock, uploads
from shared.catalog import exporter, importer
from shared.catalog.jobs import ExportJobMessage, JobMessage, claim, finish, load
from shared.observability import log

_IMPORT_KEY = re.compile(r"^imports/(?P<shop>[A-Za-z0-9_-]+)/(?P<job>job_[A-Za-z0-9]+)\.(?:csv|xlsx)$")


def handle_message(body: JobMessage) -> None:
    """The consumer's record handler: run the export job, or the import job of each upload."""
    if isinstance(body.message, ExportJobMessage):
        _run(body.message.job.shop_id, body.message.job.job_id, None)
        return
    for key in body.message.created_keys():
        match = _IMPORT_KEY.match(key)
        if match is None:
            log.warning("ignored upload %s (not an import key)", key)
            continue
        _run(match["shop"], match["job"], key)


def _run(shop_id: str, job_id: str, key: str | None) -> None:
    rec = load(shop_id, job_id)
    if rec is None or (key is not None and rec.upload_key != key):
        if key is not None:
            log.warning("upload %s has no import job: deleted", key)
            uploads.s3().delete_object(Bucket=uploads.bucket(), Key=key)
        return
    expected = "awaiting_upload" if rec.job_kind == "import" else "queued"
    if rec.status != expected:
        if rec.status == "running" and (rec.lease_until or "") < clock.iso():
            finish(rec, "failed", error=("job_interrupted", {"processed": int(rec.processed)}))
        return  # a redelivery: the job is (or was) handled by the first delivery
    if not claim(rec, expected):
        return
    try:
        if rec.job_kind == "import":
            importer.run_import(rec)
        else:
            exporter.run_export(rec)
    except Exception:
        log.exception("job %s failed", job_id)
        finish(rec, "failed", error=("job_failed", {}))
