// The storefront's API client: the same ApiClient as the admin (http.ts: error shape, language,
// 401 -> refresh once -> retry), a second instance whose token is the buyer's (main.ts wires
// it to the buyer session). Public reads send no token. Paths are the storefront's
// (`/storefront/{shop_id}/...`, orders-design.md's contract).
import { API_BASE, ApiClient, ApiError, type Query } from '@/api/http'
import type {
  Address,
  AddressInput,
  BuyerOrder,
  BuyerOrderSummary,
  BuyerTokens,
  CartLine,
  CategoryNode,
  CodeSent,
  Division,
  OrderRequest,
  PaymentStart,
  PayProvider,
  Quote,
  ShopInfo,
  StorefrontSummary,
} from './types'
import type { Page } from '@/api/http'

export const client = new ApiClient(API_BASE)

const base = (shopId: string) => `/storefront/${encodeURIComponent(shopId)}`
const pub = { auth: false } as const

export interface QuoteLineBody {
  product_id: string
  sku_id: string
  qty: number
}

export interface PlaceBody {
  address_id: string
  /** Omitted: the cart's lines (then taken out of the cart). */
  lines?: QuoteLineBody[]
  buyer_message: string
  quote_hash: string
}

export const storefrontApi = {
  // public reads
  products: (shopId: string, query: Query<'/storefront/{shop_id}/products', 'get'> = {}) =>
    client.call('get', '/storefront/{shop_id}/products', { path: { shop_id: shopId }, query: { limit: 20, ...query }, auth: false }),
  product: (shopId: string, productId: string) =>
    client.call('get', '/storefront/{shop_id}/products/{product_id}', { path: { shop_id: shopId, product_id: productId }, auth: false }),
  search: (shopId: string, q: string, cursor: string | null) =>
    client.get<Page<StorefrontSummary>>(`${base(shopId)}/search`, { ...pub, query: { q, cursor, limit: 20 } }),
  categories: (shopId: string) => client.get<{ items: CategoryNode[] }>(`${base(shopId)}/categories`, pub),
  shop: (shopId: string) => client.get<ShopInfo>(`${base(shopId)}/shop`, pub),
  regions: (shopId: string, parent?: string) => client.get<{ items: Division[] }>(`${base(shopId)}/regions`, { ...pub, query: { parent } }),
  authConfig: () => client.call('get', '/auth/config', { auth: false }),

  // sign-in (the refresh token travels as an HttpOnly cookie)
  sendCode: (shopId: string, mobile: string) => client.post<CodeSent>(`${base(shopId)}/auth/code`, { mobile }, pub),
  signIn: (shopId: string, mobile: string, code: string) => client.post<BuyerTokens>(`${base(shopId)}/auth/signin`, { mobile, code }, pub),
  refresh: (shopId: string) => client.post<BuyerTokens>(`${base(shopId)}/auth/refresh`, undefined, pub),
  signOut: (shopId: string) => client.post<unknown>(`${base(shopId)}/auth/signout`),

  // the buyer's own
  addresses: (shopId: string) => client.get<{ items: Address[] }>(`${base(shopId)}/addresses`),
  addAddress: (shopId: string, body: AddressInput, idempotencyKey: string) =>
    client.post<Address>(`${base(shopId)}/addresses`, body, { idempotencyKey }),
  updateAddress: (shopId: string, id: string, body: AddressInput & { version: number }) => client.put<Address>(`${base(shopId)}/addresses/${encodeURIComponent(id)}`, body),
  removeAddress: (shopId: string, id: string) => client.delete<unknown>(`${base(shopId)}/addresses/${encodeURIComponent(id)}`),

  cart: (shopId: string) => client.get<{ lines: CartLine[] }>(`${base(shopId)}/cart`),
  addToCart: (shopId: string, line: QuoteLineBody) =>
    client.post<{ lines: CartLine[] }>(`${base(shopId)}/cart/items`, line),
  setCartQty: (shopId: string, skuId: string, qty: number) =>
    client.put<{ lines: CartLine[] }>(`${base(shopId)}/cart/items/${encodeURIComponent(skuId)}`, { qty }),
  removeFromCart: (shopId: string, skuId: string) => client.delete<{ lines: CartLine[] }>(`${base(shopId)}/cart/items/${encodeURIComponent(skuId)}`),
  mergeCart: (shopId: string, lines: QuoteLineBody[]) =>
    client.post<{ lines: CartLine[] }>(`${base(shopId)}/cart/merge`, { lines }),

  quote: (shopId: string, body: { lines: QuoteLineBody[]; province?: string }) => client.post<Quote>(`${base(shopId)}/quote`, body, pub),
  // A flash-sale SKU is ordered through the order queue: the direct route answers 409
  // flash_sale_queue and the same order (same key) goes to /order-requests (202, 排队中).
  placeOrder: async (shopId: string, body: PlaceBody, idempotencyKey: string): Promise<BuyerOrder | { request_id: string }> => {
    try {
      return await client.post<BuyerOrder>(`${base(shopId)}/orders`, body, { idempotencyKey })
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'flash_sale_queue') throw e
      return client.post<{ request_id: string }>(`${base(shopId)}/order-requests`, body, { idempotencyKey })
    }
  },
  orderRequest: (shopId: string, requestId: string) =>
    client.get<OrderRequest>(`${base(shopId)}/order-requests/${encodeURIComponent(requestId)}`),
  orders: (shopId: string, status: string | undefined, cursor: string | null) =>
    client.get<Page<BuyerOrderSummary>>(`${base(shopId)}/orders`, { query: { status, cursor, limit: 10 } }),
  order: (shopId: string, orderId: string) => client.get<BuyerOrder>(`${base(shopId)}/orders/${encodeURIComponent(orderId)}`),
  cancelOrder: (shopId: string, orderId: string) =>
    client.post<BuyerOrder>(`${base(shopId)}/orders/${encodeURIComponent(orderId)}/cancel`, { reason: 'buyer_cancelled' }),
  pay: (shopId: string, orderId: string, provider: PayProvider, returnUrl: string) =>
    client.post<PaymentStart>(`${base(shopId)}/orders/${encodeURIComponent(orderId)}/payments`, { provider, return_url: returnUrl }),
}
