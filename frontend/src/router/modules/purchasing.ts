// 采购 (docs/purchasing.md): purchase orders, suppliers and reorder suggestions.
import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: 'purchasing', redirect: { name: 'purchase-orders' } },
  {
    path: 'purchasing/orders',
    name: 'purchase-orders',
    component: () => import('@/pages/purchasing/PurchaseOrderListPage.vue'),
    meta: { permission: 'inventory.view', title: 'purchasing.title' },
  },
  {
    path: 'purchasing/orders/new',
    name: 'purchase-order-new',
    component: () => import('@/pages/purchasing/PurchaseOrderEditorPage.vue'),
    meta: { permission: 'inventory.create', title: 'purchasing.editor.newTitle' },
  },
  {
    path: 'purchasing/orders/:id',
    name: 'purchase-order',
    component: () => import('@/pages/purchasing/PurchaseOrderDetailPage.vue'),
    props: true,
    meta: { permission: 'inventory.view', title: 'purchasing.detailTitle' },
  },
  {
    path: 'purchasing/orders/:id/edit',
    name: 'purchase-order-edit',
    component: () => import('@/pages/purchasing/PurchaseOrderEditorPage.vue'),
    props: true,
    meta: { permission: 'inventory.edit', title: 'purchasing.editor.editTitle' },
  },
  {
    path: 'purchasing/suppliers',
    name: 'suppliers',
    component: () => import('@/pages/purchasing/SuppliersPage.vue'),
    meta: { permission: 'inventory.view', title: 'purchasing.tabs.suppliers' },
  },
  {
    path: 'purchasing/suggestions',
    name: 'purchase-suggestions',
    component: () => import('@/pages/purchasing/SuggestionsPage.vue'),
    meta: { permission: 'inventory.view', title: 'purchasing.tabs.suggestions' },
  },
] satisfies RouteRecordRaw[]
