// The storefront's answers. Product reads come from the generated schema; the buyer routes
// being built now (orders-design.md's contract: `buyers`, `payflow`) are described here from the
// contract until they are in the OpenAPI document (then `make types` and re-export from schema).
export type { StorefrontProduct, StorefrontSku, StorefrontSummary, SpecView } from '@/api/schema'

export interface CategoryNode {
  id: string
  name: string
  parent_id?: string | null
  children?: CategoryNode[]
}

export interface ShopInfo {
  shop_id: string
  name: string
  currency: string
  logo?: string | null
}

/** in_stock | low (≤ 5 sellable) | sold_out; absent = in stock (until the API says it). */
export type StockState = 'in_stock' | 'low' | 'sold_out'

export interface Buyer {
  id?: string
  buyer_id?: string
  mobile: string
}

export interface BuyerTokens {
  id_token: string
  expires_in: number
  buyer?: Buyer
}

export interface CodeSent {
  sent_to: string
  retry_after: number
  demo_code?: string | null
}

export interface Division {
  code: string
  name: string
  name_en?: string | null
  level: string
  has_children: boolean
}

export interface Address {
  id: string
  name: string
  mobile: string
  province: string
  city: string
  district: string
  detail: string
  is_default?: boolean
  /** Region names, when the API sends them (else the codes are shown). */
  province_name?: string
  city_name?: string
  district_name?: string
  version?: number
}
export type AddressInput = Omit<Address, 'id' | 'province_name' | 'city_name' | 'district_name' | 'version'>

export interface CartLine {
  sku_id: string
  product_id: string
  qty: number
  name?: string
  spec_values?: string[]
  image?: string | null
  unit_price?: number
  stock_state?: StockState
  /** false: off shelf, disabled or gone (the server keeps the line until it is removed). */
  available?: boolean
}

export interface QuoteLine {
  sku_id: string
  product_id: string
  name: string
  spec_values: string[]
  image: string | null
  qty: number
  unit_list_price: number
  unit_price: number
  line_subtotal: number
  line_payable: number
}

export interface Quote {
  lines: QuoteLine[]
  discounts: { source: string; step: string; amount: number }[]
  freight: number
  subtotal: number
  discount_total: number
  payable: number
  currency: string
  quote_hash: string
}

export interface TimelineEntry {
  at: string
  kind: string
  note?: string
  by?: string
}

export type PayProvider = 'alipay' | 'wechat_pay' | 'stripe'

/** A line of my orders. */
export interface BuyerOrderSummary {
  id: string
  number: string
  created_at: string
  tab: string
  fulfilment_status: string
  payment_status: string
  payable: number
  currency: string
  item_count: number
  first_line_name: string
  first_line_image?: string | null
  actions: string[]
}

export interface BuyerOrder {
  id: string
  number: string
  created_at: string
  fulfilment_status: string
  payment_status: string
  tab: string
  lines: QuoteLine[]
  subtotal: number
  discount_total: number
  freight: number
  payable: number
  currency: string
  receiver: { name: string; mobile: string; province: string; city: string; district: string; detail: string }
  buyer_message: string
  pay_due_at: string | null
  payments?: { provider: string; status: string; amount: number; paid_at?: string | null }[]
  timeline?: TimelineEntry[]
  actions?: string[]
  pay_methods?: PayProvider[]
}

export interface OrderRequest {
  status: 'queued' | 'placed' | 'refused'
  order_id?: string | null
  error?: { code: string; message: string } | null
}

export interface PaymentStart {
  payment_id: string
  provider: PayProvider
  cashier_url: string
  expires_at: string
}
