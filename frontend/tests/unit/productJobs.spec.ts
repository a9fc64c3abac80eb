import { describe, expect, it } from 'vitest'
import { exportFilter, importFile, importFormat, IMPORT_MAX_BYTES, isFinished, percent } from '@/utils/productJobs'

describe('product import files', () => {
  it('accepts csv and xlsx by name, whatever the case', () => {
    expect(importFormat('商品.CSV')).toBe('csv')
    expect(importFormat('goods.xlsx')).toBe('xlsx')
    expect(importFormat('goods.xls')).toBeNull()
    expect(importFormat('virus.exe')).toBeNull()
  })

  it('refuses empty, too large and unknown files with a message key', () => {
    expect(importFile({ name: 'a.csv', size: 10 })).toBeNull()
    expect(importFile({ name: 'a.csv', size: 0 })?.key).toBe('productJobs.emptyFile')
    expect(importFile({ name: 'a.xlsx', size: IMPORT_MAX_BYTES + 1 })?.key).toBe('productJobs.tooLarge')
    expect(importFile({ name: 'a.pdf', size: 10 })?.key).toBe('productJobs.badType')
  })
})

describe('job progress', () => {
  it('is a percentage of the rows, 100 only when finished', () => {
    expect(percent({ status: 'running', total: 200, processed: 50 })).toBe(25)
    expect(percent({ status: 'running', total: 200, processed: 200 })).toBe(99)
    expect(percent({ status: 'partial', total: 200, processed: 200 })).toBe(100)
    expect(percent({ status: 'queued', total: null, processed: 0 })).toBeNull()
    expect(isFinished({ status: 'failed' })).toBe(true)
    expect(isFinished({ status: 'awaiting_upload' })).toBe(false)
  })
})

describe('export filter', () => {
  it('is the list query without paging and empty fields', () => {
    expect(exportFilter({ q: '裙', category_id: undefined, status: 'on_shelf', sort: 'price', order: 'asc', limit: 20, cursor: 'x' }))
      .toEqual({ q: '裙', status: 'on_shelf', sort: 'price', order: 'asc' })
  })
})
