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
