import { describe, expect, it } from 'vitest'
import {
  addValue,
  combinations,
  emptyRow,
  fillRows,
  mergeRows,
  rowToSku,
  skuToRow,
  specsToApi,
  type SkuRow,
  type SpecDraft,
} from '@/utils/skuMatrix'
import * as v from '@/utils/validators'

const color = (values: string[]): SpecDraft => ({ key: 'c', name: '颜色', values })
const size = (values: string[]): SpecDraft => ({ key: 's', name: '尺码', values })
const priced = (rows: SkuRow[]) => rows.map((r) => [r.values.join('/'), r.price])

describe('spec matrix', () => {
  it('makes every combination in spec order then value order', () => {
    expect(combinations([color(['红', '蓝']), size(['S', 'M'])])).toEqual([
      ['红', 'S'],
      ['红', 'M'],
      ['蓝', 'S'],
      ['蓝', 'M'],
    ])
    expect(combinations([])).toEqual([[]])
  })

  it('keeps the prices of existing combinations when a value is added', () => {
    const before = [color(['红', '蓝']), size(['S'])]
    let rows = mergeRows([], [emptyRow()], before)
    rows = rows.map((r, i) => ({ ...r, price: [10, 20][i]!, code: `C${i}` }))
    const after = [color(['红', '蓝']), size(['S', 'L'])]
    const merged = mergeRows(before, rows, after)
    expect(priced(merged)).toEqual([
      ['红/S', 10],
      ['红/L', 10], // copied from the row sharing most values
      ['蓝/S', 20],
      ['蓝/L', 20],
    ])
    expect(merged.map((r) => r.code)).toEqual(['C0', '', 'C1', '']) // codes are unique: never copied
  })

  it('gives a new spec first value to the existing rows and keeps their ids', () => {
    const rows: SkuRow[] = [{ ...emptyRow(['红']), id: 'sku_1', price: 9.9 }]
    const merged = mergeRows([color(['红'])], rows, [color(['红']), size(['S', 'M'])])
    expect(merged.map((r) => [r.id, r.values.join('/'), r.price])).toEqual([
      ['sku_1', '红/S', 9.9],
      [undefined, '红/M', 9.9],
    ])
  })

  it('drops the rows of a removed value and keeps a renamed spec (same key)', () => {
    const specs = [color(['红', '蓝'])]
    const rows = mergeRows([], [emptyRow()], specs).map((r, i) => ({ ...r, price: i + 1 }))
    expect(priced(mergeRows(specs, rows, [color(['蓝'])]))).toEqual([['蓝', 2]])
    expect(priced(mergeRows(specs, rows, [{ ...color(['红', '蓝']), name: '颜色分类' }]))).toEqual([
      ['红', 1],
      ['蓝', 2],
    ])
  })

  it('fills prices and weights in bulk, leaving empty fill fields alone', () => {
    const rows = [{ ...emptyRow(['红']), cost_price: 3 }, emptyRow(['蓝'])]
    const filled = fillRows(rows, { price: 99, strike_price: 129, cost_price: null, weight_g: 500 })
    expect(filled.map((r) => [r.price, r.strike_price, r.cost_price, r.weight_g])).toEqual([
      [99, 129, 3, 500],
      [99, 129, null, 500],
    ])
  })

  it('adds values in order, without blanks or duplicates (letter case ignored)', () => {
    expect(addValue(['S'], 'M')).toEqual({ values: ['S', 'M'], error: null })
    expect(addValue(['S'], ' s ').error).toBe('duplicate')
    expect(addValue(['S'], '  ').error).toBe('blank')
    expect(addValue(Array.from({ length: 50 }, (_, i) => `v${i}`), 'x').error).toBe('tooMany')
  })

  it('sends only complete specs', () => {
    expect(specsToApi([color(['红']), { key: 'x', name: '', values: ['a'] }, { key: 'y', name: '材质', values: [] }])).toEqual([
      { name: '颜色', values: ['红'] },
    ])
  })
})

describe('SKU money', () => {
  it('turns yuan inputs into integer 分 and back', () => {
    const row: SkuRow = { ...emptyRow(['红']), id: 'sku_1', price: 129.9, strike_price: 0.1 + 0.2, cost_price: null, weight_g: null, code: ' HJ-1 ' }
    const sku = rowToSku(row)
    expect(sku).toMatchObject({ id: 'sku_1', price: 12990, strike_price: 30, cost_price: null, weight_g: 0, code: 'HJ-1' })
    expect(Number.isInteger(sku.price)).toBe(true)
    const back = skuToRow({ id: 'sku_1', values: ['红'], price: 12990, strike_price: 19900, cost_price: 5001, weight_g: 300, volume_cm3: 0, code: 'A', barcode: '', status: 'active', available: null })
    expect([back.price, back.strike_price, back.cost_price, back.weight_g]).toEqual([129.9, 199, 50.01, 300])
    expect(rowToSku({ ...emptyRow(), id: undefined }).id).toBeUndefined()
  })
})

describe('catalog validators', () => {
  const key = (r: v.Invalid | null) => r?.key ?? null
  it('checks SKU prices, strike prices, weights, codes and barcodes', () => {
    expect(key(v.skuPrice(null))).toBe('validation.required')
    expect(key(v.skuPrice(0))).toBeNull()
    expect(key(v.skuPrice(12.345))).toBe('validation.amount')
    expect(key(v.skuPrice(10_000_000.01))).toBe('validation.amount')
    expect(key(v.strikePrice(null, 10))).toBeNull()
    expect(key(v.strikePrice(9.99, 10))).toBe('validation.strikeBelowPrice')
    expect(key(v.strikePrice(10, 10))).toBeNull()
    expect(key(v.weightG(1.5))).toBe('validation.weight')
    expect(key(v.weightG(null))).toBeNull()
    for (const ok of ['', 'HJ-2024', 'a.b_c/d']) expect(key(v.skuCode(ok)), ok).toBeNull()
    for (const bad of ['-x', 'a b', '货号']) expect(key(v.skuCode(bad)), bad).toBe('validation.skuCode')
    expect(key(v.barcode('6901234567892'))).toBeNull()
    expect(key(v.barcode('690 123'))).toBe('validation.barcode')
    expect(key(v.productName('裙'.repeat(61)))).toBe('validation.maxLength')
    expect(key(v.categoryName(''))).toBe('validation.required')
  })

  it('wants a scheduled time in the future and within a year', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    expect(key(v.scheduleTime(null, now))).toBe('validation.required')
    expect(key(v.scheduleTime(new Date('2025-12-31T23:59:00Z'), now))).toBe('validation.future')
    expect(key(v.scheduleTime(new Date('2026-01-01T01:00:00Z'), now))).toBeNull()
    expect(key(v.scheduleTime(new Date('2027-02-01T00:00:00Z'), now))).toBe('validation.withinYear')
  })
})
