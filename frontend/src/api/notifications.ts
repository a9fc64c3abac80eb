// 通知: the signed-in member's own notifications in the current shop (functions/notifications/app.py,
// docs/notifications.md). Types come from the API's OpenAPI document (schema.d.ts).
import { api } from './http'

export type { NotificationView, UnreadCount } from './schema'

export const notificationsApi = {
  list: (params: { unread?: boolean; limit?: number; cursor?: string | null }) =>
    api.call('get', '/notifications', {
      query: { limit: params.limit ?? 20, cursor: params.cursor, unread: params.unread ? true : undefined },
    }),
  unreadCount: () => api.call('get', '/notifications/unread-count'),
  markRead: (notificationId: string) =>
    api.call('post', '/notifications/{notification_id}/read', { path: { notification_id: notificationId } }),
  markAllRead: () => api.call('post', '/notifications/read-all'),
}
