// 采购 (docs/purchasing.md): purchase orders, suppliers and reorder suggestions (purchasing.* permissions).
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

const editor = () => import('@/pages/purchasing/PurchaseOrderEditorPage.vue')

export default [
  { path: 'purchasing', redirect: { name: 'purchase-orders' } },
  page('purchasing/orders', 'purchase-orders', () => import('@/pages/purchasing/PurchaseOrderListPage.vue'), { permission: 'purchasing.view', title: 'purchasing.title' }),
  page('purchasing/orders/new', 'purchase-order-new', editor, { permission: 'purchasing.create', title: 'purchasing.editor.newTitle' }),
  page('purchasing/orders/:id', 'purchase-order', () => import('@/pages/purchasing/PurchaseOrderDetailPage.vue'), { permission: 'purchasing.view', title: 'purchasing.detailTitle' }, true),
  page('purchasing/orders/:id/edit', 'purchase-order-edit', editor, { permission: 'purchasing.edit', title: 'purchasing.editor.editTitle' }, true),
  page('purchasing/suppliers', 'suppliers', () => import('@/pages/purchasing/SuppliersPage.vue'), { permission: 'purchasing.view', title: 'purchasing.tabs.suppliers' }),
  page('purchasing/suggestions', 'purchase-suggestions', () => import('@/pages/purchasing/SuggestionsPage.vue'), { permission: 'purchasing.view', title: 'purchasing.tabs.suggestions' }),
] satisfies RouteRecordRaw[]
