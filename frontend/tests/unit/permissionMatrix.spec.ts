// The role editor's matrix: what each tick, row, column and "select all" does to the list of
// permission codes the role will grant.
import { describe, expect, it } from 'vitest'
import {
  buildMatrix,
  cell,
  columnCodes,
  normalize,
  rowCodes,
  setMany,
  stateOf,
  toggle,
  toggleAll,
  toggleColumn,
  toggleRow,
  type MatrixPermission,
} from '@/utils/permissionMatrix'

// A slice of the registry (shared/auth/permissions.py), in its order.
const p = (code: string): MatrixPermission => {
  const [resource, action] = code.split('.') as [string, string]
  return { code, resource, action }
}
const REGISTRY = [
  'settings.view',
  'settings.edit',
  'audit.view',
  'audit.export',
  'staff.view',
  'staff.create',
  'staff.edit',
  'staff.delete',
  'staff.export',
  'orders.view',
  'orders.create',
  'orders.edit',
  'orders.delete',
  'orders.export',
  'orders.approve',
  'orders.refund',
  'personal_data.view',
].map(p)
const RESOURCES = ['settings', 'audit', 'staff', 'orders', 'personal_data']
const m = buildMatrix(REGISTRY, RESOURCES)

describe('buildMatrix', () => {
  it('keeps the registry’s rows and puts actions in a fixed column order', () => {
    expect(m.resources).toEqual(RESOURCES)
    expect(m.actions).toEqual(['view', 'create', 'edit', 'delete', 'approve', 'refund', 'export'])
  })

  it('has a cell only where the resource has the action', () => {
    expect(cell(m, 'orders', 'refund')).toBe('orders.refund')
    expect(cell(m, 'settings', 'delete')).toBeNull()
    expect(cell(m, 'personal_data', 'edit')).toBeNull()
    expect(rowCodes(m, 'audit')).toEqual(['audit.view', 'audit.export'])
    expect(columnCodes(m, 'export')).toEqual(['audit.export', 'staff.export', 'orders.export'])
  })

  it('puts actions it does not know after the known ones', () => {
    const withExtra = buildMatrix([...REGISTRY, p('orders.print')], RESOURCES)
    expect(withExtra.actions.at(-1)).toBe('print')
    expect(cell(withExtra, 'orders', 'print')).toBe('orders.print')
  })
})

describe('ticking single boxes', () => {
  it('ticks and unticks one permission', () => {
    expect(toggle(m, [], 'settings.view')).toEqual(['settings.view'])
    expect(toggle(m, ['settings.view', 'audit.view'], 'audit.view')).toEqual(['settings.view'])
  })

  it('ticks "view" along with any other action of the resource', () => {
    expect(toggle(m, [], 'orders.refund')).toEqual(['orders.view', 'orders.refund'])
    expect(toggle(m, [], 'audit.export')).toEqual(['audit.view', 'audit.export'])
  })

  it('clears the whole row when "view" is unticked, and only that row', () => {
    const before = ['settings.view', 'orders.view', 'orders.edit', 'orders.refund']
    expect(toggle(m, before, 'orders.view')).toEqual(['settings.view'])
  })

  it('unticking another action keeps "view"', () => {
    expect(toggle(m, ['orders.view', 'orders.edit'], 'orders.edit')).toEqual(['orders.view'])
  })

  it('ignores codes that are not in the registry', () => {
    expect(toggle(m, ['settings.view'], 'nope.view')).toEqual(['settings.view'])
    expect(setMany(m, [], ['x.y', 'audit.view'], true)).toEqual(['audit.view'])
  })
})

describe('rows, columns and everything', () => {
  it('a row fills when not full and clears when full', () => {
    const filled = toggleRow(m, ['staff.view'], 'staff')
    expect(filled).toEqual(['staff.view', 'staff.create', 'staff.edit', 'staff.delete', 'staff.export'])
    expect(stateOf(filled, rowCodes(m, 'staff'))).toBe('all')
    expect(toggleRow(m, filled, 'staff')).toEqual([])
  })

  it('a column ticks that action everywhere it exists, with the views it needs', () => {
    const exports = toggleColumn(m, [], 'export')
    expect(exports).toEqual(['audit.view', 'audit.export', 'staff.view', 'staff.export', 'orders.view', 'orders.export'])
    expect(stateOf(exports, columnCodes(m, 'export'))).toBe('all')
    // Cleared again: the views stay (other columns may need them).
    expect(toggleColumn(m, exports, 'export')).toEqual(['audit.view', 'staff.view', 'orders.view'])
  })

  it('clearing the view column clears every row', () => {
    const all = toggleAll(m, [])
    expect(toggleColumn(m, all, 'view')).toEqual([])
  })

  it('select all grants every permission, a second time none', () => {
    const all = toggleAll(m, ['audit.view'])
    expect(all).toEqual(REGISTRY.map((x) => x.code))
    expect(stateOf(all, m.codes)).toBe('all')
    expect(toggleAll(m, all)).toEqual([])
  })

  it('reports partly ticked rows and columns', () => {
    expect(stateOf(['orders.view'], rowCodes(m, 'orders'))).toBe('some')
    expect(stateOf([], rowCodes(m, 'orders'))).toBe('none')
    expect(stateOf(['settings.view', 'audit.view'], columnCodes(m, 'view'))).toBe('some')
  })
})

describe('what a set of ticks means', () => {
  it('is each known code once, in registry order', () => {
    expect(normalize(m, ['audit.view', 'settings.view', 'audit.view', 'bogus.view'])).toEqual(['settings.view', 'audit.view'])
  })

  it('settings view plus audit view is exactly those two (the e2e role)', () => {
    let ticks: string[] = []
    ticks = toggle(m, ticks, 'settings.view')
    ticks = toggle(m, ticks, 'audit.view')
    expect(ticks).toEqual(['settings.view', 'audit.view'])
  })
})
