"""``make bench``: figures of the platform, each as a ratio to a baseline measured in the same run
on the same machine (never a timed assertion).

1. GET /api/settings through the local gateway (JWT check, membership check, Chalice, one
   GetItem) vs the bare DynamoDB GetItem it needs, p50 and p99.
2. Import (cold-start) time of each function module vs ``python -c "import boto3"``.
3. The catalog with 10,000 products: search and filtered list pages vs a bare Query page
   (``tests/bench/catalog.py``; seeding takes a while, ``BENCH_DATA_DIR`` keeps it between runs).
4. Stock reservations by 16 concurrent clients, ordinary and 4-shard SKU, vs a bare conditional
   UpdateItem; oversells counted (``tests/bench/reservations.py``).

5. Orders: place order vs a bare TransactWriteItems of the same shape, and 1,000 orders from 20
   buyers on 100 units, ordinary and flash-sale SKU (``tests/bench/checkout.py``); the desk's
   list pages with 1,000 vs 100,000 orders of history (``tests/bench/orders.py``).

``--only settings|cold|catalog|reservations|orders`` runs one of them (``make bench BENCH_ARGS="--only catalog"``).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from infra import background
from infra.stack import ROOT, Stack
from tests.bench.common import percentile, timed

N = int(os.environ.get("BENCH_REQUESTS", "400"))
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "7"))


def bench_settings(system: background.RunningSystem) -> None:
    import boto3

    os.environ.update(system.env)
    tokens = requests.post(f"{system.url}/api/auth/signin",
                           json={"email": "owner@demo.shop", "password": "ShopDesk-demo-1"}, timeout=30).json()
    http = requests.Session()
    headers = {"Authorization": f"Bearer {tokens['id_token']}", "X-Shop-Id": "shp_demo"}

    def via_gateway() -> None:
        r = http.get(f"{system.url}/api/settings", headers=headers, timeout=30)
        assert r.status_code == 200

    ddb = boto3.client("dynamodb", endpoint_url=system.env["AWS_ENDPOINT_URL_DYNAMODB"],
                       region_name=system.env["AWS_REGION"])
    table = system.env["SETTINGS_TABLE"]

    def bare() -> None:
        ddb.get_item(TableName=table, Key={"pk": {"S": "SHOP#shp_demo"}, "sk": {"S": "SETTINGS"}}, ConsistentRead=True)

    timed(via_gateway, 30)
    timed(bare, 30)
    # Interleave rounds so both see the same machine load.
    gw, base = [], []
    for _ in range(4):
        gw += timed(via_gateway, N // 4)
        base += timed(bare, N // 4)
    print(f"\nGET /api/settings through the local gateway, {len(gw)} requests each (ms)")
    print(f"  {'':28}{'p50':>8}{'p99':>8}")
    print(f"  {'gateway GET /api/settings':28}{percentile(gw, 50):8.2f}{percentile(gw, 99):8.2f}")
    print(f"  {'bare GetItem (baseline)':28}{percentile(base, 50):8.2f}{percentile(base, 99):8.2f}")
    print(f"  {'ratio':28}{percentile(gw, 50) / percentile(base, 50):7.2f}x{percentile(gw, 99) / percentile(base, 99):7.2f}x"
          "   (aim: <= 1.5x at p50)")


def import_time(code: str) -> float:
    import_once = [sys.executable, "-c", code]
    subprocess.run(import_once, cwd=ROOT, check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    runs = []
    for _ in range(COLD_RUNS):
        t = time.perf_counter()
        # Bytecode is cached, as in the deployed layer (its build precompiles with compileall).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=env)
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def bench_cold_start() -> None:
    stack = Stack.load(region="us-east-1", prefix="bench")
    baseline = import_time("import boto3")
    print(f"\nCold start: import of each function module, median of {COLD_RUNS} fresh interpreters (ms)")
    label = 'python -c "import boto3" (baseline)'
    print(f"  {label:44}{baseline:8.1f}")
    seen = set()
    for _, props in sorted(stack.functions().items()):
        module = (ROOT / props["CodeUri"] / (props["Handler"].rpartition(".")[0] + ".py")).resolve()
        if module in seen:
            continue
        seen.add(module)
        code = ("import importlib.util,sys; sys.path.insert(0, '.'); "
                f"s=importlib.util.spec_from_file_location('fn', {str(module)!r}); m=importlib.util.module_from_spec(s); "
                "s.loader.exec_module(m)")
        took = import_time(code)
        print(f"  {module.relative_to(ROOT)!s:44}{took:8.1f}   ratio {took / baseline:5.2f}x   (aim: <= 1.5x)")
    # Paid on the first invocation of an asynchronous function only (never by API cold starts).
    for label, code in (("+ consumer's batch utilities and models", "import boto3; "
                         "from aws_lambda_powertools.utilities.batch import BatchProcessor; "
                         "from aws_lambda_powertools.utilities.parser.models import SqsRecordModel"),
                        ("+ Tracer() (consumers, outbox publishers)", "import boto3; "
                         "from aws_lambda_powertools import Tracer; Tracer(service='bench')")):
        took = import_time(code)
        print(f"  {label:44}{took:8.1f}   (+{took - baseline:.0f} ms over the baseline, first invocation only)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["settings", "cold", "catalog", "reservations", "orders"], action="append",
                        help="run only these benchmarks (repeatable); default: all")
    chosen = set(parser.parse_args().only or ["settings", "cold", "catalog", "reservations", "orders"])
    if "cold" in chosen:
        bench_cold_start()
    if "settings" in chosen:
        with tempfile.TemporaryDirectory(prefix="shopdesk-bench-") as tmp:
            system = background.start(Path(tmp))
            try:
                bench_settings(system)
            finally:
                system.stop()
    if "catalog" in chosen:
        from tests.bench import catalog

        kept = os.environ.get("BENCH_DATA_DIR")
        if kept:
            catalog.run(Path(kept))
        else:
            with tempfile.TemporaryDirectory(prefix="shopdesk-bench-catalog-") as tmp:
                catalog.run(Path(tmp))
    if "reservations" in chosen:
        from tests.bench import reservations

        reservations.main()
    if "orders" in chosen:
        from tests.bench import checkout, orders

        checkout.main()
        orders.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
