import { describe, expect, it, vi } from 'vitest'
import { collectPages } from '@/utils/paging'

describe('collectPages', () => {
  it('reads on past empty and short pages until it has enough', async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      start: { items: [], next_cursor: 'b' },
      b: { items: [1, 2], next_cursor: 'c' },
      c: { items: [3, 4, 5], next_cursor: 'd' },
      d: { items: [6], next_cursor: null },
    }
    const fetch = vi.fn(async (c: string | null) => pages[c ?? 'start']!)
    await expect(collectPages(fetch, null, 4)).resolves.toEqual({ items: [1, 2, 3, 4, 5], next_cursor: 'd', truncated: false })
    expect(fetch).toHaveBeenCalledTimes(3)
  })

  it('stops at the last page', async () => {
    const fetch = vi.fn(async () => ({ items: [1], next_cursor: null }))
    await expect(collectPages(fetch, 'x', 20)).resolves.toEqual({ items: [1], next_cursor: null, truncated: false })
    expect(fetch).toHaveBeenCalledWith('x')
  })

  it('gives up after a few requests and keeps the cursor for "load more"', async () => {
    const fetch = vi.fn(async () => ({ items: [], next_cursor: 'again' }))
    await expect(collectPages(fetch, null, 20, 3)).resolves.toEqual({ items: [], next_cursor: 'again', truncated: false })
    expect(fetch).toHaveBeenCalledTimes(3)
  })

  it('says a page was truncated when any page it read was', async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null; truncated?: boolean }> = {
      start: { items: [1], next_cursor: 'b', truncated: true },
      b: { items: [2], next_cursor: null },
    }
    const fetch = vi.fn(async (c: string | null) => pages[c ?? 'start'])
    await expect(collectPages(fetch, null, 5)).resolves.toEqual({ items: [1, 2], next_cursor: null, truncated: true })
  })
})
