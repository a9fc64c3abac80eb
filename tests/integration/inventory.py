"""Helpers of the inventory tests: a product with SKUs from the catalog API, postings, and the
ledger check (on hand and reserved = the sums of the movements, per warehouse)."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from tests.integration.conftest import Api
from tests.integration.test_catalog_products import create


def product(api: Api, sizes: list[str] | None = None) -> dict[str, Any]:
    """A product with 2 colours x sizes SKUs (codes unique per call)."""
    return create(api, sizes=sizes or ["S", "M"])


def receive(api: Api, prd: dict[str, Any], sku: int | str = 0, qty: int = 10, warehouse_id: str | None = None,
            expect: int = 201) -> dict[str, Any]:
    sku_id = prd["skus"][sku]["id"] if isinstance(sku, int) else sku
    body: dict[str, Any] = {"product_id": prd["id"], "sku_id": sku_id, "qty": qty}
    if warehouse_id:
        body["warehouse_id"] = warehouse_id
    answer = api.post("/inventory/receipts", json=body)
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


def stock(api: Api, sku_id: str) -> dict[str, Any]:
    answer = api.get(f"/inventory/stock/{sku_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def by_warehouse(api: Api, sku_id: str) -> dict[str, tuple[int, int, int]]:
    return {w["warehouse_id"]: (w["on_hand"], w["reserved"], w["available"]) for w in stock(api, sku_id)["warehouses"]}


def movements(api: Api, sku_id: str, **filters: Any) -> list[dict[str, Any]]:
    out, cursor = [], None
    while True:
        params = {"sku_id": sku_id, "limit": 100, **filters, **({"cursor": cursor} if cursor else {})}
        answer = api.get("/inventory/movements", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        out += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def assert_ledger_consistent(api: Api, sku_id: str) -> None:
    """For every warehouse: on hand = sum of on-hand deltas, reserved = sum of reserved deltas,
    available = on hand - reserved >= 0; and each movement's balance follows the one before."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    history = movements(api, sku_id)
    for m in history:
        sums[m["warehouse_id"]][0] += m["on_hand_delta"]
        sums[m["warehouse_id"]][1] += m["reserved_delta"]
    current = by_warehouse(api, sku_id)
    for warehouse_id, (on_hand, reserved, available) in current.items():
        assert (on_hand, reserved) == tuple(sums.get(warehouse_id, [0, 0])), (warehouse_id, current, dict(sums))
        assert available == on_hand - reserved and available >= 0
    per_shard: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for m in reversed(history):  # oldest first
        per_shard[(m["warehouse_id"], m["shard"])].append(m)
    for moves in per_shard.values():
        balance = 0
        for m in moves:
            balance += m["on_hand_delta"]
            assert m["on_hand_after"] == balance, m


def reserve(api: Api, order_id: str, lines: list[tuple[dict[str, Any], int, int]], **extra: Any) -> Any:
    """lines: (product, sku index, qty)"""
    body = {"order_id": order_id, "lines": [{"sku_id": p["skus"][i]["id"], "product_id": p["id"], "qty": q}
                                            for p, i, q in lines], **extra}
    return api.post("/inventory/reservations", json=body)
