// The product page's spec selection (the SKU matrix): a product's specs (颜色: 红/蓝, 尺码: S/M)
// and the SKUs on sale, each with one value per spec. The buyer picks values; a full pick is one
// SKU (its price and stock state); a value that no SKU on sale has together with the values
// already picked cannot be picked, and one whose SKUs are all sold out shows as sold out.
import type { StockState } from '../types'

export interface SpecLike {
  name: string
  values: string[]
}
export interface SkuLike {
  id: string
  values: string[]
  price: number
  strike_price?: number | null
  stock_state?: StockState
}

/** A pick: one value (or null) per spec, in the specs' order. */
export type Pick = (string | null)[]

export type ValueState = 'available' | 'sold_out' | 'unavailable'

const stateOf = (sku: SkuLike): StockState => sku.stock_state ?? 'in_stock'

/** The SKUs that agree with every picked value (ignoring spec `except`). */
function matching(skus: readonly SkuLike[], pick: Pick, except = -1): SkuLike[] {
  return skus.filter((sku) => pick.every((v, i) => i === except || v === null || sku.values[i] === v))
}

export function emptyPick(specs: readonly SpecLike[]): Pick {
  return specs.map(() => null)
}

/** The one SKU of a full pick (a product without specs: its only SKU); null otherwise. */
export function skuOf(skus: readonly SkuLike[], pick: Pick): SkuLike | null {
  if (pick.some((v) => v === null)) return null
  return skus.find((sku) => sku.values.length === pick.length && sku.values.every((v, i) => v === pick[i])) ?? null
}

/** Whether `value` of spec `index` can be picked given the other picked values. */
export function valueState(skus: readonly SkuLike[], pick: Pick, index: number, value: string): ValueState {
  const candidates = matching(skus, pick, index).filter((sku) => sku.values[index] === value)
  if (!candidates.length) return 'unavailable'
  return candidates.every((sku) => stateOf(sku) === 'sold_out') ? 'sold_out' : 'available'
}

/** Picks `value` of spec `index` (picking it again clears it); other picks that no longer fit are cleared. */
export function toggle(skus: readonly SkuLike[], pick: Pick, index: number, value: string): Pick {
  const next = [...pick]
  next[index] = pick[index] === value ? null : value
  for (let i = 0; i < next.length; i++) {
    const v = next[i]
    if (i !== index && v !== null && valueState(skus, next, i, v) === 'unavailable') next[i] = null
  }
  return next
}

/** The price range of the SKUs the pick still allows, for "¥99–129" before the pick is full. */
export function priceRange(skus: readonly SkuLike[], pick: Pick): [number, number] | null {
  const prices = matching(skus, pick).map((s) => s.price)
  return prices.length ? [Math.min(...prices), Math.max(...prices)] : null
}

/** The pick a product opens with: its only SKU's values when there is one, else nothing. */
export function initialPick(specs: readonly SpecLike[], skus: readonly SkuLike[]): Pick {
  const only = skus.length === 1 ? skus[0] : undefined
  return only && only.values.length === specs.length ? [...only.values] : emptyPick(specs)
}

/** The specs the pick still misses, by name (the button says "请选择 尺码"). */
export function missing(specs: readonly SpecLike[], pick: Pick): string[] {
  return specs.filter((_, i) => pick[i] === null).map((s) => s.name)
}
