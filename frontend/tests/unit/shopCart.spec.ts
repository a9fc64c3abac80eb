// The storefront cart's rules: lines merged by SKU with a cap, the local (signed-out) cart kept
// per shop, and the merge into the server cart at sign-in.
import { beforeEach, describe, expect, it } from 'vitest'
import { addLine, clampQty, estimate, itemCount, MAX_QTY, mergeCarts, readLocal, removeLine, setQty, writeLocal } from '@/shop/logic/cart'
import { formatMoney } from '@/utils/money'

const line = (sku_id: string, qty: number, unit_price?: number) => ({ sku_id, product_id: `p-${sku_id}`, qty, unit_price })

describe('cart lines', () => {
  it('adds the same SKU to its line, a new one last, capped', () => {
    let lines = addLine([], line('a', 2))
    lines = addLine(lines, line('b', 1))
    lines = addLine(lines, line('a', 3))
    expect(lines.map((l) => [l.sku_id, l.qty])).toEqual([['a', 5], ['b', 1]])
    expect(addLine(lines, line('a', 500)).find((l) => l.sku_id === 'a')!.qty).toBe(MAX_QTY)
  })

  it('never holds a quantity below 1, a fraction or more than the cap', () => {
    expect([clampQty(0), clampQty(-3), clampQty(2.7), clampQty(1e9), clampQty(Number.NaN)]).toEqual([1, 1, 2, MAX_QTY, 1])
    expect(setQty([line('a', 2)], 'a', 0)[0]!.qty).toBe(1)
    expect(removeLine([line('a', 2), line('b', 1)], 'a').map((l) => l.sku_id)).toEqual(['b'])
  })

  it('merges the signed-out cart into the server cart at sign-in', () => {
    const server = [line('a', 1), line('b', 2)]
    const local = [line('b', 3), line('c', 1)]
    const merged = mergeCarts(server, local)
    // the same SKU keeps the larger quantity: merging twice does not double it
    expect(merged.map((l) => [l.sku_id, l.qty])).toEqual([['a', 1], ['b', 3], ['c', 1]])
    expect(mergeCarts(merged, local)).toEqual(merged)
    expect(mergeCarts(server, []).length).toBe(2)
    expect(mergeCarts([line('a', 98)], [line('a', 500)])[0]!.qty).toBe(MAX_QTY)
  })

  it('counts items and estimates the total in fen', () => {
    const lines = [line('a', 2, 12900), line('b', 1, 9950)]
    expect(itemCount(lines)).toBe(3)
    expect(estimate(lines)).toBe(35750)
    expect(formatMoney(estimate(lines))).toBe('¥357.50')
  })
})

describe('the local cart', () => {
  beforeEach(() => localStorage.clear())

  it('is kept per shop and survives a reload', () => {
    writeLocal('shp_a', [line('a', 2)])
    expect(readLocal('shp_a').map((l) => l.qty)).toEqual([2])
    expect(readLocal('shp_b')).toEqual([])
    writeLocal('shp_a', [])
    expect(readLocal('shp_a')).toEqual([])
  })

  it('drops what it cannot trust (a bad line, broken JSON)', () => {
    localStorage.setItem('shopdesk.cart.shp_a', JSON.stringify([line('a', 2), { sku_id: 'x', qty: -1 }, { qty: 1 }]))
    expect(readLocal('shp_a').map((l) => l.sku_id)).toEqual(['a'])
    localStorage.setItem('shopdesk.cart.shp_a', '{not json')
    expect(readLocal('shp_a')).toEqual([])
  })
})
