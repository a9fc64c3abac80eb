// The order desk (订单) and the delivery fee settings in a real browser, in a shop of its own:
// the seven tabs with their counts, the tab kept in the URL, a number looked up across tabs, the
// export of that filter (a job, then its file downloaded), and the delivery fee typed in yuan and
// kept after a reload. The review of a real order by the
// service account is part of the storefront journey (storefront-journey.spec.ts).
import { expect, test } from '@playwright/test'
import { expectSavedToast, openFromMenu, openSettingsTab, signIn } from './helpers'
import { ShopData, useShop } from './inventory-data'

// One shop per project: a login may open 3 shops a day (desktop + phone + a retry).
test('the desk shows its tabs with counts, keeps the tab in the address; the delivery fee is kept', async ({ page, request }) => {
  const shop = await ShopData.newShop(request, 'E2E订单', 'service@demo.shop')
  await signIn(page, shop.login)
  await useShop(page, shop.shopId, '/')
  await openFromMenu(page, 'orders')
  await expect(page).toHaveURL(/#\/orders/)
  for (const [tab, label] of [
    ['pending_payment', '待付款'],
    ['pending_review', '待审核'],
    ['to_ship', '待发货'],
    ['shipped', '已发货'],
    ['completed', '已完成'],
    ['cancelled', '已取消'],
  ]) await expect(page.getByTestId(`order-tab-${tab}`)).toHaveText(`${label} (0)`)
  await expect(page.getByTestId('order-list')).toContainText('这个页签下还没有订单')

  await page.getByTestId('order-tab-pending_payment').click()
  await expect(page).toHaveURL(/tab=pending_payment/)
  await page.reload()
  await expect(page.locator('.el-tabs__item.is-active')).toContainText('待付款')

  await page.getByTestId('order-number-filter').fill('26010100000000')
  await expect(page.getByTestId('order-list')).toContainText('没有符合筛选条件的订单')

  // Export the current filter (the number): the job runs, a download link of its file shows.
  await page.getByTestId('order-export').click()
  const exporter = page.getByTestId('order-export-dialog')
  await expect(exporter.getByTestId('order-export-scope')).toContainText('当前筛选')
  await exporter.getByTestId('order-export-start').click()
  await expect(exporter.getByTestId('order-export-job')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 })
  await expect(exporter.getByTestId('order-export-counts')).toContainText('共 0 个订单')
  const href = await exporter.getByTestId('order-export-file').getAttribute('href')
  const file = await page.request.get(href!)
  expect(file.status()).toBe(200)
  expect((await file.body()).subarray(0, 2).toString('latin1')).toBe('PK') // an XLSX (a zip)
  await exporter.getByTestId('order-export-close').click()

  // The delivery fee (the quote's freight) and the free-delivery threshold, in yuan.
  await openSettingsTab(page, 'delivery-fee')
  const fee = page.getByTestId('delivery-fee-flat').locator('input')
  await fee.fill('8')
  await fee.blur()
  await page.getByTestId('delivery-fee-free-on').click()
  const over = page.getByTestId('delivery-fee-free-over').locator('input')
  await over.fill('99')
  await over.blur()
  await expect(page.getByTestId('delivery-fee-example')).toContainText('¥98.00')
  await expect(page.getByTestId('delivery-fee-example')).toContainText('¥8.00')
  await page.getByTestId('delivery-fee-save').click()
  await expectSavedToast(page)
  await page.reload()
  await expect(fee).toHaveValue('8.00')
  await expect(over).toHaveValue('99.00')
})
