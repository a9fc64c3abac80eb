// Sign-in outcomes, the first-sign-in password change, one shared refresh, and a remembered
// shop that is no longer the user's.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '@/api/http'
import type { Me } from '@/api/identity'
import { useSessionStore } from '@/stores/session'

const auth = vi.hoisted(() => ({
  signIn: vi.fn(),
  newPassword: vi.fn(),
  refresh: vi.fn(),
  signOut: vi.fn(),
  me: vi.fn(),
  config: vi.fn(),
}))
vi.mock('@/api/identity', async (importOriginal) => ({ ...(await importOriginal<typeof import('@/api/identity')>()), authApi: auth }))

const ME: Me = {
  user: { id: 'u1', email: 'owner@demo.shop', name: '王芳', login: 'owner@demo.shop', phone: '' },
  shops: [
    { shop_id: 'shp_a', name: 'A', roles: ['owner'] },
    { shop_id: 'shp_b', name: 'B', roles: ['finance'] },
  ],
  current: { shop_id: 'shp_a', name: 'A', roles: ['owner'], permissions: ['settings.view'], role_names: [] },
  invitations: [],
}
const TOKENS = { id_token: 'id-1', access_token: 'acc-1', expires_in: 3600, challenge: null, session: null }

describe('session store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    for (const fn of Object.values(auth)) fn.mockReset()
    auth.me.mockResolvedValue(ME)
  })

  it('signs in, keeps the tokens across a reload and picks the current shop', async () => {
    auth.signIn.mockResolvedValue(TOKENS)
    const session = useSessionStore()
    await expect(session.signIn('owner@demo.shop', 'pw')).resolves.toBe('signed_in')
    expect(session.idToken()).toBe('id-1')
    expect(session.shopId).toBe('shp_a')
    expect(session.can('settings.view')).toBe(true)
    expect(session.can('settings.edit')).toBe(false)

    setActivePinia(createPinia()) // a reload: a new store reads localStorage
    const again = useSessionStore()
    expect(again.isSignedIn).toBe(true)
    expect(again.idToken()).toBe('id-1')
    expect(again.shopId).toBe('shp_a')
  })

  it('asks for a new password when the server answers with the challenge', async () => {
    auth.signIn.mockResolvedValue({ id_token: null, access_token: null, expires_in: null, challenge: 'NEW_PASSWORD_REQUIRED', session: 'sess' })
    auth.newPassword.mockResolvedValue(TOKENS)
    const session = useSessionStore()
    await expect(session.signIn('new@demo.shop', 'temp')).resolves.toBe('new_password')
    expect(session.isSignedIn).toBe(false)
    expect(session.challenge).toEqual({ email: 'new@demo.shop', session: 'sess' })

    await session.completeNewPassword('Better-pass-1')
    expect(auth.newPassword).toHaveBeenCalledWith('new@demo.shop', 'sess', 'Better-pass-1')
    expect(session.isSignedIn).toBe(true)
    expect(session.challenge).toBeNull()
  })

  it('runs one refresh (by the HttpOnly cookie) for many requests and never stores a refresh token', async () => {
    auth.signIn.mockResolvedValue(TOKENS)
    let resolve!: (v: unknown) => void
    auth.refresh.mockReturnValue(new Promise((r) => (resolve = r)))
    const session = useSessionStore()
    await session.signIn('owner@demo.shop', 'pw')
    const all = Promise.all([session.refresh(), session.refresh(), session.refresh()])
    resolve({ id_token: 'id-2', access_token: 'acc-2', expires_in: 3600 })
    await expect(all).resolves.toEqual([true, true, true])
    expect(auth.refresh).toHaveBeenCalledTimes(1)
    expect(auth.refresh).toHaveBeenCalledWith()
    expect(session.idToken()).toBe('id-2')
    expect(localStorage.getItem('shopdesk.session')).not.toContain('refresh')
  })

  it('answers false when the refresh is refused', async () => {
    auth.signIn.mockResolvedValue(TOKENS)
    auth.refresh.mockRejectedValue(new ApiError(401, 'invalid_credentials', 'no'))
    const session = useSessionStore()
    await session.signIn('owner@demo.shop', 'pw')
    await expect(session.refresh()).resolves.toBe(false)
  })

  it('forgets a remembered shop the server no longer knows for this user', async () => {
    localStorage.setItem('shopdesk.shop', 'shp_gone')
    auth.me.mockRejectedValueOnce(new ApiError(404, 'shop_not_found', 'Shop not found.')).mockResolvedValueOnce(ME)
    const session = useSessionStore()
    await session.loadMe()
    expect(auth.me).toHaveBeenCalledTimes(2)
    expect(session.shopId).toBe('shp_a')
    expect(localStorage.getItem('shopdesk.shop')).toBe('shp_a')
  })

  it('signs out completely, revoking the session on the server', async () => {
    auth.signIn.mockResolvedValue(TOKENS)
    auth.signOut.mockResolvedValue({ ok: true })
    const session = useSessionStore()
    await session.signIn('owner@demo.shop', 'pw')
    await session.signOut()
    expect(auth.signOut).toHaveBeenCalledTimes(1)
    expect(session.isSignedIn).toBe(false)
    expect(session.me).toBeNull()
    expect(localStorage.getItem('shopdesk.session')).toBeNull()
  })
})
