import { describe, expect, it, vi } from 'vitest'
import { ApiClient, ApiError, normalizeFieldPath, parseApiError, type SessionHooks } from '@/api/http'

type Call = { url: string; init: RequestInit }

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

/** A fetch that answers from a queue and records what it was asked. */
function fakeFetch(...answers: Array<Response | Error>) {
  const calls: Call[] = []
  const fn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} })
    const next = answers.shift()
    if (!next) throw new Error('unexpected request')
    if (next instanceof Error) throw next
    return next
  })
  return { fn: fn as unknown as typeof fetch, calls }
}

function client(fetchFn: typeof fetch, hooks: Partial<SessionHooks> = {}) {
  let token = 'old-token'
  const c = new ApiClient('/api', fetchFn)
  const spies = {
    refresh: vi.fn(async () => {
      token = 'new-token'
      return true
    }),
    onUnauthorized: vi.fn(),
    onForbidden: vi.fn(),
  }
  c.configure({
    idToken: () => token,
    shopId: () => 'shop-1',
    locale: () => 'en',
    fallbackMessage: (kind, status) => `${kind}:${status}`,
    ...spies,
    ...hooks,
  })
  return { c, spies }
}

const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name]

describe('ApiClient', () => {
  it('sends the token, the shop and the UI language', async () => {
    const { fn, calls } = fakeFetch(json(200, { ok: true }))
    const { c } = client(fn)
    await expect(c.get('/settings')).resolves.toEqual({ ok: true })
    expect(calls[0]!.url).toBe('/api/settings')
    expect(header(calls[0]!, 'Authorization')).toBe('Bearer old-token')
    expect(header(calls[0]!, 'X-Shop-Id')).toBe('shop-1')
    expect(header(calls[0]!, 'Accept-Language')).toBe('en')
  })

  it('sends neither token nor shop to the sign-in endpoints', async () => {
    const { fn, calls } = fakeFetch(json(200, {}))
    const { c } = client(fn)
    await c.post('/auth/signin', { email: 'a@b.c', password: 'x' }, { auth: false })
    expect(header(calls[0]!, 'Authorization')).toBeUndefined()
    expect(header(calls[0]!, 'X-Shop-Id')).toBeUndefined()
    expect(header(calls[0]!, 'Content-Type')).toBe('application/json')
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ email: 'a@b.c', password: 'x' })
  })

  it('builds query strings and skips empty parameters', async () => {
    const { fn, calls } = fakeFetch(json(200, { items: [] }))
    const { c } = client(fn)
    await c.get('/audit', { query: { resource: 'settings', limit: 20, cursor: null } })
    expect(calls[0]!.url).toBe('/api/audit?resource=settings&limit=20')
  })

  it('on 401 refreshes once and retries with the new token', async () => {
    const { fn, calls } = fakeFetch(json(401, { error: { code: 'not_authenticated', message: 'sign in' } }), json(200, { ok: 1 }))
    const { c, spies } = client(fn)
    await expect(c.get('/me')).resolves.toEqual({ ok: 1 })
    expect(spies.refresh).toHaveBeenCalledTimes(1)
    expect(calls).toHaveLength(2)
    expect(header(calls[1]!, 'Authorization')).toBe('Bearer new-token')
    expect(spies.onUnauthorized).not.toHaveBeenCalled()
  })

  it('gives up after one refresh and signs the user out', async () => {
    const unauthorized = () => json(401, { error: { code: 'not_authenticated', message: 'Please sign in.' } })
    const { fn, calls } = fakeFetch(unauthorized(), unauthorized())
    const { c, spies } = client(fn)
    await expect(c.get('/me')).rejects.toMatchObject({ status: 401, code: 'not_authenticated', message: 'Please sign in.' })
    expect(spies.refresh).toHaveBeenCalledTimes(1)
    expect(calls).toHaveLength(2)
    expect(spies.onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('does not retry when the refresh fails', async () => {
    const { fn, calls } = fakeFetch(json(401, { error: { code: 'not_authenticated', message: 'x' } }))
    const { c, spies } = client(fn, { refresh: async () => false })
    await expect(c.get('/me')).rejects.toBeInstanceOf(ApiError)
    expect(calls).toHaveLength(1)
    expect(spies.onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('never refreshes for the unauthenticated endpoints (wrong password is just an error)', async () => {
    const { fn } = fakeFetch(json(401, { error: { code: 'invalid_credentials', message: '邮箱或密码错误。' } }))
    const { c, spies } = client(fn)
    await expect(c.post('/auth/signin', {}, { auth: false })).rejects.toMatchObject({ code: 'invalid_credentials' })
    expect(spies.refresh).not.toHaveBeenCalled()
    expect(spies.onUnauthorized).not.toHaveBeenCalled()
  })

  it('shows a wrong old password when changing one’s password, without signing out', async () => {
    const { fn, calls } = fakeFetch(
      json(401, { error: { code: 'invalid_credentials', message: 'Wrong e-mail or password.', details: { field: 'old_password' } } }),
    )
    const { c, spies } = client(fn)
    const error = await c.post('/me/password', { old_password: 'x' }, { passwordCheck: true }).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials', fieldErrors: { old_password: 'Wrong e-mail or password.' } })
    expect(calls).toHaveLength(1)
    expect(spies.refresh).not.toHaveBeenCalled()
    expect(spies.onUnauthorized).not.toHaveBeenCalled()
  })

  it('still refreshes a lapsed session on a password check', async () => {
    const { fn, calls } = fakeFetch(json(401, { error: { code: 'not_authenticated', message: 'sign in' } }), json(200, { ok: true }))
    const { c, spies } = client(fn)
    await expect(c.post('/me/password', {}, { passwordCheck: true })).resolves.toEqual({ ok: true })
    expect(calls).toHaveLength(2)
    expect(spies.refresh).toHaveBeenCalledTimes(1)
  })

  it('sends forbidden page loads to the 403 page, but not forbidden saves', async () => {
    const forbidden = () => json(403, { error: { code: 'forbidden', message: 'no' } })
    const { fn } = fakeFetch(forbidden(), forbidden())
    const { c, spies } = client(fn)
    await expect(c.get('/settings')).rejects.toMatchObject({ status: 403 })
    expect(spies.onForbidden).toHaveBeenCalledTimes(1)
    await expect(c.put('/settings/profile', {})).rejects.toMatchObject({ status: 403 })
    expect(spies.onForbidden).toHaveBeenCalledTimes(1)
  })

  it('turns a network failure into an ApiError with a readable message', async () => {
    const { fn } = fakeFetch(new TypeError('Failed to fetch'))
    const { c } = client(fn)
    await expect(c.get('/settings')).rejects.toMatchObject({ status: 0, code: 'network_error', message: 'network:0' })
  })

  it('handles a non-JSON error page', async () => {
    const { fn } = fakeFetch(new Response('<html>Bad gateway</html>', { status: 502 }))
    const { c } = client(fn)
    await expect(c.get('/settings')).rejects.toMatchObject({ status: 502, code: 'http_502', message: 'server:502' })
  })

  it('sends the Idempotency-Key when asked', async () => {
    const { fn, calls } = fakeFetch(json(201, { key: 'k' }))
    const { c } = client(fn)
    await c.post('/settings/logo-uploads', { content_type: 'image/png', size: 10 }, { idempotencyKey: 'abc' })
    expect(header(calls[0]!, 'Idempotency-Key')).toBe('abc')
  })
})

describe('parseApiError', () => {
  const fallback = () => 'fallback'

  it('reads code, localized message and field errors', () => {
    const e = parseApiError(
      422,
      {
        error: {
          code: 'validation_failed',
          message: '以下字段有误：name 为必填项。',
          details: {
            field: 'name',
            fields: [
              { field: 'name', type: 'missing', message: '为必填项' },
              { field: 'methods.0.alipay.settings.merchant_id', type: 'merchant_id', message: '格式不正确' },
            ],
          },
        },
      },
      fallback,
    )
    expect(e.status).toBe(422)
    expect(e.code).toBe('validation_failed')
    expect(e.message).toBe('以下字段有误：name 为必填项。')
    expect(e.fieldErrors).toEqual({ name: '为必填项', 'methods.0.alipay.settings.merchant_id': '格式不正确' })
  })

  it('uses the overall message for a single details.field', () => {
    const e = parseApiError(422, { error: { code: 'logo_invalid', message: 'not an image', details: { field: 'logo_key' } } }, fallback)
    expect(e.fieldErrors).toEqual({ logo_key: 'not an image' })
  })

  it('falls back when the body is not the error shape', () => {
    const e = parseApiError(500, 'oops', fallback)
    expect(e.code).toBe('http_500')
    expect(e.message).toBe('fallback')
    expect(e.fieldErrors).toEqual({})
  })

  it('normalizes field paths', () => {
    expect(normalizeFieldPath('weekly[3].close')).toBe('weekly.3.close')
    expect(normalizeFieldPath('body.name')).toBe('name')
  })
})
