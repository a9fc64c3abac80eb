// Identity and access in a real browser: what a role sees, a custom role made in the matrix
// editor, an invitation accepted after the member's first sign-in (the first password only in
// their e-mail), the refresh token only in an HttpOnly cookie, disabling, the audit log's filters
// and export, "forgot password" by a code, and the staff list on a phone. The demo shop persists between runs: names are unique per run.
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test'
import { expectSavedToast, formItem, hasDrawer, menuItem, messagesTo, openFromMenu, signIn, unique } from './helpers'

/** The menu keys a user sees, in order (on a phone: inside the drawer). */
async function visibleMenuKeys(page: Page): Promise<string[]> {
  await menuItem(page, 'dashboard') // opens the drawer on a phone
  const menu = (await hasDrawer(page)) ? page.getByTestId('menu-drawer') : page.getByTestId('app-menu')
  const ids = await menu.locator('[data-testid^="menu-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!))
  if (await hasDrawer(page)) {
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('menu-drawer')).toBeHidden()
  }
  return ids.map((id) => id.slice('menu-'.length))
}

/** Picks an option of the Element Plus select whose trigger is `select`. */
async function choose(page: Page, select: ReturnType<Page['getByTestId']>, text: string): Promise<void> {
  await select.click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

function staffRow(page: Page, text: string) {
  return page.getByTestId('staff-list').locator('.el-table__row, [data-testid="staff-card"]').filter({ hasText: text })
}

/** Answers the confirmation box (the one that has this button). */
async function confirmBox(page: Page, button: string): Promise<void> {
  const box = page.locator('.el-message-box').filter({ has: page.getByRole('button', { name: button }) })
  await expect(box).toBeVisible()
  await box.getByRole('button', { name: button }).click()
  await expect(box).toBeHidden()
}

async function freshPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({ ...testInfo.project.use, baseURL: testInfo.project.use.baseURL })
  return context.newPage()
}

test('customer service sees neither finance nor staff and roles, and their links show the 403 page', async ({ page }) => {
  await signIn(page, 'service@demo.shop')
  const keys = await visibleMenuKeys(page)
  expect(keys).toContain('orders') // the menu is there, just without these:
  for (const hidden of ['finance', 'staff', 'roles', 'audit']) expect(keys, hidden).not.toContain(hidden)
  for (const hidden of ['finance', 'staff', 'roles']) await expect(page.getByTestId(`dashboard-card-${hidden}`)).toHaveCount(0)

  for (const path of ['finance', 'staff', 'roles', 'roles/new']) {
    await page.goto(`./#/${path}`)
    await expect(page.getByTestId('forbidden-page'), path).toBeVisible()
    await expect(page).toHaveURL(/#\/403/)
  }
})

test.describe.serial('a custom role for a new member', () => {
  const run = unique('')
  const roleZh = `E2E 查看设置与日志 ${run}`
  const roleEn = `E2E settings and audit ${run}`
  const memberName = `E2E 员工 ${run}`
  let email = ''
  let password = ''

  test.beforeAll(({}, testInfo) => {
    email = `e2e-${run}-${testInfo.project.name}@demo.test`
  })

  test('the owner makes the role in the matrix editor and invites the member with it', async ({ page, request }) => {
    test.slow() // two invitations, and the e-mail is read back from the local cloud
    await signIn(page)
    await openFromMenu(page, 'roles')
    await expect(page.getByTestId('roles-page')).toBeVisible()
    await page.getByTestId('role-new').click()
    await expect(page).toHaveURL(/#\/roles\/new$/)
    await page.getByTestId('role-name-zh').fill(roleZh)
    await page.getByTestId('role-name-en').fill(roleEn)

    // A row's box fills it, a second click clears it; then two single boxes.
    const matrix = page.getByTestId('permission-matrix')
    await matrix.getByTestId('perm-row-orders').click()
    await expect(matrix.getByTestId('perm-orders.refund').locator('input')).toBeChecked()
    await matrix.getByTestId('perm-row-orders').click()
    await expect(matrix.getByTestId('perm-orders.view').locator('input')).not.toBeChecked()
    await matrix.getByTestId('perm-settings.view').click()
    await matrix.getByTestId('perm-audit.view').click()
    await expect(matrix.getByTestId('perm-count')).toContainText('已选 2 /')
    await page.getByTestId('role-save').click()

    await expect(page).toHaveURL(/#\/roles$/)
    const card = page.getByTestId('role-card').filter({ hasText: roleZh })
    await expect(card).toBeVisible()
    await expect(card).toContainText('2 项权限')
    await expect(card).toContainText('0 名员工')

    await openFromMenu(page, 'staff')
    await page.getByTestId('staff-invite').click()
    const dialog = page.getByTestId('staff-dialog')
    await expect(dialog).toBeVisible()
    // Client rules first: nothing is sent with a bad login and no role.
    await dialog.getByTestId('staff-login').fill('not-a-login')
    await page.getByTestId('staff-dialog-save').click()
    await expect(dialog.locator('.el-form-item__error').first()).toContainText('邮箱')
    await expect(dialog).toContainText('请至少选择一个角色')

    await dialog.getByTestId('staff-login').fill(email)
    await dialog.getByTestId('staff-name').fill(memberName)
    await choose(page, dialog.getByTestId('staff-roles'), roleZh)
    await dialog.locator('.el-dialog__title').click() // closes the option list
    await page.getByTestId('staff-dialog-save').click()

    // No password on the screen: the first one goes only to the person.
    const sent = page.locator('.el-message-box').filter({ hasText: '邀请已发送' })
    await expect(sent).toContainText(email)
    await expect(page.locator('body')).not.toContainText('临时密码')
    await sent.getByRole('button', { name: '确定' }).click()
    await expect(sent).toBeHidden()
    await expect(async () => {
      const found = (await messagesTo(request, email)).map((m) => /Sd[A-Za-z0-9]{10}\da/.exec(m)?.[0]).find(Boolean)
      expect(found).toBeTruthy()
      password = found!
    }).toPass({ timeout: 20_000 })

    const row = staffRow(page, email)
    await expect(row).toBeVisible()
    await expect(row).toContainText(roleZh)
    await expect(row.getByTestId('staff-invited-tag')).toBeVisible()

    // Inviting the same login again is refused on the login field.
    await page.getByTestId('staff-invite').click()
    await dialog.getByTestId('staff-login').fill(email)
    await dialog.getByTestId('staff-name').fill(memberName)
    await choose(page, dialog.getByTestId('staff-roles'), roleZh)
    await dialog.locator('.el-dialog__title').click()
    await page.getByTestId('staff-dialog-save').click()
    await expect(dialog.locator('.el-form-item__error').first()).toContainText('已是本店铺的员工')
    await dialog.getByRole('button', { name: '取消' }).click()
  })

  test('the member signs in with the password from their e-mail, accepts the invitation and sees only what the role grants', async ({ browser }, testInfo) => {
    expect(password, 'set by the previous test').not.toBe('')
    const page = await freshPage(browser, testInfo)
    await page.goto('./#/sign-in')
    await page.getByTestId('sign-in-email').fill(email)
    await page.getByTestId('sign-in-password').fill(password)
    await page.getByTestId('sign-in-submit').click()
    await expect(page).toHaveURL(/#\/new-password/)
    password = `E2e-${run}-Pw9`
    await page.getByTestId('new-password').fill(password)
    await page.getByTestId('new-password-confirm').fill(password)
    await page.getByTestId('new-password-submit').click()
    await expect(page.getByTestId('dashboard-welcome')).toBeVisible()

    // The refresh token is an HttpOnly, Secure, SameSite=Strict cookie page scripts cannot read.
    const cookie = (await page.context().cookies()).find((c) => c.name === 'shopdesk_refresh')
    expect(cookie && { httpOnly: cookie.httpOnly, secure: cookie.secure, sameSite: cookie.sameSite, path: cookie.path }).toEqual({
      httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/auth',
    })
    expect(await page.evaluate(() => document.cookie)).not.toContain('shopdesk_refresh')
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(cookie!.value)

    // Nothing opens before the invitation is accepted.
    await expect.poll(() => visibleMenuKeys(page), { timeout: 15_000 }).toEqual(['dashboard'])
    const invitation = page.getByTestId('invitation')
    await expect(invitation).toHaveCount(1)
    await invitation.getByTestId('invitation-accept').click()
    await expect(page.getByTestId('invitations')).toHaveCount(0)
    await expect(page.getByTestId('dashboard-welcome')).toContainText(memberName)

    await expect.poll(() => visibleMenuKeys(page), { timeout: 15_000 }).toEqual(['dashboard', 'settings', 'audit'])
    await expect(page.locator('[data-testid^="dashboard-card-"]')).toHaveCount(2)
    await expect(page.getByTestId('dashboard-card-settings')).toBeVisible()
    await expect(page.getByTestId('dashboard-card-audit')).toBeVisible()

    await openFromMenu(page, 'settings')
    await expect(page.getByTestId('profile-name')).toBeDisabled() // view only
    await page.goto('./#/staff')
    await expect(page.getByTestId('forbidden-page')).toBeVisible()

    // Their own profile: a wrong current password is an error on that field, not a sign-out.
    await page.goto('./#/account')
    await page.getByTestId('account-old-password').fill('Wrong-password-1')
    await page.getByTestId('account-new-password').fill('Short')
    await page.getByTestId('account-password-save').click()
    await expect(formItem(page, page.getByTestId('account-new-password')).locator('.el-form-item__error')).toContainText('至少 8 位')
    const newer = `${password}x`
    await page.getByTestId('account-new-password').fill(newer)
    await page.getByTestId('account-confirm-password').fill(newer)
    await page.getByTestId('account-password-save').click()
    await expect(formItem(page, page.getByTestId('account-old-password')).locator('.el-form-item__error')).toContainText('与当前密码不符')
    await expect(page.getByTestId('account-page')).toBeVisible()

    await page.getByTestId('account-old-password').fill(password)
    await page.getByTestId('account-password-save').click()
    await expect(page.locator('.el-message--success').last()).toContainText('密码已修改')
    password = newer

    await page.getByTestId('account-phone').fill('13800138000')
    await page.getByTestId('account-name').fill(`${memberName}!`)
    await page.getByTestId('account-save').click()
    // This save's toast, not the password change's still on screen: reloading earlier loses the save.
    await expectSavedToast(page)
    await page.reload()
    await expect(page.getByTestId('account-name')).toHaveValue(`${memberName}!`)
    await expect(page.getByTestId('account-phone')).toHaveValue('13800138000')
    await page.context().close()
  })

  test('a role in use cannot be deleted, and a change to it reaches its member at once', async ({ page, browser }, testInfo) => {
    await signIn(page)
    await openFromMenu(page, 'roles')
    const card = page.getByTestId('role-card').filter({ hasText: roleZh })
    await expect(card).toContainText('1 名员工')
    await card.getByTestId('role-delete').click()
    await confirmBox(page, '删除')
    const inUse = page.locator('.el-message-box').filter({ hasText: '角色仍在使用' })
    await expect(inUse).toContainText('仍有 1 名员工使用该角色')
    await inUse.getByRole('button', { name: '确定' }).click()
    await expect(inUse).toBeHidden()
    await expect(card).toBeVisible()

    await card.getByTestId('role-open').click()
    await expect(page.getByTestId('role-name-zh')).toHaveValue(roleZh)
    await page.getByTestId('perm-orders.view').click()
    await page.getByTestId('role-save').click()
    await expect(page).toHaveURL(/#\/roles$/)
    await expect(card).toContainText('3 项权限')

    const member = await freshPage(browser, testInfo)
    await member.goto('./#/sign-in')
    await member.getByTestId('sign-in-email').fill(email)
    await member.getByTestId('sign-in-password').fill(password)
    await member.getByTestId('sign-in-submit').click()
    await expect(member.getByTestId('dashboard-welcome')).toBeVisible()
    await expect.poll(() => visibleMenuKeys(member), { timeout: 15_000 }).toEqual(['dashboard', 'orders', 'settings', 'audit'])
    await member.context().close()
  })

  test('the owner disables the member, who loses access, and enables them again', async ({ page, browser }, testInfo) => {
    await signIn(page)
    await openFromMenu(page, 'staff')
    await page.getByTestId('staff-search').fill(email)
    const row = staffRow(page, email)
    await expect(row).toHaveCount(1)
    await row.getByTestId('staff-disable').click()
    await confirmBox(page, '停用')
    await expect(row.getByTestId('staff-disabled-tag')).toBeVisible()
    await expect(row.getByTestId('staff-enable')).toBeVisible()

    // Their next sign-in finds no shop of theirs.
    const member = await freshPage(browser, testInfo)
    await member.goto('./#/sign-in')
    await member.getByTestId('sign-in-email').fill(email)
    await member.getByTestId('sign-in-password').fill(password)
    await member.getByTestId('sign-in-submit').click()
    await expect(member.getByTestId('dashboard-welcome')).toBeVisible()
    await expect.poll(() => visibleMenuKeys(member), { timeout: 15_000 }).toEqual(['dashboard'])

    await row.getByTestId('staff-enable').click()
    await expect(row.getByTestId('staff-disabled-tag')).toHaveCount(0)
    await expect(row.getByTestId('staff-disable')).toBeVisible()
    await page.reload()
    await expect(staffRow(page, email)).toBeVisible()
    await expect(staffRow(page, email).getByTestId('staff-disabled-tag')).toHaveCount(0)

    await member.reload()
    await expect.poll(() => visibleMenuKeys(member), { timeout: 15_000 }).toEqual(['dashboard', 'orders', 'settings', 'audit'])

    // They open a shop of their own: they own it, are switched to it and see everything there.
    const shop = `E2E 新店 ${run}`
    await member.getByTestId('user-menu').click()
    await member.getByTestId('user-menu-new-shop').click()
    await member.getByTestId('new-shop-name').fill(shop)
    await member.getByTestId('new-shop-create').click()
    await expect(member.getByTestId('header-shop-name')).toHaveText(shop)
    const keys = await visibleMenuKeys(member)
    expect(keys).toContain('staff')
    expect(keys).toContain('roles')
    await member.context().close()
  })

  test('the audit log filtered to staff shows the invitation, and exports it as CSV', async ({ page, request }) => {
    await signIn(page)
    await openFromMenu(page, 'audit')
    await expect(page.getByTestId('audit-log')).toBeVisible()
    // On a phone the filters start folded away.
    if (!(await page.getByTestId('audit-filter-resource').isVisible())) await page.getByTestId('audit-filters-toggle').click()
    await choose(page, page.getByTestId('audit-filter-resource'), '员工')
    await expect(page).toHaveURL(/resource=staff/)
    const log = page.getByTestId('audit-log')
    // Entries are written by an event consumer: give it a moment.
    await expect(async () => {
      await page.reload()
      await expect(log).toContainText(email, { timeout: 2_000 })
    }).toPass({ timeout: 30_000 })
    await expect(log).toContainText('邀请了员工')
    await expect(log).toContainText('接受了邀请')
    await expect(log).toContainText('停用了员工')
    await expect(log).toContainText(roleZh) // the role code is shown by its name
    await expect(log).not.toContainText('新建了角色') // other resources are filtered out
    await expect(log).not.toContainText('修改了店铺资料')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      (async () => {
        await page.getByTestId('audit-export').click()
        await page.getByTestId('audit-export-csv').click()
      })(),
    ])
    expect(download.suggestedFilename()).toMatch(/\.csv$/)
    const link = page.getByTestId('audit-export-link')
    await expect(page.getByTestId('audit-export-done')).toContainText('已导出')
    const href = await link.getAttribute('href')
    expect(href).toMatch(/^https?:\/\//)
    const csv = await request.get(href!)
    expect(csv.status()).toBe(200)
    const text = await csv.text()
    expect(text).toContain('staff.invited')
    expect(text).toContain(email)
    expect(text).not.toContain('settings.profile.modified')
  })

  test('the member forgets their password, sets a new one with the code sent to them, and signs out', async ({ page, request }) => {
    await page.goto('./#/sign-in')
    await page.getByTestId('sign-in-email').fill(email)
    await page.getByTestId('sign-in-forgot').click()
    await expect(page.getByTestId('forgot-login')).toHaveValue(email)
    const before = (await messagesTo(request, email)).length
    await page.getByTestId('forgot-send').click()
    await expect(page.getByTestId('forgot-code-sent')).toContainText(email)
    let code = ''
    await expect(async () => {
      const all = await messagesTo(request, email)
      expect(all.length).toBeGreaterThan(before)
      code = /(?<!\d)(\d{6})(?!\d)/.exec(all[all.length - 1])![1]
    }).toPass({ timeout: 20_000 })
    password = `E2e-${run}-Rs7`
    await page.getByTestId('forgot-code').fill(code)
    await page.getByTestId('forgot-password').fill(password)
    await page.getByTestId('forgot-confirm').fill(password)
    await page.getByTestId('forgot-submit').click()
    await expect(page).toHaveURL(/#\/sign-in/)
    await page.getByTestId('sign-in-email').fill(email)
    await page.getByTestId('sign-in-password').fill(password)
    await page.getByTestId('sign-in-submit').click()
    await expect(page.getByTestId('dashboard-welcome')).toBeVisible()

    // Signing out revokes the session on the server: the cookie is gone and cannot come back.
    await page.getByTestId('user-menu').click()
    await page.getByTestId('sign-out').click()
    await expect(page).toHaveURL(/#\/sign-in/)
    expect((await page.context().cookies()).find((c) => c.name === 'shopdesk_refresh')).toBeUndefined()
  })
})

test('on a phone the staff list is reached through the drawer and can be searched', async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'phone layout only')
  await signIn(page)
  await page.getByTestId('menu-toggle').click()
  const drawer = page.getByTestId('menu-drawer')
  await expect(drawer.getByTestId('menu-roles')).toBeVisible()
  await drawer.getByTestId('menu-staff').click()
  await expect(drawer).toBeHidden()
  await expect(page).toHaveURL(/#\/staff/)

  const cards = page.getByTestId('staff-card')
  await expect(cards.filter({ hasText: 'service@demo.shop' })).toBeVisible()
  await page.getByTestId('staff-search').fill('service@')
  await expect(cards).toHaveCount(1)
  await expect(cards.first()).toContainText('客服')
  await expect(cards.first().getByTestId('staff-edit')).toBeVisible()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)

  // The invite dialog fits the screen.
  await page.getByTestId('staff-invite').click()
  const box = await page.locator('.el-dialog:visible').boundingBox()
  expect(box!.width).toBeLessThanOrEqual(390)
  await page.getByRole('button', { name: '取消' }).click()
})
