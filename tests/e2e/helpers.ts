// Shared steps of the browser tests. They run against a live ShopDesk whose demo shop persists
// between runs, so every value a test writes is unique to the run.
import { deflateSync } from 'node:zlib'
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test'

export const DEMO_PASSWORD = 'ShopDesk-demo-1'
export const OWNER = 'owner@demo.shop'

export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36).slice(-6)}`
}

/**
 * Texts of the e-mails and SMS the local cloud "sent" to `to` (newest last). Needs the local
 * cloud's endpoint (`SHOPDESK_AWS_ENDPOINT`, set by `python -m infra.with_system`).
 */
export async function messagesTo(request: APIRequestContext, to: string): Promise<string[]> {
  const endpoint = process.env.SHOPDESK_AWS_ENDPOINT
  if (!endpoint) throw new Error('SHOPDESK_AWS_ENDPOINT is not set: run through python -m infra.with_system')
  const data = await (await request.get(`${endpoint}/moto-api/data.json`)).json()
  const mails = (data.ses?.Message ?? []).filter((m: { destinations: { ToAddresses: string[] } }) => m.destinations.ToAddresses.includes(to))
  const sms = (data.sns?.SMS ?? []).filter((m: { phone_number: string }) => m.phone_number === to)
  return [...mails, ...sms].map((m) => JSON.stringify(m))
}

/** Signs in through the sign-in page, by clicking the demo account (fills e-mail and password). */
export async function signIn(page: Page, email = OWNER): Promise<void> {
  await page.goto('./#/sign-in')
  const role = {
    'owner@demo.shop': 'owner',
    'service@demo.shop': 'customer_service',
    'warehouse@demo.shop': 'warehouse',
    'marketing@demo.shop': 'marketing',
    'finance@demo.shop': 'finance',
  }[email]
  const demo = role ? page.getByTestId(`demo-${role}`) : null
  if (demo && (await demo.isVisible().catch(() => false))) {
    await demo.click()
  } else {
    await page.getByTestId('sign-in-email').fill(email)
    await page.getByTestId('sign-in-password').fill(DEMO_PASSWORD)
  }
  await expect(page.getByTestId('sign-in-email')).toHaveValue(email)
  await expect(page.getByTestId('sign-in-password')).toHaveValue(DEMO_PASSWORD)
  await page.getByTestId('sign-in-submit').click()
  await expect(page.getByTestId('dashboard-welcome')).toBeVisible()
}

/** True on a phone-sized screen (< 768 px), where the menu lives in a drawer. */
export async function hasDrawer(page: Page): Promise<boolean> {
  return (page.viewportSize()?.width ?? 1280) < 768
}

/** The menu item, made visible first (on a phone: opens the drawer). */
export async function menuItem(page: Page, key: string): Promise<Locator> {
  if (await hasDrawer(page)) {
    const drawer = page.getByTestId('menu-drawer')
    if (!(await drawer.isVisible())) {
      await page.getByTestId('menu-toggle').click()
      await expect(drawer).toBeVisible()
    }
    return drawer.getByTestId(`menu-${key}`)
  }
  return page.getByTestId('app-menu').getByTestId(`menu-${key}`)
}

export async function openFromMenu(page: Page, key: string): Promise<void> {
  await (await menuItem(page, key)).click()
  if (await hasDrawer(page)) await expect(page.getByTestId('menu-drawer')).toBeHidden()
}

export async function openSettingsTab(
  page: Page,
  tab: 'profile' | 'payment-methods' | 'delivery-regions' | 'business-hours' | 'delivery-fee' | 'approvals' | 'order-review' | 'order-timers',
) {
  await openFromMenu(page, 'settings')
  await expect(page).toHaveURL(/#\/settings\/profile$/)
  if (tab !== 'profile') {
    await page.locator(`#tab-settings-${tab}`).click()
    await expect(page).toHaveURL(new RegExp(`#/settings/${tab}$`))
  }
}

/** The form item (label, control, error) around a control. */
export function formItem(page: Page, control: Locator): Locator {
  return page.locator('.el-form-item').filter({ has: control }).last()
}

/** The "saved" toast of this save (not an earlier toast still on screen). */
export async function expectSavedToast(page: Page): Promise<void> {
  await expect(page.locator('.el-message--success').filter({ hasText: /已保存|Saved/ }).last()).toBeVisible()
}

/** A real PNG (solid colour, RGB) made here, so the server's content check accepts it. */
export function makePng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const row = Buffer.alloc(1 + width * 3)
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3)
  const raw = Buffer.concat(Array.from({ length: height }, () => row))
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8-bit depth, truecolour, default compression/filter/interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const byte of buf) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}
