"""Reservation throughput: 16 concurrent clients reserving one unit per order through the local
HTTP API (gateway, JWT and membership checks, Chalice, reads + one TransactWriteItems), for an
ordinary SKU and a 4-shard flash-sale SKU, against the baseline of a bare conditional UpdateItem
(``available = available - 1 IF available >= 1``) on the same table in the same run. More
requests than units are sent, so every run also counts oversells (must be 0).

    python -m tests.bench.reservations      (also part of make bench)
"""
from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from infra import background
from tests.bench.common import in_fresh_system

CLIENTS = 16
UNITS = int(os.environ.get("BENCH_UNITS", "300"))
REQUESTS = int(UNITS * 1.2)


def _session(system: background.RunningSystem) -> tuple[dict[str, str], str]:
    tokens = requests.post(f"{system.url}/api/auth/signin",
                           json={"email": "owner@demo.shop", "password": "ShopDesk-demo-1"}, timeout=30).json()
    return {"Authorization": f"Bearer {tokens['id_token']}", "X-Shop-Id": "shp_demo"}, f"{system.url}/api"


def _product(api: str, headers: dict[str, str]) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6].upper()
    answer = requests.post(f"{api}/products", headers=headers, timeout=30, json={
        "name": f"压测商品 {tag}", "specs": [{"name": "颜色", "values": ["红", "蓝"]}],
        "skus": [{"values": ["红"], "price": 100, "code": f"B{tag}1"}, {"values": ["蓝"], "price": 100, "code": f"B{tag}2"}]})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _hammer(call: Any) -> tuple[Counter[Any], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = Counter(pool.map(lambda _: call(), range(REQUESTS)))
    return outcomes, time.perf_counter() - started


def bench_api(api: str, headers: dict[str, str], prd: dict[str, Any], sku: int, shards: int) -> dict[str, Any]:
    sku_id = prd["skus"][sku]["id"]
    if shards > 1:
        put = requests.put(f"{api}/inventory/stock/{sku_id}/settings", headers=headers, timeout=30,
                           json={"product_id": prd["id"], "shards": shards, "version": 0})
        assert put.status_code == 200, put.text
    receipt = requests.post(f"{api}/inventory/receipts", headers=headers, timeout=30,
                            json={"product_id": prd["id"], "sku_id": sku_id, "qty": UNITS})
    assert receipt.status_code == 201, receipt.text
    local = threading.local()

    def reserve() -> int:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        answer = local.http.post(f"{api}/inventory/reservations", headers=headers, timeout=60, json={
            "order_id": f"bench-{uuid.uuid4().hex}", "lines": [{"sku_id": sku_id, "product_id": prd["id"], "qty": 1}]})
        return answer.status_code

    outcomes, took = _hammer(reserve)
    after = requests.get(f"{api}/inventory/stock/{sku_id}", headers=headers, timeout=30).json()["totals"]
    return {"outcomes": outcomes, "seconds": took, "ok": outcomes[201], "after": after,
            "oversold": max(0, outcomes[201] - UNITS) + max(0, -after["available"])}


def bench_bare(system: background.RunningSystem) -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    table = system.env["INVENTORY_TABLE"]
    key = {"pk": {"S": f"BENCH#{uuid.uuid4().hex}"}, "sk": {"S": "COUNTER"}}
    config = Config(max_pool_connections=CLIENTS, retries={"max_attempts": 10, "mode": "standard"})

    def make() -> Any:
        return boto3.client("dynamodb", endpoint_url=system.env["AWS_ENDPOINT_URL_DYNAMODB"],
                            region_name=system.env["AWS_REGION"], config=config)

    ddb = make()
    ddb.put_item(TableName=table, Item={**key, "available": {"N": str(UNITS)}})
    local = threading.local()

    def take() -> int:
        if not hasattr(local, "ddb"):
            local.ddb = make()
        try:
            local.ddb.update_item(TableName=table, Key=key, UpdateExpression="SET available = available - :one",
                                  ConditionExpression="available >= :one", ExpressionAttributeValues={":one": {"N": "1"}})
            return 201
        except local.ddb.exceptions.ConditionalCheckFailedException:
            return 409

    outcomes, took = _hammer(take)
    left = int(ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["available"]["N"])
    ddb.delete_item(TableName=table, Key=key)
    return {"outcomes": outcomes, "seconds": took, "ok": outcomes[201], "after": {"available": left},
            "oversold": max(0, outcomes[201] - UNITS) + max(0, -left)}


def run(system: background.RunningSystem) -> None:
    os.environ.update(system.env)
    headers, api = _session(system)
    prd = _product(api, headers)
    results = {"bare conditional UpdateItem": bench_bare(system),
               "API reserve, ordinary SKU": bench_api(api, headers, prd, 0, 1),
               "API reserve, 4-shard SKU": bench_api(api, headers, prd, 1, 4)}
    base = results["bare conditional UpdateItem"]
    print(f"\nReservations: {CLIENTS} concurrent clients, {REQUESTS} requests for {UNITS} units each")
    print(f"  {'':30}{'req/s':>8}{'sold/s':>8}{'ok':>6}{'refused':>9}{'oversold':>10}{'ratio':>8}")
    for name, r in results.items():
        rate = REQUESTS / r["seconds"]
        refused = sum(v for k, v in r["outcomes"].items() if k != 201)
        print(f"  {name:30}{rate:8.1f}{r['ok'] / r['seconds']:8.1f}{r['ok']:6}{refused:9}{r['oversold']:10}"
              f"{rate / (REQUESTS / base['seconds']):7.2f}x")
    for name, r in results.items():
        assert r["oversold"] == 0 and r["ok"] == UNITS, (name, r)


def main() -> int:
    return in_fresh_system(run, "shopdesk-bench-")


if __name__ == "__main__":
    sys.exit(main())
