import { describe, expect, it } from 'vitest'
import * as v from '@/utils/validators'

const key = (r: v.Invalid | null) => r?.key ?? null

describe('shop profile rules', () => {
  it('needs a name of 1 to 60 characters', () => {
    expect(key(v.shopName(''))).toBe('validation.required')
    expect(key(v.shopName('   '))).toBe('validation.required')
    expect(key(v.shopName('小王的店'))).toBeNull()
    expect(key(v.shopName('店'.repeat(60)))).toBeNull()
    expect(v.shopName('店'.repeat(61))).toEqual({ key: 'validation.maxLength', params: { max: 60 } })
  })

  it('counts characters, not UTF-16 units', () => {
    expect(key(v.shopName('😀'.repeat(60)))).toBeNull()
  })

  it('accepts mainland mobiles and landlines, or nothing', () => {
    for (const ok of ['', '13800138000', '19912345678', '010-12345678', '0755-1234567', '02112345678', '010-12345678-123', '400-123-4567'])
      expect(key(v.phone(ok)), ok).toBeNull()
    for (const bad of ['12800138000', '1380013800', '138001380001', '10-12345678', 'abc', '+8613800138000'])
      expect(key(v.phone(bad)), bad).toBe('validation.phone')
  })

  it('checks e-mail only when given', () => {
    expect(key(v.email(''))).toBeNull()
    expect(key(v.email('shop@example.com'))).toBeNull()
    expect(key(v.email('shop@example'))).toBe('validation.email')
    expect(key(v.email('not an email'))).toBe('validation.email')
  })

  it('knows the supported currencies and real time zones', () => {
    expect(key(v.currency('CNY'))).toBeNull()
    expect(key(v.currency('BTC'))).toBe('validation.currency')
    expect(key(v.timeZone('Asia/Shanghai'))).toBeNull()
    expect(key(v.timeZone('Mars/Olympus'))).toBe('validation.timeZone')
  })
})

describe('payment method rules', () => {
  it('checks merchant ids per provider', () => {
    expect(key(v.merchantId('alipay')('2088123456789012'))).toBeNull()
    expect(key(v.merchantId('alipay')('2089123456789012'))).toBe('validation.alipayMerchantId')
    expect(key(v.merchantId('alipay')('208812345678901'))).toBe('validation.alipayMerchantId')
    expect(key(v.merchantId('wechat_pay')('1234567890'))).toBeNull()
    expect(key(v.merchantId('wechat_pay')('123456789a'))).toBe('validation.wechatMerchantId')
    expect(key(v.merchantId('unionpay')('898ABC123456789'))).toBeNull()
    expect(key(v.merchantId('unionpay')('898abc123456789'))).toBe('validation.unionpayMerchantId')
  })

  it('keeps fee rates within 0..10000 bp', () => {
    expect(key(v.feeRateBp(0))).toBeNull()
    expect(key(v.feeRateBp(10000))).toBeNull()
    expect(key(v.feeRateBp(10001))).toBe('validation.feeRate')
    expect(key(v.feeRateBp(-1))).toBe('validation.feeRate')
    expect(key(v.feeRateBp(0.5))).toBe('validation.feeRate')
  })

  it('takes whole 分 for the cash-on-delivery limit', () => {
    expect(key(v.orderAmount(0))).toBeNull()
    expect(key(v.orderAmount(200000))).toBeNull()
    expect(key(v.orderAmount(12.5))).toBe('validation.amount')
    expect(key(v.orderAmount(-1))).toBe('validation.amount')
    expect(key(v.orderAmount(v.MAX_ORDER_AMOUNT_LIMIT + 1))).toBe('validation.amount')
  })

  it('checks bank account numbers like the server', () => {
    expect(key(v.accountNumber('6222 0212 3456 7890'))).toBeNull()
    expect(key(v.accountNumber('GB82WEST12345698765432'))).toBeNull()
    expect(key(v.accountNumber('6222-0212'))).toBe('validation.accountNumber')
    expect(key(v.accountNumber('1'.repeat(35)))).toBe('validation.maxLength')
  })
})

describe('business hours rules', () => {
  it('wants HH:mm times and closing after opening', () => {
    expect(key(v.time('09:00'))).toBeNull()
    expect(key(v.time('9:00'))).toBe('validation.time')
    expect(key(v.time('24:00'))).toBe('validation.time')
    expect(key(v.time(''))).toBe('validation.required')
    expect(key(v.closeAfterOpen('09:00', '18:00'))).toBeNull()
    expect(key(v.closeAfterOpen('18:00', '09:00'))).toBe('validation.closeAfterOpen')
    expect(key(v.closeAfterOpen('09:00', '09:00'))).toBe('validation.closeAfterOpen')
  })

  it('wants real dates and short reasons', () => {
    expect(key(v.date('2026-12-25'))).toBeNull()
    expect(key(v.date('2026-13-01'))).toBe('validation.date')
    expect(key(v.closedDayReason(''))).toBeNull()
    expect(key(v.closedDayReason('春'.repeat(61)))).toBe('validation.maxLength')
  })
})

describe('logo files', () => {
  it('takes PNG, JPEG and WebP up to 2 MiB', () => {
    expect(key(v.logoFile({ type: 'image/png', size: 1000 }))).toBeNull()
    expect(key(v.logoFile({ type: 'image/webp', size: 2 * 1024 * 1024 }))).toBeNull()
    expect(key(v.logoFile({ type: 'image/png', size: 2 * 1024 * 1024 + 1 }))).toBe('profile.logoTooLarge')
    expect(key(v.logoFile({ type: 'image/gif', size: 1000 }))).toBe('profile.logoBadType')
    expect(key(v.logoFile({ type: 'image/svg+xml', size: 1000 }))).toBe('profile.logoBadType')
  })
})

describe('passwords', () => {
  it('follow the user pool policy', () => {
    expect(key(v.passwordPolicy('ShopDesk-demo-1'))).toBeNull()
    expect(key(v.passwordPolicy('short1A'))).toBe('validation.password')
    expect(key(v.passwordPolicy('alllowercase1'))).toBe('validation.password')
    expect(key(v.passwordPolicy(''))).toBe('validation.required')
  })
})

describe('staff rules (shared/identity/staff.py, logins.py)', () => {
  it('takes an e-mail address or a mainland mobile as login, as the server normalises them', () => {
    expect(v.normalizeLogin(' Li.Na@Example.COM ')).toBe('li.na@example.com')
    expect(v.normalizeLogin('13800138000')).toBe('+8613800138000')
    expect(v.normalizeLogin('+86 138-0013-8000')).toBe('+8613800138000')
    expect(v.normalizeLogin('8613800138000')).toBe('+8613800138000')
    for (const bad of ['', 'li.na', 'li@na', '12800138000', '1380013800', '+8512800138000']) expect(v.normalizeLogin(bad), bad).toBeNull()
    expect(key(v.staffLogin(''))).toBe('validation.required')
    expect(key(v.staffLogin('abc'))).toBe('validation.login')
    expect(key(v.staffLogin('new@demo.shop'))).toBeNull()
    expect(key(v.staffLogin('19912345678'))).toBeNull()
  })

  it('needs a name of 1 to 40 characters', () => {
    expect(key(v.personName(' '))).toBe('validation.required')
    expect(key(v.personName('李娜'))).toBeNull()
    expect(v.personName('名'.repeat(41))).toEqual({ key: 'validation.maxLength', params: { max: 40 } })
  })

  it('needs 1 to 10 roles', () => {
    expect(key(v.staffRoles([]))).toBe('validation.rolesRequired')
    expect(key(v.staffRoles(undefined))).toBe('validation.rolesRequired')
    expect(key(v.staffRoles(['owner']))).toBeNull()
    expect(v.staffRoles(Array.from({ length: 11 }, (_, i) => `r${i}`))).toEqual({ key: 'validation.rolesTooMany', params: { max: 10 } })
  })
})

describe('role rules (shared/identity/roles.py)', () => {
  it('needs both names within their lengths', () => {
    expect(key(v.roleNameZh(''))).toBe('validation.required')
    expect(key(v.roleNameZh('仓库临时工'))).toBeNull()
    expect(v.roleNameZh('字'.repeat(31))).toEqual({ key: 'validation.maxLength', params: { max: 30 } })
    expect(key(v.roleNameEn('Temp warehouse'))).toBeNull()
    expect(v.roleNameEn('x'.repeat(41))).toEqual({ key: 'validation.maxLength', params: { max: 40 } })
  })

  it('needs at least one permission', () => {
    expect(key(v.rolePermissions([]))).toBe('validation.permissionsRequired')
    expect(key(v.rolePermissions(['audit.view']))).toBeNull()
  })
})

describe('own profile rules (PUT /me)', () => {
  it('takes no phone or a mainland mobile, not a landline', () => {
    for (const ok of ['', '13800138000', '+8613800138000', '8613800138000']) expect(key(v.ownPhone(ok)), ok).toBeNull()
    for (const bad of ['010-12345678', '12345', '1380013800']) expect(key(v.ownPhone(bad)), bad).toBe('validation.mobile')
  })
})
