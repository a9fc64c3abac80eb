"""The catalog job worker (``CatalogJobFunction``): takes a message of ``CatalogJobQueue``, claims
its job (``shared.catalog.jobs``) and runs the importer or the exporter. It sits above all three:
they never import it.

A redelivered message finds the job already claimed and does nothing. A job whose worker died
(its lease passed while ``running``) is refused cleanly when the message comes back: it ends
``failed`` with ``job_interrupted`` and the counters of its last checkpoint.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import unquote_plus

from shared import clock, uploads
from shared.catalog import exporter, importer
from shared.catalog.jobs import claim, finish, load

log = logging.getLogger(__name__)

_IMPORT_KEY = re.compile(r"^imports/(?P<shop>[A-Za-z0-9_-]+)/(?P<job>job_[A-Za-z0-9]+)\.(?:csv|xlsx)$")


def handle_message(body: str) -> None:
    """One message of ``CatalogJobQueue``: an S3 notification of an import upload, or
    ``{"job": {"shop_id", "job_id"}}`` for an export."""
    message_body = json.loads(body)
    if "job" in message_body:
        ref = message_body["job"]
        _run(str(ref["shop_id"]), str(ref["job_id"]), None)
        return
    for record in message_body.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        key = unquote_plus(record["s3"]["object"]["key"])
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
