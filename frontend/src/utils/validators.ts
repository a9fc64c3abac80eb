// Client-side copies of the server's input rules (shared/settings/models.py), as pure functions
// returning an i18n key (so tests need no Vue). The server stays the judge: its field errors
// are shown too.
import { CURRENCIES } from '@/api/settings'

export interface Invalid {
  key: string
  params?: Record<string, unknown>
}
export type Check = (value: unknown) => Invalid | null

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')
const chars = (s: string) => Array.from(s).length

export const MOBILE_RE = /^1[3-9]\d{9}$/
/** Area code, optional dash, 7-8 digits, optional extension; or a 400 service number. */
export const LANDLINE_RE = /^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$/
export const EMAIL_RE = /^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$/
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/
export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

export const MERCHANT_ID_RULES = {
  alipay: { re: /^2088\d{12}$/, key: 'validation.alipayMerchantId' },
  wechat_pay: { re: /^\d{10}$/, key: 'validation.wechatMerchantId' },
  unionpay: { re: /^[A-Z0-9]{15}$/, key: 'validation.unionpayMerchantId' },
} as const

export const required: Check = (v) => (isBlank(v) ? { key: 'validation.required' } : null)

export function maxLength(max: number): Check {
  return (v) => (typeof v === 'string' && chars(v.trim()) > max ? { key: 'validation.maxLength', params: { max } } : null)
}

/** Runs checks in order; the first failure wins. */
export function all(...checks: Check[]): Check {
  return (v) => {
    for (const check of checks) {
      const r = check(v)
      if (r) return r
    }
    return null
  }
}

/** Lets an empty value through (for optional fields); otherwise applies the checks. */
export function optional(...checks: Check[]): Check {
  const inner = all(...checks)
  return (v) => (isBlank(v) ? null : inner(v))
}

export const shopName: Check = all(required, maxLength(60))
export const contactName: Check = optional(maxLength(40))
export const address: Check = optional(maxLength(200))

export const phone: Check = optional(maxLength(20), (v) => {
  const s = String(v).trim()
  return MOBILE_RE.test(s) || LANDLINE_RE.test(s) ? null : { key: 'validation.phone' }
})

export const email: Check = optional(maxLength(120), (v) => (EMAIL_RE.test(String(v).trim()) ? null : { key: 'validation.email' }))

export const timeZone: Check = all(required, (v) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: String(v) })
    return null
  } catch {
    return { key: 'validation.timeZone' }
  }
})

export const currency: Check = all(required, (v) =>
  (CURRENCIES as readonly string[]).includes(String(v)) ? null : { key: 'validation.currency' },
)

export function merchantId(code: keyof typeof MERCHANT_ID_RULES): Check {
  const rule = MERCHANT_ID_RULES[code]
  return (v) => (rule.re.test(String(v ?? '').trim()) ? null : { key: rule.key })
}

export const feeRateBp: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10000 ? null : { key: 'validation.feeRate' }

/** Digits, capital letters and spaces (IBAN-like numbers too), at most 34. */
export const accountNumber: Check = all(maxLength(34), (v) =>
  /^[0-9A-Z ]+$/.test(String(v ?? '').trim()) ? null : { key: 'validation.accountNumber' },
)

/** Bank account name and bank name. */
export const bankText: Check = maxLength(60)

/** Largest cash-on-delivery order, in minor units: 0 .. 1,000,000,000 (¥10,000,000.00). */
export const MAX_ORDER_AMOUNT_LIMIT = 1_000_000_000
export const orderAmount: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ORDER_AMOUNT_LIMIT ? null : { key: 'validation.amount' }

export const time: Check = all(required, (v) => (TIME_RE.test(String(v)) ? null : { key: 'validation.time' }))

export const date: Check = all(required, (v) => (DATE_RE.test(String(v)) ? null : { key: 'validation.date' }))

/** "09:00" < "18:00" compares correctly as strings because both are zero-padded HH:mm. */
export function closeAfterOpen(open: string | null, close: string | null): Invalid | null {
  if (!open || !close || !TIME_RE.test(open) || !TIME_RE.test(close)) return null
  return close > open ? null : { key: 'validation.closeAfterOpen' }
}

export const closedDayReason: Check = optional(maxLength(60))

export function passwordPolicy(v: unknown): Invalid | null {
  const s = String(v ?? '')
  if (!s) return { key: 'validation.required' }
  if (s.length < 8 || !/[a-z]/.test(s) || !/[A-Z]/.test(s) || !/\d/.test(s)) return { key: 'validation.password' }
  return null
}

export const LOGO_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const
export const LOGO_MAX_BYTES = 2 * 1024 * 1024

/** The upload endpoint's rules, checked before anything is sent. */
export function logoFile(file: { type: string; size: number }): Invalid | null {
  if (!(LOGO_CONTENT_TYPES as readonly string[]).includes(file.type)) return { key: 'profile.logoBadType' }
  if (file.size > LOGO_MAX_BYTES) return { key: 'profile.logoTooLarge' }
  if (file.size === 0) return { key: 'profile.logoBadType' }
  return null
}

// --- identity: staff, roles, one's own profile (shared/identity/staff.py, roles.py, logins.py,
// functions/identity/app.py) ---

const EMAIL_LOGIN_RE = /^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$/
/** A mainland mobile, optionally with +86 / 86 in front (spaces and dashes are ignored). */
const MOBILE_LOGIN_RE = /^(?:\+?86)?(1[3-9]\d{9})$/

/**
 * The canonical login the server will use: a lower-case e-mail address or +86 and 11 digits;
 * null when it is neither (logins.normalize).
 */
export function normalizeLogin(value: string): string | null {
  const s = value.trim()
  if (EMAIL_LOGIN_RE.test(s)) return s.toLowerCase()
  const mobile = MOBILE_LOGIN_RE.exec(s.replace(/[ -]/g, ''))
  return mobile ? `+86${mobile[1]}` : null
}

export const staffLogin: Check = all(required, maxLength(120), (v) =>
  normalizeLogin(String(v)) ? null : { key: 'validation.login' },
)

/** A person's name (staff member or oneself): 1 to 40 characters. */
export const personName: Check = all(required, maxLength(40))

export const STAFF_ROLES_MAX = 10
export const staffRoles: Check = (v) => {
  const list = Array.isArray(v) ? v : []
  if (!list.length) return { key: 'validation.rolesRequired' }
  if (list.length > STAFF_ROLES_MAX) return { key: 'validation.rolesTooMany', params: { max: STAFF_ROLES_MAX } }
  return null
}

export const roleNameZh: Check = all(required, maxLength(30))
export const roleNameEn: Check = all(required, maxLength(40))
export const rolePermissions: Check = (v) => (Array.isArray(v) && v.length ? null : { key: 'validation.permissionsRequired' })

/** One's own phone: empty, or a mainland mobile (+86 allowed); no landlines here. */
export const ownPhone: Check = optional((v) =>
  /^(\+?86)?1[3-9]\d{9}$/.test(String(v).trim()) ? null : { key: 'validation.mobile' },
)

// -- catalog (shared/catalog/models.py, shared/catalog/categories.py) ---------------------------
export const productName: Check = all(required, maxLength(60))
export const brand: Check = optional(maxLength(40))
export const specName: Check = all(required, maxLength(20))
export const attributeName: Check = all(required, maxLength(20))
export const attributeValue: Check = all(required, maxLength(100))
export const categoryName: Check = all(required, maxLength(20))
export const SKU_CODE_RE = /^[0-9A-Za-z][0-9A-Za-z._/-]*$/
export const BARCODE_RE = /^[0-9A-Za-z-]+$/
export const MAX_PRICE_YUAN = 10_000_000

const hasAtMostTwoDecimals = (n: number) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6

/** A price in yuan as typed (0 … 10,000,000.00, at most two decimals); `optional` lets null through. */
export const yuanAmount: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_PRICE_YUAN && hasAtMostTwoDecimals(v) ? null : { key: 'validation.amount' }
/** A whole number min … max. */
export function wholeNumber(min: number, max: number): Check {
  return (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : { key: 'validation.wholeNumber', params: { min, max } }
}

/** The same amount held in fen (MoneyInput's value): a whole number 0 … 1,000,000,000. */
export const fenAmount: Check = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_PRICE_YUAN * 100 ? null : { key: 'validation.amount' }
export const skuPrice: Check = all(required, yuanAmount)
export const optionalYuan: Check = optional(yuanAmount)

/** 划线价 is empty or at least the price. */
export function strikePrice(strike: number | null, price: number | null): Invalid | null {
  if (strike === null || strike === undefined) return null
  const invalid = yuanAmount(strike)
  if (invalid) return invalid
  return typeof price === 'number' && strike < price ? { key: 'validation.strikeBelowPrice' } : null
}

export const weightG: Check = optional((v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000 ? null : { key: 'validation.weight' },
)
export const skuCode: Check = optional(maxLength(40), (v) => (SKU_CODE_RE.test(String(v).trim()) ? null : { key: 'validation.skuCode' }))
export const barcode: Check = optional(maxLength(32), (v) => (BARCODE_RE.test(String(v).trim()) ? null : { key: 'validation.barcode' }))

/** A scheduled shelf change: in the future and within a year (the server's rule). */
export function scheduleTime(at: Date | null, now: Date = new Date()): Invalid | null {
  if (!at || Number.isNaN(at.getTime())) return { key: 'validation.required' }
  if (at.getTime() <= now.getTime()) return { key: 'validation.future' }
  if (at.getTime() > now.getTime() + 366 * 24 * 3600 * 1000) return { key: 'validation.withinYear' }
  return null
}

// -- notification recipients (shared/settings/models.py TopicChannels) --------------------------
export const MAX_EXTRA_RECIPIENTS = 5

/** The server's form of an extra recipient: lower-case e-mail, or +86 and 11 digits. */
export function normalizeRecipient(kind: 'email' | 'phone', value: string): string {
  const s = value.trim()
  if (kind === 'email') return s.toLowerCase()
  const mobile = MOBILE_LOGIN_RE.exec(s.replace(/[ -]/g, ''))
  return mobile ? `+86${mobile[1]}` : s
}

export const extraEmail: Check = all(required, maxLength(120), (v) =>
  EMAIL_RE.test(String(v).trim()) ? null : { key: 'validation.email' },
)
export const extraMobile: Check = all(required, (v) =>
  MOBILE_LOGIN_RE.test(String(v).trim().replace(/[ -]/g, '')) ? null : { key: 'validation.mobile' },
)

/** The index of the first entry that repeats an earlier one (after normalising), or -1. */
export function firstRepeat(kind: 'email' | 'phone', values: readonly string[]): number {
  const seen = new Set<string>()
  for (const [i, v] of values.entries()) {
    const n = normalizeRecipient(kind, v)
    if (n && seen.has(n)) return i
    seen.add(n)
  }
  return -1
}
