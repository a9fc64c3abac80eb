// The permission registry and the current shop's roles, shared by the staff page (role
// filter, invite and edit dialogs), the roles pages and the audit log (role and permission
// names in diffs). Roles belong to a shop: switching shops reloads them.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { BUILT_IN_ROLE_CODES, type PermissionList, rolesApi, type RoleView } from '@/api/identity'
import { currentLocale, i18n } from '@/i18n'
import { useSessionStore } from '@/stores/session'

export interface RoleOption {
  code: string
  label: string
  builtIn: boolean
}

export const useAccessStore = defineStore('access', () => {
  const session = useSessionStore()
  const registry = ref<PermissionList | null>(null)
  const roles = ref<RoleView[] | null>(null)
  /** Shop the roles were read for. */
  const rolesShop = ref<string | null>(null)
  let pendingRoles: Promise<RoleView[] | null> | null = null
  let pendingRegistry: Promise<PermissionList> | null = null

  const english = computed(() => i18n.global.locale.value === 'en')

  /** The registry is the same for every shop: read once. */
  function loadRegistry(): Promise<PermissionList> {
    if (registry.value) return Promise.resolve(registry.value)
    pendingRegistry ??= rolesApi
      .permissions()
      .then((list) => (registry.value = list))
      .finally(() => (pendingRegistry = null))
    return pendingRegistry
  }

  /** The shop's roles, or null when this user may not read them (no roles.view). */
  function loadRoles(force = false): Promise<RoleView[] | null> {
    if (!session.can('roles.view')) return Promise.resolve(null)
    if (roles.value && rolesShop.value === session.shopId && !force) return Promise.resolve(roles.value)
    const shop = session.shopId
    pendingRoles ??= rolesApi
      .list()
      .then((list) => {
        roles.value = list.items
        rolesShop.value = shop
        return list.items
      })
      .finally(() => (pendingRoles = null))
    return pendingRoles
  }

  const currentRoles = computed(() => (rolesShop.value === session.shopId ? roles.value : null))

  function roleName(code: string): string {
    const role = currentRoles.value?.find((r) => r.code === code)
    if (role) return english.value ? role.name_en : role.name_zh
    const key = `roles.${code}`
    if (i18n.global.te(key)) return i18n.global.t(key)
    // With the list at hand an unknown code is a deleted role: its code says more than "custom".
    return currentRoles.value ? code : i18n.global.t('roles.custom')
  }

  /** Built-in roles first, then the custom ones; without roles.view only the built-in ones. */
  const roleOptions = computed<RoleOption[]>(() => {
    const list = currentRoles.value
    if (!list) return BUILT_IN_ROLE_CODES.map((code) => ({ code, label: roleName(code), builtIn: true }))
    return list.map((r) => ({ code: r.code, label: english.value ? r.name_en : r.name_zh, builtIn: r.built_in }))
  })

  /** "订单 · 审核" from the locale files, else the registry's own name, else the code. */
  function permissionName(code: string): string {
    const [resource = '', action = ''] = code.split('.')
    const t = i18n.global.t
    const te = i18n.global.te
    if (te(`permissions.resources.${resource}`) && te(`permissions.actions.${action}`)) {
      return `${t(`permissions.resources.${resource}`)} · ${t(`permissions.actions.${action}`)}`
    }
    const p = registry.value?.items.find((x) => x.code === code)
    if (p) return currentLocale() === 'en' ? p.name_en : p.name_zh
    return code
  }

  function resourceName(resource: string): string {
    const key = `permissions.resources.${resource}`
    return i18n.global.te(key) ? i18n.global.t(key) : resource
  }

  function actionName(action: string): string {
    const key = `permissions.actions.${action}`
    return i18n.global.te(key) ? i18n.global.t(key) : action
  }

  /** After a create or update: the list shows it without another round trip. */
  function putRole(role: RoleView): void {
    if (!roles.value || rolesShop.value !== session.shopId) return
    const i = roles.value.findIndex((r) => r.code === role.code)
    roles.value = i >= 0 ? roles.value.map((r, j) => (j === i ? role : r)) : [...roles.value, role]
  }

  function dropRole(code: string): void {
    if (roles.value) roles.value = roles.value.filter((r) => r.code !== code)
  }

  function reset(): void {
    roles.value = null
    rolesShop.value = null
    pendingRoles = null
  }

  return {
    registry,
    roles: currentRoles,
    roleOptions,
    loadRegistry,
    loadRoles,
    roleName,
    permissionName,
    resourceName,
    actionName,
    putRole,
    dropRole,
    reset,
  }
})
