// The spec matrix (规格组合) of the product editor: one SKU row per combination of spec values,
// in spec order then value order (颜色 x 尺码: 红/S, 红/M, 蓝/S, 蓝/M), as the server's
// shared/catalog/matrix.py. `mergeRows` mirrors its `merge`, so what the editor shows is what a
// `PUT /products/{id}/specs` would make: prices already entered survive spec changes.
// Rows hold money in yuan (what the inputs show); `rowToSku` / `skuToRow` convert to integer 分.
import type { SkuInput, SkuStatus, SkuView, SpecView } from '@/api/catalog'
import { majorToMinor, minorToMajor } from './money'

export const MAX_SPECS = 3
export const MAX_SPEC_VALUES = 50
export const MAX_SKUS = 600

/** A spec being edited; `key` stays when the name is edited, so renaming keeps the rows. */
export interface SpecDraft {
  key: string
  name: string
  values: string[]
}

export interface SkuRow {
  /** The server's SKU id, when the row already exists there. */
  id?: string
  values: string[]
  /** Yuan (元), as typed; null = empty. */
  price: number | null
  strike_price: number | null
  cost_price: number | null
  weight_g: number | null
  volume_cm3: number
  code: string
  barcode: string
  status: SkuStatus
}

export function emptyRow(values: string[] = []): SkuRow {
  return { values, price: null, strike_price: null, cost_price: null, weight_g: null, volume_cm3: 0, code: '', barcode: '', status: 'active' }
}

/** Specs that take part in the matrix: a name and at least one value (others are still being typed). */
export function effectiveSpecs(specs: readonly SpecDraft[]): SpecDraft[] {
  return specs.filter((s) => s.name.trim() !== '' && s.values.length > 0)
}

/** Every combination in order; no specs = one empty combination. */
export function combinations(specs: readonly { values: readonly string[] }[]): string[][] {
  let out: string[][] = [[]]
  for (const spec of specs) out = out.flatMap((combo) => spec.values.map((v) => [...combo, v]))
  return out
}

export function matrixSize(specs: readonly { values: readonly string[] }[]): number {
  return specs.reduce((n, s) => n * s.values.length, 1)
}

/**
 * The rows of `next`'s matrix, keeping what was entered for `prev`'s (specs matched by key):
 * an existing combination keeps its row; a new spec gives its first value to the existing rows;
 * a new combination copies prices, weight and status from the row sharing most values (codes
 * stay empty: they are unique in the shop).
 */
export function mergeRows(prev: readonly SpecDraft[], rows: readonly SkuRow[], next: readonly SpecDraft[]): SkuRow[] {
  const prevKeys = prev.map((s) => s.key)
  const first = new Map(next.filter((s) => s.values.length).map((s) => [s.key, s.values[0]!]))
  const views = rows.map((row) => ({ row, view: new Map(prevKeys.map((k, i) => [k, row.values[i]!])) }))
  const used = new Set<SkuRow>()
  return combinations(next).map((combo) => {
    const wanted = new Map(next.map((s, i) => [s.key, combo[i]!]))
    const match = views.find(
      ({ row, view }) => !used.has(row) && [...wanted].every(([k, v]) => (view.has(k) ? view.get(k) === v : first.get(k) === v)),
    )
    if (match) {
      used.add(match.row)
      return { ...match.row, values: combo }
    }
    let best: SkuRow | null = null
    let bestScore = -1
    for (const { row, view } of views) {
      const score = [...wanted].filter(([k, v]) => view.get(k) === v).length
      if (score > bestScore) [best, bestScore] = [row, score]
    }
    if (!best) return emptyRow(combo)
    return { ...best, id: undefined, values: combo, code: '', barcode: '' }
  })
}

/** The inputs of the "fill all" row; null fields are left alone. */
export interface BulkFill {
  price: number | null
  strike_price: number | null
  cost_price: number | null
  weight_g: number | null
}

export function fillRows(rows: readonly SkuRow[], fill: BulkFill): SkuRow[] {
  return rows.map((row) => {
    const out = { ...row }
    for (const key of ['price', 'strike_price', 'cost_price', 'weight_g'] as const) {
      if (fill[key] !== null && fill[key] !== undefined) out[key] = fill[key]
    }
    return out
  })
}

const yuan = (minor: number | null | undefined, currency: string) =>
  minor === null || minor === undefined ? null : minorToMajor(minor, currency)
const fen = (major: number | null, currency: string) => (major === null || Number.isNaN(major) ? null : majorToMinor(major, currency))

export function skuToRow(sku: SkuView, currency = 'CNY'): SkuRow {
  return {
    id: sku.id,
    values: [...sku.values],
    price: yuan(sku.price, currency),
    strike_price: yuan(sku.strike_price, currency),
    cost_price: yuan(sku.cost_price, currency),
    weight_g: sku.weight_g,
    volume_cm3: sku.volume_cm3 ?? 0,
    code: sku.code,
    barcode: sku.barcode,
    status: sku.status,
  }
}

/** A row as the API takes it: integer 分 (an empty price is 0: validation stops that first). */
export function rowToSku(row: SkuRow, currency = 'CNY'): SkuInput {
  const sku: SkuInput = {
    values: [...row.values],
    price: fen(row.price, currency) ?? 0,
    strike_price: fen(row.strike_price, currency),
    cost_price: fen(row.cost_price, currency),
    weight_g: row.weight_g ?? 0,
    volume_cm3: row.volume_cm3,
    code: row.code.trim(),
    barcode: row.barcode.trim(),
    status: row.status,
  }
  if (row.id) sku.id = row.id
  return sku
}

export function specsToApi(specs: readonly SpecDraft[]): SpecView[] {
  return effectiveSpecs(specs).map((s) => ({ name: s.name.trim(), values: [...s.values] }))
}

/** Adds a value to a spec's list unless it is blank or already there (letter case ignored, as the server). */
export function addValue(values: readonly string[], value: string): { values: string[]; error: 'blank' | 'duplicate' | 'tooMany' | null } {
  const v = value.trim()
  if (!v) return { values: [...values], error: 'blank' }
  if (values.some((x) => x.toLocaleLowerCase() === v.toLocaleLowerCase())) return { values: [...values], error: 'duplicate' }
  if (values.length >= MAX_SPEC_VALUES) return { values: [...values], error: 'tooMany' }
  return { values: [...values, v], error: null }
}

/** "¥99.00" or "¥99.00 – ¥129.00". */
export function priceRange(min: number, max: number, format: (minor: number) => string): string {
  return min === max ? format(min) : `${format(min)} – ${format(max)}`
}
