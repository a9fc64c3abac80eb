// 库存 / 盘点 / 采购: the inventory and purchasing APIs (docs/inventory.md, docs/purchasing.md).
// Kept apart from api/index.ts and api/types.ts so this capability's client and its types read
// in one file; the shapes mirror shared/inventory/models.py, shared/inventory/stocktake.py and
// shared/purchasing/models.py.
import { api } from './index'
import type { ExportFile, ExportFormat, Page } from './types'

const id = (value: string) => encodeURIComponent(value)

export interface Money {
  amount: number
  currency: string
}

// -- stock ------------------------------------------------------------------------------------
export type MovementKind =
  | 'purchase_receipt'
  | 'sale'
  | 'reservation'
  | 'release'
  | 'return'
  | 'adjustment'
  | 'stocktake'
  | 'transfer'
  | 'rebalance'

export const MOVEMENT_KINDS: readonly MovementKind[] = [
  'purchase_receipt',
  'sale',
  'reservation',
  'release',
  'return',
  'adjustment',
  'stocktake',
  'transfer',
  'rebalance',
]

export interface StockRow {
  sku_id: string
  product_id: string
  product_name: string
  sku_label: string
  sku_code: string
  warehouse_id: string
  on_hand: number
  reserved: number
  available: number
  threshold: number | null
  low: boolean
  shards: number
  version: number
  updated_at: string | null
}

export interface ShardView {
  shard: number
  on_hand: number
  reserved: number
  available: number
}

export interface WarehouseStock extends StockRow {
  warehouse_name: string
  shard_detail: ShardView[]
}

export interface SkuStockView {
  sku_id: string
  product_id: string
  product_name: string
  sku_label: string
  sku_code: string
  totals: { on_hand: number; reserved: number; available: number }
  warehouses: WarehouseStock[]
}

export interface StockQuery {
  warehouse_id?: string
  product_id?: string
  low_only?: boolean
  limit?: number
  cursor?: string | null
}

export interface MovementView {
  id: string
  kind: MovementKind
  sku_id: string
  product_id: string
  warehouse_id: string
  shard: number
  on_hand_delta: number
  reserved_delta: number
  on_hand_after: number
  reason: string
  ref_type: string | null
  ref_id: string | null
  actor_id: string
  actor_email: string | null
  at: string
}

export interface PostingView {
  movements: MovementView[]
  stock: SkuStockView
}

export interface MovementFilter {
  sku_id: string
  warehouse_id?: string
  kind?: MovementKind
  /** ISO-8601, inclusive */
  from?: string
  /** ISO-8601, exclusive */
  to?: string
}

export interface StockSettingsBody {
  product_id: string
  warehouse_id?: string | null
  threshold?: number | null
  shards?: number | null
  version: number
}

export interface AdjustmentBody {
  product_id: string
  sku_id: string
  warehouse_id?: string | null
  delta: number
  reason: string
}

export interface TransferBody {
  product_id: string
  sku_id: string
  from_warehouse_id: string
  to_warehouse_id: string
  qty: number
  reason: string
}

// -- warehouses ---------------------------------------------------------------------------------
export interface WarehouseFields {
  name: string
  code: string
  address: string
  priority: number
  active: boolean
}

export interface WarehouseView extends WarehouseFields {
  id: string
  is_default: boolean
  version: number
  created_at: string
  updated_at: string
}

// -- stocktake ----------------------------------------------------------------------------------
export type StocktakeStatus = 'open' | 'approving' | 'approved' | 'cancelled'
export type StocktakeShow = 'all' | 'uncounted' | 'counted' | 'variance'

export interface StocktakeView {
  id: string
  warehouse_id: string
  warehouse_name: string
  category_id: string | null
  category_name: string | null
  note: string
  status: StocktakeStatus
  lines_total: number
  lines_counted: number
  lines_adjusted: number
  opened_at: string
  opened_by: string
  closed_at: string | null
  closed_by: string | null
  version: number
}

export interface StocktakeLine {
  sku_id: string
  product_id: string
  product_name: string
  sku_label: string
  sku_code: string
  expected: number
  counted: number | null
  on_hand_at_count: number | null
  variance: number | null
  counted_at: string | null
  counted_by: string | null
  added: boolean
  posted: boolean
}

export interface StocktakeDetail {
  stocktake: StocktakeView
  lines: StocktakeLine[]
  next_cursor: string | null
}

export type CountEntry = { sku_id: string; counted: number } | { code: string; counted: number }

export interface EntriesView {
  stocktake: StocktakeView
  lines: StocktakeLine[]
}

// -- purchasing ---------------------------------------------------------------------------------
export type PoStatus = 'draft' | 'submitted' | 'partially_received' | 'received' | 'closed' | 'cancelled'
export const PO_STATUSES: readonly PoStatus[] = ['draft', 'submitted', 'partially_received', 'received', 'closed', 'cancelled']

export interface SupplierFields {
  name: string
  contact: string
  phone: string
  email: string
  address: string
  lead_time_days: number
  payment_terms: string
  notes: string
  active: boolean
  webhook_url: string | null
}

export interface SupplierView extends SupplierFields {
  id: string
  webhook_secret_hint: string | null
  webhook_secret_rotated_at: string | null
  version: number
  created_at: string
  updated_at: string
}

export interface SupplierWithSecret extends SupplierView {
  webhook_secret: string
}

export interface PoLineInput {
  product_id: string
  sku_id: string
  qty: number
  /** fen per unit */
  unit_cost: number
  supplier_sku_code?: string
}

export interface PoBody {
  supplier_id: string
  warehouse_id?: string | null
  expected_at?: string | null
  notes: string
  currency?: string
  lines: PoLineInput[]
}

export interface PoLineView {
  product_id: string
  sku_id: string
  product_name: string
  sku_label: string
  sku_code: string
  supplier_sku_code: string
  qty: number
  unit_cost: number | null // null without purchasing.view_costs
  received: number
  remaining: number
  line_total: Money
}

export interface WebhookDelivery {
  status: 'pending' | 'delivered' | 'retrying' | 'failed' | 'skipped'
  event_id: string | null
  attempts: number
  last_attempt_at: string | null
  last_status_code: number | null
  last_error: string | null
  delivered_at: string | null
}

export interface ShipmentNotice {
  carrier: string
  tracking_no: string
  expected_at: string | null
  received_at: string
  event_id: string
}

export interface PoView {
  id: string
  number: string
  supplier_id: string
  supplier_name: string
  warehouse_id: string
  status: PoStatus
  currency: string
  lines: PoLineView[]
  total: Money | null
  received_total: Money | null
  qty_ordered: number
  qty_received: number
  expected_at: string | null
  notes: string
  shipment: ShipmentNotice | null
  webhook: WebhookDelivery | null
  version: number
  created_at: string
  updated_at: string
  submitted_at: string | null
}

export interface ReceiptView {
  id: string
  lines: { sku_id: string; product_id: string; qty: number; unit_cost: number | null; avg_cost_after: number | null }[]
  over_receipt: boolean
  note: string
  source: string
  actor_id: string
  actor_email: string | null
  at: string
}

export interface TimelineEntry {
  entry: string
  detail: Record<string, unknown> | null
  actor_id: string
  at: string
}

export interface PoDetail extends PoView {
  receipts: ReceiptView[]
  timeline: TimelineEntry[]
}

export interface ReceiptBody {
  lines: { sku_id: string; qty: number }[]
  over_receipt: boolean
  note: string
}

export interface SuggestionLine {
  sku_id: string
  product_id: string
  product_name: string
  sku_label: string
  sku_code: string
  sold: number
  velocity: number
  lead_time_days: number
  safety_stock: number
  available: number
  on_order: number
  suggested_qty: number
  last_unit_cost: number | null
}

export interface SupplierSuggestions {
  supplier_id: string | null
  supplier_name: string
  lines: SuggestionLine[]
}

export interface Suggestions {
  window_days: number
  review_days: number
  warehouse_id: string | null
  groups: SupplierSuggestions[]
}

type Versioned<T> = T & { version: number }

export const inventoryApi = {
  stock: (params: StockQuery) =>
    api.get<Page<StockRow>>('/inventory/stock', {
      query: { limit: 20, ...params, low_only: params.low_only ? 'true' : undefined },
    }),
  sku: (skuId: string) => api.get<SkuStockView>(`/inventory/stock/${id(skuId)}`),
  putSettings: (skuId: string, body: StockSettingsBody) => api.put<SkuStockView>(`/inventory/stock/${id(skuId)}/settings`, body),
  adjust: (body: AdjustmentBody, idempotencyKey: string) => api.post<PostingView>('/inventory/adjustments', body, { idempotencyKey }),
  transfer: (body: TransferBody, idempotencyKey: string) => api.post<PostingView>('/inventory/transfers', body, { idempotencyKey }),
  movements: (filter: MovementFilter, page: { limit?: number; cursor?: string | null } = {}) =>
    api.get<Page<MovementView>>('/inventory/movements', { query: { limit: 20, ...filter, ...page } }),
  exportMovements: (filter: MovementFilter, format: ExportFormat) =>
    api.post<ExportFile>('/inventory/movements/export', { format, filter }),

  warehouses: () => api.get<{ items: WarehouseView[] }>('/inventory/warehouses'),
  createWarehouse: (body: WarehouseFields, idempotencyKey: string) =>
    api.post<WarehouseView>('/inventory/warehouses', body, { idempotencyKey }),
  updateWarehouse: (warehouseId: string, body: Versioned<WarehouseFields>) =>
    api.put<WarehouseView>(`/inventory/warehouses/${id(warehouseId)}`, body),
  removeWarehouse: (warehouseId: string) => api.delete<{ ok: boolean }>(`/inventory/warehouses/${id(warehouseId)}`),

  stocktakes: (params: { status?: StocktakeStatus; warehouse_id?: string; limit?: number; cursor?: string | null }) =>
    api.get<Page<StocktakeView>>('/inventory/stocktakes', { query: { limit: 20, ...params } }),
  openStocktake: (body: { warehouse_id?: string | null; category_id?: string | null; note: string }, idempotencyKey: string) =>
    api.post<StocktakeView>('/inventory/stocktakes', body, { idempotencyKey }),
  stocktake: (stocktakeId: string, params: { show?: StocktakeShow; limit?: number; cursor?: string | null } = {}) =>
    api.get<StocktakeDetail>(`/inventory/stocktakes/${id(stocktakeId)}`, { query: { limit: 100, ...params } }),
  enterCounts: (stocktakeId: string, lines: CountEntry[]) =>
    api.put<EntriesView>(`/inventory/stocktakes/${id(stocktakeId)}/lines`, { lines }),
  approveStocktake: (stocktakeId: string) => api.post<StocktakeView>(`/inventory/stocktakes/${id(stocktakeId)}/approve`),
  cancelStocktake: (stocktakeId: string) => api.post<StocktakeView>(`/inventory/stocktakes/${id(stocktakeId)}/cancel`),
}

export const purchasingApi = {
  suppliers: (params: { q?: string; active?: boolean; limit?: number; cursor?: string | null }) =>
    api.get<Page<SupplierView>>('/suppliers', {
      query: { limit: 20, ...params, active: params.active === undefined ? undefined : String(params.active) },
    }),
  supplier: (supplierId: string) => api.get<SupplierView>(`/suppliers/${id(supplierId)}`),
  createSupplier: (body: SupplierFields, idempotencyKey: string) =>
    api.post<SupplierWithSecret>('/suppliers', body, { idempotencyKey }),
  updateSupplier: (supplierId: string, body: Versioned<SupplierFields>) => api.put<SupplierView>(`/suppliers/${id(supplierId)}`, body),
  removeSupplier: (supplierId: string) =>
    api.delete<{ deleted: boolean; supplier: SupplierView | null }>(`/suppliers/${id(supplierId)}`),
  rotateSecret: (supplierId: string) => api.post<SupplierWithSecret>(`/suppliers/${id(supplierId)}/webhook-secret`),

  orders: (params: { status?: PoStatus; supplier_id?: string; limit?: number; cursor?: string | null }) =>
    api.get<Page<PoView>>('/purchase-orders', { query: { limit: 20, ...params } }),
  order: (poId: string) => api.get<PoDetail>(`/purchase-orders/${id(poId)}`),
  createOrder: (body: PoBody, idempotencyKey: string) => api.post<PoView>('/purchase-orders', body, { idempotencyKey }),
  updateOrder: (poId: string, body: Versioned<PoBody>) => api.put<PoView>(`/purchase-orders/${id(poId)}`, body),
  transition: (poId: string, action: 'submit' | 'cancel' | 'close', body: { version?: number; reason?: string } = {}) =>
    api.post<PoView>(`/purchase-orders/${id(poId)}/${action}`, body),
  receive: (poId: string, body: ReceiptBody, idempotencyKey: string) =>
    api.post<{ purchase_order: PoView; receipt: ReceiptView }>(`/purchase-orders/${id(poId)}/receipts`, body, { idempotencyKey }),
  suggestions: (params: { window_days?: number; review_days?: number; warehouse_id?: string }) =>
    api.get<Suggestions>('/purchase-orders/suggestions', { query: { ...params } }),
  fromSuggestions: (
    body: { supplier_id: string; warehouse_id?: string; window_days?: number; review_days?: number; lines?: { sku_id: string; qty?: number }[] },
    idempotencyKey: string,
  ) => api.post<PoView>('/purchase-orders/from-suggestions', body, { idempotencyKey }),
}
