// The header bell: the unread count (polled every minute and on every route change, no
// websockets), the latest notifications for the drawer, and marking read. The full list page
// reads the API itself and tells this store what it marked.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { notificationsApi, type NotificationView } from '@/api/notifications'

export const POLL_MS = 60_000
export const LATEST = 8

export const useNotificationsStore = defineStore('notifications', () => {
  const unread = ref(0)
  const more = ref(false)
  const latest = ref<NotificationView[]>([])
  const loadingLatest = ref(false)
  const latestError = ref(false)
  let timer: ReturnType<typeof setInterval> | null = null
  let counting: Promise<void> | null = null

  const badge = computed(() => (more.value ? `${unread.value}+` : unread.value > 0 ? String(unread.value) : ''))

  /** One small read; failures keep the last count (the next poll tries again). */
  function refreshCount(): Promise<void> {
    counting ??= notificationsApi
      .unreadCount()
      .then((answer) => {
        unread.value = answer.count
        more.value = answer.more
      })
      .catch(() => undefined)
      .finally(() => {
        counting = null
      })
    return counting
  }

  async function loadLatest(): Promise<void> {
    loadingLatest.value = true
    latestError.value = false
    try {
      latest.value = (await notificationsApi.list({ limit: LATEST })).items
    } catch {
      latestError.value = true
    } finally {
      loadingLatest.value = false
    }
    void refreshCount()
  }

  /** Marks one read (no request when it already is) and keeps the badge and drawer in step. */
  async function markRead(note: NotificationView): Promise<void> {
    if (note.read) return
    const updated = await notificationsApi.markRead(note.id)
    noteRead(updated)
  }

  /** After a note was marked read (here or on the list page): the badge drops at once, then the
   * server's count confirms it. */
  function noteRead(updated: NotificationView): void {
    latest.value = latest.value.map((n) => (n.id === updated.id ? updated : n))
    if (!more.value) unread.value = Math.max(0, unread.value - 1)
    void refreshCount()
  }

  async function markAllRead(): Promise<number> {
    const answer = await notificationsApi.markAllRead()
    const now = new Date().toISOString()
    latest.value = latest.value.map((n) => (n.read ? n : { ...n, read: true, read_at: now }))
    unread.value = 0
    more.value = false
    await refreshCount()
    return answer.marked
  }

  /** From a fresh layout (sign-in): nothing of a previous user's session stays shown. */
  function startPolling(): void {
    stopPolling()
    reset()
    void refreshCount()
    timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void refreshCount()
    }, POLL_MS)
  }

  function stopPolling(): void {
    if (timer) clearInterval(timer)
    timer = null
  }

  function reset(): void {
    unread.value = 0
    more.value = false
    latest.value = []
  }

  return {
    unread,
    more,
    badge,
    latest,
    loadingLatest,
    latestError,
    refreshCount,
    loadLatest,
    markRead,
    noteRead,
    markAllRead,
    startPolling,
    stopPolling,
    reset,
  }
})
