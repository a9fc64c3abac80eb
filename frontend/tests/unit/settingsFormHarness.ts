// What the settings form tests share: one settings section form mounted in a real (jsdom) DOM
// behind a router (useSectionForm guards route leaves), with the settings store filled and an
// owner (or a role with the given permissions) signed in.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { RouteComponent } from 'vue-router'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { i18n } from '@/i18n'
import type { ShopSettings } from '@/api/settings'
import { useSessionStore } from '@/stores/session'
import { useSettingsStore } from '@/stores/settings'

export const SHOP_SETTINGS: ShopSettings = {
  profile: {
    name: '花间集',
    logo_key: null,
    logo_url: null,
    contact_name: '王芳',
    contact_phone: '13800138000',
    contact_email: '',
    address: '',
    time_zone: 'Asia/Shanghai',
    currency: 'CNY',
    version: 3,
  },
  payment_methods: { methods: [], version: 0 },
  delivery_regions: { provinces: [], version: 0 },
  business_hours: { weekly: [], closed_days: [], version: 0 },
  notifications: { topics: {}, version: 0 },
  approvals: { separate_approver: true, purchase_order_limit: 500000, stocktake_limit: 200000, version: 0 },
  delivery_fee: { flat_fee: 0, free_over: null, version: 0 },
  order_review: { rules: [], finance_review: false, version: 0 },
  order_timers: { unpaid_cancel_minutes: 30, auto_complete_days: 10, version: 0 },
}

export const EDITOR = ['settings.view', 'settings.edit']

/** Mounts the form `load` imports with `sections` replacing the defaults above. */
export async function mountSettingsForm(
  load: () => Promise<RouteComponent | { default: RouteComponent }>,
  { sections = {}, permissions = EDITOR }: { sections?: Partial<ShopSettings>; permissions?: string[] } = {},
) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const settings = useSettingsStore()
  settings.data = structuredClone({ ...SHOP_SETTINGS, ...sections })
  const session = useSessionStore()
  session.me = {
    user: { id: 'u1', email: 'owner@demo.shop', name: '王芳', login: 'owner@demo.shop', phone: '' },
    shops: [{ shop_id: 's1', name: '花间集', roles: ['owner'] }],
    current: { shop_id: 's1', name: '花间集', roles: ['owner'], permissions, role_names: [] },
    invitations: [],
  }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: load }] })
  await router.push('/')
  await router.isReady()
  const wrapper = mount(RouterView, {
    global: { plugins: [pinia, i18n, router], stubs: { transition: false, 'transition-group': false } },
    attachTo: document.body,
  })
  await flushPromises()
  return { wrapper, settings }
}

export type SettingsFormWrapper = Awaited<ReturnType<typeof mountSettingsForm>>['wrapper']

/** The error text of the form item around the control with this data-testid ('' when none). */
export function itemError(wrapper: SettingsFormWrapper, testId: string): string {
  const item = wrapper.find(`[data-testid="${testId}"]`).element.closest('.el-form-item')
  return item?.querySelector('.el-form-item__error')?.textContent ?? ''
}

/** Lets validation, the save call and Element Plus's debounced error display (100 ms) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 60))
  }
}
