// 身份与权限: sign-in, one's own account and shops, staff, roles and the audit log
// (functions/identity/app.py). Types come from the API's OpenAPI document (schema.d.ts).
import { api, type Query } from './http'
import type { RoleInput, StaffInvite, StaffUpdate } from './schema'

export type {
  AuditEntry,
  AuthConfig,
  Invitation,
  Me,
  PermissionList,
  PendingInvitation,
  PermissionView as PermissionInfo,
  RoleInput,
  RoleView,
  ShopCreated,
  StaffInvite,
  StaffUpdate,
  StaffView,
  Tokens,
  UserView,
} from './schema'
export type StaffQuery = Query<'/staff', 'get'>
/** A permission of the registry (shared/auth/permissions.py), as the role editor sends them. */
export type PermissionCode = RoleInput['permissions'][number]
export type StaffStatus = NonNullable<StaffQuery['status']>
/** The audit log's filters (an export takes the same ones). */
export type AuditFilters = Omit<Query<'/audit', 'get'>, 'limit' | 'cursor'>

/** shared/auth/roles.py: names come from the locale files (`roles.<code>`) or GET /roles. */
export const BUILT_IN_ROLE_CODES = ['owner', 'customer_service', 'warehouse', 'marketing', 'finance', 'auditor'] as const

export const authApi = {
  config: () => api.call('get', '/auth/config', { auth: false }),
  signIn: (email: string, password: string) => api.call('post', '/auth/signin', { body: { email, password }, auth: false }),
  newPassword: (email: string, session: string, newPassword: string) =>
    api.call('post', '/auth/new-password', { body: { email, session, new_password: newPassword }, auth: false }),
  /** The refresh token travels only in the HttpOnly cookie the server set at sign-in. */
  refresh: () => api.call('post', '/auth/refresh', { auth: false }),
  /** Ends the session on the server: the refresh cookie and this session's tokens. */
  signOut: () => api.call('post', '/auth/signout'),
  forgotPassword: (login: string) => api.call('post', '/auth/forgot-password', { body: { login }, auth: false }),
  resetPassword: (login: string, code: string, newPassword: string) =>
    api.call('post', '/auth/reset-password', { body: { login, code, new_password: newPassword }, auth: false }),
  me: () => api.call('get', '/me', { redirectOnForbidden: false }),
}

/** The signed-in user's own account and shops. */
export const meApi = {
  updateProfile: (body: { name: string; phone: string }) => api.call('put', '/me', { body }),
  /** A wrong old password answers 401 invalid_credentials: that is the answer, not a lapsed session. */
  changePassword: (body: { access_token: string; old_password: string; new_password: string }) =>
    api.call('post', '/me/password', { body, passwordCheck: true }),
  invitations: () => api.call('get', '/me/invitations'),
  acceptInvitation: (shopId: string) => api.call('post', '/me/invitations/{shop_id}/accept', { path: { shop_id: shopId } }),
  declineInvitation: (shopId: string) => api.call('post', '/me/invitations/{shop_id}/decline', { path: { shop_id: shopId } }),
  createShop: (name: string, idempotencyKey: string) => api.call('post', '/shops', { body: { name }, idempotencyKey }),
}

export const staffApi = {
  list: (query: StaffQuery, options: { redirectOnForbidden?: boolean } = {}) =>
    api.call('get', '/staff', { query: { limit: 20, ...query }, ...options }),
  get: (userId: string) => api.call('get', '/staff/{user_id}', { path: { user_id: userId } }),
  invite: (body: StaffInvite, idempotencyKey: string) => api.call('post', '/staff', { body, idempotencyKey }),
  update: (userId: string, body: StaffUpdate) => api.call('put', '/staff/{user_id}', { path: { user_id: userId }, body }),
  disable: (userId: string) => api.call('post', '/staff/{user_id}/disable', { path: { user_id: userId } }),
  enable: (userId: string) => api.call('post', '/staff/{user_id}/enable', { path: { user_id: userId } }),
  remove: (userId: string) => api.call('delete', '/staff/{user_id}', { path: { user_id: userId } }),
}

export const rolesApi = {
  permissions: () => api.call('get', '/permissions', { redirectOnForbidden: false }),
  list: () => api.call('get', '/roles', { redirectOnForbidden: false }),
  create: (body: RoleInput, idempotencyKey: string) => api.call('post', '/roles', { body, idempotencyKey }),
  update: (code: string, body: RoleInput & { version: number }) => api.call('put', '/roles/{code}', { path: { code }, body }),
  remove: (code: string) => api.call('delete', '/roles/{code}', { path: { code } }),
}

export const auditApi = {
  list: (query: Query<'/audit', 'get'>) => api.call('get', '/audit', { query: { limit: 20, ...query } }),
  /** A short-lived download URL of the filtered log (file kept in the bucket, not in the answer). */
  export: (filters: AuditFilters, format: 'csv' | 'xlsx') =>
    api.call('get', '/audit/export', { query: { ...filters, format }, redirectOnForbidden: false }),
}
