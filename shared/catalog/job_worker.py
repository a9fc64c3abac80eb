"""The catalog job worker (``CatalogJobFunction``): takes a message of ``CatalogJobQueue``, claims
its job (``shared.catalog.jobs``) and runs the importer or the exporter. It sits above all three:
they never import it.

Claiming, redelivery and a dead worker's job are ``shared.jobs.run``: a redelivered message finds
the job already claimed and does nothing; a job whose worker died (its lease passed while
``running``) ends ``failed`` with ``job_interrupted`` and the counters of its last checkpoint.
"""
from __future__ import annotations

import re

from shared import jobs, uploads
from shared.catalog import exporter, importer
from shared.catalog.jobs import ExportJobMessage, JobMessage, load
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
    if rec.job_kind == "import":
        jobs.run(rec, "awaiting_upload", importer.run_import)
    else:
        jobs.run(rec, "queued", exporter.run_export)
