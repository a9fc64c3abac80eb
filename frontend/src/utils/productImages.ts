// The product editor's image list: pure helpers (display order, first = main image) and the
// client copy of the upload rules (shared/catalog/models.py: IMAGE_TYPES, IMAGE_MAX_BYTES,
// MAX_IMAGES). The server stays the judge.
import type { ImageType } from '@/api/catalog'
import type { Invalid } from './validators'

export const PRODUCT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const satisfies readonly ImageType[]
export const PRODUCT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
export const MAX_PRODUCT_IMAGES = 20

/** A copy with the item at `index` moved by `delta` (-1 left, +1 right); unchanged at the ends. */
export function moveImage<T>(list: readonly T[], index: number, delta: number): T[] {
  const j = index + delta
  const out = [...list]
  if (index < 0 || index >= list.length || j < 0 || j >= list.length) return out
  ;[out[index], out[j]] = [out[j]!, out[index]!]
  return out
}

/** A copy with the item at `index` first (the main image), the others keeping their order. */
export function makeMain<T>(list: readonly T[], index: number): T[] {
  if (index <= 0 || index >= list.length) return [...list]
  return [list[index]!, ...list.slice(0, index), ...list.slice(index + 1)]
}

/** A copy without the item at `index`. */
export function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index)
}

/** A copy with `item` appended unless an item with its id is already there. */
export function appendImage<T extends { id: string }>(list: readonly T[], item: T): T[] {
  return list.some((x) => x.id === item.id) ? [...list] : [...list, item]
}

export const imageIds = (list: readonly { id: string }[]): string[] => list.map((x) => x.id)

/** Whether the ids (in order) differ: only then does a save send `images`. */
export function imagesChanged(before: readonly { id: string }[], after: readonly { id: string }[]): boolean {
  return before.length !== after.length || before.some((x, i) => x.id !== after[i]!.id)
}

/** The upload endpoint's rules, checked before anything is sent. */
export function productImageFile(file: { type: string; size: number }): Invalid | null {
  if (!(PRODUCT_IMAGE_TYPES as readonly string[]).includes(file.type) || file.size === 0)
    return { key: 'products.images.badType' }
  if (file.size > PRODUCT_IMAGE_MAX_BYTES) return { key: 'products.images.tooLarge', params: { mb: 5 } }
  return null
}
