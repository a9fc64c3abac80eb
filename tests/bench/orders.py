"""Orders (issue 11): the desk's list page cost against the shop's order history.

Two shops on the same DynamoDB Local, one with ``SMALL`` orders and one with ``LARGE`` orders of
~90 days (written by ``infra.seed_orders.seed_history``: the same items the domain writes, in
batches); the desk's first page of a tab, the counts, and a look-up by buyer mobile, through the
local gateway, for both shops, interleaved; the ratio large/small is the figure (aim <= 1.2x:
the cost is flat in history size, because every list is one Query of an index page).
Round trips and items read per request come from the local runtime's counters
(``/__local/guard``). ``BENCH_DATA_DIR`` keeps the shops between runs.

    python -m tests.bench.orders         (also part of make bench: --only orders)
"""
from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from infra import background
from tests.bench.common import percentile

SMALL = int(os.environ.get("BENCH_ORDERS_SMALL", "1000"))
LARGE = int(os.environ.get("BENCH_ORDERS_LARGE", "100000"))
REQUESTS = int(os.environ.get("BENCH_ORDERS_REQUESTS", "60"))
PASSWORD = "Bench-pass-1"
PAGE = 20
ENV = {"SHOPDESK_COUNT_CAPACITY": "1", "SHOPDESK_NO_STREAMS": "1", "SHOPDESK_TTL_SWEEP_SECONDS": "0",
       **({} if os.environ.get("BENCH_DATA_DIR") else {"SHOPDESK_DYNAMODB_IN_MEMORY": "1"})}
SPECS = [("连衣裙", 25900), ("T恤", 7900), ("衬衫", 15900), ("半身裙", 18900), ("围巾", 39900), ("托特包", 8900)]


def create_shop(label: str, orders: int) -> dict[str, Any]:
    """A shop with an owner, six products on shelf (two SKUs each) and ``orders`` orders."""
    from infra.seed_orders import seed_history
    from shared.auth.context import AuthContext
    from shared.auth.permissions import ALL
    from shared.catalog import products, shelf
    from shared.catalog.models import ProductCreate
    from shared.identity import access, signin

    email = f"owner@{label}.bench"
    shop_id = access.create_shop(f"订单基准 {label}")
    user_id = signin.create_staff_login(email, PASSWORD)
    access.upsert_user(user_id, email, "店主")
    access.add_member(user_id, shop_id, {"owner"})
    ctx = AuthContext(user_id=user_id, email=email, shop_id=shop_id, roles=frozenset({"owner"}), permissions=ALL)
    made_ids = []
    for n, (name, price) in enumerate(SPECS):
        made = products.create(ctx, ProductCreate.model_validate({
            "name": f"{name} {n}", "specs": [{"name": "颜色", "values": ["黑", "白"]}],
            "skus": [{"values": ["黑"], "price": price, "code": f"{label}{n}A"},
                     {"values": ["白"], "price": price + 500, "code": f"{label}{n}B"}]}))
        shelf.change(shop_id, ctx.actor, made.id, "list", None)
        made_ids.append(made.id)
    started = time.monotonic()
    tabs = seed_history(shop_id, orders=orders, seed=orders, timeline=False, recent=False, product_ids=made_ids)
    print(f"  {label}: {sum(tabs.values())} orders written in {time.monotonic() - started:.0f} s "
          f"({', '.join(f'{t} {n}' for t, n in sorted(tabs.items()))})", flush=True)
    return {"shop_id": shop_id, "email": email, "orders": orders}


def prepare(system: background.RunningSystem, data_dir: Path) -> dict[str, dict[str, Any]]:
    from shared import aws, config

    os.environ.update(system.env)
    config.reset()
    aws.reset()
    marker = data_dir / "bench-orders.json"
    shops = json.loads(marker.read_text()) if marker.exists() else {}
    for label, n in (("small", SMALL), ("large", LARGE)):
        if shops.get(label, {}).get("orders") != n:
            shops[label] = create_shop(label, n)
            marker.write_text(json.dumps(shops))
    return dict(shops)


def guard(system: background.RunningSystem) -> dict[str, Any]:
    return dict(requests.get(f"{system.url}/__local/guard", timeout=30).json())


def bench_history(system: background.RunningSystem, data_dir: Path) -> list[dict[str, Any]]:
    shops = prepare(system, data_dir)
    http = requests.Session()
    heads = {}
    for label, shop in shops.items():
        token = http.post(f"{system.url}/api/auth/signin", json={"email": shop["email"], "password": PASSWORD},
                          timeout=30).json()["id_token"]
        heads[label] = {"Authorization": f"Bearer {token}", "X-Shop-Id": shop["shop_id"]}

    def mobile_of(label: str) -> str:
        from shared.orders.tables import OrderRecord, tab_pk

        pk = tab_pk(shops[label]["shop_id"], "completed")
        first = next(iter(OrderRecord.by_tab.query(pk, limit=1)))  # type: ignore[no-untyped-call]
        return str(first.buyer_mobile)

    from datetime import timedelta

    from shared import clock

    since = clock.iso(clock.now() - timedelta(days=7))[:10]
    mobiles = {label: mobile_of(label)[-11:] for label in shops}
    second: dict[str, str] = {}
    for label in shops:
        first = http.get(f"{system.url}/api/orders", params={"tab": "completed", "limit": str(PAGE)}, headers=heads[label],
                         timeout=60).json()
        second[label] = str(first["next_cursor"])
    completed: dict[str, Any] = {"tab": "completed", "limit": PAGE}
    scenarios: dict[str, Callable[[str], tuple[str, dict[str, Any]]]] = {
        "first page of 已完成 (completed)": lambda label: ("/api/orders", completed),
        "second page of 已完成": lambda label: ("/api/orders", {**completed, "cursor": second[label]}),
        "last 7 days of 已完成": lambda label: ("/api/orders", {**completed, "from": since}),
        "tab counts": lambda label: ("/api/orders/counts", {}),
        "by buyer mobile": lambda label: ("/api/orders", {"mobile": mobiles[label], "limit": PAGE}),
    }

    def get(label: str, scenario: str) -> dict[str, Any]:
        path, params = scenarios[scenario](label)
        answer = http.get(f"{system.url}{path}", params=params, headers=heads[label],  # type: ignore[arg-type]
                          timeout=60)
        assert answer.status_code == 200, (scenario, answer.text)
        return dict(answer.json())

    samples: dict[tuple[str, str], list[float]] = {}
    usage: dict[tuple[str, str], list[int]] = {}  # round trips, items read, requests
    for scenario in scenarios:
        for label in shops:
            for _ in range(3):
                get(label, scenario)  # warm
    for _ in range(5):  # interleaved rounds: both shops see the same machine load
        for scenario in scenarios:
            for label in shops:
                before = guard(system)
                for _ in range(REQUESTS // 5):
                    t = time.perf_counter()
                    get(label, scenario)
                    samples.setdefault((scenario, label), []).append((time.perf_counter() - t) * 1000)
                after = guard(system)
                calls = sum(after["api_dynamodb_calls"].values()) - sum(before["api_dynamodb_calls"].values())
                items = after["api_items_read"] - before["api_items_read"]
                u = usage.setdefault((scenario, label), [0, 0, 0])
                u[0], u[1], u[2] = u[0] + calls, u[1] + items, u[2] + REQUESTS // 5
    print(f"\nOrder desk: {SMALL:,} vs {LARGE:,} orders of ~90 days in two shops, {PAGE} per page, "
          f"{REQUESTS} requests each (ms; per request: DynamoDB round trips incl. sign-in checks, items read)")
    print(f"  {'':34}{'small p50':>10}{'large p50':>10}{'ratio':>8}{'small p95':>10}{'large p95':>10}"
          f"{'trips':>7}{'items s/l':>11}")
    rows = []
    for scenario in scenarios:
        s, lg = samples[(scenario, "small")], samples[(scenario, "large")]
        us, ul = usage[(scenario, "small")], usage[(scenario, "large")]
        row = {"scenario": scenario, "small_p50": percentile(s, 50), "large_p50": percentile(lg, 50),
               "ratio": percentile(lg, 50) / percentile(s, 50), "trips": ul[0] / ul[2],
               "items": (us[1] / us[2], ul[1] / ul[2])}
        rows.append(row)
        print(f"  {scenario:34}{percentile(s, 50):10.1f}{percentile(lg, 50):10.1f}"
              f"{percentile(lg, 50) / percentile(s, 50):7.2f}x{percentile(s, 95):10.1f}{percentile(lg, 95):10.1f}"
              f"{ul[0] / ul[2]:7.1f}{us[1] / us[2]:5.0f}/{ul[1] / ul[2]:<5.0f}")
    print("  (aim: ratio <= 1.2x at p50 - the cost is flat in history size)")
    return rows


def run(data_dir: Path) -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    system = background.start(data_dir, extra_env=ENV, timeout=600)
    try:
        bench_history(system, data_dir)
    finally:
        system.stop()


def main() -> int:
    import tempfile

    kept = os.environ.get("BENCH_DATA_DIR")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        run(Path(kept))
        return 0
    with tempfile.TemporaryDirectory(prefix="shopdesk-bench-orders-") as tmp:
        run(Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
