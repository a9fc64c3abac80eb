"""Checkout (issue 11's bench): place order through the local gateway against a bare
TransactWriteItems of the same shape, and a crowd of orders on scarce stock.

1. **Place order, 3 lines**: one buyer places orders one after another through the gateway
   (buyer JWT, Chalice, re-pricing, reads, one TransactWriteItems) vs a bare TransactWriteItems of
   the same number of items on the same DynamoDB Local (3 conditional stock updates + the other
   puts, each with its condition). p50/p95 and the ratio (aim <= 2x); DynamoDB round trips per
   order by operation, from the local runtime's counters (``/__local/guard``; aim 1 read + 1
   transaction).
2. **The crowd**: ``ORDERS`` orders (1 unit each) from ``CLIENTS`` concurrent buyers on ``UNITS``
   units, for an ordinary SKU (the direct route) and a 4-shard flash-sale SKU (the queue:
   ``/order-requests``, then the request's result). Counted: orders that hold stock (must be
   ``UNITS``), sold-out answers (must be the rest), other answers (must be 0), and the stock
   afterwards (reserved = ``UNITS``, available 0; the movements sum to the counters).

    python -m tests.bench.checkout        (also part of make bench: --only orders)
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
from tests.bench.common import in_fresh_system, percentile, timed

ORDERS = int(os.environ.get("BENCH_CHECKOUT_ORDERS", "1000"))
CLIENTS = int(os.environ.get("BENCH_CHECKOUT_CLIENTS", "20"))
UNITS = int(os.environ.get("BENCH_CHECKOUT_UNITS", "100"))
SEQUENTIAL = int(os.environ.get("BENCH_CHECKOUT_SEQUENTIAL", "60"))
SHOP = "shp_demo"
HOME = {"name": "王芳", "mobile": "13912345678", "province": "330000", "city": "330100", "district": "330106",
        "detail": "文三路 90 号 7 幢"}


class Staff:
    def __init__(self, system: background.RunningSystem):
        tokens = requests.post(f"{system.url}/api/auth/signin",
                               json={"email": "owner@demo.shop", "password": "ShopDesk-demo-1"}, timeout=30).json()
        self.api = f"{system.url}/api"
        self.headers = {"Authorization": f"Bearer {tokens['id_token']}", "X-Shop-Id": SHOP}

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        return requests.request(method, f"{self.api}{path}", headers=self.headers, timeout=60, **kw)

    def product(self, skus: int, units: int, shards: int = 1) -> dict[str, Any]:
        tag = uuid.uuid4().hex[:6].upper()
        values = [f"款{n}" for n in range(skus)]
        made = self.call("POST", "/products", json={
            "name": f"结账压测 {tag}", "specs": [{"name": "款式", "values": values}],
            "skus": [{"values": [v], "price": 9900 + n * 100, "code": f"CK{tag}{n}"} for n, v in enumerate(values)]})
        assert made.status_code == 201, made.text
        prd = dict(made.json())
        for sku in prd["skus"]:
            if shards > 1:
                put = self.call("PUT", f"/inventory/stock/{sku['id']}/settings",
                                json={"product_id": prd["id"], "shards": shards, "version": 0})
                assert put.status_code == 200, put.text
            got = self.call("POST", "/inventory/receipts", json={"product_id": prd["id"], "sku_id": sku["id"], "qty": units})
            assert got.status_code == 201, got.text
        assert self.call("POST", f"/products/{prd['id']}/list", json={}).status_code == 200
        return prd

    def stock(self, sku_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/inventory/stock/{sku_id}").json()["totals"])

    def ledger(self, sku_id: str) -> str:
        """The inventory tests' check: counters = the sum of the movements, per warehouse and shard."""
        from tests.integration.conftest import Api
        from tests.integration.inventory import assert_ledger_consistent

        try:
            assert_ledger_consistent(Api(self.api.removesuffix("/api"), self.headers["Authorization"][7:], SHOP), sku_id)
        except AssertionError as broken:
            return f"BROKEN {broken}"
        return "ok"


class Buyer:
    """One storefront buyer signed in by SMS code (the code read back from the local cloud's SNS)."""

    def __init__(self, system: background.RunningSystem):
        from tests.integration.buyers import sign_in_buyer

        signed = sign_in_buyer(system, SHOP)
        self.base = f"{system.url}/api/storefront/{SHOP}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {signed.token}"
        self.address = self.post("/addresses", json=HOME).json()["id"]

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.http.post(f"{self.base}{path}", timeout=120, **kw)

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.base}{path}", timeout=60)

    def body(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        quote = self.post("/quote", json={"lines": lines, "province": HOME["province"]})
        assert quote.status_code == 200, quote.text
        return {"address_id": self.address, "lines": lines, "quote_hash": quote.json()["quote_hash"]}


def guard(system: background.RunningSystem) -> dict[str, Any]:
    return dict(requests.get(f"{system.url}/__local/guard", timeout=30).json())


def bench_place(system: background.RunningSystem, staff: Staff, buyer: Buyer) -> dict[str, Any]:
    prd = staff.product(3, 100_000)
    lines = [{"product_id": prd["id"], "sku_id": s["id"], "qty": 1} for s in prd["skus"]]
    body = buyer.body(lines)

    def place() -> None:
        answer = buyer.post("/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert answer.status_code == 201, answer.text

    for _ in range(5):
        place()  # warm the containers
    before = guard(system)
    api = timed(place, SEQUENTIAL)
    after = guard(system)
    trips = Counter({op: (after["api_dynamodb_calls"].get(op, 0) - before["api_dynamodb_calls"].get(op, 0)) / SEQUENTIAL
                     for op in after["api_dynamodb_calls"]})
    bare = bench_bare_transaction(system, writes=2 * len(lines) + 8)
    return {"api": api, "bare": bare, "trips": {k: v for k, v in trips.items() if v}}


def bench_bare_transaction(system: background.RunningSystem, writes: int) -> list[float]:
    """The same shape as place order's one transaction: 3 conditional counter updates and the rest
    conditional puts of order-sized items, on the orders and inventory tables."""
    import boto3

    ddb = boto3.client("dynamodb", endpoint_url=system.env["AWS_ENDPOINT_URL_DYNAMODB"], region_name=system.env["AWS_REGION"])
    inventory, orders = system.env["INVENTORY_TABLE"], system.env["ORDERS_TABLE"]
    counters = [{"pk": {"S": f"BENCH#{uuid.uuid4().hex}"}, "sk": {"S": "STOCK"}} for _ in range(3)]
    for key in counters:
        ddb.put_item(TableName=inventory, Item={**key, "available": {"N": "1000000"}, "reserved": {"N": "0"}})
    filler = {"S": "x" * 600}

    def once() -> None:
        order = uuid.uuid4().hex
        items: list[dict[str, Any]] = [
            {"Update": {"TableName": inventory, "Key": key, "ConditionExpression": "available >= :q",
                        "UpdateExpression": "SET available = available - :q, reserved = reserved + :q",
                        "ExpressionAttributeValues": {":q": {"N": "1"}}}} for key in counters]
        for n in range(writes - len(counters)):
            table = inventory if n < len(counters) else orders
            items.append({"Put": {"TableName": table, "ConditionExpression": "attribute_not_exists(pk)",
                                  "Item": {"pk": {"S": f"BENCH#{order}"}, "sk": {"S": f"ITEM#{n}"}, "body": filler}}})
        ddb.transact_write_items(TransactItems=items)

    for _ in range(5):
        once()
    return timed(once, SEQUENTIAL)


def bench_crowd(system: background.RunningSystem, staff: Staff, buyers: list[Buyer], *, flash: bool) -> dict[str, Any]:
    prd = staff.product(1, UNITS, shards=4 if flash else 1)
    sku_id = prd["skus"][0]["id"]
    lines = [{"product_id": prd["id"], "sku_id": sku_id, "qty": 1}]
    bodies = {id(b): b.body(lines) for b in buyers}
    turn = iter(range(ORDERS))
    lock = threading.Lock()

    def one(buyer: Buyer) -> list[str]:
        outcomes = []
        while True:
            with lock:
                if next(turn, None) is None:
                    return outcomes
            key = uuid.uuid4().hex
            if not flash:
                answer = buyer.post("/orders", json=bodies[id(buyer)], headers={"Idempotency-Key": key})
                outcomes.append("placed" if answer.status_code == 201 else
                                answer.json().get("error", {}).get("code", str(answer.status_code)))
                continue
            answer = buyer.post("/order-requests", json=bodies[id(buyer)], headers={"Idempotency-Key": key})
            if answer.status_code != 202:
                outcomes.append(answer.json().get("error", {}).get("code", str(answer.status_code)))
                continue
            request_id = answer.json()["request_id"]
            deadline = time.monotonic() + 300
            seen = answer.json()
            while seen["status"] == "queued" and time.monotonic() < deadline:
                time.sleep(0.25)
                seen = buyer.get(f"/order-requests/{request_id}").json()
            outcomes.append("placed" if seen["status"] == "placed" else
                            seen.get("error", {}).get("code", seen["status"]))

    started = time.perf_counter()
    with ThreadPoolExecutor(len(buyers)) as pool:
        outcomes = Counter(o for part in pool.map(one, buyers) for o in part)
    took = time.perf_counter() - started
    totals = staff.stock(sku_id)
    return {"outcomes": outcomes, "seconds": took, "stock": totals, "ledger": staff.ledger(sku_id)}


def run(system: background.RunningSystem) -> None:
    os.environ.update(system.env)
    from shared import aws, config

    config.reset()
    aws.reset()
    staff = Staff(system)
    buyers = [Buyer(system) for _ in range(CLIENTS)]
    place = bench_place(system, staff, buyers[0])
    api50, bare50 = percentile(place["api"], 50), percentile(place["bare"], 50)
    print(f"\nPlace order (3 lines), {SEQUENTIAL} in a row by one buyer (ms)")
    print(f"  {'':44}{'p50':>8}{'p95':>8}{'ratio':>8}")
    print(f"  {'bare TransactWriteItems, same shape':44}{bare50:8.1f}{percentile(place['bare'], 95):8.1f}{1:7.2f}x")
    print(f"  {'POST /storefront/{shop}/orders':44}{api50:8.1f}{percentile(place['api'], 95):8.1f}{api50 / bare50:7.2f}x")
    print("  (aim: <= 2x) DynamoDB round trips per order: "
          + ", ".join(f"{op} {n:.2f}" for op, n in sorted(place["trips"].items())))
    print(f"\nThe crowd: {ORDERS:,} orders of 1 unit from {CLIENTS} buyers at once on {UNITS} units")
    print(f"  {'':34}{'placed':>8}{'sold out':>10}{'other':>7}{'orders/s':>10}{'reserved':>10}{'available':>11}{'ledger':>8}")
    results = {"ordinary SKU (direct)": bench_crowd(system, staff, buyers, flash=False),
               "flash-sale SKU (4 shards, queue)": bench_crowd(system, staff, buyers, flash=True)}
    for name, r in results.items():
        o = r["outcomes"]
        other = sum(v for k, v in o.items() if k not in ("placed", "insufficient_stock"))
        ledger = r["ledger"][:8]
        print(f"  {name:34}{o['placed']:8}{o['insufficient_stock']:10}{other:7}{ORDERS / r['seconds']:10.1f}"
              f"{r['stock']['reserved']:10}{r['stock']['available']:11}{ledger:>8}")
        if other:
            print(f"    other answers: {dict((k, v) for k, v in o.items() if k not in ('placed', 'insufficient_stock'))}")
    for name, r in results.items():
        o = r["outcomes"]
        assert o["placed"] == UNITS and o["insufficient_stock"] == ORDERS - UNITS, (name, r)
        assert r["stock"]["reserved"] == UNITS and r["stock"]["available"] == 0 and r["ledger"] == "ok", (name, r)


def main() -> int:
    return in_fresh_system(run, "shopdesk-bench-checkout-")


if __name__ == "__main__":
    sys.exit(main())
