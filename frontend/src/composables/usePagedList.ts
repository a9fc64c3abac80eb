import { ref, type Ref } from 'vue'
import type { Page } from '@/api/http'
import { errorText } from '@/composables/useDialogForm'

/**
 * A cursor-paged list: `load()` reads the first page (filters changed), `load(true)` appends
 * the next. A newer load wins over an older one still in flight (typing in a filter fires
 * several), so a slow answer never overwrites a fresh one.
 */
export function usePagedList<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>) {
  const items = ref([]) as Ref<T[]>
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  const loadedOnce = ref(false)
  const error = ref<string | null>(null)
  let sequence = 0

  async function load(more = false): Promise<void> {
    const mine = ++sequence
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage(more ? cursor.value : null)
      if (mine !== sequence) return
      items.value = more ? [...items.value, ...page.items] : page.items
      cursor.value = page.next_cursor
      loadedOnce.value = true
    } catch (e) {
      if (mine === sequence) error.value = errorText(e)
    } finally {
      if (mine === sequence) loading.value = false
    }
  }

  return { items, cursor, loading, loadedOnce, error, load }
}
