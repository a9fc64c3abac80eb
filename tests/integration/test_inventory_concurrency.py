"""Never oversell: 200 concurrent reservations of one unit against 50 available, through the HTTP
API on the local cloud, for an ordinary SKU and for a flash-sale SKU split over 4 shards."""
from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.conftest import Api
from tests.integration.inventory import assert_ledger_consistent, movements, product, receive, stock

CLIENTS, REQUESTS, UNITS = 16, 200, 50


def rush(api: Api, prd: dict, sku_id: str) -> Counter:
    """REQUESTS orders of one unit each, CLIENTS at a time; the answers' (status, code)."""
    local = threading.local()

    def one(_: int) -> tuple[int, str]:
        if not hasattr(local, "client"):  # one connection per client thread, like a real caller
            local.client = Api(api.base, api.token, api.shop_id)
        answer = local.client.post("/inventory/reservations", json={
            "order_id": f"ord_{uuid.uuid4().hex}", "lines": [{"sku_id": sku_id, "product_id": prd["id"], "qty": 1}]})
        code = answer.json().get("error", {}).get("code", "") if answer.status_code != 201 else ""
        return answer.status_code, code

    with ThreadPoolExecutor(CLIENTS) as pool:
        return Counter(pool.map(one, range(REQUESTS)))


@pytest.mark.parametrize("shards", [1, 4])
def test_200_concurrent_reservations_against_50_units_sell_exactly_50(owner: Api, shards: int):
    prd = product(owner)
    sku_id = prd["skus"][0]["id"]
    if shards > 1:
        put = owner.put(f"/inventory/stock/{sku_id}/settings",
                        json={"product_id": prd["id"], "shards": shards, "version": 0})
        assert put.status_code == 200, put.text
    receive(owner, prd, 0, UNITS)
    before = stock(owner, sku_id)["warehouses"][0]
    if shards > 1:  # the units are spread evenly over the shards
        assert sorted(s["available"] for s in before["shard_detail"]) == [12, 12, 13, 13]

    outcomes = rush(owner, prd, sku_id)

    assert outcomes == Counter({(201, ""): UNITS, (409, "insufficient_stock"): REQUESTS - UNITS}), outcomes
    after = stock(owner, sku_id)
    assert after["totals"] == {"on_hand": UNITS, "reserved": UNITS, "available": 0}
    if shards > 1:
        assert {s["shard"] for s in after["warehouses"][0]["shard_detail"]} == set(range(shards))
        assert all(s["available"] == 0 for s in after["warehouses"][0]["shard_detail"])
    assert len(movements(owner, sku_id, kind="reservation")) == UNITS
    assert_ledger_consistent(owner, sku_id)
