import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ElMessage, ElMessageBox } from 'element-plus/es'
import { ApiError } from '@/api/http'
import { useConfirmedAction } from '@/composables/useConfirmedAction'

const question = { message: 'Remove 李娜?', title: 'Remove', confirm: 'Remove', danger: true }

describe('useConfirmedAction', () => {
  let confirm: ReturnType<typeof vi.spyOn>
  let success: ReturnType<typeof vi.spyOn>
  let error: ReturnType<typeof vi.spyOn>
  beforeEach(() => {
    confirm = vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    success = vi.spyOn(ElMessage, 'success').mockImplementation(() => ({ close: () => undefined }) as never)
    error = vi.spyOn(ElMessage, 'error').mockImplementation(() => ({ close: () => undefined }) as never)
  })
  afterEach(() => vi.restoreAllMocks())

  it('does nothing when the question is declined', async () => {
    confirm.mockRejectedValue('cancel')
    const act = vi.fn()
    const { busyId, run } = useConfirmedAction()
    expect(await run('u1', act, { ask: question })).toBeUndefined()
    expect(act).not.toHaveBeenCalled()
    expect(busyId.value).toBeNull()
    expect(confirm).toHaveBeenCalledWith('Remove 李娜?', 'Remove', expect.objectContaining({ confirmButtonText: 'Remove', confirmButtonClass: 'el-button--danger' }))
  })

  it('marks the record busy while the action runs, then says it is done', async () => {
    const { busyId, run } = useConfirmedAction()
    let during: string | null = null
    const result = await run(
      'u1',
      async () => {
        during = busyId.value
        return { ok: true }
      },
      { ask: question, success: (r) => (r.ok ? 'Removed' : '?') },
    )
    expect(result).toEqual({ ok: true })
    expect(during).toBe('u1')
    expect(busyId.value).toBeNull()
    expect(success).toHaveBeenCalledWith('Removed')
    expect(error).not.toHaveBeenCalled()
  })

  it('drops a record someone else removed meanwhile (404) and shows why', async () => {
    const gone = vi.fn()
    const { busyId, run } = useConfirmedAction()
    const result = await run('u1', () => Promise.reject(new ApiError(404, 'staff_not_found', 'Not found')), { gone, success: 'Removed' })
    expect(result).toBeUndefined()
    expect(gone).toHaveBeenCalledOnce()
    expect(error).toHaveBeenCalledWith('Not found')
    expect(success).not.toHaveBeenCalled()
    expect(busyId.value).toBeNull()
  })

  it('keeps the record on any other failure and shows the server message', async () => {
    const gone = vi.fn()
    const { run } = useConfirmedAction()
    await run('u1', () => Promise.reject(new ApiError(409, 'last_owner', 'A shop keeps one owner')), { gone })
    expect(gone).not.toHaveBeenCalled()
    expect(error).toHaveBeenCalledWith('A shop keeps one owner')
  })

  it('acts without asking when there is no question', async () => {
    const { run } = useConfirmedAction()
    const act = vi.fn(async () => 'done')
    expect(await run('u1', act)).toBe('done')
    expect(confirm).not.toHaveBeenCalled()
  })
})
