// What the "every text key exists" tests share: the keys a page's source names, and which of
// them are missing from either language.
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'

function has(messages: Record<string, unknown>, key: string): boolean {
  let node: unknown = messages
  for (const part of key.split('.')) {
    if (!node || typeof node !== 'object' || !(part in node)) return false
    node = (node as Record<string, unknown>)[part]
  }
  return typeof node === 'string'
}

/** Keys in `t('…')` / `$t('…')` calls, plus (`props`) locale keys passed as plain strings:
 * `label: 'a.b'` in tables and `label="a.b"` attributes (SettingField, SettingsForm). */
export function usedKeys(sources: Iterable<string>, props = false): Set<string> {
  const keys = new Set<string>()
  for (const source of sources) {
    for (const m of source.matchAll(/\$?\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) keys.add(m[1]!)
    if (!props) continue
    for (const m of source.matchAll(/(?:label|hint|intro|unit): '([a-zA-Z]+\.[a-zA-Z0-9_.]+)'/g)) keys.add(m[1]!)
    for (const m of source.matchAll(/(?<![:\w-])(?:label|hint|intro)="([a-zA-Z]+\.[a-zA-Z0-9_.]+)"/g)) keys.add(m[1]!)
  }
  return keys
}

/** The keys either locale lacks. */
export const missingKeys = (keys: Iterable<string>) => [...keys].filter((k) => !has(zhCN, k) || !has(en, k))

export { has as hasKey }
