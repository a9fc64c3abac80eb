// The profile form in a real (jsdom) DOM: client rules, the server's field errors on the right
// field, and a successful save that makes the form clean again.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import type { ShopProfile } from '@/api/settings'
import { itemError, mountSettingsForm, settle, SHOP_SETTINGS } from './settingsFormHarness'

const putProfile = vi.fn()
vi.mock('@/api/settings', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/settings')>()),
  settingsApi: { putProfile: (...args: unknown[]) => putProfile(...args) },
}))

const PROFILE: ShopProfile = SHOP_SETTINGS.profile
const mountForm = () => mountSettingsForm(() => import('@/pages/settings/ProfileForm.vue'))

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
    expect(itemError(wrapper, 'profile-name')).toContain('必填')
    expect(itemError(wrapper, 'profile-contact-phone')).toContain('手机号')
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
    expect(itemError(wrapper, 'profile-contact-phone')).toContain('须为手机号或座机号')
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
