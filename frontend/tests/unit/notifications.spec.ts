// The header bell's store (badge text, polling, marking read) and the extra-recipient checks
// of the notification settings.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { NotificationView } from '@/api/notifications'
import { POLL_MS, useNotificationsStore } from '@/stores/notifications'
import { extraEmail, extraMobile, firstRepeat, normalizeRecipient } from '@/utils/validators'

const api = vi.hoisted(() => ({ list: vi.fn(), unreadCount: vi.fn(), markRead: vi.fn(), markAllRead: vi.fn() }))
vi.mock('@/api/notifications', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/notifications')>()),
  notificationsApi: api,
}))

function note(id: string, read = false): NotificationView {
  return {
    id,
    topic: 'low_stock',
    title: { 'zh-CN': '库存不足', en: 'Low stock' },
    body: { 'zh-CN': '', en: '' },
    link: '/inventory',
    data: {},
    created_at: '2026-01-01T00:00:00Z',
    read,
    read_at: read ? '2026-01-01T01:00:00Z' : null,
  }
}

describe('notifications store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    for (const fn of Object.values(api)) fn.mockReset()
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('shows no badge at 0, the count, and 99+ beyond the cap', async () => {
    const store = useNotificationsStore()
    api.unreadCount.mockResolvedValueOnce({ count: 0, more: false })
    await store.refreshCount()
    expect(store.badge).toBe('')
    api.unreadCount.mockResolvedValueOnce({ count: 7, more: false })
    await store.refreshCount()
    expect(store.badge).toBe('7')
    api.unreadCount.mockResolvedValueOnce({ count: 99, more: true })
    await store.refreshCount()
    expect(store.badge).toBe('99+')
  })

  it('polls the count every minute until stopped, and keeps the last count when a poll fails', async () => {
    const store = useNotificationsStore()
    api.unreadCount.mockResolvedValue({ count: 2, more: false })
    store.startPolling()
    await vi.advanceTimersByTimeAsync(0)
    expect(api.unreadCount).toHaveBeenCalledTimes(1)
    api.unreadCount.mockRejectedValueOnce(new Error('offline'))
    await vi.advanceTimersByTimeAsync(POLL_MS)
    expect(api.unreadCount).toHaveBeenCalledTimes(2)
    expect(store.unread).toBe(2)
    store.stopPolling()
    await vi.advanceTimersByTimeAsync(POLL_MS * 3)
    expect(api.unreadCount).toHaveBeenCalledTimes(2)
  })

  it('marks one read (once), and all read', async () => {
    const store = useNotificationsStore()
    api.list.mockResolvedValue({ items: [note('a'), note('b'), note('c', true)], next_cursor: null })
    api.unreadCount.mockResolvedValue({ count: 2, more: false })
    await store.loadLatest()
    await vi.advanceTimersByTimeAsync(0)
    api.markRead.mockResolvedValue(note('a', true))
    api.unreadCount.mockResolvedValue({ count: 1, more: false })
    await store.markRead(store.latest[0])
    expect(store.latest.map((n) => n.read)).toEqual([true, false, true])
    expect(store.unread).toBe(1)
    await store.markRead(store.latest[0])
    expect(api.markRead).toHaveBeenCalledTimes(1)
    api.markAllRead.mockResolvedValue({ marked: 1, more: false })
    api.unreadCount.mockResolvedValue({ count: 0, more: false })
    await expect(store.markAllRead()).resolves.toBe(1)
    expect(store.latest.every((n) => n.read)).toBe(true)
    expect(store.badge).toBe('')
  })
})

describe('extra recipients', () => {
  it('accepts e-mails and mainland mobiles in the forms the server accepts', () => {
    expect(extraEmail('buyer@supplier.cn')).toBeNull()
    expect(extraEmail('buyer@')).toEqual({ key: 'validation.email' })
    expect(extraEmail('')).toEqual({ key: 'validation.required' })
    expect(extraMobile('138 1234 5678')).toBeNull()
    expect(extraMobile('+8613812345678')).toBeNull()
    expect(extraMobile('1381234')).toEqual({ key: 'validation.mobile' })
    expect(extraMobile('010-12345678')).toEqual({ key: 'validation.mobile' })
  })

  it('normalises like the server and finds the first repeat', () => {
    expect(normalizeRecipient('phone', '138-1234-5678')).toBe('+8613812345678')
    expect(normalizeRecipient('email', ' Boss@Shop.CN ')).toBe('boss@shop.cn')
    expect(firstRepeat('phone', ['13812345678', '13900000000', '+86 138 1234 5678'])).toBe(2)
    expect(firstRepeat('email', ['a@b.cn', 'c@d.cn'])).toBe(-1)
  })
})
