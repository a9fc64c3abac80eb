// 通知: every member's own notifications (no permission beyond being a member of the shop).
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

export default [
  page('notifications', 'notifications', () => import('@/pages/NotificationsPage.vue'), { title: 'notifications.title' }),
] satisfies RouteRecordRaw[]
