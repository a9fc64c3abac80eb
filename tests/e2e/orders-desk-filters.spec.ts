// Issue 11's desk settings and filters in a real browser (desktop and phone): the demo buyer places two
// orders through the storefront API (one piece paid with WeChat Pay, two pieces paid with
// Alipay, in the payment sandbox); the owner changes an auto-review rule (审单规则) and finds it
// saved after a reload, then filters the desk by payment method and amount
// and sees only the matching rows, the filters surviving a reload in the address.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { expectSavedToast, hasDrawer, openSettingsTab, signIn, unique } from './helpers'

const SHOP = 'shp_demo'
const BUYER = '13800000000'
const API = `./api/storefront/${SHOP}`

interface Placed {
  id: string
  number: string
  payable: number
}

/** The demo buyer's ID token (demo mode shows the demo buyer's code in the answer). */
async function buyerToken(request: APIRequestContext): Promise<string> {
  const sent = await request.post(`${API}/auth/code`, { data: { mobile: BUYER } })
  expect(sent.status(), await sent.text()).toBe(202)
  const code = (await sent.json()).demo_code as string
  expect(code, 'demo mode shows the demo buyer its code').toMatch(/^\d{6}$/)
  const signedIn = await request.post(`${API}/auth/signin`, { data: { mobile: BUYER, code } })
  expect(signedIn.ok(), await signedIn.text()).toBeTruthy()
  return (await signedIn.json()).id_token as string
}

/** Places an order of `qty` pieces of a 裙 SKU and pays it with `provider` in the sandbox's cashier. */
async function placeAndPay(page: Page, base: string, token: string, qty: number, provider: 'alipay' | 'wechat_pay'): Promise<Placed> {
  const request = page.request
  const auth = { Authorization: `Bearer ${token}` }
  // The storefront answers, read by field name.
  const ok = async (answer: Awaited<ReturnType<APIRequestContext['get']>>): Promise<any> => {
    expect(answer.ok(), `${answer.url()}: ${await answer.text()}`).toBeTruthy()
    return answer.json()
  }
  const found = await ok(await request.get(`${API}/search`, { params: { q: '裙', limit: 5 } }))
  const product = await ok(await request.get(`${API}/products/${found.items[0].id}`))
  const lines = [{ product_id: product.id, sku_id: product.skus[0].id, qty }]

  let address = (await ok(await request.get(`${API}/addresses`, { headers: auth }))).items[0]
  address ??= await ok(
    await request.post(`${API}/addresses`, {
      headers: { ...auth, 'Idempotency-Key': crypto.randomUUID() },
      data: { name: '王芳', mobile: '13912345678', province: '330000', city: '330100', district: '330106', detail: '文三路 90 号 7 幢', is_default: true },
    }),
  )
  const quote = await ok(await request.post(`${API}/quote`, { data: { lines } }))
  const order = await ok(
    await request.post(`${API}/orders`, {
      headers: { ...auth, 'Idempotency-Key': crypto.randomUUID() },
      data: { address_id: address.id, lines, quote_hash: quote.quote_hash },
    }),
  )
  const returnUrl = new URL(`shop/#/${SHOP}/orders/${order.id}?paid=1`, base).toString()
  const start = await ok(await request.post(`${API}/orders/${order.id}/payments`, { headers: auth, data: { provider, return_url: returnUrl } }))
  await page.goto(start.cashier_url)
  await page.locator('button.pay').click()
  await expect
    .poll(async () => (await ok(await request.get(`${API}/orders/${order.id}`, { headers: auth }))).payment_status, { timeout: 30_000 })
    .toBe('paid')
  return { id: order.id, number: order.number, payable: order.payable }
}

const yuan = (fen: number) => (fen / 100).toFixed(2)
const money = (fen: number) => `¥${yuan(fen).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`

/** Sets the payment method and the amount range of the desk (on a phone: in the filter drawer). */
async function filterDesk(page: Page, method: 'alipay' | 'wechat_pay', from: number, to: number): Promise<void> {
  const phone = await hasDrawer(page)
  if (phone) {
    await page.getByTestId('order-more-button').click()
    await expect(page.getByTestId('order-filter-drawer')).toBeVisible()
  }
  for (const [id, fen] of [['order-min-amount', from], ['order-max-amount', to]] as const) {
    const input = page.getByTestId(id).locator('input')
    await input.fill(yuan(fen))
    await input.blur()
  }
  await page.getByTestId('order-method-filter').click()
  await page.getByTestId(`order-method-option-${method}`).click()
  if (phone) {
    await page.getByTestId('order-filter-done').click()
    await expect(page.getByTestId('order-more-button')).toContainText('更多筛选')
  }
}

/** The query of the SPA's (hash) address. */
const hashQuery = (page: Page) => Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? ''))

/** Every row the desk shows: its number, amount and (on a wider screen) payment method. */
async function rows(page: Page): Promise<{ number: string; text: string }[]> {
  const rowSelector = (await hasDrawer(page)) ? '[data-testid="order-list"] article.card' : '[data-testid="order-table"] .el-table__body tr'
  return page.locator(rowSelector).evaluateAll((els) =>
    els.map((el) => ({
      // A phone card carries the number itself; a table row on its number link.
      number: (el.getAttribute('data-order-number') ?? el.querySelector('[data-order-number]')?.getAttribute('data-order-number')) || '',
      text: el.textContent ?? '',
    })),
  )
}

/**
 * The desk lists `shown` and not `hidden`, and every row it lists carries one of `amounts` and
 * (where the screen has the column) the method. Retried until the list has settled on the last
 * filter (each change reloads it).
 */
async function expectOnly(page: Page, shown: Placed, hidden: Placed, amounts: number[], method: string): Promise<void> {
  const phone = await hasDrawer(page)
  await expect(async () => {
    const listed = await rows(page)
    expect(listed.map((r) => r.number)).toContain(shown.number)
    expect(listed.map((r) => r.number)).not.toContain(hidden.number)
    for (const row of listed) {
      expect(amounts.some((a) => row.text.includes(money(a))), row.text).toBe(true)
      if (!phone) expect(row.text).toContain(method)
    }
  }).toPass()
}

test('a review rule is saved; the desk filters by payment method and amount', async ({ page, baseURL }) => {
  test.setTimeout(180_000)
  // 1. Two paid orders of the demo buyer: different amounts, different providers.
  const token = await buyerToken(page.request)
  const wechat = await placeAndPay(page, baseURL!, token, 1, 'wechat_pay')
  const alipay = await placeAndPay(page, baseURL!, token, 2, 'alipay')
  expect(alipay.payable).toBeGreaterThan(wechat.payable)

  // 2. The owner changes the shop's E2E review rule (adds it the first time). It stays disabled:
  // the other specs' orders must keep waiting for staff in 待审核.
  await signIn(page)
  await openSettingsTab(page, 'order-review')
  const names = page.locator('input[data-testid^="order-review-"][data-testid$="-name"]')
  await expect(page.getByTestId('order-review-form')).toBeVisible()
  const values = await names.evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value))
  let i = values.findIndex((v) => v.startsWith('E2E'))
  if (i < 0) {
    i = values.length
    await page.getByTestId('order-review-add').click()
  }
  const name = unique('E2E大额人工')
  const limit = 1000 + (Date.now() % 9000)
  await page.getByTestId(`order-review-${i}-name`).fill(name)
  await page.getByTestId(`order-review-${i}-manual`).click()
  const max = page.getByTestId(`order-review-${i}-max_amount`).locator('input')
  await max.fill(String(limit))
  await max.blur()
  const enabled = page.getByTestId(`order-review-${i}-enabled`)
  if (await enabled.getByRole('switch').isChecked()) await enabled.click()
  await page.getByTestId('order-review-save').click()
  await expectSavedToast(page)
  await page.reload()
  await expect(page.getByTestId(`order-review-${i}-name`)).toHaveValue(name)
  await expect(max).toHaveValue(`${limit}.00`)
  await expect(page.getByTestId(`order-review-${i}-manual`).locator('input')).toBeChecked()
  await expect(enabled.getByRole('switch')).not.toBeChecked()

  // 3. The owner filters the desk (待审核).
  const phone = await hasDrawer(page)
  await page.goto('./#/orders?tab=pending_review')
  await expect(page.getByTestId('order-row').first()).toBeVisible()

  await filterDesk(page, 'wechat_pay', wechat.payable, wechat.payable)
  await expect.poll(() => hashQuery(page)).toMatchObject({ payment_method: 'wechat_pay', min_amount: `${wechat.payable}`, max_amount: `${wechat.payable}` })
  await expect(page.locator(`[data-order-number="${wechat.number}"]`).first()).toBeVisible()
  await expectOnly(page, wechat, alipay, [wechat.payable], '微信支付')

  // The filters live in the address: a reload shows the same rows.
  await page.reload()
  await expect(page.locator(`[data-order-number="${wechat.number}"]`).first()).toBeVisible()
  await expect(page.locator(`[data-order-number="${alipay.number}"]`)).toHaveCount(0)
  if (!phone) await expect(page.getByTestId('order-min-amount').locator('input')).toHaveValue(yuan(wechat.payable))
  else await expect(page.locator('.el-badge').filter({ has: page.getByTestId('order-more-button') })).toContainText('3')

  await page.getByTestId('order-clear-filters').click()
  await expect.poll(() => hashQuery(page)).toEqual({ tab: 'pending_review' })
  await filterDesk(page, 'alipay', alipay.payable, alipay.payable + 1)
  await expect(page.locator(`[data-order-number="${alipay.number}"]`).first()).toBeVisible()
  await expectOnly(page, alipay, wechat, [alipay.payable, alipay.payable + 1], '支付宝')
})
