// The inventory, stocktake and purchasing pages: every text key they use exists in both
// languages, and the menu shows their entries exactly to those with inventory.view (stock,
// stocktakes) and purchasing.view (purchasing).
import { describe, expect, it } from 'vitest'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { MENU, visibleMenu } from '@/navigation/menu'
import { INVENTORY_TABS, PURCHASING_TABS } from '@/navigation/sectionTabs'
import { hasKey as has, missingKeys, usedKeys } from './localeKeys'

const sources = import.meta.glob<string>('../../src/pages/{inventory,purchasing,stocktake}/*.vue', {
  query: '?raw',
  import: 'default',
  eager: true,
})

describe('inventory pages', () => {
  const keys = usedKeys(Object.values(sources))
  for (const tab of [...INVENTORY_TABS, ...PURCHASING_TABS]) keys.add(tab.label)

  it('use only keys that exist in zh-CN and en', () => {
    expect(Object.keys(sources).length).toBeGreaterThanOrEqual(12)
    expect(keys.size).toBeGreaterThan(100)
    expect(missingKeys(keys)).toEqual([])
  })

  it('name every status, movement kind and PO status in both languages', () => {
    for (const k of ['draft', 'submitted', 'partially_received', 'received', 'closed', 'cancelled']) {
      expect(has(zhCN, `purchasing.status.${k}`) && has(en, `purchasing.status.${k}`), k).toBe(true)
    }
    expect(zhCN.purchasing.status.partially_received).toBe('部分收货')
    expect(en.purchasing.status.partially_received).toBe('Partially received')
  })

  it('show inventory and stocktake only with inventory.view, purchasing only with purchasing.view', () => {
    const keysFor = (p: string[]) => visibleMenu(MENU, p).map((i) => i.key)
    expect(keysFor(['inventory.view'])).toEqual(['dashboard', 'inventory', 'stocktakes'])
    expect(keysFor(['purchasing.view'])).toEqual(['dashboard', 'purchasing'])
    expect(keysFor(['inventory.edit', 'inventory.create', 'purchasing.create'])).toEqual(['dashboard'])
    expect(MENU.filter((i) => i.permission === 'inventory.view').every((i) => i.ready)).toBe(true)
  })
})
