// The one way a page shows a cursor-paged API list (staff, audit, products, stock, suppliers,
// purchase orders, stocktakes, movements, notifications): the first page on `load()` and when
// the filters change (typed text waits a moment), "load more" appends, a newer load wins over
// an older one still in flight, and the short pages of filtered lists are filled.
import { onScopeDispose, reactive, ref, watch, type Ref } from 'vue'
import type { Page } from '@/api/http'
import { useErrorText } from '@/composables/useErrorText'
import { collectPages } from '@/utils/paging'

export interface PagedListOptions<T, F extends object> {
  /** Filters (a reactive object) whose change reloads the first page. */
  filters?: F
  /** Milliseconds to wait after a filter change (e.g. 300 while a search box is typed in); 0 loads at once. */
  delay?: (now: F, before: F) => number
  /** Runs when changed filters apply, just before the reload (write them into the URL, drop a stale export). */
  onFilters?: (now: F) => void
  /**
   * Filtered lists whose pages can come back short (the server filters what it read): read
   * pages until there are `fill` items or no more, at most `rounds` requests a load.
   */
  fill?: number
  rounds?: number
  /** The identity of an item: a page appended skips items already shown; `replace` and `remove` use it. */
  key?: (item: T) => string
  /** false: skip loading for now (e.g. the filters are invalid). */
  canLoad?: () => boolean
  /** After each page arrived (`first`: the list started again, e.g. clear a selection). */
  onPage?: (page: Page<T>, first: boolean) => void
}

export interface PagedList<T> {
  items: T[]
  cursor: string | null
  loading: boolean
  loadedOnce: boolean
  /** The message of the last failed load (null after a good one). */
  error: string | null
  /** The first page said only part of the matches were considered. */
  truncated: boolean
  /** The first page (filters changed), or with `more` the next one appended. */
  load(more?: boolean): Promise<void>
  /** After an error: the load that failed again (the next page when some are shown). */
  retry(): Promise<void>
  /** Puts a changed item in place of the one with its key. */
  replace(item: T): void
  /** Drops the item with this key. */
  remove(key: string): void
  /** Shows a new item first (and drops an older copy of it). */
  prepend(item: T): void
}

export function usePagedList<T, F extends object = Record<string, never>>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  options: PagedListOptions<T, F> = {},
): PagedList<T> {
  const describe = useErrorText()
  const items = ref([]) as Ref<T[]>
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  const loadedOnce = ref(false)
  const error = ref<string | null>(null)
  const truncated = ref(false)
  let sequence = 0
  const keyOf = (item: T) => {
    if (!options.key) throw new Error('usePagedList: replace/remove/prepend need the `key` option')
    return options.key(item)
  }

  async function load(more = false): Promise<void> {
    if (options.canLoad && !options.canLoad()) return
    const mine = ++sequence
    loading.value = true
    error.value = null
    try {
      const start = more ? cursor.value : null
      const page = options.fill ? await collectPages(fetchPage, start, options.fill, options.rounds) : await fetchPage(start)
      if (mine !== sequence) return
      if (more) {
        const shown = options.key ? new Set(items.value.map(options.key)) : null
        items.value = [...items.value, ...(shown ? page.items.filter((x) => !shown.has(keyOf(x))) : page.items)]
      } else {
        items.value = page.items
        truncated.value = Boolean(page.truncated)
      }
      cursor.value = page.next_cursor
      loadedOnce.value = true
      options.onPage?.(page, !more)
    } catch (e) {
      if (mine === sequence) error.value = describe(e)
    } finally {
      if (mine === sequence) loading.value = false
    }
  }

  const filters = options.filters
  if (filters) {
    let timer: ReturnType<typeof setTimeout> | undefined
    watch(
      () => ({ ...filters }) as F,
      (now, before) => {
        clearTimeout(timer)
        const apply = () => {
          options.onFilters?.(now)
          void load()
        }
        const wait = options.delay?.(now, before) ?? 0
        if (wait > 0) timer = setTimeout(apply, wait)
        else apply()
      },
    )
    onScopeDispose(() => clearTimeout(timer))
  }

  return reactive({
    items,
    cursor,
    loading,
    loadedOnce,
    error,
    truncated,
    load,
    retry: () => load(items.value.length > 0),
    replace: (item: T) => {
      const key = keyOf(item)
      items.value = items.value.map((x) => (keyOf(x) === key ? item : x))
    },
    remove: (key: string) => {
      items.value = items.value.filter((x) => keyOf(x) !== key)
    },
    prepend: (item: T) => {
      const key = keyOf(item)
      items.value = [item, ...items.value.filter((x) => keyOf(x) !== key)]
    },
  }) as PagedList<T>
}

/** Waits this long after the text of a search box changed before loading (other filters load at once). */
export const TYPING_MS = 300
