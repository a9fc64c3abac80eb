// 采购: suppliers, purchase orders, receipts and reorder suggestions (functions/purchasing/app.py,
// docs/purchasing.md). Types come from the API's OpenAPI document (schema.d.ts).
import { api, type Body, type Query } from './http'
import type { PoCreate, PoView, SupplierCreate } from './schema'

export type {
  PoCreate as PoBody,
  PoDetail,
  PoLineView,
  PoView,
  Suggestions,
  SupplierSuggestions,
  SupplierView,
  SupplierWithSecret,
  TimelineEntry,
} from './schema'
export type PoStatus = PoView['status']
/** A supplier form: every field of a create, filled. */
export type SupplierFields = Required<SupplierCreate>

/** The order the status filter lists them (the API's enum, checked against it). */
export const PO_STATUSES = ['draft', 'submitted', 'partially_received', 'received', 'closed', 'cancelled'] as const satisfies readonly PoStatus[]

const PO_ACTIONS = {
  submit: '/purchase-orders/{po_id}/submit',
  cancel: '/purchase-orders/{po_id}/cancel',
  close: '/purchase-orders/{po_id}/close',
} as const

export const purchasingApi = {
  suppliers: (query: Query<'/suppliers', 'get'>) => api.call('get', '/suppliers', { query: { limit: 20, ...query } }),
  supplier: (supplierId: string) => api.call('get', '/suppliers/{supplier_id}', { path: { supplier_id: supplierId } }),
  createSupplier: (body: SupplierFields, idempotencyKey: string) => api.call('post', '/suppliers', { body, idempotencyKey }),
  updateSupplier: (supplierId: string, body: Body<'/suppliers/{supplier_id}', 'put'>) =>
    api.call('put', '/suppliers/{supplier_id}', { path: { supplier_id: supplierId }, body }),
  removeSupplier: (supplierId: string) => api.call('delete', '/suppliers/{supplier_id}', { path: { supplier_id: supplierId } }),
  rotateSecret: (supplierId: string) =>
    api.call('post', '/suppliers/{supplier_id}/webhook-secret', { path: { supplier_id: supplierId } }),

  orders: (query: Query<'/purchase-orders', 'get'>) => api.call('get', '/purchase-orders', { query: { limit: 20, ...query } }),
  order: (poId: string) => api.call('get', '/purchase-orders/{po_id}', { path: { po_id: poId } }),
  createOrder: (body: PoCreate, idempotencyKey: string) => api.call('post', '/purchase-orders', { body, idempotencyKey }),
  updateOrder: (poId: string, body: Body<'/purchase-orders/{po_id}', 'put'>) =>
    api.call('put', '/purchase-orders/{po_id}', { path: { po_id: poId }, body }),
  transition: (poId: string, action: keyof typeof PO_ACTIONS, body: Body<'/purchase-orders/{po_id}/submit', 'post'> = {}) =>
    api.call('post', PO_ACTIONS[action], { path: { po_id: poId }, body }),
  receive: (poId: string, body: Body<'/purchase-orders/{po_id}/receipts', 'post'>, idempotencyKey: string) =>
    api.call('post', '/purchase-orders/{po_id}/receipts', { path: { po_id: poId }, body, idempotencyKey }),
  suggestions: (query: Query<'/purchase-orders/suggestions', 'get'>) =>
    api.call('get', '/purchase-orders/suggestions', { query }),
  fromSuggestions: (body: Body<'/purchase-orders/from-suggestions', 'post'>, idempotencyKey: string) =>
    api.call('post', '/purchase-orders/from-suggestions', { body, idempotencyKey }),
}
