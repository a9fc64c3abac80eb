import { newUuid } from '@/utils/uuid'
import { stableStringify } from '@/utils/objects'

/**
 * One Idempotency-Key per distinct request body: a retry of the same body (a double click, a
 * lost answer) reuses the key, so the server creates the thing once; a corrected body gets a
 * new key (the server refuses a key reused with another body). `reset()` when a dialog opens.
 */
export function useIdempotencyKey() {
  let lastBody = ''
  let key = ''
  return {
    keyFor(body: unknown): string {
      const s = stableStringify(body)
      if (!key || s !== lastBody) {
        lastBody = s
        key = newUuid()
      }
      return key
    },
    reset(): void {
      lastBody = ''
      key = ''
    },
  }
}
