// The storefront's state: the shop being browsed, the buyer's session (ID token in memory, the
// refresh token an HttpOnly cookie the API set, so a reload signs in again with one request) and
// the cart (the server's when signed in, this browser's otherwise; merged at sign-in).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError } from '@/api/http'
import { storefrontApi } from './api'
import { addLine, itemCount, readLocal, removeLine, setQty, writeLocal } from './logic/cart'
import type { Buyer, BuyerTokens, CartLine, ShopInfo } from './types'

export const useBuyerStore = defineStore('buyer', () => {
  const shopId = ref('')
  const token = ref<string | null>(null)
  const expiresAt = ref(0)
  const buyer = ref<Buyer | null>(null)
  const shop = ref<ShopInfo | null>(null)
  const restored = ref(false)
  const signedIn = computed(() => !!token.value)

  function take(tokens: BuyerTokens): void {
    token.value = tokens.id_token
    expiresAt.value = Date.now() + tokens.expires_in * 1000
    if (tokens.buyer) buyer.value = tokens.buyer
  }

  /** Opens a shop: its header, and the session a cookie may still hold. */
  async function enter(id: string): Promise<void> {
    if (shopId.value === id && restored.value) return
    shopId.value = id
    token.value = null
    buyer.value = null
    shop.value = null
    restored.value = false
    storefrontApi.shop(id).then((s) => (shop.value = s)).catch(() => undefined)
    await refresh()
    restored.value = true
  }

  /** A new ID token from the refresh cookie; false when there is no session. */
  async function refresh(): Promise<boolean> {
    if (!shopId.value) return false
    try {
      take(await storefrontApi.refresh(shopId.value))
      return true
    } catch {
      token.value = null
      return false
    }
  }

  async function signIn(mobile: string, code: string): Promise<void> {
    take(await storefrontApi.signIn(shopId.value, mobile, code))
    if (!buyer.value) buyer.value = { mobile }
  }

  async function signOut(): Promise<void> {
    await storefrontApi.signOut(shopId.value).catch(() => undefined)
    token.value = null
    buyer.value = null
  }

  /** Before each signed request: a token about to lapse is refreshed first. */
  async function prepare(): Promise<void> {
    if (token.value && expiresAt.value - Date.now() < 60_000) await refresh()
  }

  return { shopId, token, buyer, shop, restored, signedIn, enter, refresh, signIn, signOut, prepare }
})

export const useCartStore = defineStore('cart', () => {
  const buyer = useBuyerStore()
  const lines = ref<CartLine[]>([])
  const loading = ref(false)
  const count = computed(() => itemCount(lines.value))

  async function load(): Promise<void> {
    if (!buyer.shopId) return
    loading.value = true
    try {
      lines.value = buyer.signedIn ? (await storefrontApi.cart(buyer.shopId)).lines : readLocal(buyer.shopId)
    } finally {
      loading.value = false
    }
  }

  /** Keeps the details the page knows (name, spec, image, price) next to the server's lines. */
  function withDetails(next: CartLine[]): CartLine[] {
    return next.map((l) => ({ ...lines.value.find((o) => o.sku_id === l.sku_id), ...l }))
  }

  async function add(line: CartLine): Promise<void> {
    if (buyer.signedIn) {
      const answer = await storefrontApi.addToCart(buyer.shopId, { sku_id: line.sku_id, product_id: line.product_id, qty: line.qty })
      lines.value = withDetails(addLine(answer.lines, { ...line, qty: 0 }).filter((l) => l.qty > 0))
    } else {
      lines.value = addLine(lines.value, line)
      writeLocal(buyer.shopId, lines.value)
    }
  }

  async function changeQty(skuId: string, qty: number): Promise<void> {
    if (buyer.signedIn) lines.value = withDetails((await storefrontApi.setCartQty(buyer.shopId, skuId, qty)).lines)
    else {
      lines.value = setQty(lines.value, skuId, qty)
      writeLocal(buyer.shopId, lines.value)
    }
  }

  async function remove(skuId: string): Promise<void> {
    if (buyer.signedIn) lines.value = withDetails((await storefrontApi.removeFromCart(buyer.shopId, skuId)).lines)
    else {
      lines.value = removeLine(lines.value, skuId)
      writeLocal(buyer.shopId, lines.value)
    }
  }

  /** At sign-in: the lines kept in this browser go to the server cart (same SKU: added up), then are forgotten here. */
  async function mergeLocal(): Promise<void> {
    const local = readLocal(buyer.shopId)
    if (local.length) {
      const answer = await storefrontApi.mergeCart(
        buyer.shopId,
        local.map((l) => ({ sku_id: l.sku_id, product_id: l.product_id, qty: l.qty })),
      )
      lines.value = answer.lines.map((l) => ({ ...local.find((o) => o.sku_id === l.sku_id), ...l }))
      writeLocal(buyer.shopId, [])
    } else {
      await load()
    }
  }

  /** After an order: the server empties the ordered lines; read it again. */
  async function reload(): Promise<void> {
    await load().catch((e: unknown) => {
      if (!(e instanceof ApiError)) throw e
    })
  }

  return { lines, loading, count, load, add, changeQty, remove, mergeLocal, reload }
})
