// The admin's i18n: its messages over the shared setup (i18nSetup.ts).
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'
import en from './locales/en'
import { type AppLocale, i18nOptions, rememberLocale } from './i18nSetup'

export { LOCALES, storedLocale, type AppLocale } from './i18nSetup'

export const i18n = createI18n({ ...i18nOptions(), messages: { 'zh-CN': zhCN, en } })

export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  rememberLocale(locale)
}

export const t = i18n.global.t
