// 库存 / 盘点: stock, movements, warehouses and stocktakes (functions/inventory/app.py,
// docs/inventory.md). Types come from the API's OpenAPI document (schema.d.ts).
import { api, type Body, type ExportFormat, type Query } from './http'
import type { CountEntry, MovementFilter, MovementView, StocktakeView, WarehouseCreate } from './schema'

export type {
  CountEntry,
  MovementFilter,
  MovementView,
  SkuStockView,
  StocktakeLineView as StocktakeLine,
  StocktakeView,
  StockRow,
  WarehouseStock,
  WarehouseView,
} from './schema'
export type StockQuery = Query<'/inventory/stock', 'get'>
export type MovementKind = MovementView['kind']
/** A warehouse form: every field of a create, filled. */
export type WarehouseFields = Required<WarehouseCreate>
export type StocktakeStatus = StocktakeView['status']
export type StocktakeShow = NonNullable<Query<'/inventory/stocktakes/{stocktake_id}', 'get'>['show']>

/** The kinds in the order the movement filter lists them (the API's enum, checked against it). */
export const MOVEMENT_KINDS = [
  'purchase_receipt',
  'sale',
  'reservation',
  'release',
  'return',
  'adjustment',
  'stocktake',
  'transfer',
  'rebalance',
] as const satisfies readonly MovementKind[]

export const inventoryApi = {
  stock: (query: StockQuery) => api.call('get', '/inventory/stock', { query: { limit: 20, ...query } }),
  sku: (skuId: string) => api.call('get', '/inventory/stock/{sku_id}', { path: { sku_id: skuId } }),
  putSettings: (skuId: string, body: Body<'/inventory/stock/{sku_id}/settings', 'put'>) =>
    api.call('put', '/inventory/stock/{sku_id}/settings', { path: { sku_id: skuId }, body }),
  adjust: (body: Body<'/inventory/adjustments', 'post'>, idempotencyKey: string) =>
    api.call('post', '/inventory/adjustments', { body, idempotencyKey }),
  transfer: (body: Body<'/inventory/transfers', 'post'>, idempotencyKey: string) =>
    api.call('post', '/inventory/transfers', { body, idempotencyKey }),
  movements: (filter: MovementFilter, page: { limit?: number; cursor?: string | null } = {}) =>
    api.call('get', '/inventory/movements', { query: { limit: 20, ...filter, ...page } }),
  exportMovements: (filter: MovementFilter, format: ExportFormat) =>
    api.call('post', '/inventory/movements/export', { body: { format, filter } }),

  warehouses: () => api.call('get', '/inventory/warehouses'),
  createWarehouse: (body: WarehouseFields, idempotencyKey: string) =>
    api.call('post', '/inventory/warehouses', { body, idempotencyKey }),
  updateWarehouse: (warehouseId: string, body: Body<'/inventory/warehouses/{warehouse_id}', 'put'>) =>
    api.call('put', '/inventory/warehouses/{warehouse_id}', { path: { warehouse_id: warehouseId }, body }),
  removeWarehouse: (warehouseId: string) =>
    api.call('delete', '/inventory/warehouses/{warehouse_id}', { path: { warehouse_id: warehouseId } }),

  stocktakes: (query: Query<'/inventory/stocktakes', 'get'>) =>
    api.call('get', '/inventory/stocktakes', { query: { limit: 20, ...query } }),
  openStocktake: (body: Body<'/inventory/stocktakes', 'post'>, idempotencyKey: string) =>
    api.call('post', '/inventory/stocktakes', { body, idempotencyKey }),
  stocktake: (stocktakeId: string, query: Query<'/inventory/stocktakes/{stocktake_id}', 'get'> = {}) =>
    api.call('get', '/inventory/stocktakes/{stocktake_id}', { path: { stocktake_id: stocktakeId }, query: { limit: 100, ...query } }),
  enterCounts: (stocktakeId: string, lines: CountEntry[]) =>
    api.call('put', '/inventory/stocktakes/{stocktake_id}/lines', { path: { stocktake_id: stocktakeId }, body: { lines } }),
  approveStocktake: (stocktakeId: string) =>
    api.call('post', '/inventory/stocktakes/{stocktake_id}/approve', { path: { stocktake_id: stocktakeId } }),
  cancelStocktake: (stocktakeId: string) =>
    api.call('post', '/inventory/stocktakes/{stocktake_id}/cancel', { path: { stocktake_id: stocktakeId } }),
}
