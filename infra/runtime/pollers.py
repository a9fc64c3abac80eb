"""Event source mappings of the template, run locally: SQS queues and DynamoDB Streams feed
batches to their functions, as Lambda's pollers do.

SQS: a batch of up to ``BatchSize`` messages; with ``ReportBatchItemFailures`` only the
messages named in ``batchItemFailures`` stay in the queue (the others are deleted); an
exception keeps the whole batch. Kept messages come back after the visibility timeout and,
after the queue's ``maxReceiveCount``, SQS moves them to the DLQ.

Streams: every shard is read from its checkpoint (kept in the data folder, so a restart neither
loses nor repeats records) or from the start of the stream on first run; ``FilterCriteria``
patterns are applied; a failing batch is retried up to ``MaximumRetryAttempts`` and then
skipped with an error in the log (AWS would send it to the on-failure destination).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import boto3

from infra.runtime.functions import FunctionPool
from infra.stack import Stack

log = logging.getLogger("shopdesk.local")


def matches(pattern: Any, value: Any) -> bool:
    """EventBridge/Lambda filter pattern matching (the subset the template uses: exact values,
    ``prefix``, ``exists``, nested objects)."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(matches(p, value.get(k)) for k, p in pattern.items())
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict):
                if "prefix" in option and isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
                if "exists" in option and (value is not None) == option["exists"]:
                    return True
            elif option == value:
                return True
        return False
    return bool(pattern == value)


class Poller(threading.Thread):
    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.stopping = threading.Event()
        self.idle = threading.Event()

    def stop(self) -> None:
        self.stopping.set()


class SqsPoller(Poller):
    def __init__(self, pool: FunctionPool, function: str, queue_url: str, queue_arn: str, props: dict[str, Any],
                 region: str) -> None:
        super().__init__(f"sqs:{function}")
        self.pool, self.function = pool, function
        self.queue_url, self.queue_arn, self.region = queue_url, queue_arn, region
        self.batch_size = min(int(props.get("BatchSize", 10)), 10)
        self.partial = "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
        self.sqs = boto3.client("sqs", region_name=region)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size,
                                               WaitTimeSeconds=1, AttributeNames=["All"],
                                               MessageAttributeNames=["All"]).get("Messages", [])
            except Exception:
                if self.stopping.is_set():
                    return
                log.exception("receiving from %s failed", self.queue_url)
                time.sleep(1)
                continue
            if not got:
                self.idle.set()
                continue
            self.idle.clear()
            self.deliver(got)

    def deliver(self, messages: list[dict[str, Any]]) -> None:
        records = [{
            "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
            "attributes": m.get("Attributes", {}), "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        } for m in messages]
        keep: set[str] = set()
        try:
            result = self.pool[self.function].invoke({"Records": records})
            if self.partial and isinstance(result, dict):
                keep = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:
            log.exception("%s failed on a batch of %d; the batch will be retried", self.function, len(records))
            return
        done = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(records)
                if r["messageId"] not in keep]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done)


class StreamPoller(Poller):
    def __init__(self, pool: FunctionPool, function: str, stream_arn: str, props: dict[str, Any], region: str,
                 checkpoints: Path) -> None:
        super().__init__(f"stream:{function}")
        self.pool, self.function, self.stream_arn = pool, function, stream_arn
        self.batch_size = int(props.get("BatchSize", 100))
        self.retries = int(props.get("MaximumRetryAttempts", 3))
        self.filters = [json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])]
        self.streams = boto3.client("dynamodbstreams", region_name=region)
        self.checkpoint_file = checkpoints
        self.key = f"{function}|{stream_arn}"
        self.iterators: dict[str, str | None] = {}

    def _load(self) -> dict[str, str]:
        if self.checkpoint_file.exists():
            return dict(json.loads(self.checkpoint_file.read_text()).get(self.key, {}))
        return {}

    _file_lock = threading.Lock()

    def _save(self, shard: str, sequence: str) -> None:
        with self._file_lock:
            data = json.loads(self.checkpoint_file.read_text()) if self.checkpoint_file.exists() else {}
            data.setdefault(self.key, {})[shard] = sequence
            tmp = self.checkpoint_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            tmp.replace(self.checkpoint_file)

    def _discover(self) -> None:
        saved = self._load()
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            sid = shard["ShardId"]
            if sid in self.iterators:
                continue
            kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": sid}
            if sid in saved:
                kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=saved[sid])
            else:
                kwargs["ShardIteratorType"] = "TRIM_HORIZON"
            self.iterators[sid] = self.streams.get_shard_iterator(**kwargs)["ShardIterator"]

    def run(self) -> None:
        last_discovery = 0.0
        while not self.stopping.is_set():
            try:
                if time.monotonic() - last_discovery > 10:
                    self._discover()
                    last_discovery = time.monotonic()
                busy = False
                for sid, iterator in list(self.iterators.items()):
                    if iterator is None:
                        continue
                    answer = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
                    records = answer.get("Records", [])
                    if records:
                        busy = True
                        self.deliver(records)
                        self._save(sid, records[-1]["dynamodb"]["SequenceNumber"])
                    self.iterators[sid] = answer.get("NextShardIterator")
                if not busy:
                    self.idle.set()
                    self.stopping.wait(0.2)
                else:
                    self.idle.clear()
            except Exception as exc:
                if self.stopping.is_set():
                    return
                if type(exc).__name__ == "TrimmedDataAccessException":
                    # DynamoDB Local answers this for an iterator taken on a still-empty shard.
                    log.debug("stream %s: iterator trimmed; re-reading shards", self.function)
                else:
                    log.exception("stream poller %s failed; retrying", self.function)
                self.iterators.clear()
                last_discovery = 0.0
                self.stopping.wait(1)

    def deliver(self, records: list[dict[str, Any]]) -> None:
        wanted = [r for r in records if not self.filters or any(matches(f, r) for f in self.filters)]
        if not wanted:
            return
        event = {"Records": [{**r, "eventSourceARN": self.stream_arn} for r in wanted]}
        for attempt in range(self.retries + 1):
            try:
                self.pool[self.function].invoke(event)
                return
            except Exception:
                log.exception("%s failed on %d stream records (attempt %d)", self.function, len(wanted), attempt + 1)
                self.stopping.wait(min(2 ** attempt * 0.2, 5))
        log.error("%s: giving up on %d stream records after %d retries", self.function, len(wanted), self.retries)


def start_pollers(stack: Stack, pool: FunctionPool, data_dir: Path) -> list[Poller]:
    pollers: list[Poller] = []
    arn_to_queue = {p.get("Arn"): p for p in stack.physical.values() if p.get("QueueName")}
    for function, _, props in stack.events_of("SQS"):
        arn = stack.resolve(props["Queue"])
        pollers.append(SqsPoller(pool, function, arn_to_queue[arn]["Ref"], arn, props, stack.region))
    for function, _, props in stack.events_of("DynamoDB"):
        if not stack.resolve(props["Stream"]):
            continue  # provisioned without streams (SHOPDESK_NO_STREAMS=1, benchmarks only)
        pollers.append(StreamPoller(pool, function, stack.resolve(props["Stream"]), props, stack.region,
                                    data_dir / "stream-checkpoints.json"))
    for p in pollers:
        p.start()
    return pollers
