// The one way the SPA talks to /api: auth headers, language, shop, error shape, and the
// "401 -> refresh once -> retry" rule. Kept free of Vue and Pinia so unit tests can drive it.

export interface ApiFieldError {
  field: string
  message: string
}

/** Turns a server field path (`methods[0].settings.merchant_id`, `body.name`) into a form prop. */
export function normalizeFieldPath(field: string): string {
  return field
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^(body|\$)\./, '')
    .replace(/^\./, '')
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>
  /** Field path (normalized) -> message, from details.field / details.fields[]. */
  readonly fieldErrors: Record<string, string>

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.fieldErrors = collectFieldErrors(details, message)
  }
}

function collectFieldErrors(details: Record<string, unknown>, message: string): Record<string, string> {
  const out: Record<string, string> = {}
  const fields = details.fields
  if (Array.isArray(fields)) {
    for (const item of fields) {
      if (item && typeof item === 'object' && typeof (item as ApiFieldError).field === 'string') {
        const f = item as ApiFieldError
        out[normalizeFieldPath(f.field)] = typeof f.message === 'string' && f.message ? f.message : message
      }
    }
  }
  if (typeof details.field === 'string' && details.field) {
    const key = normalizeFieldPath(details.field)
    if (!(key in out)) out[key] = message
  }
  return out
}

export type FallbackMessage = (kind: 'network' | 'server' | 'unknown', status: number) => string

/** Builds an ApiError from a response status and its (maybe non-JSON) body. */
export function parseApiError(status: number, body: unknown, fallback: FallbackMessage): ApiError {
  if (body && typeof body === 'object' && 'error' in body) {
    const err = (body as { error: unknown }).error
    if (err && typeof err === 'object') {
      const e = err as { code?: unknown; message?: unknown; details?: unknown }
      const code = typeof e.code === 'string' ? e.code : `http_${status}`
      const message =
        typeof e.message === 'string' && e.message ? e.message : fallback(status >= 500 ? 'server' : 'unknown', status)
      const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {}
      return new ApiError(status, code, message, details)
    }
  }
  return new ApiError(status, `http_${status}`, fallback(status >= 500 ? 'server' : 'unknown', status))
}

export interface SessionHooks {
  /** Runs before each signed request (e.g. refresh a token that is about to expire). */
  prepare(): Promise<void>
  idToken(): string | null
  shopId(): string | null
  locale(): string
  /** Gets new tokens with the refresh token; resolves false when that is impossible. */
  refresh(): Promise<boolean>
  /** Called when the user is (still) not signed in after a refresh attempt. */
  onUnauthorized(error: ApiError): void
  /** Called when a page load (GET) is forbidden. */
  onForbidden(error: ApiError): void
  fallbackMessage: FallbackMessage
}

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | null | undefined>
  /** false for the sign-in endpoints: no token, no shop, no refresh. */
  auth?: boolean
  idempotencyKey?: string
  signal?: AbortSignal
  /** GETs answered 403 send the user to the 403 page unless this is false. */
  redirectOnForbidden?: boolean
  /**
   * The request checks a password of its own (changing one's password): a 401
   * `invalid_credentials` is then the answer to show, not a lapsed session to refresh or end.
   */
  passwordCheck?: boolean
}

const defaultHooks: SessionHooks = {
  prepare: async () => {},
  idToken: () => null,
  shopId: () => null,
  locale: () => 'zh-CN',
  refresh: async () => false,
  onUnauthorized: () => {},
  onForbidden: () => {},
  fallbackMessage: (kind, status) => (kind === 'network' ? 'Network error' : `Request failed (${status})`),
}

export class ApiClient {
  private hooks: SessionHooks = defaultHooks
  private readonly baseUrl: string
  private readonly fetchImpl: typeof fetch

  constructor(baseUrl: string, fetchImpl?: typeof fetch) {
    this.baseUrl = baseUrl.replace(/\/$/, '')
    this.fetchImpl = fetchImpl ?? ((...args) => globalThis.fetch(...args))
  }

  configure(hooks: Partial<SessionHooks>): void {
    this.hooks = { ...this.hooks, ...hooks }
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options)
  }

  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body })
  }

  put<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body })
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options)
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true
    if (auth) await this.hooks.prepare().catch(() => undefined)
    let response = await this.send(method, path, options, auth)
    let body: unknown
    let read = false
    if (response.status === 401 && auth) {
      if (options.passwordCheck) {
        body = await readBody(response)
        read = true
        if (errorCode(body) === 'invalid_credentials') throw parseApiError(401, body, this.hooks.fallbackMessage)
      }
      const refreshed = await this.hooks.refresh().catch(() => false)
      if (refreshed) {
        response = await this.send(method, path, options, auth)
        read = false
      }
    }
    if (!read) body = await readBody(response)
    if (response.ok) return body as T

    const error = parseApiError(response.status, body, this.hooks.fallbackMessage)
    if (response.status === 401 && auth) this.hooks.onUnauthorized(error)
    if (response.status === 403 && auth && method === 'GET' && options.redirectOnForbidden !== false) {
      this.hooks.onForbidden(error)
    }
    throw error
  }

  private async send(method: string, path: string, options: RequestOptions, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Language': this.hooks.locale(),
    }
    if (options.body !== undefined) headers['Content-Type'] = 'application/json'
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey
    if (auth) {
      const token = this.hooks.idToken()
      if (token) headers.Authorization = `Bearer ${token}`
      const shopId = this.hooks.shopId()
      if (shopId) headers['X-Shop-Id'] = shopId
    }
    try {
      return await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      })
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
      throw new ApiError(0, 'network_error', this.hooks.fallbackMessage('network', 0))
    }
  }

  private url(path: string, query?: RequestOptions['query']): string {
    let url = this.baseUrl + (path.startsWith('/') ? path : `/${path}`)
    if (query) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
      const qs = params.toString()
      if (qs) url += `?${qs}`
    }
    return url
  }
}

function errorCode(body: unknown): string | null {
  const err = body && typeof body === 'object' ? (body as { error?: { code?: unknown } }).error : null
  return err && typeof err.code === 'string' ? err.code : null
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined
  const text = await response.text()
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
