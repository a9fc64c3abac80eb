import { describe, expect, it } from 'vitest'
import { activeMenuKey, MENU, visibleMenu } from '@/navigation/menu'

const keys = (permissions: string[]) => visibleMenu(MENU, permissions).map((i) => i.key)

describe('visibleMenu', () => {
  it('shows only the home page to a user without permissions', () => {
    expect(keys([])).toEqual(['dashboard'])
  })

  it('shows settings and audit only with their permissions', () => {
    expect(keys(['settings.view'])).toEqual(['dashboard', 'settings'])
    expect(keys(['audit.view'])).toEqual(['dashboard', 'audit'])
    expect(keys(['settings.edit'])).toEqual(['dashboard'])
  })

  it('maps each later capability to its own permission', () => {
    expect(keys(['catalog.view'])).toContain('products')
    expect(keys(['analytics.view'])).toContain('reports')
    expect(keys(['orders.view', 'finance.view'])).toEqual(['dashboard', 'orders', 'finance'])
  })

  it('keeps menu order whatever the order of permissions', () => {
    expect(keys(['audit.view', 'settings.view', 'staff.view'])).toEqual(['dashboard', 'staff', 'settings', 'audit'])
  })

  it('shows staff and roles only with their view permissions', () => {
    expect(keys(['staff.view', 'roles.view'])).toEqual(['dashboard', 'staff', 'roles'])
    expect(keys(['staff.create', 'staff.edit', 'roles.edit'])).toEqual(['dashboard'])
    expect(MENU.find((i) => i.key === 'staff')?.ready).toBe(true)
    expect(MENU.find((i) => i.key === 'roles')?.ready).toBe(true)
  })

  it('gives a custom role of settings view and audit view exactly those two pages', () => {
    expect(keys(['settings.view', 'audit.view'])).toEqual(['dashboard', 'settings', 'audit'])
  })

  it('accepts a Set', () => {
    expect(visibleMenu(MENU, new Set(['audit.view'])).map((i) => i.key)).toEqual(['dashboard', 'audit'])
  })
})

describe('activeMenuKey', () => {
  it('finds the menu item of nested pages', () => {
    expect(activeMenuKey(MENU, '/settings/payment-methods')).toBe('settings')
    expect(activeMenuKey(MENU, '/')).toBe('dashboard')
    expect(activeMenuKey(MENU, '/audit')).toBe('audit')
    expect(activeMenuKey(MENU, '/roles/role_abc')).toBe('roles')
    expect(activeMenuKey(MENU, '/roles/new')).toBe('roles')
    expect(activeMenuKey(MENU, '/settingsx')).toBeUndefined()
  })
})
