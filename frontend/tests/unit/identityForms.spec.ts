// The permission matrix and the invite dialog in a real (jsdom) DOM: what the boxes send, the
// client rules that stop a request, and the server's answers on the right field.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h, ref } from 'vue'
import { i18n } from '@/i18n'
import { ApiError } from '@/api/http'
import type { PermissionInfo, StaffView } from '@/api/identity'
import PermissionMatrix from '@/components/PermissionMatrix.vue'
import StaffFormDialog from '@/pages/staff/StaffFormDialog.vue'
import { useSessionStore } from '@/stores/session'

const invite = vi.fn()
const update = vi.fn()
vi.mock('@/api/identity', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/api/identity')>()),
  staffApi: {
    invite: (...args: unknown[]) => invite(...args),
    update: (...args: unknown[]) => update(...args),
    get: vi.fn(),
  },
  rolesApi: {
    list: async () => ({
      items: [
        { code: 'owner', name_zh: '店主', name_en: 'Owner', built_in: true, permissions: [], members: 1, version: 1 },
        { code: 'role_temp', name_zh: '临时工', name_en: 'Temp', built_in: false, permissions: ['audit.view'], members: 0, version: 1 },
      ],
    }),
    permissions: vi.fn(),
  },
}))

const perm = (code: string): PermissionInfo => {
  const [resource, action] = code.split('.') as [string, string]
  return { code, resource, action, name_zh: code, name_en: code }
}
const ITEMS = ['settings.view', 'settings.edit', 'audit.view', 'audit.export', 'orders.view', 'orders.refund'].map(perm)

async function settle() {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 60))
  }
}

function setup(permissions: string[]) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const session = useSessionStore()
  session.shopId = 's1'
  session.me = {
    user: { id: 'u1', email: 'owner@demo.shop', name: '王芳', login: 'owner@demo.shop', phone: '' },
    shops: [{ shop_id: 's1', name: '花间集', roles: ['owner'] }],
    current: { shop_id: 's1', name: '花间集', roles: ['owner'], permissions, role_names: [] },
    invitations: [],
  }
  return pinia
}

const click = async (testId: string) => {
  const box = document.querySelector(`[data-testid="${testId}"] input`) as HTMLInputElement
  box.click()
  await flushPromises()
}

describe('PermissionMatrix', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
  })

  function mountMatrix(initial: string[], readonly = false) {
    const pinia = setup(['roles.view'])
    const model = ref(initial)
    const Host = defineComponent(() => () =>
      h(PermissionMatrix, {
        modelValue: model.value,
        'onUpdate:modelValue': (v: string[]) => (model.value = v),
        items: ITEMS,
        resources: ['settings', 'audit', 'orders'],
        readonly,
      }),
    )
    const wrapper = mount(Host, { global: { plugins: [pinia, i18n] }, attachTo: document.body })
    return { wrapper, model }
  }

  it('names rows and columns in the UI language, with a dash where there is no such permission', () => {
    const { wrapper } = mountMatrix([])
    const text = wrapper.text()
    for (const word of ['店铺设置', '操作日志', '订单', '查看', '编辑', '退款', '导出']) expect(text).toContain(word)
    expect(wrapper.find('[data-testid="perm-settings.refund"]').exists()).toBe(false)
    expect(wrapper.findAll('.grid__none').length).toBeGreaterThan(0)
  })

  it('a box, a row, a column and "select all" change the granted codes', async () => {
    const { wrapper, model } = mountMatrix([])
    await click('perm-orders.refund')
    expect(model.value).toEqual(['orders.view', 'orders.refund'])
    await click('perm-row-settings')
    expect(model.value).toEqual(['settings.view', 'settings.edit', 'orders.view', 'orders.refund'])
    await click('perm-col-export')
    expect(model.value).toContain('audit.export')
    expect(model.value).toContain('audit.view') // with the view it needs
    expect(model.value).toHaveLength(6)
    expect(wrapper.find('[data-testid="perm-count"]').text()).toContain('6 / 6')
    await click('perm-all') // everything ticked: clears it all
    expect(model.value).toEqual([])
    await click('perm-all')
    expect(model.value).toEqual(ITEMS.map((p) => p.code))
  })

  it('shows a partly ticked row as such', async () => {
    const { wrapper } = mountMatrix(['orders.view'])
    await flushPromises()
    expect(wrapper.find('[data-testid="perm-row-orders"] .el-checkbox__input').classes()).toContain('is-indeterminate')
    expect(wrapper.find('[data-testid="perm-row-settings"] .el-checkbox__input').classes()).not.toContain('is-indeterminate')
  })

  it('read-only: nothing can be ticked', async () => {
    const { wrapper, model } = mountMatrix(['audit.view'], true)
    expect(wrapper.find('[data-testid="perm-audit.view"] input').attributes('disabled')).toBeDefined()
    await click('perm-all')
    expect(model.value).toEqual(['audit.view'])
  })
})

describe('StaffFormDialog', () => {
  beforeEach(() => {
    invite.mockReset()
    update.mockReset()
    document.body.innerHTML = ''
  })

  function mountDialog(mode: 'invite' | 'edit', member: StaffView | null = null) {
    const pinia = setup(['staff.view', 'staff.create', 'staff.edit', 'roles.view'])
    const events: Record<string, unknown[]> = { invited: [], updated: [] }
    const wrapper = mount(StaffFormDialog, {
      props: {
        modelValue: true,
        mode,
        member,
        onInvited: (v: unknown) => events.invited!.push(v),
        onUpdated: (v: unknown) => events.updated!.push(v),
      },
      global: { plugins: [pinia, i18n], stubs: { transition: false } },
      attachTo: document.body,
    })
    return { wrapper, events }
  }
  const input = (testId: string) => document.querySelector(`[data-testid="${testId}"]`) as HTMLInputElement
  const errorOf = (testId: string) => input(testId).closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent ?? ''
  const type = async (testId: string, value: string) => {
    input(testId).value = value
    input(testId).dispatchEvent(new Event('input'))
    await flushPromises()
  }
  const save = async () => {
    ;(document.querySelector('[data-testid="staff-dialog-save"]') as HTMLButtonElement).click()
    await settle()
  }

  it('checks login, name and roles before sending anything', async () => {
    mountDialog('invite')
    await settle()
    await type('staff-login', '12345')
    await save()
    expect(errorOf('staff-login')).toContain('邮箱')
    expect(errorOf('staff-name')).toContain('必填')
    expect(document.body.textContent).toContain('请至少选择一个角色')
    expect(invite).not.toHaveBeenCalled()
  })

  it('sends the invitation once per body and shows "already a member" on the login', async () => {
    invite.mockRejectedValueOnce(new ApiError(409, 'member_exists', 'li@x.com 已是本店铺的员工。', { field: 'login' }))
    const { wrapper, events } = mountDialog('invite')
    await settle()
    await type('staff-login', ' li@x.com ')
    await type('staff-name', '李娜')
    ;(wrapper.vm as unknown as { $: { setupState: { form: { roles: string[] } } } }).$.setupState.form.roles = ['role_temp']
    await save()
    expect(invite).toHaveBeenCalledWith({ login: 'li@x.com', name: '李娜', roles: ['role_temp'] }, expect.any(String))
    expect(errorOf('staff-login')).toContain('已是本店铺的员工')

    // Same body again: same Idempotency-Key, so a lost answer cannot invite twice.
    const invitation = { staff: { user_id: 'u2', status: 'invited' }, sent_to: 'li@x.com' }
    invite.mockResolvedValueOnce(invitation)
    await save()
    expect(invite.mock.calls[1]![1]).toBe(invite.mock.calls[0]![1])
    expect(events.invited).toEqual([invitation])
  })

  it('saves a member’s roles with their version', async () => {
    const member: StaffView = {
      user_id: 'u3',
      name: '张伟',
      login: 'z***@x.com',
      email: 'z***@x.com',
      phone: '',
      roles: ['owner'],
      status: 'active',
      version: 7,
      created_at: '2026-01-01T00:00:00Z',
      invited_by: null,
    }
    update.mockImplementation(async (_id: string, body: Record<string, unknown>) => ({ ...member, ...body, version: 8 }))
    const { events } = mountDialog('edit', member)
    await settle()
    expect(input('staff-login-readonly').textContent).toBe('z***@x.com')
    await type('staff-name', '张伟伟')
    await save()
    expect(update).toHaveBeenCalledWith('u3', { version: 7, name: '张伟伟', roles: ['owner'] })
    expect(events.updated).toHaveLength(1)
  })
})
