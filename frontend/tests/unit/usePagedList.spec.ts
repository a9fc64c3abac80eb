import { describe, expect, it } from 'vitest'
import { usePagedList } from '@/composables/usePagedList'

describe('usePagedList', () => {
  it('appends the next page and keeps only the newest answer of overlapping loads', async () => {
    const answers: Record<string, { items: number[]; next_cursor: string | null }> = {
      first: { items: [1, 2], next_cursor: 'n' },
      n: { items: [3], next_cursor: null },
    }
    let slow: (v: { items: number[]; next_cursor: string | null }) => void = () => undefined
    let calls = 0
    const list = usePagedList<number>((c) => {
      calls++
      if (calls === 1) return new Promise((resolve) => { slow = resolve })
      return Promise.resolve(answers[c ?? 'first'])
    })
    const stale = list.load()
    await list.load()
    slow({ items: [99], next_cursor: null })
    await stale
    expect(list.items.value).toEqual([1, 2])
    await list.load(true)
    expect(list.items.value).toEqual([1, 2, 3])
    expect(list.cursor.value).toBeNull()
    expect(list.loadedOnce.value).toBe(true)
  })

  it('shows the error of a failed load', async () => {
    const list = usePagedList<number>(() => Promise.reject(new Error('boom')))
    await list.load()
    expect(list.error.value).toBeTruthy()
    expect(list.loading.value).toBe(false)
  })
})
