import { describe, expect, it } from 'vitest'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'

function leaves(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') for (const [kk, vv] of leaves(v as Record<string, unknown>, key)) out.set(kk, vv)
    else out.set(key, v)
  }
  return out
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('locale files', () => {
  const zh = leaves(zhCN)
  const enLeaves = leaves(en)

  it('have exactly the same keys', () => {
    expect([...enLeaves.keys()].sort()).toEqual([...zh.keys()].sort())
  })

  it('have only non-empty strings', () => {
    for (const [key, value] of [...zh, ...enLeaves]) {
      expect(typeof value, key).toBe('string')
      expect((value as string).trim(), key).not.toBe('')
    }
  })

  it('use the same placeholders in both languages', () => {
    for (const [key, value] of zh) {
      expect(placeholders(enLeaves.get(key) as string), key).toEqual(placeholders(value as string))
    }
  })

  it('never contain a bare @ or | (vue-i18n syntax)', () => {
    for (const [key, value] of [...zh, ...enLeaves]) {
      const text = (value as string).replace(/\{'[^']*'\}/g, '')
      expect(text, key).not.toMatch(/[@|]/)
    }
  })

  it('name every menu item and dashboard card', async () => {
    const { MENU } = await import('@/navigation/menu')
    for (const item of MENU) {
      expect(zh.has(`nav.${item.key}`), item.key).toBe(true)
      if (item.key !== 'dashboard') expect(zh.has(`dashboard.descriptions.${item.key}`), item.key).toBe(true)
    }
  })
})
