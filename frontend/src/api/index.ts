import { ApiClient } from './http'
import type {
  AuditEntry,
  CategoryTree,
  CategoryView,
  ProductInput,
  ProductQuery,
  ProductSummary,
  ProductView,
  ShelfAction,
  ShelfResult,
  ShelfView,
  AuditFilters,
  AuthConfig,
  BusinessHours,
  DeliveryRegions,
  ExportFile,
  ExportFormat,
  Invitation,
  ImageStatusView,
  ImageUploadTicket,
  ImportMode,
  ImportTicket,
  JobView,
  ProductFilter,
  TemplateFile,
  LogoUploadTicket,
  Me,
  NotificationSettings,
  NotificationView,
  Page,
  PendingInvitation,
  PaymentMethods,
  PermissionList,
  Region,
  RoleInput,
  RoleView,
  ShopCreated,
  ShopMembership,
  ShopProfile,
  ShopSettings,
  SignInResponse,
  StaffInvite,
  StaffQuery,
  StaffUpdate,
  StaffView,
  Tokens,
  UnreadCount,
  UserView,
} from './types'
import { newUuid } from '@/utils/uuid'

export { ApiError } from './http'

/** API root; same origin by default (the local gateway serves the SPA and /api together). */
export const API_BASE: string = import.meta.env.VITE_API_BASE || '/api'

export const api = new ApiClient(API_BASE)

export const authApi = {
  config: () => api.get<AuthConfig>('/auth/config', { auth: false }),
  signIn: (email: string, password: string) =>
    api.post<SignInResponse>('/auth/signin', { email, password }, { auth: false }),
  newPassword: (email: string, session: string, newPassword: string) =>
    api.post<Tokens>('/auth/new-password', { email, session, new_password: newPassword }, { auth: false }),
  /** The refresh token travels only in the HttpOnly cookie the server set at sign-in. */
  refresh: () => api.post<Tokens>('/auth/refresh', undefined, { auth: false }),
  signOut: () => api.post<{ ok: boolean }>('/auth/signout'),
  forgotPassword: (login: string) => api.post<{ ok: boolean }>('/auth/forgot-password', { login }, { auth: false }),
  resetPassword: (login: string, code: string, newPassword: string) =>
    api.post<{ ok: boolean }>('/auth/reset-password', { login, code, new_password: newPassword }, { auth: false }),
  me: () => api.get<Me>('/me', { redirectOnForbidden: false }),
}

type Body<T> = Omit<T, 'version'> & { version: number }

export const settingsApi = {
  get: () => api.get<ShopSettings>('/settings'),
  regions: () => api.get<{ items: Region[] }>('/settings/regions'),
  putProfile: (body: Body<Omit<ShopProfile, 'logo_url'>>) => api.put<ShopProfile>('/settings/profile', body),
  putPaymentMethods: (body: Body<PaymentMethods>) => api.put<PaymentMethods>('/settings/payment-methods', body),
  putDeliveryRegions: (body: Body<DeliveryRegions>) => api.put<DeliveryRegions>('/settings/delivery-regions', body),
  putBusinessHours: (body: Body<BusinessHours>) => api.put<BusinessHours>('/settings/business-hours', body),
  putNotifications: (body: Body<NotificationSettings>) => api.put<NotificationSettings>('/settings/notifications', body),
  createLogoUpload: (contentType: string, size: number) =>
    api.post<LogoUploadTicket>('/settings/logo-uploads', { content_type: contentType, size }, { idempotencyKey: newUuid() }),
}

export const auditApi = {
  list: (params: AuditFilters & { limit?: number; cursor?: string | null }) =>
    api.get<Page<AuditEntry>>('/audit', { query: { limit: 20, ...params } }),
  /** A short-lived download URL of the filtered log (file kept in the bucket, not in the answer). */
  export: (filters: AuditFilters, format: ExportFormat) =>
    api.get<ExportFile>('/audit/export', { query: { ...filters, format }, redirectOnForbidden: false }),
}

/** The signed-in member's own notifications in the current shop (docs/notifications.md). */
export const notificationsApi = {
  list: (params: { unread?: boolean; limit?: number; cursor?: string | null }) =>
    api.get<Page<NotificationView>>('/notifications', {
      query: { limit: params.limit ?? 20, cursor: params.cursor, unread: params.unread ? 'true' : undefined },
    }),
  unreadCount: () => api.get<UnreadCount>('/notifications/unread-count'),
  markRead: (notificationId: string) => api.post<NotificationView>(`/notifications/${encodeURIComponent(notificationId)}/read`),
  markAllRead: () => api.post<{ marked: number; more: boolean }>('/notifications/read-all'),
}

/** The signed-in user's own account and shops. */
export const meApi = {
  updateProfile: (body: { name: string; phone: string }) => api.put<UserView>('/me', body),
  /** A wrong old password answers 401 invalid_credentials: that is the answer, not a lapsed session. */
  changePassword: (body: { access_token: string; old_password: string; new_password: string }) =>
    api.post<Tokens>('/me/password', body, { passwordCheck: true }),
  invitations: () => api.get<{ items: PendingInvitation[] }>('/me/invitations'),
  acceptInvitation: (shopId: string) => api.post<ShopMembership>(`/me/invitations/${encodeURIComponent(shopId)}/accept`),
  declineInvitation: (shopId: string) =>
    api.post<{ ok: boolean }>(`/me/invitations/${encodeURIComponent(shopId)}/decline`),
  createShop: (name: string, idempotencyKey: string) => api.post<ShopCreated>('/shops', { name }, { idempotencyKey }),
}

const id = (value: string) => encodeURIComponent(value)

export const staffApi = {
  list: (params: StaffQuery, options: { redirectOnForbidden?: boolean } = {}) =>
    api.get<Page<StaffView>>('/staff', { query: { limit: 20, ...params }, ...options }),
  get: (userId: string) => api.get<StaffView>(`/staff/${id(userId)}`),
  invite: (body: StaffInvite, idempotencyKey: string) => api.post<Invitation>('/staff', body, { idempotencyKey }),
  update: (userId: string, body: StaffUpdate) => api.put<StaffView>(`/staff/${id(userId)}`, body),
  disable: (userId: string) => api.post<StaffView>(`/staff/${id(userId)}/disable`),
  enable: (userId: string) => api.post<StaffView>(`/staff/${id(userId)}/enable`),
  remove: (userId: string) => api.delete<{ ok: boolean }>(`/staff/${id(userId)}`),
}

export const rolesApi = {
  permissions: () => api.get<PermissionList>('/permissions', { redirectOnForbidden: false }),
  list: () => api.get<{ items: RoleView[] }>('/roles', { redirectOnForbidden: false }),
  create: (body: RoleInput, idempotencyKey: string) => api.post<RoleView>('/roles', body, { idempotencyKey }),
  update: (code: string, body: RoleInput & { version: number }) => api.put<RoleView>(`/roles/${id(code)}`, body),
  remove: (code: string) => api.delete<{ ok: boolean }>(`/roles/${id(code)}`),
}

/** 商品批量导入/导出: jobs run by the server; poll `job` until it is finished (docs/catalog.md). */
export const catalogJobsApi = {
  template: (format: ExportFormat) =>
    api.get<TemplateFile>('/products/import-template', { query: { format }, redirectOnForbidden: false }),
  startImport: (body: { format: ExportFormat; mode: ImportMode; filename: string; size: number }, idempotencyKey: string) =>
    api.post<ImportTicket>('/products/imports', body, { idempotencyKey }),
  startExport: (format: ExportFormat, filter: ProductFilter, idempotencyKey: string) =>
    api.post<JobView>('/products/exports', { format, filter }, { idempotencyKey }),
  job: (jobId: string) => api.get<JobView>(`/products/jobs/${id(jobId)}`, { redirectOnForbidden: false }),
  list: (params: { limit?: number; cursor?: string | null } = {}) =>
    api.get<Page<JobView>>('/products/jobs', { query: { limit: 20, ...params } }),
}

/** Starts an import job and posts the file to the bucket; the upload starts the job. */
export async function uploadImportFile(file: File, format: ExportFormat, mode: ImportMode, fetchImpl: typeof fetch = fetch): Promise<JobView> {
  const ticket = await catalogJobsApi.startImport({ format, mode, filename: file.name, size: file.size }, newUuid())
  await postToBucket(ticket.upload, file, fetchImpl)
  return ticket.job
}

/** 商品: products, shelf changes and the category tree (docs/catalog.md). */
export const catalogApi = {
  list: (params: ProductQuery) => api.get<Page<ProductSummary>>('/products', { query: { limit: 20, ...params } }),
  get: (productId: string) => api.get<ProductView>(`/products/${id(productId)}`),
  create: (body: ProductInput, idempotencyKey: string) => api.post<ProductView>('/products', body, { idempotencyKey }),
  /** Replaces content, specs and SKUs (a SKU keeps its id when the body names it). */
  update: (productId: string, body: ProductInput & { version: number }) => api.put<ProductView>(`/products/${id(productId)}`, body),
  remove: (productId: string) => api.delete<{ ok: boolean }>(`/products/${id(productId)}`),
  /** On / off shelf now (no `at`) or at `at` (ISO-8601, within a year). */
  shelf: (productId: string, action: ShelfAction, at?: string) =>
    api.post<ShelfView>(`/products/${id(productId)}/${action}`, at ? { at } : {}),
  bulkShelf: (action: ShelfAction, ids: string[], at?: string) =>
    api.post<{ results: ShelfResult[] }>('/products/bulk-shelf', at ? { action, ids, at } : { action, ids }),
  categories: () => api.get<CategoryTree>('/categories'),
  createCategory: (body: { name: string; parent_id: string | null }, idempotencyKey: string) =>
    api.post<CategoryView>('/categories', body, { idempotencyKey }),
  renameCategory: (categoryId: string, body: { name: string; version: number }) =>
    api.put<CategoryView>(`/categories/${id(categoryId)}`, body),
  moveCategory: (categoryId: string, body: { parent_id: string | null; position?: number; version: number }) =>
    api.post<CategoryView>(`/categories/${id(categoryId)}/move`, body),
  removeCategory: (categoryId: string) => api.delete<{ ok: boolean }>(`/categories/${id(categoryId)}`),
  /** A presigned S3 POST for one image of an existing product (docs/catalog.md "Images"). */
  createImageUpload: (productId: string, contentType: string, size: number) =>
    api.post<ImageUploadTicket>(`/products/${id(productId)}/image-uploads`, { content_type: contentType, size }, { idempotencyKey: newUuid() }),
  imageStatus: (productId: string, imageId: string) =>
    api.get<ImageStatusView>(`/products/${id(productId)}/images/${id(imageId)}`),
}

/**
 * Sends the file straight to the bucket with the presigned POST the API handed out
 * (all policy fields first, the file last, as S3 requires). Returns the object key.
 */
export async function uploadLogoFile(file: File, fetchImpl: typeof fetch = fetch): Promise<string> {
  const ticket = await settingsApi.createLogoUpload(file.type, file.size)
  await postToBucket(ticket.upload, file, fetchImpl)
  return ticket.key
}

/** POSTs `file` to a presigned S3 POST (fields first, file last); LogoUploadError on failure. */
export async function postToBucket(
  upload: { url: string; fields: Record<string, string> },
  file: File,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const form = new FormData()
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value)
  form.append('file', file)
  let response: Response
  try {
    response = await fetchImpl(upload.url, { method: 'POST', body: form })
  } catch {
    throw new LogoUploadError(0)
  }
  if (!response.ok) throw new LogoUploadError(response.status)
}

/**
 * A product image: asks for a presigned POST, sends the file straight to the bucket and returns
 * the new image's id (then poll `catalogApi.imageStatus` until it is ready or rejected).
 */
export async function uploadProductImage(productId: string, file: File, fetchImpl: typeof fetch = fetch): Promise<string> {
  const ticket = await catalogApi.createImageUpload(productId, file.type, file.size)
  await postToBucket(ticket.upload, file, fetchImpl)
  return ticket.image_id
}

export class LogoUploadError extends Error {
  readonly status: number
  constructor(status: number) {
    super(`logo upload failed (${status})`)
    this.status = status
  }
}
