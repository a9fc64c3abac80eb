import { describe, expect, it } from 'vitest'
import { bpToPercent, formatFeeRate, formatMoney, majorToMinor, minorToMajor, percentToBp } from '@/utils/money'

describe('formatMoney', () => {
  it('shows 分 as yuan with two decimals', () => {
    expect(formatMoney(12900)).toBe('¥129.00')
    expect(formatMoney(5)).toBe('¥0.05')
    expect(formatMoney(0)).toBe('¥0.00')
    expect(formatMoney(123456789)).toBe('¥1,234,567.89')
  })
  it('keeps the sign in front of the symbol', () => {
    expect(formatMoney(-150)).toBe('-¥1.50')
  })
  it('follows the currency', () => {
    expect(formatMoney(12900, 'USD')).toBe('$129.00')
    expect(formatMoney(12900, 'HKD')).toBe('HK$129.00')
    expect(formatMoney(1500, 'JPY')).toBe('JP¥1,500')
  })
})

describe('money conversions', () => {
  it('round-trips yuan and 分 without float drift', () => {
    expect(majorToMinor(19.99)).toBe(1999)
    expect(majorToMinor(0.1 + 0.2)).toBe(30)
    expect(majorToMinor(1.005)).toBe(101)
    expect(minorToMajor(1999)).toBe(19.99)
    for (let minor = 0; minor < 100000; minor += 7) expect(majorToMinor(minorToMajor(minor))).toBe(minor)
  })
  it('uses no decimals for yen', () => {
    expect(majorToMinor(1500, 'JPY')).toBe(1500)
  })
})

describe('fee rates', () => {
  it('turns basis points into percent and back', () => {
    expect(bpToPercent(60)).toBe(0.6)
    expect(percentToBp(0.6)).toBe(60)
    expect(percentToBp(0.55)).toBe(55)
    expect(percentToBp(100)).toBe(10000)
    for (let bp = 0; bp <= 10000; bp += 1) expect(percentToBp(bpToPercent(bp))).toBe(bp)
  })
  it('formats with two decimals and a percent sign', () => {
    expect(formatFeeRate(60)).toBe('0.60%')
    expect(formatFeeRate(0)).toBe('0.00%')
    expect(formatFeeRate(10000)).toBe('100.00%')
    expect(formatFeeRate(125)).toBe('1.25%')
  })
})
