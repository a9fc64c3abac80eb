import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/http'
import { useRecord } from '@/composables/useRecord'

describe('useRecord', () => {
  it('reads the record and says when it is gone, apart from other failures', async () => {
    let answer: () => Promise<{ id: string }> = async () => ({ id: 'po_1' })
    const record = useRecord(() => answer())
    expect(await record.load()).toEqual({ id: 'po_1' })
    expect(record.data.value).toEqual({ id: 'po_1' })
    expect([record.loading.value, record.error.value, record.notFound.value]).toEqual([false, null, false])

    answer = () => Promise.reject(new ApiError(404, 'purchase_order_not_found', 'Not found'))
    expect(await record.load()).toBeNull()
    expect([record.notFound.value, record.error.value]).toEqual([true, null])

    answer = () => Promise.reject(new ApiError(500, 'internal', 'Server error'))
    expect(await record.load()).toBeNull()
    expect(record.error.value).toBe('Server error')
    expect(record.loading.value).toBe(false)
  })
})
