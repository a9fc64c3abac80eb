// 订单 (the staff order desk): list with tabs and counts, the order page, and the desk's actions
// (functions/orders/app.py, docs/orders.md). Types come from the API's OpenAPI document.
import { api, type Body, type Query } from './http'
import type { OrderDetail } from './schema'

export type {
  Discount,
  ExportJobView,
  OrderDetail,
  OrderLine,
  OrderSummary,
  OrderTimelineEntry,
  PageOrderSummary,
  Receiver,
} from './schema'

export type DeskQuery = Query<'/orders', 'get'>
export type OrderTab = NonNullable<DeskQuery['tab']>

/** The desk's tabs in the order they show (待付款 / 待审核 / 待财审 / 待发货 / 已发货 / 已完成 / 已取消). */
export const ORDER_TABS = [
  'pending_payment',
  'pending_review',
  'finance_review',
  'to_ship',
  'shipped',
  'completed',
  'cancelled',
] as const satisfies readonly OrderTab[]

/** Coloured flags (as Taobao's seller flags). */
export const ORDER_FLAGS = ['red', 'yellow', 'green', 'blue', 'purple'] as const
export type OrderFlag = (typeof ORDER_FLAGS)[number]

/** The actions an order page may offer, in the order its buttons show (the API's `actions` decides which). */
export const ORDER_ACTIONS = ['review', 'finance_approve', 'memo', 'flag', 'hold', 'release', 'cancel'] as const
export type OrderAction = (typeof ORDER_ACTIONS)[number]

// The desk's write routes are built by `desk` (orders-design.md's contract). Until they are on
// main's OpenAPI document they are called by path through the same client (`api.post`/`put`).
type Versioned = { version: number }

export const ordersApi = {
  list: (query: DeskQuery) => api.call('get', '/orders', { query: { limit: 20, ...query } }),
  counts: () => api.call('get', '/orders/counts'),
  order: (orderId: string) => api.call('get', '/orders/{order_id}', { path: { order_id: orderId } }),

  review: (orderId: string, body: Versioned) => api.post<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/review`, body),
  financeReview: (orderId: string, body: Versioned) =>
    api.post<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/finance-review`, body),
  memo: (orderId: string, body: Versioned & { memo: string }) => api.put<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/memo`, body),
  flag: (orderId: string, body: Versioned & { flag: OrderFlag | null }) =>
    api.put<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/flag`, body),
  hold: (orderId: string, body: { reason: string }) => api.post<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/hold`, body),
  release: (orderId: string) => api.post<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/release`, {}),
  cancel: (orderId: string, body: Versioned & { reason: string }) =>
    api.post<OrderDetail>(`/orders/${encodeURIComponent(orderId)}/cancel`, body),
  bulkReview: (ids: string[]) => api.post<BulkAnswer>('/orders/bulk-review', { ids }),
  bulk: (body: { action: 'memo'; ids: string[]; memo: string } | { action: 'flag'; ids: string[]; flag: OrderFlag | null }) =>
    api.post<BulkAnswer>('/orders/bulk', body),
  /** 订单导出: an async job of the desk's filter (docs/orders.md "Exports"); poll `exportJob`. */
  startExport: (body: OrderExportRequest, idempotencyKey: string) => api.call('post', '/orders/exports', { body, idempotencyKey }),
  exportJob: (jobId: string) =>
    api.call('get', '/orders/exports/{job_id}', { path: { job_id: jobId }, redirectOnForbidden: false }),
}

export type OrderExportRequest = Body<'/orders/exports', 'post'>
export type OrderExportFilter = NonNullable<OrderExportRequest['filter']>

/** The desk's query without paging: what an export of "the current filter" sends. */
export function exportFilter(query: DeskQuery): OrderExportFilter {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(query)) {
    if (k === 'limit' || k === 'cursor' || v === undefined || v === null || v === '') continue
    out[k] = v
  }
  return out as OrderExportFilter
}

/** What a bulk action answers: per order, done or why not. */
export interface BulkAnswer {
  results: { id: string; ok: boolean; error?: { code: string; message: string } }[]
}

/** Element Plus tag type of a tab. */
export function tabTagType(tab: string): 'primary' | 'success' | 'warning' | 'info' | 'danger' {
  switch (tab) {
    case 'pending_payment':
      return 'warning'
    case 'pending_review':
    case 'finance_review':
      return 'danger'
    case 'to_ship':
      return 'primary'
    case 'shipped':
    case 'completed':
      return 'success'
    default:
      return 'info'
  }
}

/** CSS colour of a flag. */
export const FLAG_COLOURS: Record<OrderFlag, string> = {
  red: '#f56c6c',
  yellow: '#e6a23c',
  green: '#67c23a',
  blue: '#409eff',
  purple: '#9b59b6',
}
