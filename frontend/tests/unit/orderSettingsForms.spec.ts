// The order desk's settings tabs in a real (jsdom) DOM: 审单规则 (rules added, checked and sent
// in fen with the section version; duplicate priorities, min over max and empty names refused
// without a call; a server refusal on its field) and 订单定时 (saved values, clamped typing, an
// emptied field refused, someone else's save answered with the reload question).
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import type { OrderReview, OrderTimers } from '@/api/settings'
import { itemError, mountSettingsForm, settle, type SettingsFormWrapper } from './settingsFormHarness'

const putOrderReview = vi.fn()
const putOrderTimers = vi.fn()
vi.mock('@/api/settings', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/settings')>()),
  settingsApi: {
    putOrderReview: (...args: unknown[]) => putOrderReview(...args),
    putOrderTimers: (...args: unknown[]) => putOrderTimers(...args),
  },
}))

const NO_CONDITIONS = { no_buyer_message: false, no_seller_memo: false, served_region: false, buyer_not_flagged: false, min_amount: null, max_amount: null }
const SMALL: OrderReview['rules'][number] = {
  name: '小额自动过',
  priority: 10,
  enabled: true,
  action: 'approve',
  conditions: { ...NO_CONDITIONS, no_buyer_message: true, max_amount: 20000 },
}

const el = (w: SettingsFormWrapper, testid: string) => w.find(`[data-testid="${testid}"]`)
/** The text box of a control (el-input puts the test id on the <input> itself, el-input-number on its box). */
const input = (w: SettingsFormWrapper, testid: string) => {
  const found = el(w, testid)
  return found.element.tagName === 'INPUT' ? found : found.find('input')
}
async function type(w: SettingsFormWrapper, testid: string, text: string) {
  const box = input(w, testid)
  await box.setValue(text)
  await box.trigger('change')
  await box.trigger('blur')
}
async function save(w: SettingsFormWrapper) {
  await w.find('form').trigger('submit')
  await settle()
}

describe('OrderReviewForm', () => {
  beforeAll(() => import('@/pages/settings/OrderReviewForm.vue'), 120_000)
  beforeEach(() => {
    putOrderReview.mockReset()
    document.body.innerHTML = ''
  })
  const mountForm = (review: OrderReview = { rules: [], finance_review: false, version: 2 }, permissions?: string[]) =>
    mountSettingsForm(() => import('@/pages/settings/OrderReviewForm.vue'), { sections: { order_review: review }, permissions })

  it('with no rules says every paid order waits for staff; a rule added and filled is sent in fen with the version', async () => {
    putOrderReview.mockImplementation(async (body: Record<string, unknown>) => ({ ...body, version: 3 }))
    const { wrapper, settings } = await mountForm()
    expect(el(wrapper, 'order-review-empty').text()).toContain('所有已付款订单都等员工审核')
    expect(el(wrapper, 'order-review-save').attributes('disabled')).toBeDefined()

    await el(wrapper, 'order-review-add').trigger('click')
    await type(wrapper, 'order-review-0-name', ' 小额自动过 ')
    await el(wrapper, 'order-review-0-no_buyer_message').find('input').setValue(true)
    await type(wrapper, 'order-review-0-max_amount', '200')
    await el(wrapper, 'order-review-finance').trigger('click')
    await save(wrapper)

    expect(putOrderReview).toHaveBeenCalledWith({ finance_review: true, rules: [SMALL], version: 2 })
    expect(settings.data?.order_review).toEqual({ finance_review: true, rules: [SMALL], version: 3 })
    expect(el(wrapper, 'order-review-save').attributes('disabled')).toBeDefined()
  })

  it('shows saved amounts in yuan and refuses a duplicate priority, a minimum over the maximum and an empty name', async () => {
    const { wrapper } = await mountForm({ rules: [SMALL], finance_review: false, version: 5 })
    expect((input(wrapper, 'order-review-0-max_amount').element as HTMLInputElement).value).toBe('200.00')
    await el(wrapper, 'order-review-add').trigger('click')
    await type(wrapper, 'order-review-1-priority', '10')
    await type(wrapper, 'order-review-0-min_amount', '300')
    await save(wrapper)
    expect(putOrderReview).not.toHaveBeenCalled()
    expect(itemError(wrapper, 'order-review-1-priority')).toContain('优先级与另一条规则相同')
    expect(itemError(wrapper, 'order-review-0-max_amount')).toContain('最低金额不能高于最高金额')
    expect(itemError(wrapper, 'order-review-1-name')).toContain('必填')
  })

  it('removes a rule and shows a server refusal on the field it names', async () => {
    putOrderReview.mockRejectedValue(
      new ApiError(422, 'validation_failed', '请检查', { fields: [{ field: 'rules.0.name', code: 'string_too_long', message: '规则名称太长' }] }),
    )
    const { wrapper } = await mountForm({ rules: [SMALL, { ...SMALL, name: '大额', priority: 20, action: 'manual' }], finance_review: false, version: 5 })
    await el(wrapper, 'order-review-0-remove').trigger('click')
    await settle()
    expect(wrapper.findAll('[data-testid="order-review-rule"]')).toHaveLength(1)
    expect((input(wrapper, 'order-review-0-name').element as HTMLInputElement).value).toBe('大额')
    await save(wrapper)
    expect(putOrderReview).toHaveBeenCalledWith({
      finance_review: false,
      rules: [{ ...SMALL, name: '大额', priority: 20, action: 'manual' }],
      version: 5,
    })
    expect(itemError(wrapper, 'order-review-0-name')).toContain('规则名称太长')
  })

  it('is read-only for a role without settings.edit', async () => {
    const { wrapper } = await mountForm({ rules: [SMALL], finance_review: false, version: 5 }, ['settings.view'])
    expect(input(wrapper, 'order-review-0-name').attributes('disabled')).toBeDefined()
    expect(el(wrapper, 'order-review-save').exists()).toBe(false)
  })
})

describe('OrderTimersForm', () => {
  beforeAll(() => import('@/pages/settings/OrderTimersForm.vue'), 120_000)
  beforeEach(() => {
    putOrderTimers.mockReset()
    document.body.innerHTML = ''
  })
  const TIMERS: OrderTimers = { unpaid_cancel_minutes: 30, auto_complete_days: 10, version: 1 }
  const mountForm = () => mountSettingsForm(() => import('@/pages/settings/OrderTimersForm.vue'), { sections: { order_timers: TIMERS } })
  const value = (w: SettingsFormWrapper, key: string) => (input(w, `order-timers-${key}`).element as HTMLInputElement).value

  it('shows the saved timers and sends the new ones (typed past the limit: the limit) with the version', async () => {
    putOrderTimers.mockImplementation(async (body: Record<string, unknown>) => ({ ...body, version: 2 }))
    const { wrapper, settings } = await mountForm()
    expect(value(wrapper, 'unpaid_cancel_minutes')).toBe('30')
    expect(value(wrapper, 'auto_complete_days')).toBe('10')
    expect(document.body.textContent).toContain('5 到 1440 分钟')
    await type(wrapper, 'order-timers-unpaid_cancel_minutes', '45')
    await type(wrapper, 'order-timers-auto_complete_days', '90')
    expect(value(wrapper, 'auto_complete_days')).toBe('30')
    await save(wrapper)
    expect(putOrderTimers).toHaveBeenCalledWith({ unpaid_cancel_minutes: 45, auto_complete_days: 30, version: 1 })
    expect(settings.data?.order_timers).toEqual({ unpaid_cancel_minutes: 45, auto_complete_days: 30, version: 2 })
  })

  it('refuses an emptied field without calling the server', async () => {
    const { wrapper } = await mountForm()
    await type(wrapper, 'order-timers-unpaid_cancel_minutes', '')
    await save(wrapper)
    expect(itemError(wrapper, 'order-timers-unpaid_cancel_minutes')).toContain('必填')
    expect(putOrderTimers).not.toHaveBeenCalled()
  })

  it('asks to reload when someone else saved the timers meanwhile', async () => {
    putOrderTimers.mockRejectedValue(new ApiError(409, 'version_conflict', 'conflict', { expected: 1, current: 2 }))
    const { wrapper } = await mountForm()
    await type(wrapper, 'order-timers-auto_complete_days', '7')
    await save(wrapper)
    expect(document.body.textContent).toContain('有人修改并保存了这部分设置')
  })
})
