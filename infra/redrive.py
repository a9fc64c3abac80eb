"""Redrive: run the stream batches that failed past their retries again.

When a DynamoDB stream batch still fails after ``MaximumRetryAttempts`` (EventBridge down, a
bug), Lambda (and the local runtime's poller) sends the event source's on-failure queue
(``DestinationConfig.OnFailure``) a message that says WHERE the batch is (stream, shard, first
and last sequence number), not the records. Redrive takes each message, reads the records back
from the stream (``AT_SEQUENCE_NUMBER``), keeps those the function's ``FilterCriteria`` lets
through, invokes the function with them, and deletes the message only once that succeeded. The
functions are idempotent on their side (outbox events carry ``event_id``, consumers de-duplicate;
the catalog indexer is level-triggered), so a batch run twice changes nothing twice.

DynamoDB Streams keep records for 24 hours: a message older than that names records that are
gone, and redrive reports it as ``expired`` and keeps it (docs/security.md "No event is lost" says
what to do then; the outbox items themselves stay 7 days in their table).

    python -m infra.redrive                       # the local system started by `make run`
    python -m infra.redrive --data-dir DIR        # ... whose data folder is DIR
    python -m infra.redrive --aws --stack NAME    # a deployed stack (AWS credentials; --dry-run)
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.stack import ROOT, Stack

STREAM_PAGE = 1000


@dataclass
class Source:
    """One stream event source with an on-failure queue."""

    function: str  # logical id
    queue_url: str
    filters: list[dict[str, Any]] = field(default_factory=list)


def sources(stack: Stack, queue_url_of: Callable[[str], str]) -> list[Source]:
    """The template's stream event sources that have an on-failure queue. ``queue_url_of`` maps
    the queue's logical id to its URL (the local stack state, or the deployed stack)."""
    found = []
    for function, _, props in stack.events_of("DynamoDB"):
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if not destination:
            continue
        queue = destination["Fn::GetAtt"][0]
        filters = [json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])]
        found.append(Source(function=function, queue_url=queue_url_of(queue), filters=filters))
    return found


def redrive(found: list[Source], sqs: Any, streams: Any, invoke: Callable[[str, dict[str, Any]], Any],
            dry_run: bool = False) -> dict[str, Any]:
    """Every message of every source's queue: read back, invoke, delete. Returns a report."""
    from infra.runtime.pollers import matches

    report: dict[str, Any] = {"redriven": 0, "records": 0, "failed": 0, "expired": 0, "functions": {}}
    for source in found:
        done = report["functions"].setdefault(source.function, 0)
        while True:
            # Messages that fail stay invisible for a minute: the loop ends once every one was seen.
            messages = sqs.receive_message(QueueUrl=source.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           VisibilityTimeout=60).get("Messages", [])
            if not messages:
                break
            for message in messages:
                info = json.loads(message["Body"])["DDBStreamBatchInfo"]
                records = read_batch(streams, info)
                wanted = [r for r in records if not source.filters or any(matches(f, r) for f in source.filters)]
                if len(wanted) < int(info.get("batchSize", 0)):
                    report["expired"] += 1  # past the stream's 24 hours: kept for a person to decide
                    continue
                if dry_run:
                    report["records"] += len(wanted)
                    continue
                try:
                    invoke(source.function, {"Records": [{**r, "eventSourceARN": info["streamArn"]} for r in wanted]})
                except Exception as exc:  # stays in the queue; shown to whoever runs the redrive
                    report["failed"] += 1
                    report.setdefault("errors", []).append(f"{source.function}: {exc}"[:300])
                    continue
                sqs.delete_message(QueueUrl=source.queue_url, ReceiptHandle=message["ReceiptHandle"])
                report["redriven"] += 1
                report["records"] += len(wanted)
                done += 1
        report["functions"][source.function] = done
    return report


def read_batch(streams: Any, info: dict[str, Any]) -> list[dict[str, Any]]:
    """The records from ``startSequenceNumber`` to ``endSequenceNumber`` of one shard ([] when
    the stream no longer holds them)."""
    first, last = int(info["startSequenceNumber"]), int(info["endSequenceNumber"])
    try:
        iterator = streams.get_shard_iterator(StreamArn=info["streamArn"], ShardId=info["shardId"],
                                              ShardIteratorType="AT_SEQUENCE_NUMBER",
                                              SequenceNumber=info["startSequenceNumber"])["ShardIterator"]
    except Exception as exc:
        if type(exc).__name__ in ("TrimmedDataAccessException", "ResourceNotFoundException"):
            return []
        raise
    records: list[dict[str, Any]] = []
    empty = 0
    while iterator and empty < 5:
        page = streams.get_records(ShardIterator=iterator, Limit=STREAM_PAGE)
        got = page.get("Records", [])
        empty = 0 if got else empty + 1
        for record in got:
            sequence = int(record["dynamodb"]["SequenceNumber"])
            if sequence > last:
                return records
            if sequence >= first:
                records.append(record)
        if records and int(records[-1]["dynamodb"]["SequenceNumber"]) == last:
            return records
        iterator = page.get("NextShardIterator")
    return records


# -- against a deployed stack -----------------------------------------------------------------------------
def redrive_aws(stack_name: str, region: str | None, dry_run: bool) -> dict[str, Any]:
    """The same redrive against AWS: the template says which sources exist, CloudFormation
    where they are, and each function is invoked with its records (``lambda:InvokeFunction``)."""
    import boto3

    session = boto3.session.Session(region_name=region)
    cfn = session.client("cloudformation")
    physical: dict[str, str] = {}
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for res in page["StackResourceSummaries"]:
            physical[res["LogicalResourceId"]] = res["PhysicalResourceId"]
    stack = Stack.load(region=session.region_name or "", prefix=stack_name)
    lam = session.client("lambda")

    def invoke(function: str, event: dict[str, Any]) -> Any:
        answer = lam.invoke(FunctionName=physical[function], InvocationType="RequestResponse",
                            Payload=json.dumps(event, default=str).encode())
        payload = answer["Payload"].read()
        if answer.get("FunctionError"):
            raise RuntimeError(payload.decode()[:300])
        return json.loads(payload or b"null")

    return redrive(sources(stack, lambda logical: physical[logical]), session.client("sqs"),
                   session.client("dynamodbstreams"), invoke, dry_run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".data", help="the local system's data folder")
    parser.add_argument("--aws", action="store_true", help="redrive a deployed stack instead")
    parser.add_argument("--stack", help="the deployed stack's name (with --aws)")
    parser.add_argument("--region", help="its region (with --aws; default: your AWS configuration's)")
    parser.add_argument("--dry-run", action="store_true", help="(with --aws) count what would be redriven")
    args = parser.parse_args(argv)
    if args.aws:
        if not args.stack:
            parser.error("--aws needs --stack")
        report = redrive_aws(args.stack, args.region, args.dry_run)
    else:
        import requests

        running = args.data_dir / "running.json"
        if not running.exists():
            print(f"No ShopDesk is running on {args.data_dir} (start it with `make run`).", file=sys.stderr)
            return 3
        url = json.loads(running.read_text())["url"]
        answer = requests.post(f"{url}/__local/redrive", json={}, timeout=600)
        answer.raise_for_status()
        report = answer.json()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if report.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
