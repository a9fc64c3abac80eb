// What the audit log can be filtered by, and what an entry is about, in words.
import type { AuditEntry, RoleView, StaffView } from '@/api/identity'

/** Resources that write audit entries today (shared/identity/events.py, shared/settings). */
export const AUDIT_RESOURCES = ['settings', 'staff', 'roles', 'shop'] as const

/** Offered in the action filter: every action of a resource ("staff."), then single actions. */
export const AUDIT_ACTIONS: readonly string[] = [
  'settings.',
  'settings.profile.modified',
  'settings.payment_methods.modified',
  'settings.delivery_regions.modified',
  'settings.business_hours.modified',
  'staff.',
  'staff.invited',
  'staff.modified',
  'staff.disabled',
  'staff.enabled',
  'staff.password_reset',
  'staff.removed',
  'roles.',
  'roles.created',
  'roles.modified',
  'roles.deleted',
  'shop.',
  'shop.created',
]

export interface TargetNames {
  english: boolean
  /** Staff by user id, when this user may read the staff list. */
  staff: ReadonlyMap<string, StaffView>
  roleName: (code: string) => RoleView | undefined
}

const text = (v: unknown) => (typeof v === 'string' && v ? v : '')

/**
 * The staff member, role or shop an entry is about ("李娜 (service@demo.shop)", "仓库临时工"),
 * from the current lists first, else from the entry's own before/after; '' for settings.
 */
export function auditTarget(entry: AuditEntry, names: TargetNames): string {
  const data = { ...(entry.before ?? {}), ...(entry.after ?? {}) } as Record<string, unknown>
  if (entry.resource === 'staff') {
    const member = names.staff.get(entry.resource_id)
    const name = member?.name || text(data.name)
    const login = member?.login || text(data.login)
    if (name && login) return `${name} (${login})`
    return name || login || entry.resource_id
  }
  if (entry.resource === 'roles') {
    const role = names.roleName(entry.resource_id)
    const zh = role?.name_zh || text(data.name_zh)
    const en = role?.name_en || text(data.name_en)
    return (names.english ? en || zh : zh || en) || entry.resource_id
  }
  if (entry.resource === 'shop') return text(data.name) || entry.resource_id
  return ''
}
