// The order desk's filters (OrderDeskPage): what the URL query holds, what GET /orders is sent
// (shared/orders/models.py DeskQuery), and which are set. Amounts are fen everywhere here; the
// page shows them in yuan (MoneyInput). A value the URL holds that the API would refuse is dropped.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { type DeskQuery, ORDER_FLAGS, ORDER_TABS, type OrderFlag, type OrderTab } from '@/api/orders'
import { addDays, zonedDayStart } from './time'

export type DeskPaymentMethod = NonNullable<DeskQuery['payment_method']>
/** The methods the desk filter offers (those orders are paid with; the API's enum). */
export const DESK_PAYMENT_METHODS = ['alipay', 'wechat_pay', 'stripe'] as const satisfies readonly DeskPaymentMethod[]

export interface DeskFilters {
  tab: OrderTab
  /** Days picked (YYYY-MM-DD), both inclusive. */
  range: [string, string] | null
  number: string
  mobile: string
  min_amount: number | null
  max_amount: number | null
  product_id: string
  province: string
  flag: OrderFlag | ''
  payment_method: DeskPaymentMethod | ''
}

/** The filters behind "more filters" (the phone's drawer), i.e. all but tab, range, number, mobile. */
export const MORE_FILTERS = ['min_amount', 'max_amount', 'product_id', 'province', 'flag', 'payment_method'] as const

const DAY = /^\d{4}-\d{2}-\d{2}$/
const NUMBER = /^\d{14}$/
const MOBILE = /^(\+86)?1[3-9]\d{9}$/
const PRODUCT = /^prd_[0-9A-HJKMNP-TV-Z]{26}$/
const PROVINCE = /^\d{6}$/
const MAX_FEN = 10 ** 12

/** A cleared select may answer undefined; 0 yuan is a real bound. */
const isSet = (v: string | number | null | undefined) => v !== null && v !== undefined && String(v).trim() !== ''
const one = (v: LocationQuery[string]): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim()
const fen = (v: string): number | null => (/^\d{1,13}$/.test(v) && Number(v) <= MAX_FEN ? Number(v) : null)
const pick = <T extends string>(v: string, allowed: readonly T[]): T | '' => ((allowed as readonly string[]).includes(v) ? (v as T) : '')

export function emptyFilters(tab: OrderTab = 'pending_review'): DeskFilters {
  return { tab, range: null, number: '', mobile: '', min_amount: null, max_amount: null, product_id: '', province: '', flag: '', payment_method: '' }
}

/** The filters a desk URL holds (`?tab=&from=&to=&number=&mobile=&min_amount=…`). */
export function filtersFromQuery(query: LocationQuery): DeskFilters {
  const from = one(query.from)
  const to = one(query.to)
  const product = one(query.product_id)
  const province = one(query.province)
  return {
    tab: pick(one(query.tab), ORDER_TABS) || 'pending_review',
    range: DAY.test(from) && DAY.test(to) && from <= to ? [from, to] : null,
    number: one(query.number),
    mobile: one(query.mobile),
    min_amount: fen(one(query.min_amount)),
    max_amount: fen(one(query.max_amount)),
    product_id: PRODUCT.test(product) ? product : '',
    province: PROVINCE.test(province) ? province : '',
    flag: pick(one(query.flag), ORDER_FLAGS),
    payment_method: pick(one(query.payment_method), DESK_PAYMENT_METHODS),
  }
}

/** The URL query of these filters: only what is set, so a plain desk keeps a plain URL. */
export function filtersToQuery(f: DeskFilters): LocationQueryRaw {
  const q: LocationQueryRaw = { tab: f.tab }
  if (f.range) [q.from, q.to] = f.range
  for (const key of ['number', 'mobile', 'product_id', 'province', 'flag', 'payment_method'] as const) if (isSet(f[key])) q[key] = f[key].trim()
  for (const key of ['min_amount', 'max_amount'] as const) if (isSet(f[key])) q[key] = String(f[key])
  return q
}

/** A half-typed order number or mobile is not looked up (the server would refuse it). */
export const numberReady = (f: DeskFilters) => NUMBER.test(f.number.trim())
export const mobileReady = (f: DeskFilters) => MOBILE.test(f.mobile.trim())
/** A minimum above the maximum matches nothing: the pair is not sent and the page says why. */
export const amountsCrossed = (f: DeskFilters) => isSet(f.min_amount) && isSet(f.max_amount) && f.min_amount! > f.max_amount!

/** GET /orders' query for one page of these filters; the days are the shop's (`timeZone`). */
export function deskQuery(f: DeskFilters, timeZone: string, cursor: string | null, limit = 20): DeskQuery {
  const q: DeskQuery = { tab: f.tab, limit, cursor }
  if (f.range) {
    q.from = zonedDayStart(f.range[0], timeZone)
    q.to = zonedDayStart(addDays(f.range[1], 1), timeZone)
  }
  if (numberReady(f)) q.number = f.number.trim()
  if (mobileReady(f)) q.mobile = f.mobile.trim()
  if (!amountsCrossed(f)) {
    if (isSet(f.min_amount)) q.min_amount = f.min_amount
    if (isSet(f.max_amount)) q.max_amount = f.max_amount
  }
  if (f.product_id) q.product_id = f.product_id
  if (f.province) q.province = f.province
  if (f.flag) q.flag = f.flag
  if (f.payment_method) q.payment_method = f.payment_method
  return q
}

/** How many of the filters behind "more filters" are set (the button's badge). */
export const moreCount = (f: DeskFilters) => MORE_FILTERS.filter((k) => isSet(f[k])).length

/** Any filter beyond the tab. */
export const anyFilter = (f: DeskFilters) => !!(f.range || f.number || f.mobile) || moreCount(f) > 0
