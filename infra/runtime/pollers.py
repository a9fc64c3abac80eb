"""Event source mappings of the template, run locally: SQS queues and DynamoDB Streams feed
batches to their functions, as Lambda's pollers do.

SQS: a batch of up to ``BatchSize`` messages; with ``ReportBatchItemFailures`` only the
messages named in ``batchItemFailures`` stay in the queue (the others are deleted); an
exception keeps the whole batch. Kept messages come back after the visibility timeout and,
after the queue's ``maxReceiveCount``, SQS moves them to the DLQ.

Streams: every shard is read from its checkpoint (kept in the data folder, so a restart neither
loses nor repeats records) or from the start of the stream on first run; ``FilterCriteria``
patterns are applied; a failing batch is retried up to ``MaximumRetryAttempts`` times, then,
as on AWS, its pointers (stream, shard, first and last sequence number: the message Lambda
sends, ``on_failure_message``) go to the event's ``DestinationConfig.OnFailure`` queue and the
poller moves on. ``python -m infra.redrive`` reads the records back and invokes the function
again (docs/security.md "No event is lost").
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from infra.runtime import faults
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
                 checkpoints: Path, on_failure: str | None = None) -> None:
        super().__init__(f"stream:{function}")
        self.pool, self.function, self.stream_arn, self.region = pool, function, stream_arn, region
        self.on_failure = on_failure  # the queue URL of DestinationConfig.OnFailure
        self.sqs = boto3.client("sqs", region_name=region)
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
                        self.deliver(records, sid)
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

    def deliver(self, records: list[dict[str, Any]], shard: str = "") -> None:
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
                if attempt < self.retries:
                    self.stopping.wait(faults.stream_retry_delay(min(2 ** attempt * 0.2, 5)))
        if self.on_failure is None:
            log.error("%s: giving up on %d stream records after %d retries (no on-failure destination)",
                      self.function, len(wanted), self.retries)
            return
        message = on_failure_message(self.function, self.region, self.stream_arn, shard, wanted, self.retries + 1)
        self.sqs.send_message(QueueUrl=self.on_failure, MessageBody=json.dumps(message))
        log.error("%s: %d stream records failed %d times; their pointers went to the on-failure queue "
                  "(python -m infra.redrive republishes them)", self.function, len(wanted), self.retries + 1)


def on_failure_message(function: str, region: str, stream_arn: str, shard: str, records: list[dict[str, Any]],
                       invocations: int) -> dict[str, Any]:
    """What Lambda sends a DynamoDB stream source's on-failure destination: where the failed batch
    is, not its records (AWS Lambda developer guide, "Retaining discarded records")."""
    def arrival(record: dict[str, Any]) -> str:
        at = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
        moment = at if isinstance(at, datetime) else datetime.fromtimestamp(float(at or time.time()), UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {
        "requestContext": {"requestId": str(uuid.uuid4()), "condition": "RetryAttemptsExhausted",
                           "functionArn": f"arn:aws:lambda:{region}:123456789012:function:{function}",
                           "approximateInvokeCount": invocations},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "DDBStreamBatchInfo": {
            "shardId": shard, "streamArn": stream_arn, "batchSize": len(records),
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": arrival(records[0]),
            "approximateArrivalOfLastRecord": arrival(records[-1]),
        },
    }


def start_pollers(stack: Stack, pool: FunctionPool, data_dir: Path) -> list[Poller]:
    pollers: list[Poller] = []
    arn_to_queue = {p.get("Arn"): p for p in stack.physical.values() if p.get("QueueName")}
    for function, _, props in stack.events_of("SQS"):
        arn = stack.resolve(props["Queue"])
        pollers.append(SqsPoller(pool, function, arn_to_queue[arn]["Ref"], arn, props, stack.region))
    for function, _, props in stack.events_of("DynamoDB"):
        if not stack.resolve(props["Stream"]):
            continue  # provisioned without streams (SHOPDESK_NO_STREAMS=1, benchmarks only)
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        on_failure = arn_to_queue[stack.resolve(destination)]["Ref"] if destination else None
        pollers.append(StreamPoller(pool, function, stack.resolve(props["Stream"]), props, stack.region,
                                    data_dir / "stream-checkpoints.json", on_failure))
    for p in pollers:
        p.start()
    return pollers
