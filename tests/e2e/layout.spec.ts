import { expect, test } from '@playwright/test'
import { signIn } from './helpers'

test('on a phone the menu is a drawer opened by the menu button', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'phone layout only')
  await signIn(page)
  await expect(page.getByTestId('app-menu')).toBeHidden()
  const drawer = page.getByTestId('menu-drawer')
  await expect(drawer).toBeHidden()

  await page.getByTestId('menu-toggle').click()
  await expect(drawer).toBeVisible()
  await drawer.getByTestId('menu-audit').click()
  await expect(drawer).toBeHidden()
  await expect(page).toHaveURL(/#\/audit$/)
  await expect(page.getByRole('heading', { name: '操作日志' })).toBeVisible()

  await page.getByTestId('menu-toggle').click()
  await drawer.getByTestId('menu-settings').click()
  await expect(page).toHaveURL(/#\/settings\/profile$/)
  // Forms stack to one column and nothing scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  const name = await page.getByTestId('profile-name').boundingBox()
  const phone = await page.getByTestId('profile-contact-phone').boundingBox()
  expect(phone!.y).toBeGreaterThan(name!.y)
})

test('on a desktop the menu is a sidebar', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'desktop layout only')
  await signIn(page)
  await expect(page.getByTestId('app-menu')).toBeVisible()
  await expect(page.getByTestId('menu-toggle')).toBeHidden()
  await page.getByTestId('app-menu').getByTestId('menu-audit').click()
  await expect(page).toHaveURL(/#\/audit$/)
})

test('the user menu links to the API docs, which render offline from the build', async ({ page, context, request }) => {
  // The page renders the backend's own document; check that first so a failure says whose it is.
  const spec = await request.get('./api/openapi.json')
  expect(spec.status(), await spec.text()).toBe(200)
  await signIn(page)
  await page.getByTestId('user-menu').click()
  const [docs] = await Promise.all([context.waitForEvent('page'), page.getByTestId('user-menu-api-docs').click()])
  await docs.waitForLoadState()
  await expect(docs).toHaveURL(/\/api-docs\/index\.html$/)
  // The document is built by the API on first request: generous on a busy machine (not a speed check).
  await expect(docs.locator('.swagger-ui .title')).toContainText('ShopDesk API', { timeout: 30_000 })
  // Tags start folded (init.js): every capability's tag is listed, and opening one shows its routes.
  for (const tag of ['identity', 'catalog', 'inventory', 'orders', 'payments', 'settings', 'storefront'])
    await expect(docs.locator('.opblock-tag', { hasText: new RegExp(`^${tag}`) })).toBeVisible()
  await docs.locator('.opblock-tag', { hasText: /^settings/ }).click()
  await expect(docs.locator('.opblock-summary-path', { hasText: '/settings/profile' }).first()).toBeVisible()
})

test('signing out returns to the sign-in page and protects the pages', async ({ page }) => {
  await signIn(page)
  await page.getByTestId('user-menu').click()
  await page.getByTestId('sign-out').click()
  await expect(page.getByTestId('sign-in-submit')).toBeVisible()
  await page.goto('./#/settings/profile')
  await expect(page.getByTestId('sign-in-submit')).toBeVisible()
  await expect(page).toHaveURL(/redirect=/)
})
