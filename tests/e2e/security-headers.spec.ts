// The Content-Security-Policy the gateway sends (issue 9, point 11) lets the admin UI and the
// API docs do everything they do, and nothing more: no violation is reported while the main
// pages are used (an image uploaded to the bucket and shown), and a script injected from
// elsewhere is refused.
import { expect, test, type Page } from '@playwright/test'
import { DEMO_PASSWORD, OWNER, makePng, openFromMenu, unique } from './helpers'

// Generous waits: this spec is about violations, not speed, and runs on busy shared machines.
const SLOW = { timeout: 60_000 }

async function signIn(page: Page): Promise<void> {
  await page.goto('./#/sign-in')
  await page.getByTestId('sign-in-email').fill(OWNER)
  await page.getByTestId('sign-in-password').fill(DEMO_PASSWORD)
  await page.getByTestId('sign-in-submit').click()
  await expect(page.getByTestId('dashboard-welcome')).toBeVisible(SLOW)
}

async function recordViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(window as unknown as { __csp: string[] }).__csp = seen
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`))
  })
  const console: string[] = []
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) console.push(m.text())
  })
  return async () => [...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp ?? [])), ...console]
}

test('the admin UI runs under its CSP without a single violation', async ({ page }) => {
  test.slow()
  const violations = await recordViolations(page)
  const answer = await page.goto('./')
  expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'")
  expect(answer?.headers()['x-frame-options']).toBe('DENY')
  await signIn(page)
  for (const key of ['products', 'inventory', 'purchasing', 'settings']) {
    await openFromMenu(page, key)
    await page.waitForLoadState('networkidle')
  }
  // An image goes to the media bucket (another origin) and comes back as a thumbnail.
  await openFromMenu(page, 'products')
  await page.getByTestId('product-new').click()
  await page.getByTestId('product-name-input').fill(unique('CSP 商品 '))
  await page.getByTestId('sku-table').getByTestId('sku-price').locator('input').fill('9.9')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/products') && r.request().method() === 'POST')
  await page.getByTestId('product-save').click()
  const { id } = (await (await created).json()) as { id: string }
  await page.goto(`./#/products/${id}`)
  const panel = page.getByTestId('product-images')
  await panel.getByTestId('product-image-input').setInputFiles({ name: 'p.png', mimeType: 'image/png', buffer: makePng(32, 32, [1, 2, 3]) })
  const img = panel.getByTestId('product-image-img')
  await expect(img).toHaveCount(1, SLOW)
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), SLOW).toBeGreaterThan(0)
  expect(await violations()).toEqual([])

  // What the policy is for: a script from elsewhere, or inline, does not run.
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __injected?: boolean }
    const inline = document.createElement('script')
    inline.textContent = 'window.__injected = true'
    document.body.appendChild(inline)
    const remote = document.createElement('script')
    remote.src = 'https://evil.example/x.js'
    const loaded = new Promise((resolve) => {
      remote.onload = () => resolve('loaded')
      remote.onerror = () => resolve('blocked')
    })
    document.body.appendChild(remote)
    return { inline: w.__injected === true, remote: await loaded }
  })
  expect(ran).toEqual({ inline: false, remote: 'blocked' })
})

test('the API docs page renders under its CSP without a violation', async ({ page }) => {
  test.slow()
  const violations = await recordViolations(page)
  const answer = await page.goto('./api-docs/')
  expect(answer?.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
  await expect(page.locator('.opblock-tag').first()).toBeVisible(SLOW)
  await page.locator('.opblock-tag').first().click()
  await expect(page.locator('.opblock').first()).toBeVisible()
  expect(await violations()).toEqual([])
})
