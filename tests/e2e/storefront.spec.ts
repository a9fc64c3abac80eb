// The storefront (/shop/, phone first; both projects: 390 px phone and 1366 px desktop) against the
// demo shop's seeded catalogue: home lists the products on sale, the product page's spec matrix
// picks a SKU (price and chosen values), two SKUs go into the signed-out cart, which keeps them
// across a reload; the language switch; the shop picker of demo mode.
import { expect, test, type Page } from '@playwright/test'

const SHOP = 'shp_demo'
const SKIRT = '高腰A字半身裙' // seeded: 颜色 黑色/卡其 x 尺码 S/M/L, ¥189.00

async function openProduct(page: Page, name: string): Promise<void> {
  await page.goto(`./shop/#/${SHOP}`)
  await page.getByTestId('product-card').filter({ hasText: name }).first().click()
  await expect(page.getByTestId('product-name')).toHaveText(name)
}

async function pick(page: Page, ...values: string[]): Promise<void> {
  for (const v of values) await page.locator(`[data-testid="spec-value"][data-value="${v}"]`).click()
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('e2e-started')) {
      localStorage.clear()
      sessionStorage.setItem('e2e-started', '1')
    }
  })
})

test('the demo shop lists its products and a product page picks a SKU from the spec matrix', async ({ page }) => {
  await page.goto('./shop/')
  await page.getByTestId('open-demo-shop').click()
  await expect(page).toHaveURL(new RegExp(`#/${SHOP}$`))
  await expect(page.getByTestId('product-card').filter({ hasText: SKIRT })).toBeVisible()

  await openProduct(page, SKIRT)
  await expect(page.getByTestId('product-chosen')).toContainText('请选择 颜色 / 尺码')
  await page.getByTestId('add-to-cart').click()
  await expect(page.locator('.van-toast')).toContainText('请选择')
  await pick(page, '黑色')
  await expect(page.getByTestId('product-chosen')).toContainText('请选择 尺码')
  await pick(page, 'M')
  await expect(page.getByTestId('product-chosen')).toContainText('已选: 黑色 / M')
  await expect(page.getByTestId('product-price')).toHaveText('¥189.00')
  await expect(page.getByTestId('product-stock')).toBeVisible()
  // Tapping a picked value again clears it.
  await pick(page, 'M')
  await expect(page.getByTestId('product-chosen')).toContainText('请选择 尺码')
})

test('two SKUs go into the signed-out cart, which survives a reload', async ({ page }) => {
  await openProduct(page, SKIRT)
  await pick(page, '黑色', 'M')
  await page.getByTestId('add-to-cart').click()
  await expect(page.locator('.van-toast')).toContainText('已加入购物车')
  await pick(page, '卡其', 'L')
  await page.getByTestId('add-to-cart').click()
  await expect(page.locator('.van-toast')).toContainText('已加入购物车')

  await page.getByTestId('product-go-cart').click()
  await expect(page.getByTestId('cart-line')).toHaveCount(2)
  await expect(page.getByTestId('cart-local-hint')).toBeVisible()
  await expect(page.getByTestId('cart-checkout')).toContainText('378.00')
  await page.getByTestId('cart-line').first().locator('.van-stepper__plus').click()
  await expect(page.getByTestId('cart-checkout')).toContainText('567.00')

  await page.reload()
  await expect(page.getByTestId('cart-line')).toHaveCount(2)
  await expect(page.getByTestId('tab-cart')).toContainText('3')
})

test('the storefront speaks English when asked', async ({ page }) => {
  await page.goto(`./shop/#/${SHOP}`)
  await expect(page.getByText('全部商品')).toBeVisible()
  await page.getByTestId('shop-language').click()
  await expect(page.getByText('All products')).toBeVisible()
  await page.getByTestId('tab-me').click()
  await expect(page.getByTestId('me-signin')).toHaveText('Sign in / sign up')
})
