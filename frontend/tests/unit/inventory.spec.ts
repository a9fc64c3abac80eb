import { describe, expect, it } from 'vitest'
import type { StocktakeLine } from '@/api/inventory'
import {
  dayRange,
  defaultReceiveRows,
  fenToYuanText,
  isReceivable,
  lineByCode,
  linesTotal,
  mergeLines,
  outstanding,
  parseYuan,
  receiptLines,
  signed,
} from '@/utils/inventory'

describe('parseYuan (typed yuan -> integer fen)', () => {
  it('reads whole yuan, one and two decimals without float rounding', () => {
    expect(parseYuan('12')).toBe(1200)
    expect(parseYuan('12.3')).toBe(1230)
    expect(parseYuan('12.34')).toBe(1234)
    expect(parseYuan('0.1')).toBe(10)
    expect(parseYuan('0.29')).toBe(29) // 0.29 * 100 = 28.999999999999996 in floats
    expect(parseYuan('1.005'.slice(0, 4))).toBe(100)
    expect(parseYuan('19.99')).toBe(1999)
    expect(parseYuan(' 8. ')).toBe(800)
  })

  it('accepts a currency sign and thousands separators', () => {
    expect(parseYuan('¥1,299.90')).toBe(129990)
    expect(parseYuan('￥ 5')).toBe(500)
  })

  it('refuses blanks, negatives, three decimals and text', () => {
    for (const bad of ['', '  ', '-1', '1.234', 'abc', '1e3', '.5', '12..3', null, undefined]) {
      expect(parseYuan(bad as string), String(bad)).toBeNull()
    }
  })

  it('round-trips with fenToYuanText', () => {
    for (const fen of [0, 1, 10, 99, 100, 1234, 129990]) expect(parseYuan(fenToYuanText(fen))).toBe(fen)
    expect(fenToYuanText(5)).toBe('0.05')
  })
})

describe('receiving', () => {
  const lines = [
    { sku_id: 'a', sku_code: 'A-1', qty: 10, received: 4 },
    { sku_id: 'b', sku_code: 'B-1', qty: 5, received: 5 },
    { sku_id: 'c', sku_code: 'C-1', qty: 3, received: 7 },
  ]

  it('outstanding is what is still expected, never negative', () => {
    expect(lines.map(outstanding)).toEqual([6, 0, 0])
  })

  it('defaults each row to its outstanding quantity', () => {
    expect(defaultReceiveRows(lines)).toEqual([
      { sku_id: 'a', qty: 6 },
      { sku_id: 'b', qty: 0 },
      { sku_id: 'c', qty: 0 },
    ])
  })

  it('sends only rows with a quantity and refuses an empty receipt', () => {
    const ok = receiptLines(lines, defaultReceiveRows(lines), false)
    expect(ok.problem).toBeNull()
    expect(ok.lines).toEqual([{ sku_id: 'a', qty: 6 }])
    expect(receiptLines(lines, [{ sku_id: 'a', qty: 0 }], false).problem?.key).toBe('purchasing.receive.nothing')
  })

  it('needs the over-receipt flag for more than outstanding', () => {
    const rows = [{ sku_id: 'a', qty: 7 }, { sku_id: 'b', qty: 1 }]
    const refused = receiptLines(lines, rows, false)
    expect(refused.problem).toEqual({ key: 'purchasing.receive.overNeedsFlag', params: { codes: 'A-1, B-1' } })
    expect(refused.over).toEqual(['a', 'b'])
    expect(receiptLines(lines, rows, true).problem).toBeNull()
  })

  it('refuses more lines than one receipt may post', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ sku_id: `s${i}`, sku_code: `S${i}`, qty: 1, received: 0 }))
    expect(receiptLines(many, defaultReceiveRows(many), false).problem?.key).toBe('purchasing.receive.tooManyLines')
  })

  it('knows which statuses can receive', () => {
    expect(isReceivable('submitted')).toBe(true)
    expect(isReceivable('partially_received')).toBe(true)
    for (const s of ['draft', 'received', 'closed', 'cancelled'] as const) expect(isReceivable(s)).toBe(false)
  })
})

describe('editor and lists', () => {
  it('totals lines in fen, skipping lines without a valid cost', () => {
    expect(linesTotal([{ qty: 3, unitCost: 1999 }, { qty: 2, unitCost: null }, { qty: undefined, unitCost: 100 }])).toBe(5997)
  })

  it('signs deltas', () => {
    expect(signed(5)).toBe('+5')
    expect(signed(-3)).toBe('-3')
    expect(signed(0)).toBe('0')
    expect(signed(null)).toBe('—')
  })

  it('turns a day range into the API\'s [from, to) in the shop\'s zone', () => {
    expect(dayRange(['2026-03-01', '2026-03-02'], 'Asia/Shanghai')).toEqual({
      from: '2026-02-28T16:00:00.000Z',
      to: '2026-03-02T16:00:00.000Z',
    })
    expect(dayRange(null, 'Asia/Shanghai')).toEqual({})
  })
})

describe('stocktake lines', () => {
  const line = (sku_id: string, sku_code: string, counted: number | null = null): StocktakeLine => ({
    sku_id,
    product_id: 'p',
    product_name: 'T',
    sku_label: '',
    sku_code,
    expected: 5,
    counted,
    on_hand_at_count: counted === null ? null : 5,
    variance: counted === null ? null : counted - 5,
    counted_at: null,
    counted_by: null,
    added: false,
    posted: false,
  })

  it('finds a line by SKU code in any letter case, ignoring spaces', () => {
    const lines = [line('a', 'HJ004-01'), line('b', 'hj004-02')]
    expect(lineByCode(lines, ' hj004-01 ')?.sku_id).toBe('a')
    expect(lineByCode(lines, 'HJ004-02')?.sku_id).toBe('b')
    expect(lineByCode(lines, 'HJ004-03')).toBeUndefined()
    expect(lineByCode(lines, '  ')).toBeUndefined()
  })

  it('puts entered lines over the loaded ones and new ones first', () => {
    const merged = mergeLines([line('a', 'A'), line('b', 'B')], [line('b', 'B', 7), line('c', 'C', 1)])
    expect(merged.map((l) => [l.sku_id, l.counted])).toEqual([
      ['c', 1],
      ['a', null],
      ['b', 7],
    ])
  })
})
