import { ApiClient } from './http'
import type {
  AuditEntry,
  AuthConfig,
  BusinessHours,
  DeliveryRegions,
  LogoUploadTicket,
  Me,
  Page,
  PaymentMethods,
  Region,
  ShopProfile,
  ShopSettings,
  SignInResponse,
  Tokens,
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
  refresh: (refreshToken: string) => api.post<Tokens>('/auth/refresh', { refresh_token: refreshToken }, { auth: false }),
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
  createLogoUpload: (contentType: string, size: number) =>
    api.post<LogoUploadTicket>('/settings/logo-uploads', { content_type: contentType, size }, { idempotencyKey: newUuid() }),
}

export const auditApi = {
  list: (params: { resource?: string; limit?: number; cursor?: string | null }) =>
    api.get<Page<AuditEntry>>('/audit', { query: { limit: 20, ...params } }),
}

/**
 * Sends the file straight to the bucket with the presigned POST the API handed out
 * (all policy fields first, the file last, as S3 requires). Returns the object key.
 */
export async function uploadLogoFile(file: File, fetchImpl: typeof fetch = fetch): Promise<string> {
  const ticket = await settingsApi.createLogoUpload(file.type, file.size)
  const form = new FormData()
  for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value)
  form.append('file', file)
  let response: Response
  try {
    response = await fetchImpl(ticket.upload.url, { method: 'POST', body: form })
  } catch {
    throw new LogoUploadError(0)
  }
  if (!response.ok) throw new LogoUploadError(response.status)
  return ticket.key
}

export class LogoUploadError extends Error {
  readonly status: number
  constructor(status: number) {
    super(`logo upload failed (${status})`)
    this.status = status
  }
}
