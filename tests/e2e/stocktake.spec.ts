// A stocktake (盘点) on a phone (390 x 844), in a shop of its own: open a count of the
// warehouse, type a SKU code and Enter as a scanner does, set the counted units, see the
// variance, approve, and find the stocktake movement in the SKU's history.
import { expect, test } from '@playwright/test'
import { openFromMenu, signIn, unique } from './helpers'
import { ShopData, confirmBox, useShop } from './inventory-data'

test('a stocktake is counted by SKU code on a phone and approved', async ({ page, request }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'phone layout only')
  expect(page.viewportSize()).toEqual({ width: 390, height: 844 })

  const shop = await ShopData.newShop(request, 'E2E盘点', 'marketing@demo.shop')
  const code = unique('ST').toUpperCase()
  const product = await shop.product(`E2E 盘点 ${code}`, code, ['红', '绿'])
  await shop.receive(product, product.skus[0]!, 10)
  await shop.receive(product, product.skus[1]!, 5)

  await signIn(page, shop.login)
  await useShop(page, shop.shopId, '/')
  await openFromMenu(page, 'stocktakes')
  await expect(page).toHaveURL(/#\/stocktakes$/)
  await page.getByTestId('stocktake-new').click()
  const dialog = page.getByTestId('stocktake-open-dialog')
  await expect(dialog).toBeVisible()
  await dialog.getByTestId('stocktake-note').fill('E2E 月末盘点')
  await dialog.getByTestId('stocktake-open-confirm').click()
  await expect(page).toHaveURL(/#\/stocktakes\/[^/]+$/)
  await expect(page.getByTestId('stocktake-progress')).toHaveText('已盘 0 / 2 个 SKU')

  // A scanner types the code and presses Enter: the SKU shows with its book quantity.
  const codeInput = page.getByTestId('stocktake-code')
  await expect(codeInput).toBeFocused()
  await codeInput.pressSequentially(`${code.toLowerCase()}-1`)
  await codeInput.press('Enter')
  const current = page.getByTestId('stocktake-current')
  await expect(current).toContainText(`${code}-1`)
  await expect(current.getByTestId('stocktake-expected')).toHaveText('10')
  const qty = current.getByTestId('stocktake-qty').locator('input')
  await expect(qty).toHaveValue('1')
  await current.getByTestId('stocktake-plus').click()
  await expect(qty).toHaveValue('2')
  await qty.fill('8')
  await qty.press('Enter')
  await expect(current).toBeHidden()

  const entry = page.locator(`[data-testid="stocktake-recent-entry"][data-sku-code="${code}-1"]`)
  await expect(entry.getByTestId('stocktake-recent-variance')).toHaveText('-2')
  await expect(page.getByTestId('stocktake-progress')).toHaveText('已盘 1 / 2 个 SKU')
  await expect(codeInput).toBeFocused()

  // Review: only the line that differs.
  await page.getByTestId('stocktake-tabs').getByText('差异核对').click()
  const review = page.getByTestId('stocktake-review')
  const line = review.locator(`[data-testid="stocktake-line"][data-sku-code="${code}-1"]`)
  await expect(line.getByTestId('stocktake-variance')).toHaveText('-2')
  await expect(review.locator(`[data-testid="stocktake-line"][data-sku-code="${code}-2"]`)).toHaveCount(0)

  await page.getByTestId('stocktake-approve').click()
  await confirmBox(page)
  await expect(page.getByTestId('stocktake-detail-status')).toHaveText('已审核')
  await expect(page.getByTestId('stocktake-approve')).toHaveCount(0)

  // The variance was posted as a stocktake movement; the SKU not counted is unchanged.
  await line.click()
  await expect(page).toHaveURL(new RegExp(`#/inventory/stock/${product.skus[0]!.id}`))
  await expect(page.getByTestId('sku-total-on-hand')).toHaveText('8')
  const movement = page.getByTestId('movements').locator('[data-testid="movement-row"][data-kind="stocktake"]')
  await expect(movement).toHaveCount(1)
  await expect(movement.getByTestId('movement-delta')).toHaveText('-2')
})
