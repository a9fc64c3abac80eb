// The catalog in a real browser: a product with a 2 x 3 spec matrix filled in bulk, found by a
// Chinese keyword (the search index is eventually consistent: retried), put on shelf (the public
// storefront shows it) and taken off again (it answers 404), then deleted; a category created,
// renamed and deleted; an image uploaded to a product (presigned POST, checked by the image
// function), saved and shown after a reload. The demo shop persists between runs: names are
// unique per run.
import { expect, test, type Page } from '@playwright/test'
import { makePng, openFromMenu, signIn, unique } from './helpers'

const CHARS = '零一二三四五六七八九甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬'

/** A Chinese word unique to this run (so the search finds exactly our product). */
function chineseRun(): string {
  return Array.from(unique(''), (c) => CHARS[parseInt(c, 36) % CHARS.length]).join('')
}

function productRow(page: Page, text: string) {
  return page.getByTestId('product-list').locator('.el-table__row, [data-testid="product-card"]').filter({ hasText: text })
}

async function addSpec(page: Page, name: string, values: string[]): Promise<void> {
  await page.getByTestId('spec-add').click()
  const spec = page.getByTestId('spec-row').last()
  await spec.getByTestId('spec-name').fill(name)
  const input = spec.getByTestId('spec-value-input')
  for (const value of values) {
    await input.fill(value)
    await input.press('Enter')
  }
  await expect(spec.getByTestId('spec-value')).toHaveCount(values.length)
}

test('the owner creates a product with a spec matrix, finds it, lists and delists it', async ({ page }) => {
  const word = chineseRun()
  const name = `E2E 碎花连衣裙 ${word}`
  await signIn(page)
  await openFromMenu(page, 'products')
  await expect(page.getByTestId('products-page')).toBeVisible()
  await page.getByTestId('product-new').click()
  await expect(page).toHaveURL(/#\/products\/new$/)

  await page.getByTestId('product-name-input').fill(name)
  await page.getByTestId('product-brand').fill('花间集')
  await addSpec(page, '颜色', ['红', '蓝', '白'])
  await addSpec(page, '尺码', ['S', 'M', 'L'])
  const rows = page.getByTestId('sku-table').locator('.el-table__body-wrapper tbody tr')
  await expect(rows).toHaveCount(9)
  await expect(rows.first()).toContainText('红')
  await expect(rows.first()).toContainText('S')
  await expect(rows.nth(3)).toContainText('蓝')

  // Saving without prices is stopped on the cells.
  await page.getByTestId('product-save').click()
  await expect(page.locator('.el-message--error').last()).toBeVisible()
  await expect(page.getByTestId('sku-table').locator('.el-form-item__error').first()).toBeVisible()

  await page.getByTestId('fill-price').locator('input').fill('99')
  await page.getByTestId('fill-strike').locator('input').fill('129.5')
  await page.getByTestId('fill-weight').locator('input').fill('300')
  await page.getByTestId('fill-apply').click()
  await expect(rows.nth(8).getByTestId('sku-price').locator('input')).toHaveValue('99.00')
  await expect(rows.nth(8).getByTestId('sku-strike').locator('input')).toHaveValue('129.50')

  // A value added afterwards keeps the prices already entered.
  const colour = page.getByTestId('spec-row').first()
  await colour.getByTestId('spec-value-input').fill('黑')
  await colour.getByTestId('spec-value-input').press('Enter')
  await expect(rows).toHaveCount(12)
  await expect(rows.nth(11).getByTestId('sku-price').locator('input')).toHaveValue('99.00')
  await colour.getByTestId('spec-value').filter({ hasText: '黑' }).locator('.el-tag__close').click()
  await expect(rows).toHaveCount(9)

  const created = page.waitForResponse((r) => r.url().endsWith('/api/products') && r.request().method() === 'POST')
  await page.getByTestId('product-save').click()
  const response = await created
  expect(response.status()).toBe(201)
  const product = (await response.json()) as { id: string; price_min: number; skus: { price: number; strike_price: number }[] }
  expect(product.skus).toHaveLength(9)
  expect(product.skus.every((s) => s.price === 9900 && s.strike_price === 12950)).toBe(true)
  await expect(page).toHaveURL(/#\/products$/)

  // The search index catches up a moment later: search again until it does.
  const search = page.getByTestId('product-search')
  await expect(async () => {
    await search.fill('')
    await search.fill(word)
    await expect(productRow(page, name)).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 20_000 })
  const row = productRow(page, name)
  await expect(row).toContainText('¥99.00')
  await expect(row.getByTestId('product-status')).toHaveText('已下架')
  // Stock is inventory's: a new product has none yet, so it shows out of stock.
  await expect(row.getByTestId('product-stock')).toContainText('缺货')

  const storefront = `./api/storefront/shp_demo/products/${product.id}`
  expect((await page.request.get(storefront)).status()).toBe(404)

  await row.getByTestId('product-list-now').click()
  await expect(row.getByTestId('product-status')).toHaveText('已上架')
  await expect.poll(async () => (await page.request.get(storefront)).status()).toBe(200)

  await row.getByTestId('product-delist-now').click()
  await expect(row.getByTestId('product-status')).toHaveText('已下架')
  await expect.poll(async () => (await page.request.get(storefront)).status()).toBe(404)

  // Off shelf, it can be deleted.
  await row.getByTestId('product-delete').click()
  const box = page.locator('.el-message-box')
  await box.getByRole('button', { name: '删除' }).click()
  await expect(row).toHaveCount(0)
})

test('a category is created, renamed and deleted', async ({ page }) => {
  const name = unique('E2E分类')
  const renamed = `${name}改`
  await signIn(page)
  await openFromMenu(page, 'categories')
  await expect(page.getByTestId('categories-page')).toBeVisible()

  await page.getByTestId('category-new').click()
  const dialog = page.getByTestId('category-dialog')
  await dialog.getByTestId('category-name-input').fill(name)
  await dialog.getByTestId('category-dialog-save').click()
  await expect(dialog).toBeHidden()
  const node = page.getByTestId('category-node').filter({ has: page.getByText(name, { exact: true }) })
  await expect(node).toBeVisible()
  await expect(node.getByTestId('category-count')).toHaveText('0 个商品')

  await node.getByTestId('category-actions').click()
  await page.getByTestId('category-rename').filter({ visible: true }).click()
  await dialog.getByTestId('category-name-input').fill(renamed)
  await dialog.getByTestId('category-dialog-save').click()
  await expect(dialog).toBeHidden()
  const renamedNode = page.getByTestId('category-node').filter({ has: page.getByText(renamed, { exact: true }) })
  await expect(renamedNode).toBeVisible()

  await renamedNode.getByTestId('category-actions').click()
  await page.getByTestId('category-delete').filter({ visible: true }).click()
  await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click()
  await expect(renamedNode).toHaveCount(0)
})

test('the owner adds an image to a product: uploaded, checked, saved and shown after a reload', async ({ page }) => {
  const name = unique('E2E 图片商品 ')
  await signIn(page)
  await openFromMenu(page, 'products')
  await page.getByTestId('product-new').click()
  await expect(page).toHaveURL(/#\/products\/new$/)
  // A new product has no images yet: the panel says they come after the first save.
  await expect(page.getByTestId('product-images-after-save')).toBeVisible()
  await page.getByTestId('product-name-input').fill(name)
  await page.getByTestId('sku-table').getByTestId('sku-price').locator('input').fill('19.9')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/products') && r.request().method() === 'POST')
  await page.getByTestId('product-save').click()
  const response = await created
  expect(response.status()).toBe(201)
  const { id } = (await response.json()) as { id: string }
  await expect(page).toHaveURL(/#\/products$/)

  await page.goto(`./#/products/${id}`)
  const panel = page.getByTestId('product-images')
  await expect(panel.getByTestId('product-image-choose')).toBeVisible()
  const png = makePng(64, 40, [Math.floor(Math.random() * 256), 90, 160])
  await panel.getByTestId('product-image-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png })
  // Sent to the bucket, then checked by the image function: ready within the polling window.
  const image = panel.getByTestId('product-image')
  await expect(image).toHaveCount(1, { timeout: 25_000 })
  await expect(panel.getByTestId('product-image-upload')).toHaveCount(0)
  await expect(image.getByTestId('product-image-main')).toBeVisible()

  const saved = page.waitForResponse((r) => r.url().endsWith(`/api/products/${id}`) && r.request().method() === 'PUT')
  await page.getByTestId('product-save').click()
  const put = await saved
  expect(put.status()).toBe(200)
  expect(((await put.request().postDataJSON()) as { images?: string[] }).images).toHaveLength(1)
  await expect(page).toHaveURL(/#\/products$/)

  await page.goto(`./#/products/${id}`)
  await page.reload()
  const img = page.getByTestId('product-images').getByTestId('product-image-img')
  await expect(img).toHaveCount(1)
  await expect(img).toBeVisible()
  // Really loaded from the bucket (the 200 px thumbnail, never enlarged), not a broken image.
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(64)
})

test('the product list shows each demo product with its picture, and every row action within the table', async ({ page }) => {
  await signIn(page)
  await openFromMenu(page, 'products')
  // The demo catalog's pictures are drawn at seed time and uploaded like a merchant's.
  await page.getByTestId('product-search').fill('夏季碎花连衣裙')
  const row = productRow(page, '夏季碎花连衣裙')
  const thumb = row.getByTestId('product-thumb')
  await thumb.scrollIntoViewIfNeeded()
  await expect(thumb).toBeVisible()
  await expect.poll(() => thumb.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
  // A product without an image shows the placeholder, not a broken picture.
  await expect(page.getByTestId('product-list').getByTestId('product-thumb').first()).toBeVisible()
  const broken = await page
    .getByTestId('product-list')
    .getByTestId('product-thumb')
    .evaluateAll((imgs) => imgs.filter((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 0).length)
  expect(broken).toBe(0)

  // The last action (delete) is inside the visible part of the table, not cut off on the right.
  const last = row.getByTestId('product-delete')
  await expect(last).toBeVisible()
  const button = (await last.boundingBox())!
  const list = (await page.getByTestId('product-list').boundingBox())!
  expect(button.x + button.width).toBeLessThanOrEqual(Math.min(list.x + list.width, page.viewportSize()!.width))
})
