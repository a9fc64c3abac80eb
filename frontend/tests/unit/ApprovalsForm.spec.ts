// The approvals form in a real (jsdom) DOM: the API's fen shown as yuan, yuan typed back sent
// as fen with the section version, the switch disabling the limits, a server refusal shown
// on its field, and a read-only view for a role without settings.edit.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import type { ApprovalSettings } from '@/api/settings'
import { itemError, mountSettingsForm, settle, type SettingsFormWrapper } from './settingsFormHarness'

const putApprovals = vi.fn()
vi.mock('@/api/settings', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/settings')>()),
  settingsApi: { putApprovals: (...args: unknown[]) => putApprovals(...args) },
}))

const APPROVALS: ApprovalSettings = { separate_approver: true, purchase_order_limit: 500000, stocktake_limit: 200050, version: 3 }

const mountForm = (permissions?: string[]) =>
  mountSettingsForm(() => import('@/pages/settings/ApprovalsForm.vue'), { sections: { approvals: APPROVALS }, permissions })

const input = (wrapper: SettingsFormWrapper, limit: 'purchase_order_limit' | 'stocktake_limit') =>
  wrapper.find(`[data-testid="approvals-${limit}"] input`)

/** Types into an amount input the way a person does: the value, then leaving the field. */
async function type(wrapper: SettingsFormWrapper, limit: 'purchase_order_limit' | 'stocktake_limit', text: string) {
  const el = input(wrapper, limit)
  await el.setValue(text)
  await el.trigger('change')
  await el.trigger('blur')
}

describe('ApprovalsForm', () => {
  // The first import of the form compiles Element Plus: done once here, not inside a test's 20 s.
  beforeAll(() => import('@/pages/settings/ApprovalsForm.vue'), 120_000)

  beforeEach(() => {
    putApprovals.mockReset()
    document.body.innerHTML = ''
  })

  it('shows the limits in yuan with two decimals, clean, with Save disabled', async () => {
    const { wrapper } = await mountForm()
    expect((input(wrapper, 'purchase_order_limit').element as HTMLInputElement).value).toBe('5000.00')
    expect((input(wrapper, 'stocktake_limit').element as HTMLInputElement).value).toBe('2000.50')
    expect(wrapper.find('[data-testid="approvals-separate"]').classes()).toContain('is-checked')
    expect(document.body.textContent).toContain('0 = 总是需要')
    expect(wrapper.find('[data-testid="approvals-save"]').attributes('disabled')).toBeDefined()
  })

  it('sends yuan typed with decimals as whole fen, with the section version, and is clean again', async () => {
    putApprovals.mockImplementation(async (body: Record<string, unknown>) => ({ ...APPROVALS, ...body, version: 4 }))
    const { wrapper, settings } = await mountForm()
    await type(wrapper, 'purchase_order_limit', '1234.56')
    await type(wrapper, 'stocktake_limit', '0')
    expect(wrapper.find('[data-testid="approvals-save"]').attributes('disabled')).toBeUndefined()
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(putApprovals).toHaveBeenCalledWith({ separate_approver: true, purchase_order_limit: 123456, stocktake_limit: 0, version: 3 })
    expect(settings.data?.approvals).toEqual({ separate_approver: true, purchase_order_limit: 123456, stocktake_limit: 0, version: 4 })
    expect((input(wrapper, 'purchase_order_limit').element as HTMLInputElement).value).toBe('1234.56')
    expect(wrapper.find('[data-testid="approvals-save"]').attributes('disabled')).toBeDefined()
  })

  it('refuses an empty limit without calling the server', async () => {
    const { wrapper } = await mountForm()
    await type(wrapper, 'purchase_order_limit', '')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(itemError(wrapper, 'approvals-purchase_order_limit')).toContain('必填')
    expect(putApprovals).not.toHaveBeenCalled()
  })

  it('turned off, disables the limits, puts an emptied one back, and sends the saved fen unchanged', async () => {
    putApprovals.mockImplementation(async (body: Record<string, unknown>) => ({ ...APPROVALS, ...body, version: 4 }))
    const { wrapper } = await mountForm()
    await type(wrapper, 'stocktake_limit', '')
    await wrapper.find('[data-testid="approvals-separate"]').trigger('click')
    await settle()
    expect(input(wrapper, 'purchase_order_limit').attributes('disabled')).toBeDefined()
    expect(input(wrapper, 'stocktake_limit').attributes('disabled')).toBeDefined()
    expect((input(wrapper, 'stocktake_limit').element as HTMLInputElement).value).toBe('2000.50')
    expect(wrapper.find('[data-testid="approvals-off"]').exists()).toBe(true)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(putApprovals).toHaveBeenCalledWith({ separate_approver: false, purchase_order_limit: 500000, stocktake_limit: 200050, version: 3 })
  })

  it('shows the server refusal on the field it names', async () => {
    putApprovals.mockRejectedValue(
      new ApiError(403, 'grant_exceeds_own', '您没有“盘点审批”权限，不能授予', { field: 'separate_approver', permission: 'inventory.approve' }),
    )
    const { wrapper } = await mountForm()
    await type(wrapper, 'purchase_order_limit', '8000')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(putApprovals).toHaveBeenCalledWith(expect.objectContaining({ purchase_order_limit: 800000 }))
    expect(itemError(wrapper, 'approvals-separate')).toContain('盘点审批')
  })

  it('is read-only for a role without settings.edit', async () => {
    const { wrapper } = await mountForm(['settings.view'])
    expect(input(wrapper, 'purchase_order_limit').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="approvals-separate"]').classes()).toContain('is-disabled')
    expect(wrapper.find('[data-testid="approvals-save"]').exists()).toBe(false)
  })
})
