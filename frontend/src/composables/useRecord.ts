// The one way a page reads one record (a product, a purchase order, a SKU's stock, a stocktake):
// `loading` while it comes, the failure's message in `error` (the page offers a retry), and a
// 404 as `notFound` rather than an error (another shop's record answers 404 too).
import { ref, type Ref } from 'vue'
import { ApiError } from '@/api/http'
import { useErrorText } from '@/composables/useErrorText'

export function useRecord<T>(fetch: () => Promise<T>) {
  const errorText = useErrorText()
  const data = ref(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref<string | null>(null)
  const notFound = ref(false)

  /** Reads the record; it, or null when it could not be read. */
  async function load(): Promise<T | null> {
    loading.value = true
    error.value = null
    try {
      data.value = await fetch()
      notFound.value = false
      return data.value
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) notFound.value = true
      else error.value = errorText(e)
      return null
    } finally {
      loading.value = false
    }
  }

  return { data, loading, error, notFound, load }
}
