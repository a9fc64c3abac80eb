// The order desk's filters between the URL, the page and GET /orders (utils/deskFilters.ts).
import { describe, expect, it } from 'vitest'
import { anyFilter, amountsCrossed, deskQuery, emptyFilters, filtersFromQuery, filtersToQuery, moreCount } from '@/utils/deskFilters'

const PRODUCT = 'prd_01JB5Q0000000000000000000A'

describe('desk filters', () => {
  it('read from the URL, keep what the API takes and drop what it would refuse', () => {
    const f = filtersFromQuery({
      tab: 'to_ship',
      from: '2026-12-01',
      to: '2026-12-07',
      min_amount: '10000',
      max_amount: '12x',
      product_id: PRODUCT,
      province: '310000',
      flag: 'red',
      payment_method: 'cash',
      number: '2026',
    })
    expect(f).toEqual({
      ...emptyFilters('to_ship'),
      range: ['2026-12-01', '2026-12-07'],
      number: '2026',
      min_amount: 10000,
      product_id: PRODUCT,
      province: '310000',
      flag: 'red',
    })
    expect(filtersFromQuery({ tab: 'nope', province: '31', product_id: 'prd_x', from: '2026-12-07', to: '2026-12-01' })).toEqual(emptyFilters())
  })

  it('write only what is set to the URL, and read it back the same', () => {
    const f = { ...emptyFilters('shipped'), min_amount: 0, max_amount: 25050, payment_method: 'wechat_pay' as const, flag: 'blue' as const }
    const q = filtersToQuery(f)
    expect(q).toEqual({ tab: 'shipped', min_amount: '0', max_amount: '25050', payment_method: 'wechat_pay', flag: 'blue' })
    expect(filtersFromQuery(q as Record<string, string>)).toEqual(f)
    expect(filtersToQuery(emptyFilters())).toEqual({ tab: 'pending_review' })
  })

  it('send GET /orders the amounts in fen, the shop-day bounds, and a half-typed number not at all', () => {
    const f = {
      ...emptyFilters('to_ship'),
      range: ['2026-12-01', '2026-12-01'] as [string, string],
      number: '2026120',
      min_amount: 5000,
      max_amount: 20000,
      province: '440000',
      payment_method: 'alipay' as const,
    }
    expect(deskQuery(f, 'Asia/Shanghai', 'c1')).toEqual({
      tab: 'to_ship',
      limit: 20,
      cursor: 'c1',
      from: '2026-11-30T16:00:00.000Z',
      to: '2026-12-01T16:00:00.000Z',
      min_amount: 5000,
      max_amount: 20000,
      province: '440000',
      payment_method: 'alipay',
    })
  })

  it('leave a crossed amount pair out and count the filters set', () => {
    const f = { ...emptyFilters(), min_amount: 30000, max_amount: 100, flag: 'red' as const }
    expect(amountsCrossed(f)).toBe(true)
    const q = deskQuery(f, 'Asia/Shanghai', null)
    expect(q.min_amount).toBeUndefined()
    expect(q.max_amount).toBeUndefined()
    expect(q.flag).toBe('red')
    expect(moreCount(f)).toBe(3)
    expect(anyFilter(emptyFilters('completed'))).toBe(false)
    expect(anyFilter({ ...emptyFilters(), min_amount: 0 })).toBe(true)
    // A select cleared to undefined counts as not set.
    expect(moreCount({ ...emptyFilters(), flag: undefined as unknown as '' })).toBe(0)
  })
})
