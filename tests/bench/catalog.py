"""The catalog with 10,000 products (issue 4): search and filtered list pages through the local
gateway vs one bare Query page of the catalog table, in the same run.

Seeding calls ``shared.catalog.products.create`` (and ``shelf.change``) in this process on a
thread pool, against the running system's local cloud: the same transactions the API makes,
without 10,000 HTTP round trips, and ``indexer.reconcile`` for each product (what the stream
indexer does, done at once: the system runs without streams here, see ``ENV``).
``BENCH_DATA_DIR`` keeps the data between runs (a second run skips seeding).

Per page: latency p50/p95 over ``BENCH_CATALOG_REQUESTS`` requests, and from the local
runtime's counters (``/__local/guard``, ``SHOPDESK_COUNT_CAPACITY=1``) the DynamoDB round trips
of the request (sign-in checks included), the items read and the read capacity DynamoDB
reports for them.
"""
from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from infra import background
from tests.bench.catalog_data import catalog, leaves
from tests.bench.common import percentile, timed

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
REQUESTS = int(os.environ.get("BENCH_CATALOG_REQUESTS", "50"))
SEED_CHUNK = 250
IDLE_WAIT = float(os.environ.get("BENCH_IDLE_WAIT", "1200"))
PAGE = 20  # the admin list's page size (frontend ProductListPage)
OWNER = "owner@bench.shop"
PASSWORD = "Bench-pass-1"
# The system under test, tuned for 10,000 products on DynamoDB Local (docs/local-runtime.md):
# no streams (their records pile up and slow every write; the projections are built in-process
# below, as the stream indexer would), no TTL sweeps (a Scan of a big table stalls DynamoDB Local
# for seconds), and no SQLite file unless the data is kept for another run (BENCH_DATA_DIR).
ENV = {"SHOPDESK_COUNT_CAPACITY": "1", "SHOPDESK_NO_STREAMS": "1", "SHOPDESK_TTL_SWEEP_SECONDS": "0",
       **({} if os.environ.get("BENCH_DATA_DIR") else {"SHOPDESK_DYNAMODB_IN_MEMORY": "1"})}


# -- the shop ---------------------------------------------------------------------------------
def prepare(system: background.RunningSystem, data_dir: Path) -> dict[str, Any]:
    """The bench shop (created once per data folder) with ``PRODUCTS`` products, all indexed."""
    from shared import aws, config

    os.environ.update(system.env)
    config.reset()
    aws.reset()
    marker = data_dir / "bench-catalog.json"
    shop = json.loads(marker.read_text()) if marker.exists() else create_shop()
    marker.write_text(json.dumps(shop))
    if shop.get("products", 0) < PRODUCTS:
        seed(shop, lambda: marker.write_text(json.dumps(shop)))
    wait_indexed(system, shop)
    return shop


def create_shop() -> dict[str, Any]:
    from shared.catalog import categories
    from shared.catalog.categories import CategoryCreate
    from shared.identity import access, signin

    shop_id = access.create_shop("基准测试服饰旗舰店")
    user_id = signin.create_staff_login(OWNER, PASSWORD)
    access.upsert_user(user_id, OWNER, "店主")
    access.add_member(user_id, shop_id, {"owner"})
    ctx = _context(shop_id, user_id)
    ids: dict[tuple[str, ...], str] = {}
    for leaf in leaves():
        for depth in range(1, len(leaf.path) + 1):
            path = leaf.path[:depth]
            if path not in ids:
                ids[path] = categories.create(ctx, CategoryCreate(name=path[-1], parent_id=ids.get(path[:-1]))).id
    return {"shop_id": shop_id, "user_id": user_id, "categories": {"/".join(k): v for k, v in ids.items()}, "products": 0}


def _context(shop_id: str, user_id: str) -> Any:
    from shared.auth.context import AuthContext
    from shared.auth.permissions import ALL

    return AuthContext(user_id=user_id, email=OWNER, shop_id=shop_id, roles=frozenset({"owner"}), permissions=ALL)


def seed(shop: dict[str, Any], progress: Callable[[], None]) -> None:
    """Create the products not made yet, 8 at a time; ``shop["products"]`` (saved by ``progress``
    after every chunk) lets an interrupted run resume."""
    from shared.catalog import indexer, products, shelf
    from shared.catalog.categories import load_tree
    from shared.catalog.models import ProductCreate
    from shared.errors import Conflict

    ctx = _context(shop["shop_id"], shop["user_id"])
    tree = load_tree(ctx.shop_id)

    def one(item: tuple[Any, dict[str, Any], bool]) -> None:
        leaf, body, on_shelf = item
        body = {**body, "category_id": shop["categories"]["/".join(leaf.path)]}
        for attempt in range(10):
            try:
                created = products.create(ctx, ProductCreate.model_validate(body))
                break
            except Conflict as exc:
                if exc.code != "write_conflict":
                    return  # its codes are taken: made by a run that stopped in this chunk
                time.sleep(0.05 * (attempt + 1))  # another product's save counted in the same category
        else:
            raise RuntimeError(f"could not create {body['name']}")
        if on_shelf:
            shelf.change(ctx.shop_id, ctx.actor, created.id, "list", None)
        # What the indexer does with this product's stream records, done here at once: the local
        # stream poller, one thread in the system's process, lags far behind 8 writers.
        indexer.reconcile(ctx.shop_id, created.id, tree)

    everything = catalog(PRODUCTS)
    started, first = time.monotonic(), shop.get("products", 0)
    pool = ThreadPoolExecutor(8)
    try:
        for start in range(first, PRODUCTS, SEED_CHUNK):
            list(pool.map(one, everything[start:start + SEED_CHUNK]))
            shop["products"] = min(PRODUCTS, start + SEED_CHUNK)
            progress()
            print(f"  seeded {shop['products']}/{PRODUCTS} products, {time.monotonic() - started:.0f}s", flush=True)
    finally:
        pool.shutdown(cancel_futures=True)  # Ctrl-C: only the products being written are finished
    print(f"  seeding {PRODUCTS - first} products took {time.monotonic() - started:.0f}s", flush=True)


def indexed(shop_id: str) -> int:
    """Listing entries of "all products": one per indexed product."""
    from shared.aws import client
    from shared.catalog.tables import CatalogItem, listing_pk

    total, start = 0, None
    while True:
        kwargs: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
        page = client("dynamodb").query(TableName=CatalogItem.Meta.table_name, Select="COUNT",
                                        KeyConditionExpression="pk = :pk",
                                        ExpressionAttributeValues={":pk": {"S": listing_pk(shop_id, "ANY#ALL")}}, **kwargs)
        total += int(page["Count"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return total


def wait_indexed(system: background.RunningSystem, shop: dict[str, Any], timeout: float = 3600) -> None:
    started = last = time.monotonic()
    while True:
        count = indexed(shop["shop_id"])
        idle = requests.get(f"{system.url}/__local/idle", timeout=30).json()["idle"]
        took = time.monotonic() - started
        if count >= PRODUCTS and idle:
            print(f"  {count} products indexed, pollers idle ({took:.0f}s)", flush=True)
            return
        if count >= PRODUCTS and took > IDLE_WAIT:
            print(f"  {count} products indexed; the pollers are still busy after {took:.0f}s (the stream's "
                  "backlog, events to the audit log): measuring anyway", flush=True)
            return
        if time.monotonic() - last > 60:
            print(f"  {count} products indexed, pollers {'idle' if idle else 'busy'} ({took:.0f}s)", flush=True)
            last = time.monotonic()
        if took > timeout:
            raise TimeoutError(f"only {count} of {PRODUCTS} products indexed")
        time.sleep(5)


# -- the measurements -------------------------------------------------------------------------
def scenarios(shop: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    women = shop["categories"]["女装"]
    code = catalog(min(PRODUCTS, 1235))[-1][1]["skus"][0]["code"][1:7]  # part of a 商家编码: "J01234" of HJ01234-1
    return [
        ("browse: all, newest first", {}),
        ("search 连衣裙", {"q": "连衣裙"}),
        ("search 碎花 连衣裙 (two terms)", {"q": "碎花 连衣裙"}),
        (f"search {code} (part of a code)", {"q": code}),
        ("list 女装 subtree, on shelf, ¥100-300, by price", {"category_id": women, "status": "on_shelf",
                                                       "price_min": 10000, "price_max": 30000, "sort": "price",
                                                       "order": "asc"}),
        ("search 连衣裙 by price", {"q": "连衣裙", "sort": "price", "order": "asc"}),
        ("search 连衣裙 by price, page 2", {"q": "连衣裙", "sort": "price", "order": "asc", "page": 2}),
        ("search 裙 by price (over the bound)", {"q": "裙", "sort": "price", "order": "asc"}),
    ]


def guard(system: background.RunningSystem) -> dict[str, Any]:
    return dict(requests.get(f"{system.url}/__local/guard", timeout=30).json())


def bench_catalog(system: background.RunningSystem, data_dir: Path) -> list[dict[str, Any]]:
    import boto3

    shop = prepare(system, data_dir)
    signed = requests.post(f"{system.url}/api/auth/signin", json={"email": OWNER, "password": PASSWORD}, timeout=30)
    token = signed.json()["id_token"]
    http = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "X-Shop-Id": shop["shop_id"]}

    def get(params: dict[str, Any]) -> dict[str, Any]:
        answer = http.get(f"{system.url}/api/products", params={"limit": PAGE, **params}, headers=headers, timeout=60)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    from shared.catalog.tables import CatalogItem, listing_pk

    ddb = boto3.client("dynamodb", endpoint_url=system.env["AWS_ENDPOINT_URL_DYNAMODB"], region_name=system.env["AWS_REGION"])
    bare_params = {"TableName": CatalogItem.Meta.table_name, "KeyConditionExpression": "pk = :pk", "Limit": PAGE,
                   "ExpressionAttributeValues": {":pk": {"S": listing_pk(shop["shop_id"], "ANY#ALL")}},
                   "ReturnConsumedCapacity": "TOTAL"}

    def bare() -> dict[str, Any]:
        return dict(ddb.query(**bare_params))

    rows: list[dict[str, Any]] = []
    plan = scenarios(shop)
    requests_of: dict[str, dict[str, Any]] = {}
    for label, params in plan:
        if params.pop("page", 1) == 2:
            params = {**params, "cursor": get(params)["next_cursor"]}
        requests_of[label] = params
        timed(lambda p=params: get(p), 3)  # warm: containers, the category tree, connections
    timed(bare, 20)
    samples: dict[str, list[float]] = {label: [] for label, _ in plan}
    base: list[float] = []
    usage: dict[str, dict[str, Any]] = {}
    # Interleave rounds so that every figure sees the same machine load.
    for _ in range(5):
        for label, _ in plan:
            before = guard(system)
            samples[label] += timed(lambda p=requests_of[label]: get(p), REQUESTS // 5)
            after = guard(system)
            seen = usage.setdefault(label, {"calls": {}, "items": 0, "units": 0.0, "n": 0})
            for op, count in after["api_dynamodb_calls"].items():
                seen["calls"][op] = seen["calls"].get(op, 0) + count - before["api_dynamodb_calls"].get(op, 0)
            seen["items"] += after["api_items_read"] - before["api_items_read"]
            seen["units"] += after["api_read_units"] - before["api_read_units"]
            seen["n"] += REQUESTS // 5
        base += timed(bare, REQUESTS // 5)
    bare_page = bare()
    b50, b95 = percentile(base, 50), percentile(base, 95)
    print(f"\nCatalog, {PRODUCTS} products in one shop, {PAGE} per page, {len(base)} requests each (ms; per request: "
          "DynamoDB round trips incl. the sign-in checks, items read, read units DynamoDB reports)")
    print(f"  {'':52}{'p50':>8}{'p95':>8}{'x p50':>8}{'x p95':>8}  {'trips':>6}{'items':>7}{'RCU':>7}  shown")
    print(f"  {'bare Query page (baseline, boto3)':52}{b50:8.1f}{b95:8.1f}{1:7.1f}x{1:7.1f}x  {1:6d}"
          f"{bare_page['Count']:7d}{bare_page['ConsumedCapacity']['CapacityUnits']:7.1f}  {bare_page['Count']}")
    for label, _ in plan:
        s, u = samples[label], usage[label]
        page = get(requests_of[label])
        trips = sum(u["calls"].values()) / u["n"]
        shown = f"{len(page['items'])}{' +more' if page['next_cursor'] else ''}{' truncated' if page.get('truncated') else ''}"
        row = {"label": label, "p50": percentile(s, 50), "p95": percentile(s, 95), "trips": trips,
               "by_op": {op: c / u["n"] for op, c in sorted(u["calls"].items()) if c},
               "items": u["items"] / u["n"], "units": u["units"] / u["n"], "shown": shown}
        rows.append(row)
        print(f"  {label:52}{row['p50']:8.1f}{row['p95']:8.1f}{row['p50'] / b50:7.1f}x{row['p95'] / b95:7.1f}x  "
              f"{trips:6.1f}{row['items']:7.0f}{row['units']:7.1f}  {shown}")
    print("  round trips by operation:")
    for row in rows:
        print(f"    {row['label']:52}" + ", ".join(f"{op} {c:.1f}" for op, c in row["by_op"].items()))
    return rows


def run(data_dir: Path) -> None:
    # A background run (nohup, &) ignores SIGINT: let SIGTERM stop it cleanly (the system too).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    system = background.start(data_dir, extra_env=ENV, timeout=600)
    try:
        bench_catalog(system, data_dir)
    finally:
        system.stop()
