// The role editor's permission matrix as plain functions (no Vue): rows are resources, columns
// are actions, a cell is one permission code of the registry (or nothing: not every resource
// has every action). Every change returns a new list of codes in registry order, which is
// exactly what the role will grant.
//
// One rule is enforced while editing: a resource's other actions are useless without its
// "view" (its pages cannot be opened), so ticking any of them ticks "view" too, and unticking
// "view" clears the row. The built-in roles follow the same rule.

export interface MatrixPermission {
  code: string
  resource: string
  action: string
}

/** Columns left to right; actions the registry adds later go after these. */
export const ACTION_ORDER = ['view', 'create', 'edit', 'delete', 'approve', 'refund', 'export'] as const

export type TriState = 'all' | 'some' | 'none'

export interface Matrix {
  /** Row order: the registry's. */
  resources: string[]
  /** Columns that at least one resource has. */
  actions: string[]
  /** Every code, registry order. */
  codes: string[]
  cells: Map<string, Map<string, string>>
}

export function buildMatrix(items: readonly MatrixPermission[], resourceOrder: readonly string[] = []): Matrix {
  const cells = new Map<string, Map<string, string>>()
  const resources: string[] = [...resourceOrder]
  for (const p of items) {
    if (!resources.includes(p.resource)) resources.push(p.resource)
    let row = cells.get(p.resource)
    if (!row) cells.set(p.resource, (row = new Map()))
    row.set(p.action, p.code)
  }
  const present = new Set(items.map((p) => p.action))
  const known = ACTION_ORDER.filter((a) => present.has(a)) as string[]
  const extra = [...present].filter((a) => !(ACTION_ORDER as readonly string[]).includes(a))
  const ordered = resources.filter((r) => cells.has(r))
  const codes = ordered.flatMap((r) => items.filter((p) => p.resource === r).map((p) => p.code))
  return { resources: ordered, actions: [...known, ...extra], codes, cells }
}

/** The code of a cell, or null where the resource has no such action. */
export function cell(m: Matrix, resource: string, action: string): string | null {
  return m.cells.get(resource)?.get(action) ?? null
}

export function rowCodes(m: Matrix, resource: string): string[] {
  return m.actions.map((a) => cell(m, resource, a)).filter((c): c is string => c !== null)
}

export function columnCodes(m: Matrix, action: string): string[] {
  return m.resources.map((r) => cell(m, r, action)).filter((c): c is string => c !== null)
}

export function stateOf(selected: readonly string[], codes: readonly string[]): TriState {
  if (!codes.length) return 'none'
  const set = new Set(selected)
  const n = codes.filter((c) => set.has(c)).length
  return n === 0 ? 'none' : n === codes.length ? 'all' : 'some'
}

/** The codes a set of ticks means: known codes only, once each, in registry order. */
export function normalize(m: Matrix, selected: Iterable<string>): string[] {
  const set = new Set(selected)
  return m.codes.filter((c) => set.has(c))
}

function resourceOf(m: Matrix, code: string): string | null {
  for (const [resource, row] of m.cells) for (const c of row.values()) if (c === code) return resource
  return null
}

/** Ticks (on) or unticks (off) the codes, keeping the "view" rule. */
export function setMany(m: Matrix, selected: readonly string[], codes: readonly string[], on: boolean): string[] {
  const set = new Set(selected)
  for (const code of codes) {
    const resource = resourceOf(m, code)
    if (!resource) continue
    const view = cell(m, resource, 'view')
    if (on) {
      set.add(code)
      if (view) set.add(view)
    } else {
      set.delete(code)
      if (code === view) for (const c of rowCodes(m, resource)) set.delete(c)
    }
  }
  return normalize(m, set)
}

export function toggle(m: Matrix, selected: readonly string[], code: string): string[] {
  return setMany(m, selected, [code], !selected.includes(code))
}

/** A full row or column (or everything) is cleared; otherwise it is filled. */
function flip(m: Matrix, selected: readonly string[], codes: string[]): string[] {
  return setMany(m, selected, codes, stateOf(selected, codes) !== 'all')
}

export const toggleRow = (m: Matrix, selected: readonly string[], resource: string) => flip(m, selected, rowCodes(m, resource))
export const toggleColumn = (m: Matrix, selected: readonly string[], action: string) => flip(m, selected, columnCodes(m, action))
export const toggleAll = (m: Matrix, selected: readonly string[]) => flip(m, selected, m.codes)
