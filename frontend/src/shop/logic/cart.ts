// The cart's rules on the page: a signed-out cart kept in this browser (per shop), lines merged
// by SKU with quantities capped, and the merge of the local cart into the server cart at sign-in
// (the server does the same when `POST /cart/merge` gets the lines; the page shows the result).
import type { CartLine } from '../types'

/** The most of one SKU a cart line holds (the server refuses more). */
export const MAX_QTY = 99

const key = (shopId: string) => `shopdesk.cart.${shopId}`

export function clampQty(qty: number): number {
  if (!Number.isFinite(qty)) return 1
  return Math.min(MAX_QTY, Math.max(1, Math.floor(qty)))
}

/** Adds `line` to `lines`: the same SKU's quantities add up (capped), a new SKU goes last. */
export function addLine(lines: readonly CartLine[], line: CartLine): CartLine[] {
  const at = lines.findIndex((l) => l.sku_id === line.sku_id)
  if (at < 0) return [...lines, { ...line, qty: clampQty(line.qty) }]
  return lines.map((l, i) => (i === at ? { ...l, ...line, qty: clampQty(l.qty + line.qty) } : l))
}

export function setQty(lines: readonly CartLine[], skuId: string, qty: number): CartLine[] {
  return lines.map((l) => (l.sku_id === skuId ? { ...l, qty: clampQty(qty) } : l))
}

export function removeLine(lines: readonly CartLine[], skuId: string): CartLine[] {
  return lines.filter((l) => l.sku_id !== skuId)
}

/**
 * The server cart after a sign-in merge (what `POST /cart/merge` does): its lines first, the local
 * ones added; the same SKU in both keeps the larger quantity (a cart merged twice, or kept on two
 * devices, does not double).
 */
export function mergeCarts(server: readonly CartLine[], local: readonly CartLine[]): CartLine[] {
  const merged = server.map((l) => ({ ...l }))
  for (const line of local) {
    const same = merged.find((l) => l.sku_id === line.sku_id)
    if (same) same.qty = clampQty(Math.max(same.qty, line.qty))
    else merged.push({ ...line, qty: clampQty(line.qty) })
  }
  return merged
}

/** Number of items (for the cart badge). */
export function itemCount(lines: readonly CartLine[]): number {
  return lines.reduce((n, l) => n + l.qty, 0)
}

/** Goods total of the lines whose price is known, in fen (the quote is the real price). */
export function estimate(lines: readonly CartLine[]): number {
  return lines.reduce((sum, l) => sum + (l.unit_price ?? 0) * l.qty, 0)
}

function valid(line: unknown): line is CartLine {
  const l = line as CartLine
  return !!l && typeof l.sku_id === 'string' && typeof l.product_id === 'string' && Number.isInteger(l.qty) && l.qty > 0
}

export function readLocal(shopId: string, storage: Storage = localStorage): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key(shopId)) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(valid).map((l) => ({ ...l, qty: clampQty(l.qty) })) : []
  } catch {
    return []
  }
}

export function writeLocal(shopId: string, lines: readonly CartLine[], storage: Storage = localStorage): void {
  try {
    if (lines.length) storage.setItem(key(shopId), JSON.stringify(lines))
    else storage.removeItem(key(shopId))
  } catch {
    /* private mode: the cart lasts for this page only */
  }
}
