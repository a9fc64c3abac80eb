"""Inventory (库存管理): stock per SKU and warehouse, the movement ledger, warehouses and
transfers, and order reservations; and the inventory table's outbox publisher.

Reservations are called by the orders capability (for now with ``inventory.edit``, see
docs/inventory.md)."""
from __future__ import annotations

from typing import Any

from shared.exports import ExportFile
from shared.http import ApiRequest, ShopApp
from shared.inventory import ledger, reservations, shards, stock_views, stocktake, warehouses
from shared.inventory.models import (
    Adjustment,
    Done,
    MovementExport,
    MovementQuery,
    MovementView,
    PostingView,
    Receipt,
    ReservationCreate,
    ReservationView,
    SkuStockView,
    StockQuery,
    StockRow,
    StockSettings,
    Transfer,
    WarehouseCreate,
    WarehouseList,
    WarehouseUpdate,
    WarehouseView,
)
from shared.observability import observed
from shared.pagination import Page

app = ShopApp("inventory")


# -- stock ------------------------------------------------------------------------------------------
@app.api("GET", "/inventory/stock", permission="inventory.view", query=StockQuery, response=Page[StockRow])
def list_stock(req: ApiRequest[None, StockQuery]) -> Page[StockRow]:
    """Stock of every SKU per warehouse: filter by warehouse, product, low stock only; paging."""
    return stock_views.list_stock(req.shop.shop_id, req.query)


@app.api("GET", "/inventory/stock/{sku_id}", permission="inventory.view", response=SkuStockView)
def get_stock(req: ApiRequest[None, None]) -> SkuStockView:
    """One SKU's stock in each warehouse, with totals (and shards of a flash-sale SKU)."""
    return stock_views.sku_view(req.shop.shop_id, req.path["sku_id"])


@app.api("PUT", "/inventory/stock/{sku_id}/settings", permission="inventory.edit", body=StockSettings,
         response=SkuStockView)
def put_stock_settings(req: ApiRequest[StockSettings, None]) -> SkuStockView:
    """Safety-stock threshold and shard count (flash sale) of a SKU in a warehouse (versioned)."""
    return shards.update_settings(req.shop, req.path["sku_id"], req.body)


@app.api("POST", "/inventory/receipts", permission="inventory.create", body=Receipt, response=PostingView,
         status=201, idempotent=True)
def post_receipt(req: ApiRequest[Receipt, None]) -> PostingView:
    """Goods received (入库) into a warehouse."""
    return ledger.receive(req.shop, req.body)


@app.api("POST", "/inventory/adjustments", permission="inventory.edit", body=Adjustment, response=PostingView,
         status=201, idempotent=True)
def post_adjustment(req: ApiRequest[Adjustment, None]) -> PostingView:
    """A manual correction (+/-) with its reason."""
    return ledger.adjust(req.shop, req.body)


@app.api("POST", "/inventory/transfers", permission="inventory.edit", body=Transfer, response=PostingView,
         status=201, idempotent=True)
def post_transfer(req: ApiRequest[Transfer, None]) -> PostingView:
    """Move units from one warehouse to another (one transaction)."""
    return ledger.transfer(req.shop, req.body)


# -- history ----------------------------------------------------------------------------------------
@app.api("GET", "/inventory/movements", permission="inventory.view", query=MovementQuery,
         response=Page[MovementView])
def list_movements(req: ApiRequest[None, MovementQuery]) -> Page[MovementView]:
    """A SKU's stock history, newest first: filter by warehouse, kind and time."""
    return ledger.history(req.shop.shop_id, req.query)


@app.api("POST", "/inventory/movements/export", permission="inventory.export", body=MovementExport,
         response=ExportFile)
def export_movements(req: ApiRequest[MovementExport, None]) -> ExportFile:
    """A SKU's stock history as CSV or XLSX (a download URL valid 15 minutes)."""
    result: ExportFile = ledger.export(req.shop.shop_id, req.body, req.shop.can("personal_data.view"))
    return result


# -- warehouses -------------------------------------------------------------------------------------
@app.api("GET", "/inventory/warehouses", permission="inventory.view", response=WarehouseList)
def list_warehouses(req: ApiRequest[None, None]) -> WarehouseList:
    """The shop's warehouses by priority (orders ship from the first with stock)."""
    return warehouses.list_view(req.shop.shop_id)


@app.api("POST", "/inventory/warehouses", permission="inventory.create", body=WarehouseCreate,
         response=WarehouseView, status=201, idempotent=True)
def create_warehouse(req: ApiRequest[WarehouseCreate, None]) -> WarehouseView:
    """Add a warehouse (code unique in the shop)."""
    return warehouses.create(req.shop, req.body)


@app.api("GET", "/inventory/warehouses/{warehouse_id}", permission="inventory.view", response=WarehouseView)
def get_warehouse(req: ApiRequest[None, None]) -> WarehouseView:
    """One warehouse."""
    return warehouses.view(warehouses.get(req.shop.shop_id, req.path["warehouse_id"]))


@app.api("PUT", "/inventory/warehouses/{warehouse_id}", permission="inventory.edit", body=WarehouseUpdate,
         response=WarehouseView)
def update_warehouse(req: ApiRequest[WarehouseUpdate, None]) -> WarehouseView:
    """Change name, code, address, priority, active (versioned)."""
    return warehouses.update(req.shop, req.path["warehouse_id"], req.body)


@app.api("DELETE", "/inventory/warehouses/{warehouse_id}", permission="inventory.delete", response=Done)
def delete_warehouse(req: ApiRequest[None, None]) -> Done:
    """Delete a warehouse that holds no stock (never the last active one)."""
    warehouses.delete(req.shop, req.path["warehouse_id"])
    return Done()


# -- reservations (called by orders) ----------------------------------------------------------------
@app.api("POST", "/inventory/reservations", permission="inventory.edit", body=ReservationCreate,
         response=ReservationView, status=201, idempotent=True)
def create_reservation(req: ApiRequest[ReservationCreate, None]) -> ReservationView:
    """Reserve every line of an order or none (idempotent by order id)."""
    return reservations.reserve(req.shop, req.body)


@app.api("GET", "/inventory/reservations/{order_id}", permission="inventory.view", response=ReservationView)
def get_reservation(req: ApiRequest[None, None]) -> ReservationView:
    """An order's reservation and where it stands."""
    return reservations.get(req.shop.shop_id, req.path["order_id"])


@app.api("POST", "/inventory/reservations/{order_id}/release", permission="inventory.edit",
         response=ReservationView)
def release_reservation(req: ApiRequest[None, None]) -> ReservationView:
    """Give the order's reserved units back (idempotent)."""
    return reservations.release(req.shop, req.path["order_id"])


@app.api("POST", "/inventory/reservations/{order_id}/deduct", permission="inventory.edit",
         response=ReservationView)
def deduct_reservation(req: ApiRequest[None, None]) -> ReservationView:
    """The order shipped: its reserved units leave stock (idempotent)."""
    return reservations.deduct(req.shop, req.path["order_id"])


# -- stocktake (盘点) -------------------------------------------------------------------------------
@app.api("GET", "/inventory/stocktakes", permission="inventory.view", query=stocktake.StocktakeQuery,
         response=Page[stocktake.StocktakeView])
def list_stocktakes(req: ApiRequest[None, stocktake.StocktakeQuery]) -> Page[stocktake.StocktakeView]:
    """The shop's stocktakes, newest first: filter by status and warehouse."""
    return stocktake.list_counts(req.shop.shop_id, req.query)


@app.api("POST", "/inventory/stocktakes", permission="inventory.create", body=stocktake.StocktakeOpen,
         response=stocktake.StocktakeView, status=201, idempotent=True)
def open_stocktake(req: ApiRequest[stocktake.StocktakeOpen, None]) -> stocktake.StocktakeView:
    """Open a count of a warehouse (or one category of it): snapshots the expected units per SKU."""
    return stocktake.open_count(req.shop, req.body)


@app.api("GET", "/inventory/stocktakes/{stocktake_id}", permission="inventory.view", query=stocktake.LineQuery,
         response=stocktake.StocktakeDetail)
def get_stocktake(req: ApiRequest[None, stocktake.LineQuery]) -> stocktake.StocktakeDetail:
    """A stocktake and a page of its lines (expected, counted, variance); show=uncounted|counted|variance."""
    return stocktake.detail(req.shop.shop_id, req.path["stocktake_id"], req.query)


@app.api("PUT", "/inventory/stocktakes/{stocktake_id}/lines", permission="inventory.edit",
         body=stocktake.CountEntries, response=stocktake.EntriesView)
def put_stocktake_lines(req: ApiRequest[stocktake.CountEntries, None]) -> stocktake.EntriesView:
    """Enter counted units by SKU id or by barcode / SKU code (a recount replaces the count)."""
    return stocktake.enter_counts(req.shop, req.path["stocktake_id"], req.body)


@app.api("POST", "/inventory/stocktakes/{stocktake_id}/approve", permission="inventory.approve",
         response=stocktake.StocktakeView)
def approve_stocktake(req: ApiRequest[None, None]) -> stocktake.StocktakeView:
    """Post the variances as stocktake movements and close the count (again: continues, never twice)."""
    return stocktake.approve(req.shop, req.path["stocktake_id"])


@app.api("POST", "/inventory/stocktakes/{stocktake_id}/cancel", permission="inventory.edit",
         response=stocktake.StocktakeView)
def cancel_stocktake(req: ApiRequest[None, None]) -> stocktake.StocktakeView:
    """Drop an open count: nothing is posted."""
    return stocktake.cancel(req.shop, req.path["stocktake_id"])


# -- schedules --------------------------------------------------------------------------------------
@observed
def run_low_stock_digest(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Daily: per shop with stock at or below its safety stock, one digest notification."""
    from shared.inventory import alerts

    return alerts.run_digest()

