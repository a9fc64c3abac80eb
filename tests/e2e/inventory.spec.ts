// Inventory in a real browser: the stock list shows the demo shop's stock with its low-stock
// SKUs highlighted and filterable; in a shop of its own, a test adjusts a SKU's stock and finds
// the movement in the SKU's history, and a safety stock set in the dialog turns the row low;
// a role without inventory.view has no menu entry and gets the 403 page.
import { expect, test, type Page } from '@playwright/test'
import { menuItem, openFromMenu, signIn, unique } from './helpers'
import { ShopData, useShop } from './inventory-data'

function stockRow(page: Page, code: string) {
  return page.getByTestId('stock-list').locator(`[data-testid="stock-row"][data-sku-code="${code}"]`)
}

/** The table row (desktop) or card (phone) of a SKU, to reach its numbers and action buttons. */
function stockItem(page: Page, code: string) {
  return page.getByTestId('stock-list').locator(`.el-table__row:has([data-sku-code="${code}"]), article[data-sku-code="${code}"]`)
}

test('the stock list shows the demo stock, highlights low stock and filters to it', async ({ page }) => {
  await signIn(page)
  await openFromMenu(page, 'inventory')
  await expect(page).toHaveURL(/#\/inventory\/stock/)
  await expect(page.getByTestId('stock-list').getByTestId('stock-row').first()).toBeVisible()

  // HJ001-01 starts with 19 units under a safety stock of 60 (infra/seed.py).
  await page.getByTestId('stock-search').fill('HJ001-01')
  const low = stockRow(page, 'HJ001-01').first()
  await expect(low).toBeVisible()
  await expect(low).toHaveAttribute('data-low', 'true')
  await expect(stockItem(page, 'HJ001-01').getByTestId('stock-low-tag')).toHaveText('低库存')

  await page.getByTestId('stock-search').fill('')
  await page.getByTestId('stock-low-only').click()
  await expect(page).toHaveURL(/low_only=true/)
  const rows = page.getByTestId('stock-list').locator('[data-testid="stock-row"]')
  await expect(rows.first()).toBeVisible()
  // The rows of the search shown before are replaced once the low-only page answers.
  const flags = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-low')))
  await expect.poll(async () => (await flags()).length).toBeGreaterThan(0)
  await expect.poll(async () => (await flags()).every((f) => f === 'true')).toBe(true)
})

test('adjusting stock shows in the SKU history, and a safety stock above it marks it low', async ({ page, request }) => {
  const shop = await ShopData.newShop(request, 'E2E库存', 'warehouse@demo.shop')
  const code = unique('INV').toUpperCase()
  const product = await shop.product(`E2E 库存 ${code}`, code, ['红', '蓝'])
  await shop.receive(product, product.skus[0]!, 10)
  await shop.receive(product, product.skus[1]!, 30)

  await signIn(page, shop.login)
  await useShop(page, shop.shopId, '/inventory/stock')
  await expect(stockRow(page, `${code}-1`)).toBeVisible()
  await expect(stockItem(page, `${code}-1`).getByTestId('stock-on-hand')).toHaveText('10')

  // +5 with a reason
  await stockItem(page, `${code}-1`).getByTestId('stock-adjust').click()
  const dialog = page.getByTestId('stock-adjust-dialog')
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('adjust-qty').locator('input').fill('5')
  await dialog.getByTestId('adjust-reason').fill('E2E 盘盈找到')
  await dialog.getByTestId('stock-action-save').click()
  await expect(dialog).toBeHidden()
  await expect(stockItem(page, `${code}-1`).getByTestId('stock-on-hand')).toHaveText('15')

  // -2 (remove)
  await stockItem(page, `${code}-1`).getByTestId('stock-adjust').click()
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('adjust-out').click()
  await dialog.getByTestId('adjust-qty').locator('input').fill('2')
  await dialog.getByTestId('adjust-reason').fill('E2E 破损')
  await dialog.getByTestId('stock-action-save').click()
  await expect(dialog).toBeHidden()
  await expect(stockItem(page, `${code}-1`).getByTestId('stock-available')).toHaveText('13')

  // Safety stock 20 > 13 available: low.
  await stockItem(page, `${code}-1`).getByTestId('stock-settings').click()
  const settings = page.getByTestId('stock-settings-dialog')
  await expect(settings).toBeVisible()
  await settings.getByTestId('settings-threshold').locator('input').fill('20')
  await settings.getByTestId('stock-action-save').click()
  await expect(settings).toBeHidden()
  await expect(stockRow(page, `${code}-1`)).toHaveAttribute('data-low', 'true')
  await expect(stockRow(page, `${code}-2`)).toHaveAttribute('data-low', 'false')
  await page.getByTestId('stock-low-only').click()
  await expect(stockRow(page, `${code}-1`)).toBeVisible()
  await expect(stockRow(page, `${code}-2`)).toHaveCount(0)

  // The history lists both adjustments, newest first, and filters by kind.
  await stockItem(page, `${code}-1`).getByTestId('stock-history').click()
  await expect(page).toHaveURL(new RegExp(`#/inventory/stock/${product.skus[0]!.id}`))
  await expect(page.getByTestId('sku-total-on-hand')).toHaveText('13')
  const movements = page.getByTestId('movements')
  const adjustment = movements.locator('[data-testid="movement-row"][data-kind="adjustment"]')
  await expect(adjustment).toHaveCount(2)
  await expect(movements.getByTestId('movement-delta').first()).toHaveText('-2')
  await expect(movements).toContainText('E2E 盘盈找到')
  await expect(movements).toContainText('E2E 破损')
  await expect(movements.locator('[data-testid="movement-row"][data-kind="purchase_receipt"]')).toHaveCount(1)

  await page.getByTestId('movement-kind-filter').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '手工调整' }).click()
  await expect(movements.locator('[data-testid="movement-row"][data-kind="purchase_receipt"]')).toHaveCount(0)
  await expect(adjustment).toHaveCount(2)

  await movements.getByTestId('movements-export').click()
  await expect(page.getByTestId('movements-download')).toBeVisible()
  const href = await page.getByTestId('movements-download').getAttribute('href')
  const file = await page.request.get(href!)
  expect(file.ok()).toBeTruthy()
})

test('a role without inventory.view has no inventory menu and gets the 403 page', async ({ page }) => {
  await signIn(page, 'marketing@demo.shop')
  await expect(await menuItem(page, 'products')).toBeVisible()
  await expect(await menuItem(page, 'inventory')).toHaveCount(0)
  await expect(await menuItem(page, 'purchasing')).toHaveCount(0)
  await expect(await menuItem(page, 'stocktakes')).toHaveCount(0)
  await page.keyboard.press('Escape')
  for (const path of ['/inventory/stock', '/purchasing/orders', '/stocktakes']) {
    await page.goto(`./#${path}`)
    await expect(page.getByTestId('forbidden-page')).toBeVisible()
  }
})
