// The one i18n setup of both apps (the admin, i18n.ts; the storefront, shop/i18n.ts): zh-CN
// unless the user chose English before (remembered in localStorage, shared by both apps),
// vue-i18n in composition mode. Each app creates its instance with its own messages, so neither
// bundle carries the other's texts.
export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]

const STORAGE_KEY = 'shopdesk.locale'

function isAppLocale(v: unknown): v is AppLocale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}

/** zh-CN unless the user chose otherwise before. */
export function storedLocale(): AppLocale {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return isAppLocale(v) ? v : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

/** createI18n's options both apps share (add `messages`). */
export function i18nOptions() {
  return { legacy: false, locale: storedLocale(), fallbackLocale: 'zh-CN', missingWarn: false, fallbackWarn: false } as const
}

/** Remembers the choice and tells the page its language. */
export function rememberLocale(locale: AppLocale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  document.documentElement.lang = locale
}
