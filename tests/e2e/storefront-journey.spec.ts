// Issue 11's "Done when", in the browser: the demo buyer (13800000000, code shown in demo mode),
// on a phone or a desktop, finds a product by a Chinese keyword, puts two SKUs in the cart,
// checks out, pays in the payment sandbox with each provider in turn (Alipay, WeChat Pay,
// Stripe: one order each), and sees each order paid; the service account then reviews the last
// one in the order desk. The buyer, quote, order and payment routes are built by other helpers
// at the same time: until the storefront answers them this spec is skipped, saying so.
import { expect, test, type Page } from '@playwright/test'
import { signIn } from './helpers'

const SHOP = 'shp_demo'
const BUYER = '13800000000'

/** The gateway answers `route_not_found` for a route no function declares. */
async function buyerRoutesExist(page: Page): Promise<boolean> {
  const answers = await Promise.all([
    page.request.post(`./api/storefront/${SHOP}/auth/code`, { data: {} }),
    page.request.post(`./api/storefront/${SHOP}/quote`, { data: {} }),
    page.request.get(`./api/storefront/${SHOP}/search?q=x`),
    page.request.post(`./api/storefront/${SHOP}/orders/x/payments`, { data: {} }),
  ])
  const codes = await Promise.all(answers.map(async (a) => ((await a.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code))
  return !codes.includes('route_not_found')
}

async function signInAsBuyer(page: Page): Promise<void> {
  await page.getByTestId('signin-mobile').locator('input').fill(BUYER)
  await page.getByTestId('signin-send').click()
  const code = (await page.getByTestId('signin-demo-code').textContent())?.match(/\d{6}/)?.[0]
  expect(code, 'the demo code is shown in demo mode').toBeTruthy()
  await page.getByTestId('signin-code').locator('input').fill(code!)
  await page.getByTestId('signin-submit').click()
}

async function addTwoSkus(page: Page): Promise<void> {
  await page.goto(`./shop/#/${SHOP}/search`)
  await page.getByTestId('search-input').locator('input').fill('裙')
  await page.getByTestId('search-input').locator('input').press('Enter')
  await page.getByTestId('product-card').first().click()
  const specs = page.getByTestId('spec')
  await expect(specs.first()).toBeVisible() // the product page has loaded its specs
  const count = await specs.count()
  for (const variant of [0, 1]) {
    for (let i = 0; i < count; i++) {
      const values = specs.nth(i).locator('[data-testid="spec-value"]:not([disabled])')
      const pick = i === count - 1 ? values.nth(variant) : values.first()
      if (!(await pick.getAttribute('class'))?.includes('chip--on')) await pick.click()
    }
    await page.getByTestId('add-to-cart').click()
    await expect(page.locator('.van-toast')).toContainText('已加入购物车')
  }
}

async function ensureAddress(page: Page): Promise<void> {
  // The checkout page shows the default address, or a link to add one, once it has loaded.
  await expect(page.getByTestId('checkout-address').or(page.getByTestId('checkout-add-address'))).toBeVisible()
  if (await page.getByTestId('checkout-address').isVisible()) return
  await page.getByTestId('checkout-add-address').click()
  await page.getByTestId('address-add').click()
  await page.getByTestId('address-name').locator('input').fill('王芳')
  await page.getByTestId('address-mobile').locator('input').fill('13912345678')
  await page.getByTestId('address-region').click()
  for (const name of ['浙江省', '杭州市', '西湖区']) await page.locator('.van-cascader__option', { hasText: name }).first().click()
  await page.getByTestId('address-detail').locator('textarea').fill('文三路 90 号 7 幢')
  await page.getByTestId('address-save').click()
  await expect(page.getByTestId('checkout-address')).toBeVisible()
}

test('the demo buyer finds, orders and pays with each provider; the service account reviews the order', async ({ page }) => {
  // Straight to the sign-in page (a second goto that changes only the hash may not re-route).
  await page.goto(`./shop/#/${SHOP}/signin`)
  test.skip(!(await buyerRoutesExist(page)), 'the buyer routes (sign-in, search, quote, orders, payments) are not on this build yet')
  await signInAsBuyer(page)
  await expect(page.getByTestId('shop-me')).toBeVisible()

  let lastNumber = ''
  for (const provider of ['alipay', 'wechat_pay', 'stripe'] as const) {
    await addTwoSkus(page)
    await page.getByTestId('product-go-cart').click()
    await expect(page.getByTestId('cart-line')).toHaveCount(2)
    await page.getByTestId('cart-checkout').locator('button').click()
    await ensureAddress(page)
    await expect(page.getByTestId('shop-checkout').getByTestId('order-line')).toHaveCount(2)
    await page.getByTestId('checkout-message').locator('textarea').fill('E2E 请尽快发货')
    await page.getByTestId('checkout-submit').locator('button').click()

    await expect(page.getByTestId('order-status')).toHaveText('待付款')
    lastNumber = (await page.getByTestId('order-number').textContent()) ?? ''
    await page.getByTestId(`pay-${provider}`).click()
    await page.getByTestId('order-pay').click()
    // The sandbox's cashier page (the provider's), then back to the order.
    await page.locator('button.pay').click()
    await expect(page.getByTestId('shop-order')).toBeVisible()
    await expect(page.getByTestId('order-status')).not.toHaveText('待付款', { timeout: 30_000 })
    await expect(page.getByTestId('order-timeline')).toContainText('支付成功')
  }

  // The service account reviews the last order in the desk.
  await signIn(page, 'service@demo.shop')
  await page.goto(`./#/orders?tab=pending_review`)
  await page.getByTestId('order-number-filter').fill(lastNumber)
  await page.getByTestId('order-row').filter({ hasText: lastNumber }).first().click()
  await expect(page.getByTestId('order-detail-status')).toHaveText('待审核')
  await page.getByTestId('order-action-review').click()
  await page.locator('.el-message-box .el-button--primary').click()
  await expect(page.getByTestId('order-detail-status')).toHaveText('待发货')
})
