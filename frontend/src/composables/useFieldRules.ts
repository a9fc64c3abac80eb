import type { FormItemRule } from 'element-plus'
import { t } from '@/i18n'
import type { Check } from '@/utils/validators'

/** Adapts a pure validator to an Element Plus form rule with a localized message. */
export function rule(check: Check | ((value: unknown) => ReturnType<Check>), trigger: string | string[] = ['blur', 'change']): FormItemRule {
  return {
    trigger,
    validator: (_rule: unknown, value: unknown, callback: (error?: Error) => void) => {
      const invalid = check(value)
      callback(invalid ? new Error(t(invalid.key, invalid.params ?? {})) : undefined)
    },
  }
}
