// 身份与权限: staff, roles, one's own account and the audit log.
import type { RouteRecordRaw } from 'vue-router'
import { page } from '../page'

export default [
  page('staff', 'staff', () => import('@/pages/staff/StaffPage.vue'), { permission: 'staff.view', title: 'nav.staff' }),
  page('roles', 'roles', () => import('@/pages/roles/RolesPage.vue'), { permission: 'roles.view', title: 'nav.roles' }),
  page('roles/new', 'role-new', () => import('@/pages/roles/RoleEditorPage.vue'), { permission: 'roles.create', title: 'rolesPage.newTitle' }),
  page('roles/:code', 'role-edit', () => import('@/pages/roles/RoleEditorPage.vue'), { permission: 'roles.view', title: 'nav.roles' }, true),
  page('account', 'account', () => import('@/pages/AccountPage.vue'), { title: 'account.title' }),
  page('audit', 'audit', () => import('@/pages/AuditLogPage.vue'), { permission: 'audit.view', title: 'nav.audit' }),
] satisfies RouteRecordRaw[]
