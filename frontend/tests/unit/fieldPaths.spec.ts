import { describe, expect, it } from 'vitest'
import { businessHoursField, paymentMethodField } from '@/utils/fieldPaths'

describe('server field paths onto form items', () => {
  it('drops the payment method tag', () => {
    expect(paymentMethodField('methods.0.alipay.settings.merchant_id')).toBe('methods.0.settings.merchant_id')
    expect(paymentMethodField('methods.3.bank_transfer.settings.account_number')).toBe('methods.3.settings.account_number')
    expect(paymentMethodField('methods.2.unionpay')).toBe('methods.2')
    expect(paymentMethodField('methods.0.settings.merchant_id')).toBe('methods.0.settings.merchant_id')
    expect(paymentMethodField('methods')).toBe('methods')
  })
  it('puts a whole-day business-hours error on the closing time', () => {
    expect(businessHoursField('weekly.3')).toBe('weekly.3.close')
    expect(businessHoursField('weekly.3.open')).toBe('weekly.3.open')
    expect(businessHoursField('closed_days.1.date')).toBe('closed_days.1.date')
  })
})
