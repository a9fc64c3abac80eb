// The storefront's spec selection (the SKU matrix): what a buyer can pick, which SKU a full pick
// is, sold-out values, prices while the pick is partial.
import { describe, expect, it } from 'vitest'
import { initialPick, missing, priceRange, skuOf, toggle, valueState, type SkuLike, type SpecLike } from '@/shop/logic/specs'

const specs: SpecLike[] = [
  { name: '颜色', values: ['红', '蓝', '黑'] },
  { name: '尺码', values: ['S', 'M', 'L'] },
]
// No 黑/S on sale; 蓝/L sold out; 蓝 only in M and L.
const skus: SkuLike[] = [
  { id: 'r-s', values: ['红', 'S'], price: 9900 },
  { id: 'r-m', values: ['红', 'M'], price: 9900 },
  { id: 'r-l', values: ['红', 'L'], price: 10900, stock_state: 'low' },
  { id: 'b-m', values: ['蓝', 'M'], price: 12900 },
  { id: 'b-l', values: ['蓝', 'L'], price: 12900, stock_state: 'sold_out' },
  { id: 'k-m', values: ['黑', 'M'], price: 8900, stock_state: 'sold_out' },
]

describe('spec selection', () => {
  it('finds the SKU of a full pick and nothing for a partial one', () => {
    expect(skuOf(skus, ['红', 'L'])?.id).toBe('r-l')
    expect(skuOf(skus, ['红', null])).toBeNull()
    expect(skuOf(skus, ['黑', 'S'])).toBeNull()
  })

  it('disables values no SKU on sale has with the values already picked', () => {
    expect(valueState(skus, ['蓝', null], 1, 'S')).toBe('unavailable')
    expect(valueState(skus, ['蓝', null], 1, 'M')).toBe('available')
    expect(valueState(skus, [null, 'S'], 0, '黑')).toBe('unavailable')
    // with nothing picked every value some SKU has is open
    expect(valueState(skus, [null, null], 1, 'S')).toBe('available')
  })

  it('greys out values whose SKUs are all sold out', () => {
    expect(valueState(skus, ['蓝', null], 1, 'L')).toBe('sold_out')
    expect(valueState(skus, [null, null], 0, '黑')).toBe('sold_out')
    expect(valueState(skus, [null, 'L'], 0, '红')).toBe('available') // low is still on sale
  })

  it('picks, unpicks, and clears a pick that no longer fits', () => {
    let pick = initialPick(specs, skus)
    expect(pick).toEqual([null, null])
    pick = toggle(skus, pick, 1, 'S')
    expect(pick).toEqual([null, 'S'])
    pick = toggle(skus, pick, 0, '蓝') // 蓝 has no S: the size goes
    expect(pick).toEqual(['蓝', null])
    pick = toggle(skus, pick, 0, '蓝')
    expect(pick).toEqual([null, null])
  })

  it('shows the price range of what the pick still allows', () => {
    expect(priceRange(skus, [null, null])).toEqual([8900, 12900])
    expect(priceRange(skus, ['红', null])).toEqual([9900, 10900])
    expect(priceRange(skus, ['红', 'S'])).toEqual([9900, 9900])
  })

  it('says which specs are still to pick, and opens a one-SKU product picked', () => {
    expect(missing(specs, ['红', null])).toEqual(['尺码'])
    const one = [{ id: 'only', values: ['均码'], price: 100 }]
    expect(initialPick([{ name: '尺码', values: ['均码'] }], one)).toEqual(['均码'])
    expect(skuOf(one, ['均码'])?.id).toBe('only')
    expect(skuOf([{ id: 'plain', values: [], price: 100 }], [])?.id).toBe('plain')
  })
})
