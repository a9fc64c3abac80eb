import { describe, expect, it } from 'vitest'
import {
  appendImage,
  imageIds,
  imagesChanged,
  makeMain,
  moveImage,
  PRODUCT_IMAGE_MAX_BYTES,
  productImageFile,
  removeAt,
} from '@/utils/productImages'

const imgs = (...ids: string[]) => ids.map((id) => ({ id }))

describe('product image order', () => {
  it('moves an image left or right, and not past the ends', () => {
    const list = imgs('a', 'b', 'c')
    expect(imageIds(moveImage(list, 1, -1))).toEqual(['b', 'a', 'c'])
    expect(imageIds(moveImage(list, 1, 1))).toEqual(['a', 'c', 'b'])
    expect(imageIds(moveImage(list, 0, -1))).toEqual(['a', 'b', 'c'])
    expect(imageIds(moveImage(list, 2, 1))).toEqual(['a', 'b', 'c'])
    expect(imageIds(moveImage(list, 5, -1))).toEqual(['a', 'b', 'c'])
    expect(imageIds(list)).toEqual(['a', 'b', 'c']) // not mutated
  })

  it('makes an image the main one (first), keeping the others in order', () => {
    const list = imgs('a', 'b', 'c', 'd')
    expect(imageIds(makeMain(list, 2))).toEqual(['c', 'a', 'b', 'd'])
    expect(imageIds(makeMain(list, 3))).toEqual(['d', 'a', 'b', 'c'])
    expect(imageIds(makeMain(list, 0))).toEqual(['a', 'b', 'c', 'd'])
    expect(imageIds(makeMain(list, 9))).toEqual(['a', 'b', 'c', 'd'])
  })

  it('removes and appends (an id at most once)', () => {
    expect(imageIds(removeAt(imgs('a', 'b', 'c'), 1))).toEqual(['a', 'c'])
    expect(imageIds(appendImage(imgs('a'), { id: 'b' }))).toEqual(['a', 'b'])
    expect(imageIds(appendImage(imgs('a', 'b'), { id: 'a' }))).toEqual(['a', 'b'])
  })

  it('tells whether the order or the set changed', () => {
    expect(imagesChanged(imgs('a', 'b'), imgs('a', 'b'))).toBe(false)
    expect(imagesChanged([], [])).toBe(false)
    expect(imagesChanged(imgs('a', 'b'), imgs('b', 'a'))).toBe(true)
    expect(imagesChanged(imgs('a', 'b'), imgs('a'))).toBe(true)
    expect(imagesChanged(imgs('a'), imgs('a', 'b'))).toBe(true)
  })
})

describe('product image file check', () => {
  it('accepts PNG, JPEG and WebP up to 5 MiB', () => {
    expect(productImageFile({ type: 'image/png', size: 100 })).toBeNull()
    expect(productImageFile({ type: 'image/jpeg', size: PRODUCT_IMAGE_MAX_BYTES })).toBeNull()
    expect(productImageFile({ type: 'image/webp', size: 1 })).toBeNull()
  })

  it('refuses other types, empty and too large files', () => {
    expect(productImageFile({ type: 'image/gif', size: 100 })?.key).toBe('products.images.badType')
    expect(productImageFile({ type: 'text/plain', size: 100 })?.key).toBe('products.images.badType')
    expect(productImageFile({ type: 'image/png', size: 0 })?.key).toBe('products.images.badType')
    expect(productImageFile({ type: 'image/png', size: PRODUCT_IMAGE_MAX_BYTES + 1 })?.key).toBe('products.images.tooLarge')
  })
})
