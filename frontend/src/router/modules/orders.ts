// 订单 (docs/orders.md): the staff order desk and the order page (orders.* permissions).
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

export default [
  page('orders', 'orders', () => import('@/pages/orders/OrderDeskPage.vue'), { permission: 'orders.view', title: 'orders.title' }),
  page('orders/:id', 'order', () => import('@/pages/orders/OrderDetailPage.vue'), { permission: 'orders.view', title: 'orders.detailTitle' }, true),
] satisfies RouteRecordRaw[]
