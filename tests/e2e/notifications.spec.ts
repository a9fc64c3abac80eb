// Notifications in a real browser: a real domain event (a staff member disabled through the
// API) reaches the owner's bell; opening it marks it read and follows its link; the list page
// filters unread and marks all read; and the notification settings are validated and saved.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { DEMO_PASSWORD, OWNER, expectSavedToast, formItem, messagesTo, openSettingsTab, signIn, unique } from './helpers'

/**
 * Disables a fresh member through the API as the demo owner: a StaffDisabled event. The member is
 * invited, sets a password from the e-mail and accepts (a pending invitation cannot be disabled).
 */
async function disableNewStaff(request: APIRequestContext, name: string): Promise<void> {
  const signin = await request.post('./api/auth/signin', { data: { email: OWNER, password: DEMO_PASSWORD } })
  expect(signin.ok()).toBeTruthy()
  const headers = { Authorization: `Bearer ${(await signin.json()).id_token}` }
  const me = await (await request.get('./api/me', { headers })).json()
  const shopId = me.current.shop_id as string
  const shop = { ...headers, 'X-Shop-Id': shopId }
  const login = `${name.toLowerCase()}@e2e.test`
  const invited = await request.post('./api/staff', {
    headers: { ...shop, 'Idempotency-Key': crypto.randomUUID() },
    data: { login, name, roles: ['marketing'] },
  })
  expect(invited.status()).toBe(201)
  const userId = (await invited.json()).staff.user_id as string

  let password = ''
  await expect(async () => {
    const found = (await messagesTo(request, login)).map((m) => /Sd[A-Za-z0-9]{10}\da/.exec(m)?.[0]).find(Boolean)
    expect(found).toBeTruthy()
    password = found!
  }).toPass({ timeout: 20_000 })
  const challenge = await (await request.post('./api/auth/signin', { data: { email: login, password } })).json()
  expect(challenge.challenge).toBe('NEW_PASSWORD_REQUIRED')
  const tokens = await request.post('./api/auth/new-password', {
    data: { email: login, session: challenge.session, new_password: `E2e-${name}-Pw9` },
  })
  expect(tokens.ok()).toBeTruthy()
  const member = { Authorization: `Bearer ${(await tokens.json()).id_token}` }
  expect((await request.post(`./api/me/invitations/${shopId}/accept`, { headers: member })).ok()).toBeTruthy()

  expect((await request.post(`./api/staff/${userId}/disable`, { headers: shop })).ok()).toBeTruthy()
}

/** The bell's drawer entry whose text names `name` (polls: the event is asynchronous). */
async function drawerEntry(page: Page, name: string) {
  const entry = page.getByTestId('notification-drawer').locator('[data-testid^="notification-"]', { hasText: name })
  await expect(async () => {
    await page.keyboard.press('Escape')
    await page.getByTestId('notification-bell').click()
    await expect(entry).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 40_000 })
  return entry
}

test.describe('notifications', () => {
  test('a disabled staff member shows in the owner\'s bell, is read on open, and all can be marked read', async ({ page, request }) => {
    const name = unique('Temp')
    await signIn(page)
    await disableNewStaff(request, name)

    const badge = page.getByTestId('notification-badge').locator('.el-badge__content')
    const entry = await drawerEntry(page, name)
    await expect(badge).toBeVisible()
    await expect(entry).toHaveAttribute('data-read', 'false')
    await expect(entry).toContainText('员工已停用')
    await entry.click()
    await expect(page).toHaveURL(/#\/staff$/) // the notification's link
    await page.getByTestId('notification-bell').click()
    await expect(page.getByTestId('notification-drawer').locator('[data-testid^="notification-"]', { hasText: name }))
      .toHaveAttribute('data-read', 'true')
    await page.getByTestId('notifications-view-all').click()

    await expect(page).toHaveURL(/#\/notifications$/)
    const list = page.getByTestId('notifications-list')
    await expect(list.locator('[data-testid^="notification-"]', { hasText: name })).toBeVisible()
    await page.getByTestId('notifications-filter-unread').click()
    await expect(list.locator('[data-testid^="notification-"]', { hasText: name })).toHaveCount(0)
    const readAll = page.getByTestId('notifications-page-read-all')
    if (await readAll.isEnabled()) {
      await readAll.click()
      await expect(page.locator('.el-message--success').last()).toBeVisible()
    }
    await expect(page.getByTestId('notifications-empty')).toBeVisible()
    await expect(badge).toBeHidden()
  })

  test('notification channels and extra recipients are validated, saved and kept', async ({ page }) => {
    await signIn(page)
    await openSettingsTab(page, 'profile')
    await page.locator('#tab-settings-notifications').click()
    await expect(page).toHaveURL(/#\/settings\/notifications$/)

    const topic = page.getByTestId('topic-staff_access')
    await expect(topic.getByTestId('topic-staff_access-in-app').getByRole('switch')).toBeChecked()
    await expect(topic.getByTestId('topic-staff_access-in-app').getByRole('switch')).toBeDisabled()
    const email = topic.getByTestId('topic-staff_access-email')
    if (!(await email.getByRole('switch').isChecked())) await email.click()
    const sms = topic.getByTestId('topic-staff_access-sms')
    const smsWas = await sms.getByRole('switch').isChecked()
    await sms.click()

    // A new extra address, first mistyped: the field says why and nothing is saved.
    const address = `${unique('buyer')}@supplier.cn`
    const inputs = topic.locator('input[data-testid^="topic-staff_access-email-"]')
    const before = await inputs.count()
    if (before >= 5) await topic.getByTestId('topic-staff_access-email-remove-0').click()
    await topic.getByTestId('topic-staff_access-email-add').click()
    const input = page.getByTestId(`topic-staff_access-email-${Math.min(before, 4)}`)
    await input.fill('buyer@')
    await page.getByTestId('notifications-save').click()
    await expect(formItem(page, input).locator('.el-form-item__error')).toContainText('邮箱')
    await input.fill(address)
    await page.getByTestId('notifications-save').click()
    await expectSavedToast(page)

    await page.reload()
    const again = page.getByTestId('topic-staff_access')
    await expect(again.getByTestId('topic-staff_access-email').getByRole('switch')).toBeChecked()
    await expect(again.getByTestId('topic-staff_access-sms').getByRole('switch')).toBeChecked({ checked: !smsWas })
    await expect(again.locator('input[data-testid^="topic-staff_access-email-"]').last()).toHaveValue(address)
  })
})
