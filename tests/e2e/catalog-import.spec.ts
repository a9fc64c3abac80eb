// Bulk import in a real browser: a small CSV chosen in the import dialog is posted straight to
// the bucket, the server's job is polled until it is done (one product imported, one row
// listed with its row number, column and reason), and the imported product is found in the
// list. Then the current list is exported and a download link appears. Names are unique per run.
import { expect, test, type Page } from '@playwright/test'
import { openFromMenu, signIn, unique } from './helpers'

const CHARS = '零一二三四五六七八九甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬'

function chineseRun(): string {
  return Array.from(unique(''), (c) => CHARS[parseInt(c, 36) % CHARS.length]).join('')
}

function productRow(page: Page, text: string) {
  return page.getByTestId('product-list').locator('.el-table__row, [data-testid="product-card"]').filter({ hasText: text })
}

test('the owner imports a CSV with one bad row, sees the progress and the error, finds the product', async ({ page }) => {
  const word = chineseRun()
  const good = `导入连衣裙 ${word}`
  const csv = [
    '商品编号,商品名称,规格1名称,规格1值,售价(元),划线价(元)',
    `A1,${good},颜色,红,89.90,129`,
    `A1,${good},颜色,蓝,89.90,129`,
    `B1,导入坏行 ${word},,,12.345,`,
  ].join('\n')

  await signIn(page)
  await openFromMenu(page, 'products')
  await page.getByTestId('product-import').click()
  const dialog = page.getByTestId('import-dialog')
  await expect(dialog).toBeVisible()
  const box = await dialog.boundingBox()
  const width = page.viewportSize()?.width ?? 1366
  if (width < 768) expect(box?.width ?? 0).toBeGreaterThanOrEqual(width - 1) // full width on a phone

  await dialog.getByTestId('import-file').setInputFiles({ name: '商品.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') })
  await expect(dialog.getByTestId('import-filename')).toHaveText('商品.csv')
  await dialog.getByTestId('import-start').click()

  const progress = dialog.getByTestId('job-progress')
  await expect(progress).toHaveAttribute('data-status', 'partial', { timeout: 30_000 })
  await expect(dialog.getByTestId('job-status')).toHaveText('部分完成')
  await expect(dialog.getByTestId('job-counts')).toContainText('新建 1 个商品')
  const errors = dialog.getByTestId('job-error-row')
  await expect(errors).toHaveCount(1)
  await expect(errors.first()).toContainText('第 4 行')
  await expect(errors.first()).toContainText('售价(元)')
  await expect(errors.first()).toContainText('两位小数')
  await expect(dialog.getByTestId('job-report')).toBeVisible()
  await dialog.getByTestId('import-close').click()
  await expect(dialog).toBeHidden()

  const search = page.getByTestId('product-search')
  await expect(async () => {
    await search.fill('')
    await search.fill(word)
    await expect(productRow(page, good)).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 20_000 })
  await expect(productRow(page, good)).toContainText('¥89.90')
  await expect(productRow(page, `导入坏行 ${word}`)).toHaveCount(0)

  // Export what the list shows now (the search): a download link once the job is done.
  await page.getByTestId('product-export').click()
  const exporter = page.getByTestId('export-dialog')
  await expect(exporter.getByTestId('export-scope')).toContainText('当前筛选')
  await exporter.getByTestId('export-start').click()
  await expect(exporter.getByTestId('job-progress')).toHaveAttribute('data-status', 'succeeded', { timeout: 30_000 })
  await expect(exporter.getByTestId('job-counts')).toContainText('已写入 2 行')
  const href = await exporter.getByTestId('job-file').getAttribute('href')
  const file = await page.request.get(href!)
  expect(file.status()).toBe(200)
  expect((await file.body()).length).toBeGreaterThan(1000)
})
