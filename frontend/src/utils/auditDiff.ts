// Turns an audit entry's before/after into the few lines a person wants to read:
// only the leaves that differ, list items named by their key (code, weekday, date),
// and lists of plain values (province codes) shown as added/removed.

export type DiffLine =
  | { kind: 'change'; path: string[]; before: unknown; after: unknown }
  | { kind: 'set'; path: string[]; added: unknown[]; removed: unknown[] }

const ITEM_KEYS = ['code', 'weekday', 'date', 'id', 'key']

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isScalar = (v: unknown) => v === null || v === undefined || typeof v !== 'object'

function itemKey(item: unknown): string | null {
  if (!isPlainObject(item)) return null
  for (const k of ITEM_KEYS) {
    const v = item[k]
    if (typeof v === 'string' || typeof v === 'number') return String(v)
  }
  return null
}

/** Arrays of objects that carry an identifying key become maps keyed by it. */
function keyed(list: unknown[]): Map<string, unknown> | null {
  const map = new Map<string, unknown>()
  for (const item of list) {
    const k = itemKey(item)
    if (k === null || map.has(k)) return null
    map.set(k, item)
  }
  return map
}

/** "2026-12-25 春节": the item's key, then its other non-empty plain values. */
function describe(key: string, item: unknown): string {
  const rest = isPlainObject(item)
    ? Object.entries(item)
        .filter(([k, v]) => !ITEM_KEYS.includes(k) && isScalar(v) && v !== '' && v !== null && v !== undefined)
        .map(([, v]) => String(v))
    : []
  return [key, ...rest].join(' ')
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

function walk(before: unknown, after: unknown, path: string[], out: DiffLine[]): void {
  if (same(before, after)) return
  const bList = Array.isArray(before) ? before : before == null ? [] : null
  const aList = Array.isArray(after) ? after : after == null ? [] : null
  if (bList && aList && (Array.isArray(before) || Array.isArray(after))) {
    if ([...bList, ...aList].every(isScalar)) {
      const bs = bList.map((v) => JSON.stringify(v))
      const as = aList.map((v) => JSON.stringify(v))
      out.push({
        kind: 'set',
        path,
        added: aList.filter((_v, i) => !bs.includes(as[i]!)),
        removed: bList.filter((_v, i) => !as.includes(bs[i]!)),
      })
      return
    }
    const bMap = keyed(bList)
    const aMap = keyed(aList)
    if (bMap && aMap) {
      // Whole items added or removed read best as one line ("+ 2026-12-25 春节").
      const added = [...aMap.keys()].filter((k) => !bMap.has(k)).map((k) => describe(k, aMap.get(k)))
      const removed = [...bMap.keys()].filter((k) => !aMap.has(k)).map((k) => describe(k, bMap.get(k)))
      if (added.length || removed.length) out.push({ kind: 'set', path, added, removed })
      for (const k of bMap.keys()) if (aMap.has(k)) walk(bMap.get(k), aMap.get(k), [...path, k], out)
      return
    }
  }
  if (isPlainObject(before) || isPlainObject(after)) {
    const b = isPlainObject(before) ? before : {}
    const a = isPlainObject(after) ? after : {}
    if ((before == null || isPlainObject(before)) && (after == null || isPlainObject(after))) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])]
      for (const k of keys) {
        if (k === 'version') continue
        walk(b[k], a[k], [...path, k], out)
      }
      return
    }
  }
  out.push({ kind: 'change', path, before, after })
}

export function diffAuditEntry(
  changed: string[] | null | undefined,
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): DiffLine[] {
  const fields = changed && changed.length ? changed : [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])]
  const out: DiffLine[] = []
  for (const field of fields) {
    if (field === 'version') continue
    const lines: DiffLine[] = []
    walk(before?.[field], after?.[field], [field], lines)
    // A field the server says changed but whose values we cannot tell apart still gets a line.
    if (!lines.length && changed?.includes(field)) {
      lines.push({ kind: 'change', path: [field], before: before?.[field], after: after?.[field] })
    }
    out.push(...lines)
  }
  return out
}
