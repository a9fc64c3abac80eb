"""The catalog shows stock that inventory owns: totals and state on the list (a moment after the
stock changes: inventory event -> CatalogStockFunction -> product item -> indexer), the stock
state filter with and without keywords, and per-SKU available stock read fresh on the product."""
from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, eventually
from tests.integration.inventory import receive, reserve
from tests.integration.test_catalog_products import create


def listed(api: Api, **params: Any) -> dict[str, dict[str, Any]]:
    answer = api.get("/products", params={"limit": 100, **params})
    assert answer.status_code == 200, answer.text
    return {p["id"]: p for p in answer.json()["items"]}


def ids(api: Api, **params: Any) -> set[str]:
    return set(listed(api, **params))


def shows(api: Api, product_id: str, state: str, available: int) -> bool:
    row = listed(api).get(product_id)
    return bool(row) and (row["stock_state"], row["stock_available"]) == (state, available)


def product_item(shop_id: str, product_id: str) -> dict[str, Any]:
    from shared.catalog.tables import PRODUCT_SK, ProductRecord, product_pk

    item = ProductRecord.get(product_pk(shop_id, product_id), PRODUCT_SK, consistent_read=True)
    return {k: getattr(item, k) for k in ("stock_available", "stock_state", "stock_version", "version", "updated_at")}


def test_the_list_shows_and_filters_stock_as_inventory_changes_it(owner: Api, shop_id: str):
    shirt = create(owner, name="库存衬衫甲", colors=["白"], sizes=["S", "M"])
    other = create(owner, name="库存衬衫乙", colors=["黑"], sizes=["S", "M"])
    a, b = shirt["id"], other["id"]
    assert len(shirt["skus"]) == 2 and [s["available"] for s in shirt["skus"]] == [0, 0]
    assert (shirt["stock_state"], shirt["stock_available"]) == ("out", 0)

    # No stock yet: out of stock, and the filter finds both.
    eventually(lambda: ids(owner) == {a, b})
    assert shows(owner, a, "out", 0)
    assert ids(owner, stock_state="out") == {a, b}
    assert ids(owner, stock_state="in_stock") == set()

    # Received: in stock, available = the sum over SKUs.
    receive(owner, shirt, sku=0, qty=5)
    receive(owner, shirt, sku=1, qty=3)
    eventually(lambda: shows(owner, a, "in_stock", 8))
    assert ids(owner, stock_state="in_stock") == {a}
    assert ids(owner, stock_state="out") == {b}
    assert ids(owner, stock_state="in_stock", q="衬衫") == {a}
    assert ids(owner, stock_state="out", q="衬衫") == {b}
    assert ids(owner, stock_state="low", q="衬衫") == set()
    for sort in ("updated", "price"):
        assert ids(owner, stock_state="in_stock", sort=sort) == {a}
        assert ids(owner, stock_state="out", sort=sort, q="衬衫") == {b}
    # The product did not change: no new version, no new updated_at.
    item = product_item(shop_id, a)
    assert item["version"] == 1 and item["updated_at"] == shirt["updated_at"]

    # Fresh per-SKU stock on the product itself.
    read = owner.get(f"/products/{a}").json()
    assert [s["available"] for s in read["skus"]] == [5, 3]
    assert (read["stock_state"], read["stock_available"]) == ("in_stock", 8)

    # A safety stock above what is available: low.
    sku0 = shirt["skus"][0]["id"]
    answer = owner.put(f"/inventory/stock/{sku0}/settings", json={"product_id": a, "threshold": 6, "version": 0})
    assert answer.status_code == 200, answer.text
    eventually(lambda: shows(owner, a, "low", 8))
    assert ids(owner, stock_state="low") == {a}
    assert ids(owner, stock_state="low", q="衬衫甲") == {a}
    assert ids(owner, stock_state="in_stock") == set()

    # Everything reserved: out again.
    assert reserve(owner, "ord_stock_1", [(shirt, 0, 5), (shirt, 1, 3)]).status_code == 201
    eventually(lambda: shows(owner, a, "out", 0))
    assert ids(owner, stock_state="out") == {a, b}
    assert ids(owner, stock_state="out", q="衬衫") == {a, b}
    assert ids(owner, stock_state="low") == set()
    assert [s["available"] for s in owner.get(f"/products/{a}").json()["skus"]] == [0, 0]


def test_a_replayed_or_older_reading_changes_nothing(owner: Api, shop_id: str):
    from shared.catalog import stock_projection as stock
    from shared.inventory.events import StockAdjusted

    shirt = create(owner, name="重放衬衫", colors=["白"], sizes=["S", "M"])
    receive(owner, shirt, sku=0, qty=4)
    eventually(lambda: product_item(shop_id, shirt["id"])["stock_available"] == 4)
    before = product_item(shop_id, shirt["id"])
    event = StockAdjusted(shop_id=shop_id, resource_id=shirt["skus"][0]["id"], product_id=shirt["id"],
                          warehouse_id="wh_default", kind="purchase_receipt", delta=4, on_hand_after=4,
                          available_after=4)
    stock.Refresher()(event)  # delivered again
    assert product_item(shop_id, shirt["id"]) == before
    # A slow consumer holding an older reading never overwrites a newer one.
    assert not stock.write(shop_id, shirt["id"], stock.ProductStock(available=99, state="in_stock", version=1))
    assert product_item(shop_id, shirt["id"]) == before
    # Nor does anything happen for a deleted (or unknown) product.
    assert not stock.refresh(shop_id, "prd_unknown")


def test_an_unknown_stock_state_is_refused(owner: Api):
    answer = owner.get("/products", params={"stock_state": "plenty"})
    assert answer.status_code == 422, answer.text
    assert "stock_state" in answer.text
