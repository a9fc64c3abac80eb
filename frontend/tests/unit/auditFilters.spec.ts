import { describe, expect, it } from 'vitest'
import type { AuditEntry, StaffView } from '@/api/identity'
import { AUDIT_ACTIONS, AUDIT_RESOURCES, auditTarget } from '@/utils/auditFilters'
import { diffAuditEntry } from '@/utils/auditDiff'
import zhCN from '@/locales/zh-CN'

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: '01',
  occurred_at: '2026-01-01T00:00:00Z',
  actor: { id: 'u-owner', email: 'owner@demo.shop' },
  action: 'staff.invited',
  resource: 'staff',
  resource_id: 'u-li',
  changed: [],
  before: null,
  after: null,
  source_ip: null,
  user_agent: null,
  ...over,
})
const member = { user_id: 'u-li', name: '李娜', login: 'li@x.com' } as StaffView
const names = (english = false) => ({
  english,
  staff: new Map<string, StaffView>(),
  roleName: () => undefined,
})

describe('auditTarget', () => {
  it('names the staff member from the staff list, else from the entry', () => {
    const invited = entry({ after: { name: '李娜', login: 'l***@x.com', roles: ['owner'], status: 'active' } })
    expect(auditTarget(invited, names())).toBe('李娜 (l***@x.com)')
    expect(auditTarget(invited, { ...names(), staff: new Map([['u-li', member]]) })).toBe('李娜 (li@x.com)')
    expect(auditTarget(entry({ action: 'staff.disabled' }), names())).toBe('u-li')
  })

  it('names a role in the UI language, a shop by its name, settings not at all', () => {
    const role = entry({ resource: 'roles', resource_id: 'role_x', after: { name_zh: '临时工', name_en: 'Temp', permissions: [] } })
    expect(auditTarget(role, names())).toBe('临时工')
    expect(auditTarget(role, names(true))).toBe('Temp')
    expect(auditTarget(entry({ resource: 'shop', resource_id: 'shp_1', after: { name: '新店' } }), names())).toBe('新店')
    expect(auditTarget(entry({ resource: 'settings', resource_id: 'profile' }), names())).toBe('')
  })
})

describe('audit filters', () => {
  it('offer only actions the locale files can name', () => {
    const actions = (zhCN.audit.actions as Record<string, Record<string, unknown>>)
    for (const code of AUDIT_ACTIONS) {
      if (code.endsWith('.')) {
        expect(AUDIT_RESOURCES, code).toContain(code.slice(0, -1))
        continue
      }
      let node: unknown = actions
      for (const part of code.split('.')) node = (node as Record<string, unknown>)?.[part]
      expect(typeof node, code).toBe('string')
    }
  })
})

describe('diff of staff and role entries', () => {
  it('shows a role change as roles added and removed', () => {
    const lines = diffAuditEntry(['roles'], { roles: ['customer_service'] }, { roles: ['customer_service', 'role_x'] })
    expect(lines).toEqual([{ kind: 'set', path: ['roles'], added: ['role_x'], removed: [] }])
  })

  it('shows a new role’s permissions as added', () => {
    const lines = diffAuditEntry([], null, { name_zh: '临时工', permissions: ['audit.view', 'settings.view'] })
    expect(lines).toContainEqual({ kind: 'set', path: ['permissions'], added: ['audit.view', 'settings.view'], removed: [] })
    expect(lines).toContainEqual({ kind: 'change', path: ['name_zh'], before: undefined, after: '临时工' })
  })
})
