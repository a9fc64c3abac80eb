// Test data for the inventory, purchasing and stocktake browser tests, made through the API: each
// test opens a shop of its own (whoever opens a shop owns it), so its products, stock and orders
// never meet another test's or the demo shop's. A login may open 3 shops a day (shared/ratelimit.py,
// shops_per_day), so each spec opens its shops as a demo login of its own (desktop + phone + a retry).
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import { DEMO_PASSWORD, unique } from './helpers'

export interface TestSku {
  id: string
  code: string
}

export interface TestProduct {
  id: string
  name: string
  skus: TestSku[]
}

export class ShopData {
  private constructor(
    private readonly request: APIRequestContext,
    private readonly token: string,
    readonly shopId: string,
    /** The login that opened (and owns) the shop: sign the browser in with it. */
    readonly login: string,
  ) {}

  /** Signs in as `login` (a demo login) through the API and opens a new shop, which it owns. */
  static async newShop(request: APIRequestContext, prefix: string, login: string): Promise<ShopData> {
    const signin = await request.post('./api/auth/signin', { data: { email: login, password: DEMO_PASSWORD } })
    expect(signin.ok()).toBeTruthy()
    const token = (await signin.json()).id_token as string
    const created = await request.post('./api/shops', {
      headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': crypto.randomUUID() },
      data: { name: unique(prefix) },
    })
    expect(created.status(), await created.text()).toBe(201)
    return new ShopData(request, token, (await created.json()).shop_id as string, login)
  }

  private headers(idempotent = false): Record<string, string> {
    return {
      Authorization: `Bearer ${this.token}`,
      'X-Shop-Id': this.shopId,
      ...(idempotent ? { 'Idempotency-Key': crypto.randomUUID() } : {}),
    }
  }

  async post<T>(path: string, data: unknown): Promise<T> {
    const answer = await this.request.post(`./api${path}`, { headers: this.headers(true), data })
    expect(answer.ok(), `${path}: ${await answer.text()}`).toBeTruthy()
    return (await answer.json()) as T
  }

  async get<T>(path: string): Promise<T> {
    const answer = await this.request.get(`./api${path}`, { headers: this.headers() })
    expect(answer.ok(), `${path}: ${await answer.text()}`).toBeTruthy()
    return (await answer.json()) as T
  }

  /** A product with one SKU per colour; SKU codes `<codePrefix>-1`, `-2`, ... */
  async product(name: string, codePrefix: string, colours: string[]): Promise<TestProduct> {
    const product = await this.post<{ id: string; skus: { id: string; code: string }[] }>('/products', {
      name,
      brand: 'E2E',
      specs: [{ name: '颜色', values: colours }],
      skus: colours.map((c, i) => ({ values: [c], price: 9900, weight_g: 200, code: `${codePrefix}-${i + 1}` })),
    })
    return { id: product.id, name, skus: product.skus.map((s) => ({ id: s.id, code: s.code })) }
  }

  /** Goods received into the shop's default warehouse. */
  async receive(product: TestProduct, sku: TestSku, qty: number): Promise<void> {
    await this.post('/inventory/receipts', { product_id: product.id, sku_id: sku.id, qty, reason: 'E2E 初始库存' })
  }
}

/** Makes the signed-in browser work in `shopId` (as the shop switcher does), then opens `hash`. */
export async function useShop(page: Page, shopId: string, hash: string): Promise<void> {
  await page.evaluate((id) => localStorage.setItem('shopdesk.shop', id), shopId)
  await page.goto(`./#${hash}`)
  await page.reload()
}

/** Confirms the open ElMessageBox (its primary button). */
export async function confirmBox(page: Page): Promise<void> {
  const box = page.locator('.el-message-box')
  await expect(box).toBeVisible()
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await expect(box).toBeHidden()
}
