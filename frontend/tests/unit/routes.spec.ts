// The route modules (router/modules/*.ts) merged into the one router: every built page of the
// menu is reachable, no two routes share a name, and each capability page keeps its permission.
import { describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { MENU } from '@/navigation/menu'
import { capabilityRoutes, router } from '@/router'

setActivePinia(createPinia())

describe('route modules', () => {
  it('give every built menu item a page of its capability, not "coming soon"', () => {
    const comingSoon = (key: string) => ({ capability: key }) // the props of the coming-soon page
    for (const item of MENU.filter((i) => i.ready && i.key !== 'dashboard')) {
      const leaf = router.resolve(item.path).matched.at(-1)!
      expect(leaf.name, item.path).not.toBe('not-found')
      expect(leaf.props.default, item.path).not.toEqual(comingSoon(item.key))
    }
    expect(router.resolve('/customers').matched.at(-1)!.props.default).toEqual(comingSoon('customers'))
  })

  it('name each route once', () => {
    const names = router.getRoutes().map((r) => r.name).filter(Boolean)
    expect(new Set(names).size).toBe(names.length)
  })

  it('keep the permission of each capability page', () => {
    expect(capabilityRoutes.length).toBeGreaterThan(20)
    const permissionOf = (path: string) => router.resolve(path).matched.map((r) => r.meta.permission).filter(Boolean)
    expect(permissionOf('/settings/payment-methods')).toEqual(['settings.view', 'settings.view'])
    expect(permissionOf('/products/new')).toEqual(['catalog.create'])
    expect(permissionOf('/purchasing/orders/po_1/edit')).toEqual(['purchasing.edit'])
    expect(permissionOf('/roles/new')).toEqual(['roles.create'])
    expect(permissionOf('/orders/ord_1')).toEqual(['orders.view'])
    expect(permissionOf('/settings/delivery-fee')).toEqual(['settings.view', 'settings.view'])
    expect(permissionOf('/notifications')).toEqual([])
  })
})
