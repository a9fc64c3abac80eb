// The small rules the inventory, stocktake and purchasing pages share: typed yuan to fen, what a
// purchase order still expects, the receiving dialog's defaults and checks, a scanned code's line.
// The server decides everything; these only shape input and explain answers before sending.
import type { StocktakeLine } from '@/api/inventory'
import type { PoLineView, PoStatus } from '@/api/purchasing'
import { zonedDayStart, addDays } from '@/utils/time'

export const MAX_QTY = 1_000_000
/** 100万元 per unit, in fen (shared/purchasing/models.py MAX_UNIT_COST). */
export const MAX_UNIT_COST = 100_000_000
/** Lines one receipt may post (shared/purchasing/models.py MAX_RECEIPT_LINES). */
export const MAX_RECEIPT_LINES = 20
export const MAX_PO_LINES = 60

const YUAN_RE = /^(\d{1,9})(?:\.(\d{0,2}))?$/

/**
 * "12.34" -> 1234 fen; "12" -> 1200; "0.5" -> 50; "¥1,299.9" -> 129990. Blank, negative, more
 * than two decimals or not a number -> null (the caller shows why). Integer arithmetic only.
 */
export function parseYuan(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined) return null
  const s = String(text).trim().replace(/^[¥￥]\s*/, '').replace(/,/g, '')
  const m = YUAN_RE.exec(s)
  if (!m) return null
  const whole = Number(m[1])
  const fraction = Number((m[2] ?? '').padEnd(2, '0'))
  return whole * 100 + fraction
}

/** 1234 fen -> "12.34" (for an input's initial text). */
export function fenToYuanText(fen: number): string {
  const abs = Math.abs(Math.round(fen))
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Units a PO line still expects (never negative: an over-receipt expects nothing more). */
export function outstanding(line: Pick<PoLineView, 'qty' | 'received'>): number {
  return Math.max(0, line.qty - line.received)
}

/** The statuses in which goods can be received against a PO. */
export function isReceivable(status: PoStatus): boolean {
  return status === 'submitted' || status === 'partially_received'
}

export interface ReceiveRow {
  sku_id: string
  qty: number
}

/** The receiving dialog's rows: every line, its quantity defaulting to what is still expected. */
export function defaultReceiveRows(lines: Pick<PoLineView, 'sku_id' | 'qty' | 'received'>[]): ReceiveRow[] {
  return lines.map((l) => ({ sku_id: l.sku_id, qty: outstanding(l) }))
}

export type ReceiveProblem = { key: string; params?: Record<string, unknown> }

/**
 * The body lines of a receipt (rows with 0 are left out) and what stops it: nothing to receive,
 * too many lines for one receipt, or more than expected without the over-receipt box.
 */
export function receiptLines(
  lines: Pick<PoLineView, 'sku_id' | 'qty' | 'received' | 'sku_code'>[],
  rows: ReceiveRow[],
  overReceipt: boolean,
): { lines: ReceiveRow[]; problem: ReceiveProblem | null; over: string[] } {
  const byId = new Map(lines.map((l) => [l.sku_id, l]))
  const body = rows.filter((r) => Number.isInteger(r.qty) && r.qty > 0).map((r) => ({ sku_id: r.sku_id, qty: r.qty }))
  const over = body.filter((r) => {
    const line = byId.get(r.sku_id)
    return line ? r.qty > outstanding(line) : false
  }).map((r) => r.sku_id)
  if (!body.length) return { lines: body, problem: { key: 'purchasing.receive.nothing' }, over }
  if (body.length > MAX_RECEIPT_LINES) {
    return { lines: body, problem: { key: 'purchasing.receive.tooManyLines', params: { n: MAX_RECEIPT_LINES } }, over }
  }
  if (over.length && !overReceipt) {
    const codes = over.map((s) => byId.get(s)?.sku_code || s).join(', ')
    return { lines: body, problem: { key: 'purchasing.receive.overNeedsFlag', params: { codes } }, over }
  }
  return { lines: body, problem: null, over }
}

/** A draft's total in fen from its editor lines (lines without a valid cost count as 0). */
export function linesTotal(lines: { qty: number | null | undefined; unitCost: number | null }[]): number {
  return lines.reduce((sum, l) => sum + (l.qty && l.unitCost !== null ? l.qty * l.unitCost : 0), 0)
}

/** +5 / -3 / 0, for movement and variance columns. */
export function signed(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—'
  return n > 0 ? `+${n}` : String(n)
}

/** The stocktake line a scanned or typed code names (SKU code, any letter case), if loaded. */
export function lineByCode(lines: StocktakeLine[], code: string): StocktakeLine | undefined {
  const wanted = code.trim().toUpperCase()
  if (!wanted) return undefined
  return lines.find((l) => l.sku_code.toUpperCase() === wanted)
}

/** Puts entered lines over the loaded ones (by SKU), new ones first. */
export function mergeLines(current: StocktakeLine[], entered: StocktakeLine[]): StocktakeLine[] {
  const fresh = new Map(entered.map((l) => [l.sku_id, l]))
  const merged = current.map((l) => fresh.get(l.sku_id) ?? l)
  const added = entered.filter((l) => !current.some((c) => c.sku_id === l.sku_id))
  return [...added, ...merged]
}

/**
 * A movement filter's time range from two calendar days in the shop's zone: from the start of
 * the first to the start of the day after the last (the API's `to` is exclusive).
 */
export function dayRange(range: [string, string] | null | undefined, timeZone: string): { from?: string; to?: string } {
  if (!range || !range[0] || !range[1]) return {}
  return { from: zonedDayStart(range[0], timeZone), to: zonedDayStart(addDays(range[1], 1), timeZone) }
}

/** What the stock dialog does to one SKU in one warehouse. */
export type StockAction = 'adjust' | 'settings' | 'transfer'

/** Element Plus tag type of a purchase order status. */
export function poStatusType(status: PoStatus): 'info' | 'primary' | 'warning' | 'success' | 'danger' {
  return ({ draft: 'info', submitted: 'primary', partially_received: 'warning', received: 'success', closed: 'info', cancelled: 'danger' } as const)[status]
}
