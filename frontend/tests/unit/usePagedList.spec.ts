import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, reactive } from 'vue'
import type { Page } from '@/api/http'
import { usePagedList } from '@/composables/usePagedList'

type Row = { id: string; n: number }
const row = (id: string, n = 0): Row => ({ id, n })
const page = <T>(items: T[], next_cursor: string | null = null, truncated?: boolean): Page<T> => ({ items, next_cursor, truncated })
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => {
  vi.useRealTimers()
})

describe('usePagedList', () => {
  it('appends the next page and keeps only the newest answer of overlapping loads', async () => {
    const answers: Record<string, Page<number>> = { first: page([1, 2], 'n'), n: page([3]) }
    let slow: (v: Page<number>) => void = () => undefined
    let calls = 0
    const list = usePagedList<number>((c) => {
      calls++
      if (calls === 1) return new Promise((resolve) => (slow = resolve))
      return Promise.resolve(answers[c ?? 'first']!)
    })
    const stale = list.load()
    await list.load()
    slow(page([99]))
    await stale
    expect(list.items).toEqual([1, 2])
    expect(list.loading).toBe(false)
    await list.load(true)
    expect(list.items).toEqual([1, 2, 3])
    expect(list.cursor).toBeNull()
    expect(list.loadedOnce).toBe(true)
  })

  it('shows the error of a failed load and retries the load that failed', async () => {
    let fail = true
    const fetch = vi.fn((c: string | null) => (fail ? Promise.reject(new Error('boom')) : Promise.resolve(page(c ? [row('b')] : [row('a')], c ? null : 'n'))))
    const list = usePagedList<Row>(fetch)
    await list.load()
    expect(list.error).toBeTruthy()
    expect(list.loading).toBe(false)
    fail = false
    await list.retry() // nothing shown yet: the first page
    expect(list.items.map((r) => r.id)).toEqual(['a'])
    expect(list.error).toBeNull()
    fail = true
    await list.load(true)
    expect(list.error).toBeTruthy()
    fail = false
    await list.retry() // rows shown: the next page, not the first again
    expect(fetch).toHaveBeenLastCalledWith('n')
    expect(list.items.map((r) => r.id)).toEqual(['a', 'b'])
  })

  it('fills a short filtered page from the following ones, up to the page size', async () => {
    const pages: Record<string, Page<Row>> = {
      start: page([row('a')], 'p2'),
      p2: page([], 'p3'),
      p3: page([row('b'), row('c')], 'p4', true),
      p4: page([row('d')], null),
    }
    const fetch = vi.fn((c: string | null) => Promise.resolve(pages[c ?? 'start']!))
    const list = usePagedList<Row>(fetch, { fill: 3 })
    await list.load()
    expect(list.items.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    expect(list.cursor).toBe('p4')
    expect(list.truncated).toBe(true) // one of the pages read said so
    expect(fetch).toHaveBeenCalledTimes(3)
    await list.load(true)
    expect(list.items.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd'])
    expect(list.cursor).toBeNull()
  })

  it('skips items of an appended page that are already shown, by key', async () => {
    const list = usePagedList<Row>((c) => Promise.resolve(c ? page([row('b', 2), row('c')]) : page([row('a'), row('b', 1)], 'n')), {
      key: (r) => r.id,
    })
    await list.load()
    await list.load(true)
    expect(list.items).toEqual([row('a'), row('b', 1), row('c')])
  })

  it('replaces, removes and prepends items by key', async () => {
    const list = usePagedList<Row>(() => Promise.resolve(page([row('a'), row('b')])), { key: (r) => r.id })
    await list.load()
    list.replace(row('b', 7))
    list.prepend(row('c'))
    list.prepend(row('a', 9))
    list.remove('c')
    expect(list.items).toEqual([row('a', 9), row('b', 7)])
  })

  it('reloads the first page when a filter changes, after a pause while typing', async () => {
    vi.useFakeTimers()
    const scope = effectScope()
    const filters = reactive({ q: '', status: '' })
    const applied: string[] = []
    const fetch = vi.fn(() => Promise.resolve(page([row(`${filters.q}|${filters.status}`)])))
    const list = scope.run(() =>
      usePagedList<Row, typeof filters>(fetch, {
        filters,
        delay: (now, before) => (now.q !== before.q ? 300 : 0),
        onFilters: (now) => applied.push(`${now.q}|${now.status}`),
      }),
    )!
    filters.status = 'active' // a choice: at once
    await nextTick()
    expect(fetch).toHaveBeenCalledTimes(1)
    filters.q = 'w'
    await nextTick()
    filters.q = 'wa'
    await nextTick()
    await vi.advanceTimersByTimeAsync(299)
    expect(fetch).toHaveBeenCalledTimes(1) // still typing
    await vi.advanceTimersByTimeAsync(1)
    expect(fetch).toHaveBeenCalledTimes(2) // one load for the whole word
    expect(applied).toEqual(['|active', 'wa|active'])
    expect(list.items.map((r) => r.id)).toEqual(['wa|active'])
    filters.q = 'wan'
    await nextTick()
    scope.stop() // the page is gone: the pending load never runs
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  it('does not load while the filters are invalid, and tells the page when it starts over', async () => {
    let valid = false
    const firsts: boolean[] = []
    const fetch = vi.fn((c: string | null) => Promise.resolve(page([row(c ?? 'a')], c ? null : 'n')))
    const list = usePagedList<Row>(fetch, { canLoad: () => valid, onPage: (_p, first) => firsts.push(first) })
    await list.load()
    expect(fetch).not.toHaveBeenCalled()
    expect(list.loadedOnce).toBe(false)
    valid = true
    await list.load()
    await list.load(true)
    await settle()
    expect(firsts).toEqual([true, false])
  })
})
