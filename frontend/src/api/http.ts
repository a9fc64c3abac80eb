// The one way the SPA talks to /api: auth headers, language, shop, error shape, and the
// "401 -> refresh once -> retry" rule. Kept free of Vue and Pinia so unit tests can drive it.
// Routes are called by their OpenAPI path (`api.call('get', '/staff/{user_id}', ...)`): path,
// query, body and answer are typed by schema.d.ts, generated from the API (`make types`).
// Each capability's client (api/<capability>.ts) re-exports the models its pages use.
import type { ExportFile, PageStaffView, paths } from './schema'

type Method = 'get' | 'post' | 'put' | 'delete'
/** The methods a path has. */
type MethodOf<P extends keyof paths> = { [M in Method]: [paths[P][M]] extends [undefined] ? never : M }[Method]
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never
type Responses<O> = O extends { responses: infer R } ? R : never
/** What a route answers (its 2xx JSON). */
export type Answer<P extends keyof paths, M extends Method> = JsonOf<
  Responses<Operation<P, M>>[Extract<keyof Responses<Operation<P, M>>, 200 | 201 | 202>]
>
/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never
/** The query parameters a route takes. */
export type Query<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never
type PathParams<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { path: infer A } } ? A : never

type CallOptions<P extends keyof paths, M extends Method> = Omit<RequestOptions, 'body' | 'query'> &
  ([PathParams<P, M>] extends [never] ? { path?: undefined } : { path: PathParams<P, M> }) &
  ([Body<P, M>] extends [never] ? { body?: undefined } : { body: Body<P, M> }) &
  ([Query<P, M>] extends [never] ? { query?: undefined } : { query?: Query<P, M> })
/** The options argument may be left out when nothing in it is required. */
type CallArgs<O> = object extends O ? [options?: O] : [options: O]

/** A cursor page of any list (`GET /staff`, `GET /products`, ...; a stocktake's lines have no `truncated`). */
export type Page<T> = Omit<PageStaffView, 'items' | 'truncated'> & { items: T[]; truncated?: boolean }
export type { ExportFile }
export type ExportFormat = ExportFile['format']

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
  query?: Record<string, string | number | boolean | null | undefined>
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

  /** A route by its OpenAPI path and method; `path` fills the `{name}` parts (encoded). */
  call<P extends keyof paths, M extends MethodOf<P>>(method: M, path: P, ...[options]: CallArgs<CallOptions<P, M>>): Promise<Answer<P, M>> {
    const { path: params, ...rest } = (options ?? {}) as CallOptions<P, M>
    const url = (path as string).replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(String((params as Record<string, string | number>)[name])),
    )
    return this.request<Answer<P, M>>(method.toUpperCase(), url, rest as RequestOptions)
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

/** API root; same origin by default (the local gateway serves the SPA and /api together). */
export const API_BASE: string = import.meta.env.VITE_API_BASE || '/api'

/** The SPA's one client; main.ts configures its session hooks. */
export const api = new ApiClient(API_BASE)

/** A presigned S3 POST (logo, product image, import file) that failed; `status` 0 = network. */
export class UploadError extends Error {
  readonly status: number
  constructor(status: number) {
    super(`upload failed (${status})`)
    this.status = status
  }
}

/** POSTs `file` to a presigned S3 POST the API handed out (policy fields first, the file last, as S3 requires). */
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
    throw new UploadError(0)
  }
  if (!response.ok) throw new UploadError(response.status)
}
