import { expect, test } from '@playwright/test'
import { hasDrawer, menuItem, signIn } from './helpers'

async function chooseLanguage(page: import('@playwright/test').Page, locale: 'en' | 'zh-CN') {
  if (await hasDrawer(page)) {
    // Close the drawer first if a previous step opened it.
    const drawer = page.getByTestId('menu-drawer')
    if (await drawer.isVisible()) await page.keyboard.press('Escape')
    await expect(drawer).toBeHidden()
  }
  await page.getByTestId('user-menu').click()
  await page.getByTestId(`user-menu-language-${locale}`).click()
}

test('the language switch changes the menu and is remembered after a reload', async ({ page }) => {
  await signIn(page)
  await expect(await menuItem(page, 'settings')).toHaveText('店铺设置')

  await chooseLanguage(page, 'en')
  await expect(await menuItem(page, 'settings')).toHaveText('Shop settings')
  await expect(await menuItem(page, 'audit')).toHaveText('Audit log')

  await page.reload()
  await expect(await menuItem(page, 'settings')).toHaveText('Shop settings')
  await expect(page.getByTestId('dashboard-welcome')).toContainText('Hello')
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')

  await chooseLanguage(page, 'zh-CN')
  await expect(await menuItem(page, 'settings')).toHaveText('店铺设置')
  await page.reload()
  await expect(page.getByTestId('dashboard-welcome')).toContainText('你好')
})

test('server errors come back in the chosen language', async ({ page }) => {
  await page.goto('./#/sign-in')
  await page.getByTestId('language-en').click()
  await expect(page.getByRole('heading', { name: 'Sign in to ShopDesk' })).toBeVisible()
  await page.getByTestId('sign-in-email').fill('owner@demo.shop')
  await page.getByTestId('sign-in-password').fill('wrong-password-1')
  await page.getByTestId('sign-in-submit').click()
  await expect(page.getByTestId('sign-in-error')).toContainText('Wrong e-mail or password')
})
