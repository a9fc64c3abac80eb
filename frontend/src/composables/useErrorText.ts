// The message of a failed request in the language of the app the caller runs in (the admin or
// the storefront): an API error's own message (the API answers in the request's language), or
// the app's "something went wrong" (`errors.unexpected`) for anything else. Free of either app's
// i18n module, so composables that both apps use (usePagedList) stay out of the other's bundle.
import { getCurrentInstance } from 'vue'
import { ApiError } from '@/api/http'

export function useErrorText(): (e: unknown) => string {
  const t = getCurrentInstance()?.appContext.config.globalProperties.$t as ((key: string) => string) | undefined
  return (e) => (e instanceof ApiError ? e.message : t ? t('errors.unexpected') : 'Something went wrong. Please try again.')
}
