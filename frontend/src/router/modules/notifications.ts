// 通知: every member's own notifications (no permission beyond being a member of the shop).
import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: 'notifications', name: 'notifications', component: () => import('@/pages/NotificationsPage.vue'), meta: { title: 'notifications.title' } },
] satisfies RouteRecordRaw[]
