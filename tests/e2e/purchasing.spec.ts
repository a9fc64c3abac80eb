// Purchasing in a real browser, in a shop of its own: a supplier is created (its webhook secret
// shown once), a purchase order with two lines is drafted from catalog SKUs with unit costs in
// yuan, submitted, received partially (status 部分收货, stock up on the stock page), then
// received in full (已收货), with both receipts in its history.
import { expect, test, type Page } from '@playwright/test'
import { openFromMenu, signIn, unique } from './helpers'
import { ShopData, confirmBox, useShop } from './inventory-data'

async function pickOption(page: Page, text: string): Promise<void> {
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

function stockItem(page: Page, code: string) {
  return page.getByTestId('stock-list').locator(`.el-table__row:has([data-sku-code="${code}"]), article[data-sku-code="${code}"]`)
}

async function receive(page: Page, quantities: number[]): Promise<void> {
  await page.getByTestId('po-receive').click()
  const dialog = page.getByTestId('receive-dialog')
  await expect(dialog).toBeVisible()
  const inputs = dialog.getByTestId('receive-qty').locator('input')
  for (const [i, qty] of quantities.entries()) await inputs.nth(i).fill(String(qty))
  await dialog.getByTestId('receive-note').click() // blur: the numbers are committed
  await dialog.getByTestId('receive-save').click()
  await expect(dialog).toBeHidden()
}

test('a PO with two lines is submitted, received partially, then fully', async ({ page, request }) => {
  const shop = await ShopData.newShop(request, 'E2E采购', 'finance@demo.shop')
  const code = unique('PO').toUpperCase()
  const product = await shop.product(`E2E 采购 ${code}`, code, ['黑', '白'])
  const supplier = `E2E 供应商 ${code}`

  await signIn(page, shop.login)
  await useShop(page, shop.shopId, '/')
  await openFromMenu(page, 'purchasing')
  await expect(page).toHaveURL(/#\/purchasing\/orders/)

  // Supplier: the signing secret is shown once.
  await page.getByTestId('section-tabs').getByText('供应商').click()
  await expect(page).toHaveURL(/#\/purchasing\/suppliers/)
  await page.getByTestId('supplier-new').click()
  const supplierDialog = page.getByTestId('supplier-dialog')
  await supplierDialog.getByTestId('supplier-name').fill(supplier)
  await supplierDialog.getByTestId('supplier-phone').fill('13800138000')
  await supplierDialog.getByTestId('supplier-save').click()
  const secret = page.getByTestId('supplier-secret-dialog')
  await expect(secret).toBeVisible()
  await expect(secret.getByTestId('supplier-secret')).toHaveText(/^whsec_/)
  await secret.getByTestId('supplier-secret-done').click()
  await expect(page.getByTestId('supplier-list').getByTestId('supplier-row').filter({ hasText: supplier })).toBeVisible()

  // Draft: supplier, two SKUs from the catalog (its search index is eventually consistent).
  await page.getByTestId('section-tabs').getByText('采购单').click()
  await page.getByTestId('po-new').click()
  await expect(page).toHaveURL(/#\/purchasing\/orders\/new$/)
  await page.getByTestId('po-supplier').click()
  await page.getByTestId('po-supplier').locator('input').fill(code)
  await pickOption(page, supplier)

  await page.getByTestId('po-add-skus').click()
  const picker = page.getByTestId('sku-picker')
  await expect(picker).toBeVisible()
  const found = picker.getByTestId('sku-picker-product').filter({ hasText: product.name })
  await expect(async () => {
    await picker.getByTestId('sku-picker-search').fill('')
    await picker.getByTestId('sku-picker-search').fill(code)
    await expect(found).toBeVisible({ timeout: 3_000 })
  }).toPass({ timeout: 40_000 })
  await found.locator('button').first().click()
  await picker.locator(`[data-testid="sku-picker-sku"][data-sku-code="${code}-1"]`).getByTestId('sku-picker-add').click()
  await picker.locator(`[data-testid="sku-picker-sku"][data-sku-code="${code}-2"]`).getByTestId('sku-picker-add').click()
  await picker.getByTestId('sku-picker-done').click()
  await expect(picker).toBeHidden()

  const lines = page.getByTestId('po-line')
  await expect(lines).toHaveCount(2)
  await lines.nth(0).getByTestId('po-line-qty').locator('input').fill('10')
  await lines.nth(0).getByTestId('po-line-cost').fill('12.5')
  await lines.nth(1).getByTestId('po-line-qty').locator('input').fill('4')
  await lines.nth(1).getByTestId('po-line-cost').fill('8')
  await page.getByTestId('po-notes').click()
  await expect(page.getByTestId('po-total')).toHaveText('¥157.00')

  const created = page.waitForResponse((r) => r.url().endsWith('/api/purchase-orders') && r.request().method() === 'POST')
  await page.getByTestId('po-save').click()
  const body = (await (await created).json()) as { lines: { sku_id: string; qty: number; unit_cost: number }[] }
  expect(body.lines.map((l) => [l.qty, l.unit_cost])).toEqual([
    [10, 1250],
    [4, 800],
  ])
  await expect(page).toHaveURL(/#\/purchasing\/orders\/[^/]+$/)
  const status = page.getByTestId('po-detail-status')
  await expect(status).toHaveText('草稿')
  await expect(page.getByTestId('po-detail-total')).toHaveText('¥157.00')

  await page.getByTestId('po-submit').click()
  await confirmBox(page)
  await expect(status).toHaveText('已提交')
  const poUrl = page.url()

  // Part of the first line only.
  await receive(page, [6, 0])
  await expect(status).toHaveText('部分收货')
  await expect(page.getByTestId('po-detail-received')).toHaveText('6 / 14')
  await expect(page.getByTestId('po-receipts').getByTestId('po-receipt')).toHaveCount(1)

  await openFromMenu(page, 'inventory')
  await expect(stockItem(page, `${code}-1`).getByTestId('stock-on-hand')).toHaveText('6')
  await expect(stockItem(page, `${code}-2`)).toHaveCount(0)

  // The rest: the dialog starts at what is still expected (4 and 4).
  await page.goto(poUrl)
  await expect(status).toHaveText('部分收货')
  await page.getByTestId('po-receive').click()
  const inputs = page.getByTestId('receive-dialog').getByTestId('receive-qty').locator('input')
  await expect(inputs.nth(0)).toHaveValue('4')
  await expect(inputs.nth(1)).toHaveValue('4')
  await page.getByTestId('receive-dialog').getByTestId('receive-save').click()
  await expect(page.getByTestId('receive-dialog')).toBeHidden()
  await expect(status).toHaveText('已收货')
  await expect(page.getByTestId('po-detail-received')).toHaveText('14 / 14')
  await expect(page.getByTestId('po-receipts').getByTestId('po-receipt')).toHaveCount(2)
  await expect(page.getByTestId('po-receive')).toHaveCount(0)

  await openFromMenu(page, 'inventory')
  await expect(stockItem(page, `${code}-1`).getByTestId('stock-on-hand')).toHaveText('10')
  await expect(stockItem(page, `${code}-2`).getByTestId('stock-on-hand')).toHaveText('4')

  // The list shows it as received.
  await openFromMenu(page, 'purchasing')
  await page.getByTestId('po-status-filter').click()
  await pickOption(page, '已收货')
  await expect(page.getByTestId('po-list').getByTestId('po-status').first()).toHaveText('已收货')
})
