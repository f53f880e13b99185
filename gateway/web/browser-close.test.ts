// Closing the day in a real browser (playwright-core driving the Debian chromium): the money bridge on
// the day's page, a claim on a missing AlipayHK payout from open to sent, the bank statement uploaded on
// the bank page that credits it, the owner's month with its charts, and all of it on a phone in both
// languages (no page wider than the screen, no provider name wrapped to three lines). Screenshots go to
// test-output/screenshots/.
import t, { type Test } from 'tap'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { wechatDay, WECHAT_DAY as DATE } from '../../fixtures/support/wechat-day.ts'
import { addUser, PASSWORD } from '../../fixtures/support/web.ts'
import { reconcileDay } from '../recon/run.ts'
import { en } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const PHONE = { width: 390, height: 800 }
const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'screenshots')
const MISSING = 'PAYOUT_MISSING|||||5000000000001|'

/** The WeChat day to the bank, and AlipayHK's batch 5000000000001 (843.88, due by the 23rd) that the MT940 does not show. */
async function closingDay (t: Test) {
  const rt = await testRuntime(t)
  await wechatDay(t, rt)
  for (const name of ['2088000000000003_settle_20261121_5000000000001.csv', '2088000000000003_settlebatch_20261121.csv']) {
    const up = await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${name}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'alipayhk', name)) })
    t.equal(up.statusCode, 201)
  }
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  await rt.app!.listen({ host: '127.0.0.1', port: 0 })
  const address = rt.app!.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install the Debian package or set CHROMIUM_PATH`)
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] })
  t.teardown(() => browser.close())
  mkdirSync(SHOTS, { recursive: true })
  return { rt, base, browser, finance: await addUser(rt.db, 'finance'), owner: await addUser(rt.db, 'owner') }
}

async function signIn (page: Page, base: string, name: string, lang: 'en' | 'zh-HK'): Promise<void> {
  const m = lang === 'en' ? en : zhHK
  await page.goto(`${base}/login`)
  await page.getByLabel(m['login.username']).fill(name)
  await page.getByLabel(m['login.password']).fill(PASSWORD)
  await page.getByRole('button', { name: m['login.submit'] }).click()
  await page.waitForURL(/\/(calendar|dashboard)?$|\/calendar/)
}

t.test('finance closes the day: the bridge, a claim from open to credited by the bank statement it uploads', async t => {
  const { rt, base, browser, finance } = await closingDay(t)
  const page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage()
  await signIn(page, base, finance, 'en')
  await page.goto(`${base}/days/${DATE}`)
  // the bridge: MK01's WeChat Pay 272.40 at the tills, 212.40 settled, 60.00 missing; all stores' signed totals
  const mk01 = page.locator('#bridge tr[data-store="MK01"][data-provider="wechatpay"]')
  t.match(await mk01.textContent(), /HK\$272\.40[\s\S]*HK\$212\.40[\s\S]*-HK\$60\.00[\s\S]*Missing payment -HK\$60\.00/)
  t.match(await page.locator('#bridge tr.total').textContent(), /All stores/)
  t.match(await page.locator('#payouts tr[data-status="missing"]').textContent(), /5000000000001[\s\S]*HK\$843\.88/)
  await page.screenshot({ path: join(SHOTS, 'bridge-en.png'), fullPage: true })

  // the claim: opened on the missing payout with what it asks, then marked sent
  await page.goto(`${base}/days/${DATE}/exceptions/${encodeURIComponent(MISSING)}`)
  const open = page.locator('form[data-action="claim"]')
  t.equal(await open.locator('input[name="amount"]').inputValue(), '843.88')
  await open.getByLabel(en['claim.note']).fill('emailed AlipayHK merchant support')
  await open.getByRole('button', { name: en['action.submit'] }).click()
  await page.waitForURL(/done=claim$/)
  t.match(await page.locator('#claim').textContent(), /Claim #\d+: open/)
  const send = page.locator('form[data-move="send"]')
  await send.getByLabel(en['claim.note']).fill('case HK-2211')
  await send.getByRole('button', { name: en['action.submit'] }).click()
  await page.waitForURL(/done=claim-send$/)
  t.match(await page.locator('#claim').textContent(), /Claim #\d+: sent/)

  // the bank statement with the batch's credit, uploaded on the bank page: it credits the claim
  const file = join(t.testdir({}), 'hsbc_20261126.csv')
  writeFileSync(file, ['Account name,HK RETAIL CO LTD', 'Account number,004-123456-001', 'Currency,HKD', '', 'Date,Transaction details,Deposit amount,Withdrawal amount,Balance',
    '26/11/2026,ALIPAY PAYMENT SERVICES 5000000000001,843.88,,"15,505.48"', '25/11/2026,SERVICE CHARGE,,0.00,"14,661.60"'].join('\r\n'))
  await page.goto(`${base}/bank`)
  await page.locator('input[type="file"]').setInputFiles(file)
  await page.getByRole('button', { name: en['bank.upload'] }).click()
  await page.waitForURL(/\/bank\?done=\d+$/)
  t.match(await page.locator('#bank-imports').textContent(), /hsbc_20261126\.csv[\s\S]*Imported/)
  await page.goto(`${base}/claims?status=credited`)
  t.match(await page.locator('#claims tbody tr').textContent(), /Claim #\d+: credited[\s\S]*HK\$843\.88[\s\S]*credited by line \d+ of import \d+/)
  await page.screenshot({ path: join(SHOTS, 'claim-credited-en.png'), fullPage: true })
  // the day run again: the payout is in the bank now, nothing missing
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  await page.goto(`${base}/days/${DATE}`)
  t.equal(await page.locator('#open-exceptions tr[data-code="PAYOUT_MISSING"]').count(), 0)
  const alipay = page.locator('#payouts tbody tr', { hasText: '5000000000001' })
  t.equal(await alipay.getAttribute('data-status'), 'in_bank')
  t.match(await alipay.textContent(), /2026-11-26 · HK\$843\.88/)
})

t.test('the owner\'s month, and every closing page on a phone in both languages: within the screen, no three-line provider names', async t => {
  const { base, browser, owner } = await closingDay(t)
  const laptop = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage()
  await signIn(laptop, base, owner, 'en')
  await laptop.goto(`${base}/dashboard?month=2026-11`)
  t.equal(await laptop.locator('svg[role="img"]').count(), 3, 'the daily, tender and fee charts')
  const chart = await laptop.locator('svg[role="img"]').first().boundingBox()
  t.ok(chart && chart.width > 600, 'the daily chart spans the page')
  await laptop.screenshot({ path: join(SHOTS, 'dashboard-en.png'), fullPage: true })
  await laptop.getByRole('link', { name: en['lang.switch'] }).click()
  await laptop.waitForURL(/\/dashboard\?month=2026-11$/)
  t.equal(await laptop.locator('h1').textContent(), zhHK['month.title'].replace('{month}', '2026-11'))
  t.equal(await laptop.locator('svg[role="img"] > title').first().textContent(), zhHK['month.dailyChart'])
  await laptop.screenshot({ path: join(SHOTS, 'dashboard-zh-HK.png'), fullPage: true })

  for (const lang of ['en', 'zh-HK'] as const) {
    const page = await (await browser.newContext({ locale: lang, viewport: PHONE, isMobile: true, hasTouch: true })).newPage()
    await signIn(page, base, owner, lang)
    for (const path of [`/days/${DATE}`, '/dashboard?month=2026-11', '/claims', '/calendar?month=2026-11', '/bank', `/days/${DATE}/exceptions/${encodeURIComponent(MISSING)}`]) {
      await page.goto(`${base}${path}`)
      const width = await page.evaluate<number>('document.documentElement.scrollWidth')
      t.ok(width <= PHONE.width, `${lang} ${path}: ${width} px wide on a ${PHONE.width} px screen`)
      // the most lines a provider's name takes in the store cards, the bridge, the payouts, the fees and the exceptions
      const lines = await page.evaluate<number>(`Math.max(0, ...[...document.querySelectorAll('.card td:first-child, #bridge td:nth-child(2), #payouts td:first-child, #month-fees td:first-child, #open-exceptions td:nth-child(4)')].map(e => {
        const s = getComputedStyle(e); const lh = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2
        return Math.round((e.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)) / lh) }))`)
      t.ok(lines <= 2, `${lang} ${path}: no cell wraps to three lines (the most is ${lines})`)
    }
    await page.goto(`${base}/days/${DATE}`)
    const cell = page.locator('#bridge tr[data-store="MK01"] td.num').last()
    const box = await cell.boundingBox()
    t.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${lang}: the bridge's in-bank figure is on the screen (${JSON.stringify(box)})`)
    await page.screenshot({ path: join(SHOTS, `bridge-phone-${lang}.png`), fullPage: true })
    await page.goto(`${base}/dashboard?month=2026-11`)
    const svg = await page.locator('svg[role="img"]').first().boundingBox()
    t.ok(svg && svg.x >= 0 && svg.x + svg.width <= PHONE.width, `${lang}: the month's chart fits the phone`)
    await page.screenshot({ path: join(SHOTS, `dashboard-phone-${lang}.png`), fullPage: true })
  }
})
