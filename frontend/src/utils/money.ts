// Money is integer minor units (分) everywhere; only the UI turns it into ¥129.00.
// Integer arithmetic only, so no float ever rounds a price.

const SYMBOLS: Record<string, string> = {
  CNY: '¥',
  HKD: 'HK$',
  MOP: 'MOP$',
  TWD: 'NT$',
  USD: '$',
  EUR: '€',
  JPY: 'JP¥',
  GBP: '£',
  SGD: 'S$',
}

/** ISO 4217 minor-unit exponent; 2 unless listed. */
const EXPONENTS: Record<string, number> = { JPY: 0 }

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2
}

export function currencySymbol(currency: string): string {
  return SYMBOLS[currency] ?? `${currency} `
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** 12900 -> "¥129.00"; -5 -> "-¥0.05". */
export function formatMoney(minor: number, currency = 'CNY'): string {
  if (!Number.isFinite(minor)) return ''
  const exp = currencyExponent(currency)
  const negative = minor < 0
  const abs = Math.abs(Math.round(minor))
  const factor = 10 ** exp
  const major = groupThousands(String(Math.floor(abs / factor)))
  const fraction = exp > 0 ? `.${String(abs % factor).padStart(exp, '0')}` : ''
  return `${negative ? '-' : ''}${currencySymbol(currency)}${major}${fraction}`
}

/** 12900 (分) -> 129 (元), for an amount input. */
export function minorToMajor(minor: number, currency = 'CNY'): number {
  return minor / 10 ** currencyExponent(currency)
}

/** 129.5 (元) -> 12950 (分); rounds half away from zero at the minor unit. */
export function majorToMinor(major: number, currency = 'CNY'): number {
  const factor = 10 ** currencyExponent(currency)
  const scaled = Number((Math.abs(major) * factor).toFixed(6))
  return Math.sign(major) * Math.round(scaled)
}

/** Fee rates travel as basis points: 60 bp -> 0.6 (%). */
export function bpToPercent(bp: number): number {
  return bp / 100
}

/** 0.6 (%) -> 60 bp. */
export function percentToBp(percent: number): number {
  return Math.round(Number((percent * 100).toFixed(6)))
}

/** 60 bp -> "0.60%". */
export function formatFeeRate(bp: number): string {
  const sign = bp < 0 ? '-' : ''
  const abs = Math.abs(Math.round(bp))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`
}
