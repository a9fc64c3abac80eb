// Who is signed in, for which shop, and what they may do. The short-lived ID and access tokens
// and the chosen shop live in localStorage so a reload keeps the session; the refresh token is
// never seen by page scripts (an HttpOnly cookie the server sets on /api/auth).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError } from '@/api/http'
import { authApi, type Me, meApi, type Tokens, type UserView } from '@/api/identity'

const TOKENS_KEY = 'shopdesk.session'
const SHOP_KEY = 'shopdesk.shop'
/** Refresh this long before the ID token expires, so a request never leaves with a dead token. */
const EXPIRY_MARGIN_MS = 30_000

interface StoredTokens {
  idToken: string
  accessToken: string
  expiresAt: number
}

function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key)
    return raw ? (JSON.parse(raw) as T) : null
  } catch {
    return null
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    /* storage unavailable: the session lasts for this page */
  }
}

export const useSessionStore = defineStore('session', () => {
  const tokens = ref<StoredTokens | null>(readJson<StoredTokens>(TOKENS_KEY))
  const shopId = ref<string | null>(localStorage.getItem(SHOP_KEY))
  const me = ref<Me | null>(null)
  /** Set while the user must choose a new password (first sign-in). */
  const challenge = ref<{ email: string; session: string } | null>(null)
  let refreshing: Promise<boolean> | null = null

  const isSignedIn = computed(() => tokens.value !== null)
  const currentShop = computed(() => me.value?.current ?? null)
  const shops = computed(() => me.value?.shops ?? [])
  const permissions = computed(() => new Set(me.value?.current?.permissions ?? []))
  const can = (permission: string | undefined) => !permission || permissions.value.has(permission)

  function storeTokens(t: Tokens): void {
    if (!t.id_token) throw new Error('the server answered without an ID token')
    tokens.value = {
      idToken: t.id_token,
      accessToken: t.access_token ?? '',
      expiresAt: Date.now() + (t.expires_in ?? 3600) * 1000,
    }
    write(TOKENS_KEY, JSON.stringify(tokens.value))
  }

  function clear(): void {
    tokens.value = null
    me.value = null
    challenge.value = null
    write(TOKENS_KEY, null)
  }

  /** 'signed_in', or 'new_password' when the account must set its own password first. */
  async function signIn(email: string, password: string): Promise<'signed_in' | 'new_password'> {
    const result = await authApi.signIn(email, password)
    if (result.challenge) {
      if (result.challenge !== 'NEW_PASSWORD_REQUIRED' || !result.session) throw new Error(`unsupported challenge ${result.challenge}`)
      challenge.value = { email, session: result.session }
      return 'new_password'
    }
    storeTokens(result)
    await loadMe()
    return 'signed_in'
  }

  async function completeNewPassword(newPassword: string): Promise<void> {
    if (!challenge.value) throw new Error('no pending challenge')
    const result = await authApi.newPassword(challenge.value.email, challenge.value.session, newPassword)
    storeTokens(result)
    challenge.value = null
    await loadMe()
  }

  /** One refresh at a time (with the HttpOnly cookie); every request that got a 401 waits for it. */
  function refresh(): Promise<boolean> {
    if (!tokens.value) return Promise.resolve(false)
    refreshing ??= authApi
      .refresh()
      .then((t) => {
        storeTokens(t)
        return true
      })
      .catch(() => false)
      .finally(() => {
        refreshing = null
      })
    return refreshing
  }

  /** The ID token, refreshed first when it is about to expire. */
  function idToken(): string | null {
    return tokens.value?.idToken ?? null
  }

  async function ensureFreshToken(): Promise<void> {
    if (tokens.value && tokens.value.expiresAt - EXPIRY_MARGIN_MS < Date.now()) await refresh()
  }

  async function loadMe(): Promise<Me> {
    await ensureFreshToken()
    let result: Me
    try {
      result = await authApi.me()
    } catch (e) {
      // A remembered shop the user no longer belongs to (404 shop_not_found): forget it, ask again.
      if (e instanceof ApiError && (e.status === 404 || e.status === 403) && shopId.value) {
        selectShop(null)
        result = await authApi.me()
      } else {
        throw e
      }
    }
    me.value = result
    const current = result.current?.shop_id ?? result.shops[0]?.shop_id ?? null
    if (current !== shopId.value) selectShop(current)
    return result
  }

  function selectShop(id: string | null): void {
    shopId.value = id
    write(SHOP_KEY, id)
  }

  async function switchShop(id: string): Promise<void> {
    if (id === shopId.value) return
    selectShop(id)
    await loadMe()
  }

  /** Revokes the session on the server (refresh cookie and this session's tokens), then forgets it. */
  async function signOut(): Promise<void> {
    if (tokens.value) await authApi.signOut().catch(() => undefined)
    clear()
  }

  /** After the user changed their own name or phone. */
  function setUser(user: UserView): void {
    if (me.value) me.value = { ...me.value, user: { ...me.value.user, ...user } }
  }

  /** Cognito checks the old password against the access token that sign-in (or refresh) gave us. */
  async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
    await ensureFreshToken()
    const accessToken = tokens.value?.accessToken
    if (!accessToken) throw new Error('no access token: sign in again')
    // Every session of the account ends; this one goes on with the tokens of the answer.
    storeTokens(await meApi.changePassword({ access_token: accessToken, old_password: oldPassword, new_password: newPassword }))
  }

  /** Accept or decline an invitation to a shop, then reload the shops. */
  async function answerInvitation(shopId: string, accept: boolean): Promise<void> {
    if (accept) await meApi.acceptInvitation(shopId)
    else await meApi.declineInvitation(shopId)
    await loadMe()
  }

  return {
    tokens,
    shopId,
    me,
    challenge,
    isSignedIn,
    currentShop,
    shops,
    permissions,
    can,
    signIn,
    completeNewPassword,
    refresh,
    idToken,
    ensureFreshToken,
    loadMe,
    switchShop,
    signOut,
    setUser,
    changePassword,
    answerInvitation,
    clear,
  }
})
