// 身份与权限: staff, roles, one's own account and the audit log.
import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: 'staff', name: 'staff', component: () => import('@/pages/staff/StaffPage.vue'), meta: { permission: 'staff.view', title: 'nav.staff' } },
  { path: 'roles', name: 'roles', component: () => import('@/pages/roles/RolesPage.vue'), meta: { permission: 'roles.view', title: 'nav.roles' } },
  {
    path: 'roles/new',
    name: 'role-new',
    component: () => import('@/pages/roles/RoleEditorPage.vue'),
    meta: { permission: 'roles.create', title: 'rolesPage.newTitle' },
  },
  {
    path: 'roles/:code',
    name: 'role-edit',
    component: () => import('@/pages/roles/RoleEditorPage.vue'),
    props: true,
    meta: { permission: 'roles.view', title: 'nav.roles' },
  },
  { path: 'account', name: 'account', component: () => import('@/pages/AccountPage.vue'), meta: { title: 'account.title' } },
  { path: 'audit', name: 'audit', component: () => import('@/pages/AuditLogPage.vue'), meta: { permission: 'audit.view', title: 'nav.audit' } },
] satisfies RouteRecordRaw[]
