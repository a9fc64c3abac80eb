"""``make backup`` / ``make restore``: the local shop's data in one archive, and back.

    python -m infra.backup create  [--data-dir .data] [--out FILE] [--force]
    python -m infra.backup restore ARCHIVE [--data-dir .data]

**What the archive holds** (``.data/backups/shopdesk-<UTC time>.tar.gz``, mode 0600):

- ``dynamodb/<table>.jsonl``: every item of every table, in DynamoDB's own JSON (types kept;
  binary as base64), read by a paginated, strongly consistent Scan; ``<table>.schema.json``
  its keys, indexes, stream and TTL settings.
- ``s3/<bucket>.json`` and ``s3/blobs/<sha256>``: every object of every bucket with its type,
  cache and user metadata; every version and delete marker, oldest first, when versioning is on.
- ``moto/<service>.pickle``: the rest of the local cloud as it persists itself (see
  ``infra/localcloud/README.md``): KMS keys *with their key material* (without it no stored
  ciphertext could ever be decrypted again), Cognito pools and users *with their passwords*
  (moto keeps them as given), queues with the messages in them, rules, topics, sent mail.
- ``files/``: the other state files of the data folder (the provisioner's ids, the payment
  sandbox's keys, ...).
- ``manifest.json``: versions, counts and the sha256 of every member.

The archive is as secret as the data folder itself: it can decrypt every personal field and sign
in as every user. Keep it like a password.

**Consistency.** A backup runs the local cloud alone, on the data folder, with its instance lock
held: ShopDesk (``make run``) cannot run meanwhile, and nothing else writes, so every Scan,
every object and every moto service is read at the same point. ``make run`` stopped with work
in flight would still leave that work behind: stream records not yet handed to their consumers
are refused (the backup says how many and where; start ShopDesk, let it settle, stop it, back up
again; ``--force`` takes it anyway and says what would be lost), and SQS messages not yet
consumed are kept with the queue state.

**Restore** never deletes: the current data folder is moved aside to
``<data>.before-restore-<time>``. Tables are created from their archived schema *without*
streams, filled with BatchWriteItem, then given their streams back, so the restored items are
not replayed to the stream consumers (they were all consumed before the backup); objects are
put back before the bucket's notifications are configured, for the same reason. Then the
provisioner brings everything else the template declares.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import logging
import os
import shutil
import sys
import tarfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.stack import ROOT

log = logging.getLogger("shopdesk.backup")
FORMAT = 1
# Data-folder entries that are not state, or that the archive holds in another form.
NOT_STATE = {"dynamodb", "moto", "logs", "backups", "localcloud.lock", "ready.json", "ready.tmp", "system.log",
             "stream-checkpoints.json", "stream-checkpoints.tmp"}
EXPORTED_SERVICES = {"s3"}  # moto services exported object by object instead of pickled
SCHEMA_KEYS = ("AttributeDefinitions", "KeySchema")


class BackupRefused(RuntimeError):
    """The backup or restore cannot be made as asked; the message says what to do."""


# -- DynamoDB JSON <-> text ------------------------------------------------------------------------
def _to_json(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"__b64__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


class Archive:
    """Writes members into a tar.gz, remembering their sha256 for the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tar = tarfile.open(path, "w:gz")  # noqa: SIM115  (closed by close(), after the manifest)
        self.sums: dict[str, str] = {}

    def add(self, name: str, data: bytes) -> None:
        if name in self.sums:
            return  # blobs are stored once, by content
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        self.tar.addfile(info, io.BytesIO(data))
        self.sums[name] = hashlib.sha256(data).hexdigest()

    def close(self, manifest: dict[str, Any]) -> None:
        self.add("manifest.json", json.dumps({**manifest, "sha256": self.sums}, indent=2, ensure_ascii=False).encode())
        self.tar.close()


# -- what a backup reads -----------------------------------------------------------------------------
def _clients(region: str) -> tuple[Any, Any, Any]:
    import boto3

    return (boto3.client("dynamodb", region_name=region), boto3.client("s3", region_name=region),
            boto3.client("dynamodbstreams", region_name=region))


def _tables(ddb: Any) -> list[str]:
    names: list[str] = []
    for page in ddb.get_paginator("list_tables").paginate():
        names += page["TableNames"]
    return sorted(names)


def _schema(ddb: Any, table: str) -> dict[str, Any]:
    desc = ddb.describe_table(TableName=table)["Table"]
    schema = {k: desc[k] for k in SCHEMA_KEYS}
    gsis = [{"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in desc.get("GlobalSecondaryIndexes", [])]
    if gsis:
        schema["GlobalSecondaryIndexes"] = gsis
    if desc.get("StreamSpecification", {}).get("StreamEnabled"):
        schema["StreamSpecification"] = desc["StreamSpecification"]
    ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        schema["TimeToLiveSpecification"] = {"Enabled": True, "AttributeName": ttl["AttributeName"]}
    return schema


def _scan(ddb: Any, table: str) -> Iterator[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True,
                                               PaginationConfig={"PageSize": 500})
    for page in pages:
        yield from page.get("Items", [])


def pending_stream_records(data_dir: Path, ddb: Any, streams: Any) -> dict[str, int]:
    """Stream records that no consumer has checkpointed, per "<function> <- <table>"."""
    from infra.stack import Stack
    from infra.system import PREFIX

    checkpoints = {}
    path = data_dir / "stream-checkpoints.json"
    if path.exists():
        checkpoints = json.loads(path.read_text())
    stack = Stack.load(region=ddb.meta.region_name, prefix=PREFIX)
    by_logical = {logical: (res.get("Properties", {}).get("TableName") or stack.name_for(logical))
                  for logical, res in stack.of_type("AWS::DynamoDB::Table").items()}
    pending: dict[str, int] = {}
    for function, _, props in stack.events_of("DynamoDB"):
        stream_ref = props["Stream"]
        logical = stream_ref["Fn::GetAtt"][0] if isinstance(stream_ref.get("Fn::GetAtt"), list) else \
            str(stream_ref.get("Fn::GetAtt", "")).split(".")[0]
        table = by_logical.get(logical)
        if table is None:
            continue
        try:
            arn = ddb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
        except ddb.exceptions.ResourceNotFoundException:
            continue
        if not arn:
            continue
        saved = checkpoints.get(f"{function}|{arn}", {})
        count = 0
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            sid = shard["ShardId"]
            kwargs: dict[str, Any] = {"StreamArn": arn, "ShardId": sid}
            kwargs.update({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": saved[sid]}
                          if sid in saved else {"ShardIteratorType": "TRIM_HORIZON"})
            try:
                iterator = streams.get_shard_iterator(**kwargs)["ShardIterator"]
            except streams.exceptions.TrimmedDataAccessException:
                continue  # an empty shard (DynamoDB Local's answer for one)
            for _ in range(100):
                if not iterator:
                    break
                answer = streams.get_records(ShardIterator=iterator, Limit=1000)
                if not answer.get("Records"):
                    break
                count += len(answer["Records"])
                iterator = answer.get("NextShardIterator")
        if count:
            pending[f"{function} <- {table}"] = count
    return pending


def _bucket_entries(s3: Any, bucket: str) -> tuple[str, list[dict[str, Any]]]:
    """(versioning status, entries oldest first): objects, or every version and delete marker."""
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status", "")
    entries: list[dict[str, Any]] = []
    if status in ("Enabled", "Suspended"):
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for v in page.get("Versions", []):
                entries.append({"key": v["Key"], "version_id": v["VersionId"], "modified": v["LastModified"]})
            for m in page.get("DeleteMarkers", []):
                entries.append({"key": m["Key"], "version_id": m["VersionId"], "modified": m["LastModified"],
                                "delete_marker": True})
    else:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                entries.append({"key": o["Key"], "modified": o["LastModified"]})
    entries.sort(key=lambda e: (e["key"], e["modified"]))
    for e in entries:
        e["modified"] = e["modified"].isoformat()
    return status, entries


def create(data_dir: Path, out: Path | None = None, *, force: bool = False) -> Path:
    from infra.localcloud import AlreadyRunning, LocalCloud

    data_dir = data_dir.resolve()
    if not (data_dir / "dynamodb").exists():
        raise BackupRefused(f"{data_dir} holds no ShopDesk data (run `make run` once first)")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = (out or data_dir / "backups" / f"shopdesk-{stamp}.tar.gz").resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    cloud = LocalCloud(data_dir)
    try:
        cloud.start()
    except AlreadyRunning as exc:
        raise BackupRefused("ShopDesk is running on this data folder: stop it first (`make stop` or Ctrl-C), "
                            "then `make backup` (a backup reads the folder with nothing else writing)") from exc
    saved_env = dict(os.environ)
    os.environ.update(cloud.env())
    partial = out.with_suffix(".partial")
    try:
        ddb, s3, streams = _clients(cloud.region)
        pending = pending_stream_records(data_dir, ddb, streams)
        if pending and not force:
            listed = "; ".join(f"{k}: {v}" for k, v in sorted(pending.items()))
            raise BackupRefused(f"ShopDesk stopped before its stream consumers caught up ({listed}). Start it "
                                f"(`make run`), let it settle for a few seconds, stop it, and back up again; or "
                                f"`--force` to back up without those consumers' effects.")
        partial.touch(mode=0o600)
        archive = Archive(partial)
        counts: dict[str, Any] = {"tables": {}, "buckets": {}}
        for table in _tables(ddb):
            archive.add(f"dynamodb/{table}.schema.json", json.dumps(_schema(ddb, table), indent=1).encode())
            lines, n = [], 0
            for item in _scan(ddb, table):
                lines.append(json.dumps(_to_json(item), ensure_ascii=False, sort_keys=True))
                n += 1
            archive.add(f"dynamodb/{table}.jsonl", ("\n".join(lines) + ("\n" if lines else "")).encode())
            counts["tables"][table] = n
        for bucket in sorted(b["Name"] for b in s3.list_buckets().get("Buckets", [])):
            status, entries = _bucket_entries(s3, bucket)
            for e in entries:
                if e.get("delete_marker"):
                    continue
                extra = {"VersionId": e["version_id"]} if "version_id" in e else {}
                got = s3.get_object(Bucket=bucket, Key=e["key"], **extra)
                data = got["Body"].read()
                e["sha256"] = hashlib.sha256(data).hexdigest()
                e.update({k: got[a] for k, a in (("content_type", "ContentType"), ("cache_control", "CacheControl"),
                                                 ("content_encoding", "ContentEncoding"),
                                                 ("content_disposition", "ContentDisposition")) if got.get(a)})
                if got.get("Metadata"):
                    e["metadata"] = got["Metadata"]
                archive.add(f"s3/blobs/{e['sha256']}", data)
            archive.add(f"s3/{bucket}.json", json.dumps({"versioning": status, "entries": entries}, indent=1).encode())
            counts["buckets"][bucket] = len(entries)
        cloud.snapshot()  # every moto service written now, with nothing else running
        services = []
        for pickle in sorted((data_dir / "moto").glob("*.pickle")):
            if pickle.stem not in EXPORTED_SERVICES:
                archive.add(f"moto/{pickle.name}", pickle.read_bytes())
                services.append(pickle.stem)
        for path in sorted(data_dir.rglob("*")):
            relative = path.relative_to(data_dir)
            if relative.parts[0] in NOT_STATE or not path.is_file() or path.name.endswith((".tmp", ".partial")):
                continue
            archive.add(f"files/{relative.as_posix()}", path.read_bytes())  # e.g. the payment sandbox's keys
        import moto

        archive.close({"format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "data_dir": str(data_dir),
                       "region": cloud.region, "moto_version": moto.__version__, "moto_services": services,
                       "pending_stream_records": pending, **counts})
        partial.replace(out)
        return out
    finally:
        partial.unlink(missing_ok=True)
        os.environ.clear()
        os.environ.update(saved_env)
        cloud.stop()


# -- restore ------------------------------------------------------------------------------------------
def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and every member, each checked against the manifest's sha256."""
    members: dict[str, bytes] = {}
    with tarfile.open(path, "r:gz") as tar:
        for info in tar:
            if not info.isfile() or info.name.startswith("/") or ".." in info.name.split("/"):
                raise BackupRefused(f"{path}: unexpected member {info.name!r}")
            handle = tar.extractfile(info)
            assert handle is not None
            members[info.name] = handle.read()
    if "manifest.json" not in members:
        raise BackupRefused(f"{path} is not a ShopDesk backup (no manifest.json)")
    manifest = json.loads(members.pop("manifest.json"))
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"{path}: backup format {manifest.get('format')} (this ShopDesk reads {FORMAT})")
    sums = manifest.get("sha256", {})
    damaged = [n for n, data in members.items() if hashlib.sha256(data).hexdigest() != sums.get(n)]
    missing = [n for n in sums if n != "manifest.json" and n not in members]
    if damaged or missing:
        raise BackupRefused(f"{path} is damaged: {len(damaged)} member(s) differ, {len(missing)} missing")
    return manifest, members


def _batch_write(ddb: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]
        for attempt in range(20):
            left = ddb.batch_write_item(RequestItems={table: requests}).get("UnprocessedItems", {})
            requests = left.get(table, [])
            if not requests:
                break
            time.sleep(min(0.05 * 2 ** attempt, 2))
        else:
            raise RuntimeError(f"{table}: DynamoDB kept refusing {len(requests)} item(s)")


def _until_active(ddb: Any, table: str) -> None:
    # boto's waiter sleeps 20 s between looks; DynamoDB Local is ready in a moment.
    for _ in range(600):
        if ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.1)
    raise RuntimeError(f"{table} did not become active")


def _restore_tables(ddb: Any, members: dict[str, bytes]) -> dict[str, int]:
    counts = {}
    for name in sorted(n for n in members if n.startswith("dynamodb/") and n.endswith(".schema.json")):
        table = name[len("dynamodb/"):-len(".schema.json")]
        schema = json.loads(members[name])
        kwargs: dict[str, Any] = {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
                                  **{k: schema[k] for k in SCHEMA_KEYS}}
        if schema.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = schema["GlobalSecondaryIndexes"]
        ddb.create_table(**kwargs)  # without its stream: the items below are not new events
        _until_active(ddb, table)
        log.info("%s created", table)
        raw = members[f"dynamodb/{table}.jsonl"].decode()
        items = [_from_json(json.loads(line)) for line in raw.splitlines() if line]
        _batch_write(ddb, table, items)
        log.info("%s: %d items written", table, len(items))
        if schema.get("StreamSpecification"):
            ddb.update_table(TableName=table, StreamSpecification=schema["StreamSpecification"])
        if schema.get("TimeToLiveSpecification"):
            ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=schema["TimeToLiveSpecification"])
        counts[table] = len(items)
    return counts


def _restore_buckets(s3: Any, region: str, members: dict[str, bytes]) -> dict[str, int]:
    counts = {}
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name in sorted(n for n in members if n.startswith("s3/") and n.endswith(".json")):
        bucket = name[len("s3/"):-len(".json")]
        listing = json.loads(members[name])
        if bucket not in existing:
            kwargs: dict[str, Any] = {"Bucket": bucket}
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            s3.create_bucket(**kwargs)
        if listing["versioning"]:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        for e in listing["entries"]:  # oldest first: the newest version ends up current
            if e.get("delete_marker"):
                s3.delete_object(Bucket=bucket, Key=e["key"])
                continue
            extra = {k: e[a] for k, a in (("ContentType", "content_type"), ("CacheControl", "cache_control"),
                                          ("ContentEncoding", "content_encoding"),
                                          ("ContentDisposition", "content_disposition"), ("Metadata", "metadata"))
                     if e.get(a)}
            s3.put_object(Bucket=bucket, Key=e["key"], Body=members[f"s3/blobs/{e['sha256']}"], **extra)
        if listing["versioning"] == "Suspended":
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        counts[bucket] = len(listing["entries"])
    return counts


def restore(archive_path: Path, data_dir: Path) -> dict[str, Any]:
    from infra.localcloud import AlreadyRunning, LocalCloud
    from infra.localcloud.instance_lock import InstanceLock

    data_dir = data_dir.resolve()
    manifest, members = read_archive(archive_path.resolve())
    moved = None
    if data_dir.exists() and any(data_dir.iterdir()):
        lock = InstanceLock(data_dir)
        try:
            lock.acquire()
        except AlreadyRunning as exc:
            raise BackupRefused("ShopDesk is running on this data folder: stop it first (`make stop`)") from exc
        lock.release()
        moved = data_dir.with_name(f"{data_dir.name}.before-restore-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
        data_dir.rename(moved)
    data_dir.mkdir(parents=True)
    (data_dir / "moto").mkdir()
    for name, data in members.items():
        if name.startswith("moto/"):
            (data_dir / name).write_bytes(data)
        elif name.startswith("files/"):
            target = data_dir / name[len("files/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    if moved is not None and (moved / "backups").is_dir():
        shutil.copytree(moved / "backups", data_dir / "backups")  # the backups stay where they were
    cloud = LocalCloud(data_dir, region=manifest.get("region") or "us-east-1")
    began = time.monotonic()
    cloud.start()
    log.info("local cloud up in %.1f s", time.monotonic() - began)
    saved_env = dict(os.environ)
    os.environ.update(cloud.env())
    try:
        report = cloud.restore_report
        lost = sorted(set(manifest.get("moto_services", [])) - set(report.restored if report else []))
        if lost:
            raise BackupRefused(f"the local cloud could not read back {', '.join(lost)} from the archive (made with "
                                f"moto {manifest.get('moto_version')}); nothing was provisioned")
        ddb, s3, _ = _clients(cloud.region)
        tables = _restore_tables(ddb, members)
        log.info("tables restored at %.1f s", time.monotonic() - began)
        buckets = _restore_buckets(s3, cloud.region, members)
        log.info("objects restored at %.1f s", time.monotonic() - began)
        _provision(data_dir, cloud.region)
        log.info("provisioned at %.1f s", time.monotonic() - began)
        cloud.snapshot()
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        cloud.stop()
    return {"tables": tables, "buckets": buckets, "moved_aside": str(moved) if moved else None}


def _provision(data_dir: Path, region: str) -> None:
    """What the template declares beyond the archive (a newer template's tables, bucket CORS and
    notifications, rules): the provisioner, idempotent, as ``make run`` runs it."""
    from infra.provision import Provisioner
    from infra.stack import Stack
    from infra.system import PREFIX, STAGE

    stack = Stack.load(region=region, prefix=PREFIX, overrides={"Stage": STAGE})
    Provisioner(stack, data_dir / "stack-state.json").run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    default_data = Path(os.environ.get("SHOPDESK_DATA_DIR", ROOT / ".data"))
    make = sub.add_parser("create", help="back up the data folder into one archive")
    make.add_argument("--data-dir", type=Path, default=default_data)
    make.add_argument("--out", type=Path)
    make.add_argument("--force", action="store_true", help="back up even with stream records not yet consumed")
    back = sub.add_parser("restore", help="replace the data folder with an archive's content")
    back.add_argument("archive", type=Path)
    back.add_argument("--data-dir", type=Path, default=default_data)
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("SHOPDESK_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "create":
            path = create(args.data_dir, args.out, force=args.force)
            print(f"Backup written: {path}  (keep it secret: it holds the keys and the logins)")
        else:
            done = restore(args.archive, args.data_dir)
            print(f"Restored {sum(done['tables'].values())} items in {len(done['tables'])} tables and "
                  f"{sum(done['buckets'].values())} objects into {args.data_dir}")
            if done["moved_aside"]:
                print(f"The data folder it replaced is kept at {done['moved_aside']}")
    except BackupRefused as exc:
        print(f"\n{exc}\n", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
