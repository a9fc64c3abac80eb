// The storefront's i18n: its own messages over the shared setup (../i18nSetup.ts), so the
// admin's texts are not in this bundle. Vant's own texts follow the same language.
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import zhCN from './locales/zh-CN'
import en from './locales/en'
import { type AppLocale, i18nOptions, rememberLocale } from '@/i18nSetup'

export const i18n = createI18n({ ...i18nOptions(), messages: { 'zh-CN': zhCN, en } })

export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}

function applyVant(locale: AppLocale): void {
  if (locale === 'en') Locale.use('en-US', vantEn)
  else Locale.use('zh-CN', vantZh)
}
applyVant(currentLocale())

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  rememberLocale(locale)
  applyVant(locale)
}

export const t = i18n.global.t
