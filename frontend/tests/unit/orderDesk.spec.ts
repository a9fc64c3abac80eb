// The order desk's filter bar in a real (jsdom) DOM: filters read from the URL reach GET /orders
// (amounts in fen, shown in yuan), a picked payment method reloads and lands in the URL, "clear
// filters" empties both, and on a phone the extra filters sit in a drawer behind a counted
// button. Plus: every text key the order pages and settings forms use exists in both languages.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter, type Router, RouterView } from 'vue-router'
import { i18n } from '@/i18n'
import { useSessionStore } from '@/stores/session'
import { useSettingsStore } from '@/stores/settings'
import { missingKeys, usedKeys } from './localeKeys'
import { SHOP_SETTINGS, settle } from './settingsFormHarness'

const list = vi.fn()
vi.mock('@/api/orders', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/api/orders')>()
  return { ...real, ordersApi: { ...real.ordersApi, list: (...a: unknown[]) => list(...a), counts: async () => ({}) } }
})
vi.mock('@/api/catalog', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/catalog')>()),
  catalogApi: {
    list: async () => ({ items: [{ id: 'prd_01JB5Q0000000000000000000A', name: '真丝连衣裙', main_image: null }], next_cursor: null }),
    get: async (id: string) => ({ id, name: '真丝连衣裙', main_image: null }),
  },
}))

const page = () => import('@/pages/orders/OrderDeskPage.vue')

async function mountDesk(path: string): Promise<{ router: Router; wrapper: ReturnType<typeof mount> }> {
  const pinia = createPinia()
  setActivePinia(pinia)
  const settings = useSettingsStore()
  settings.data = structuredClone(SHOP_SETTINGS)
  settings.regions = [
    { code: '310000', name_zh: '上海市', name_en: 'Shanghai' },
    { code: '440000', name_zh: '广东省', name_en: 'Guangdong' },
  ]
  useSessionStore().me = {
    user: { id: 'u1', email: 'cs@demo.shop', name: '客服', login: 'cs@demo.shop', phone: '' },
    shops: [{ shop_id: 's1', name: '花间集', roles: ['customer_service'] }],
    current: { shop_id: 's1', name: '花间集', roles: ['customer_service'], permissions: ['orders.view', 'catalog.view'], role_names: [] },
    invitations: [],
  }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/orders', name: 'orders', component: page },
      { path: '/orders/:id', name: 'order', component: { template: '<div />' } },
    ],
  })
  await router.push(path)
  await router.isReady()
  const wrapper = mount(RouterView, { global: { plugins: [pinia, i18n, router], stubs: { transition: false } }, attachTo: document.body })
  await settle()
  return { router, wrapper }
}

const lastQuery = () => list.mock.calls.at(-1)![0] as Record<string, unknown>

/** Opens an el-select by its test id and clicks the option with this test id (options are teleported to body). */
async function choose(selectId: string, optionId: string) {
  ;(document.querySelector(`[data-testid="${selectId}"] .el-select__wrapper`) as HTMLElement).click()
  await settle()
  ;(document.querySelector(`[data-testid="${optionId}"]`) as HTMLElement).click()
  await settle()
}

describe('OrderDeskPage filters', () => {
  beforeAll(page, 120_000)
  beforeEach(() => {
    list.mockReset()
    list.mockResolvedValue({ items: [], next_cursor: null })
    document.body.innerHTML = ''
  })
  afterEach(() => {
    window.innerWidth = 1366
    window.dispatchEvent(new Event('resize'))
  })

  it('sends the filters the URL holds, shows the amount in yuan, and keeps a picked method in the URL', async () => {
    const { router } = await mountDesk('/orders?tab=to_ship&min_amount=10000&province=310000&flag=red')
    expect(lastQuery()).toMatchObject({ tab: 'to_ship', min_amount: 10000, province: '310000', flag: 'red' })
    expect(lastQuery().payment_method).toBeUndefined()
    expect((document.querySelector('[data-testid="order-min-amount"] input') as HTMLInputElement).value).toBe('100.00')
    expect(document.querySelector('[data-testid="order-province-filter"]')!.textContent).toContain('上海市')

    await choose('order-method-filter', 'order-method-option-wechat_pay')
    expect(lastQuery()).toMatchObject({ tab: 'to_ship', min_amount: 10000, payment_method: 'wechat_pay' })
    expect(router.currentRoute.value.query).toEqual({ tab: 'to_ship', min_amount: '10000', province: '310000', flag: 'red', payment_method: 'wechat_pay' })

    ;(document.querySelector('[data-testid="order-clear-filters"]') as HTMLElement).click()
    await settle()
    await new Promise((r) => setTimeout(r, 450)) // the amount is a typed filter: the reload waits for typing to stop
    await settle()
    expect(lastQuery()).toEqual({ tab: 'to_ship', limit: 20, cursor: null })
    expect(router.currentRoute.value.query).toEqual({ tab: 'to_ship' })
  })

  it('says a crossed amount pair is not applied and leaves it out of the request', async () => {
    await mountDesk('/orders?min_amount=50000&max_amount=100')
    expect(document.querySelector('[data-testid="order-amounts-crossed"]')).not.toBeNull()
    expect(lastQuery().min_amount).toBeUndefined()
    expect(lastQuery().max_amount).toBeUndefined()
  })

  it('on a phone puts the extra filters in a drawer behind a button that counts them', async () => {
    window.innerWidth = 390
    window.dispatchEvent(new Event('resize'))
    await mountDesk('/orders?payment_method=alipay&flag=green')
    expect(document.querySelector('[data-testid="order-more-filters"]')).toBeNull()
    const button = document.querySelector('[data-testid="order-more-button"]') as HTMLElement
    expect(button.closest('.el-badge')!.querySelector('.el-badge__content')!.textContent).toContain('2')
    button.click()
    await settle()
    expect(document.querySelector('[data-testid="order-more-filters"]')).not.toBeNull()
    ;(document.querySelector('[data-testid="order-clear-more"]') as HTMLElement).click()
    await settle()
    expect(lastQuery().payment_method).toBeUndefined()
    expect(lastQuery().flag).toBeUndefined()
  })
})

describe('order pages and settings forms', () => {
  const sources = import.meta.glob<string>('../../src/pages/{orders,settings}/*.vue', { query: '?raw', import: 'default', eager: true })
  it('use only text keys that exist in zh-CN and en', () => {
    const keys = usedKeys(Object.values(sources), true)
    expect(keys.has('orderReview.financeReviewHint')).toBe(true)
    expect(keys.has('orderTimers.unpaidCancelHint')).toBe(true)
    expect(missingKeys(keys)).toEqual([])
  })
})
