// The profile form in a real (jsdom) DOM: client rules, the server's field errors on the right
// field, and a successful save that makes the form clean again.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { i18n } from '@/i18n'
import { ApiError } from '@/api/http'
import type { ShopProfile } from '@/api/settings'
import { useSessionStore } from '@/stores/session'
import { useSettingsStore } from '@/stores/settings'

const putProfile = vi.fn()
vi.mock('@/api/settings', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/settings')>()),
  settingsApi: { putProfile: (...args: unknown[]) => putProfile(...args) },
}))

const PROFILE: ShopProfile = {
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
}

async function mountForm() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const settings = useSettingsStore()
  settings.data = {
    profile: { ...PROFILE },
    payment_methods: { methods: [], version: 0 },
    delivery_regions: { provinces: [], version: 0 },
    business_hours: { weekly: [], closed_days: [], version: 0 },
    notifications: { topics: {}, version: 0 },
    approvals: { separate_approver: true, purchase_order_limit: 500000, stocktake_limit: 200000, version: 0 },
    delivery_fee: { flat_fee: 0, free_over: null, version: 0 },
  }
  const session = useSessionStore()
  session.me = {
    user: { id: 'u1', email: 'owner@demo.shop', name: '王芳', login: 'owner@demo.shop', phone: '' },
    shops: [{ shop_id: 's1', name: '花间集', roles: ['owner'] }],
    current: { shop_id: 's1', name: '花间集', roles: ['owner'], permissions: ['settings.view', 'settings.edit'], role_names: [] },
    invitations: [],
  }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/', component: () => import('@/pages/settings/ProfileForm.vue') }],
  })
  await router.push('/')
  await router.isReady()
  const wrapper = mount(RouterView, { global: { plugins: [pinia, i18n, router], stubs: { transition: false, 'transition-group': false } }, attachTo: document.body })
  await flushPromises()
  return { wrapper, settings }
}

const item = (wrapper: Awaited<ReturnType<typeof mountForm>>['wrapper'], testId: string) =>
  wrapper.find(`[data-testid="${testId}"]`).element.closest('.el-form-item') as HTMLElement

/** Lets validation, the save call and Element Plus's debounced error display (100 ms) finish. */
async function settle() {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 60))
  }
}

describe('ProfileForm', () => {
  // The first import of the form compiles Element Plus: done once here, not inside a test's 20 s.
  beforeAll(() => import('@/pages/settings/ProfileForm.vue'), 120_000)

  beforeEach(() => {
    putProfile.mockReset()
    document.body.innerHTML = ''
  })

  it('starts clean, with Save disabled', async () => {
    const { wrapper } = await mountForm()
    expect((wrapper.find('[data-testid="profile-name"]').element as HTMLInputElement).value).toBe('花间集')
    expect(wrapper.find('[data-testid="profile-save"]').attributes('disabled')).toBeDefined()
  })

  it('refuses an empty name and a bad phone without calling the server', async () => {
    const { wrapper } = await mountForm()
    await wrapper.find('[data-testid="profile-name"]').setValue('')
    await wrapper.find('[data-testid="profile-contact-phone"]').setValue('12345')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(item(wrapper, 'profile-name').querySelector('.el-form-item__error')?.textContent).toContain('必填')
    expect(item(wrapper, 'profile-contact-phone').querySelector('.el-form-item__error')?.textContent).toContain('手机号')
    expect(putProfile).not.toHaveBeenCalled()
  })

  it('shows the server message on the field it names', async () => {
    putProfile.mockRejectedValue(
      new ApiError(422, 'validation_failed', '以下字段有误：contact_phone', {
        fields: [{ field: 'contact_phone', type: 'phone', message: '须为手机号或座机号' }],
      }),
    )
    const { wrapper } = await mountForm()
    await wrapper.find('[data-testid="profile-contact-phone"]').setValue('010-1234567')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(putProfile).toHaveBeenCalledWith(expect.objectContaining({ contact_phone: '010-1234567', version: 3 }))
    expect(item(wrapper, 'profile-contact-phone').querySelector('.el-form-item__error')?.textContent).toContain('须为手机号或座机号')
    expect(document.body.textContent).toContain('以下字段有误：contact_phone')
  })

  it('saves with the section version and becomes clean again', async () => {
    putProfile.mockImplementation(async (body: Record<string, unknown>) => ({ ...PROFILE, ...body, version: 4 }))
    const { wrapper, settings } = await mountForm()
    await wrapper.find('[data-testid="profile-name"]').setValue('  新店名 ')
    expect(wrapper.find('[data-testid="profile-save"]').attributes('disabled')).toBeUndefined()
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(putProfile).toHaveBeenCalledWith({
      name: '新店名',
      logo_key: null,
      contact_name: '王芳',
      contact_phone: '13800138000',
      contact_email: '',
      address: '',
      time_zone: 'Asia/Shanghai',
      currency: 'CNY',
      version: 3,
    })
    expect(settings.data?.profile.version).toBe(4)
    expect(settings.data?.profile.name).toBe('新店名')
    expect(wrapper.find('[data-testid="profile-save"]').attributes('disabled')).toBeDefined()
  })
})
