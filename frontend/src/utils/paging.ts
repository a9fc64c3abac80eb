import type { Page } from '@/api/http'

/**
 * Reads pages until there are at least `want` items or no more pages (at most `maxRounds`
 * requests). Filtered lists (staff by name, audit by action) are filtered after the server
 * reads a page, so one page can come back short or even empty while more follow.
 */
export async function collectPages<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  start: string | null,
  want: number,
  maxRounds = 5,
): Promise<Page<T>> {
  const items: T[] = []
  let cursor = start
  let truncated = false
  for (let round = 0; round < maxRounds; round++) {
    const page = await fetchPage(cursor)
    items.push(...page.items)
    truncated ||= Boolean(page.truncated)
    cursor = page.next_cursor
    if (!cursor || items.length >= want) break
  }
  return { items, next_cursor: cursor, truncated }
}
