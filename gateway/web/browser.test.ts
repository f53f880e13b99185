// The web app in a real browser: playwright-core driving the Debian chromium package (headless). Sign
// in, open a day from the calendar, switch language, resolve an exception, download the CSV and read
// it; on a phone-sized screen no page is wider than the screen. Screenshots of the report in both
// languages (and on a phone) are saved to test-output/screenshots/.
import t, { type Test } from 'tap'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { addUser, PASSWORD } from '../../fixtures/support/web.ts'
import { reconcileDay } from '../recon/run.ts'
import { en } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

const DATE = '2026-11-20'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const PHONE = { width: 375, height: 740 }
const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'screenshots')

async function launch (): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install the Debian package (apt-get install chromium) or set CHROMIUM_PATH; .ci/run installs it`)
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] })
}

/** A reconciled day with two stores, served on a free port, and a finance user to sign in as. */
async function servedDay (t: Test): Promise<{ base: string, name: string, browser: Browser }> {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 200, seed: 5, date: DATE, anomalies: 1 }, dir)
  const rt = await testRuntime(t, { config: { stores: generatedStores(truth) } })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  await rt.app!.listen({ host: '127.0.0.1', port: 0 })
  const address = rt.app!.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const name = await addUser(rt.db, 'finance')
  const browser = await launch()
  t.teardown(() => browser.close())
  return { base, name, browser }
}

t.test('finance signs in, opens a day, switches language, writes off an exception and downloads the CSV', async t => {
  const { base, name, browser } = await servedDay(t)
  const context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true, viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const failed: string[] = []
  page.on('requestfailed', r => failed.push(r.url()))
  page.on('response', r => { if (!r.url().startsWith(base)) failed.push(`left the site: ${r.url()}`) })

  // sign in: the calendar sends us to /login and back
  await page.goto(`${base}/calendar`)
  t.match(page.url(), /\/login\?next=%2Fcalendar$/)
  await page.getByLabel(en['login.username']).fill(name)
  await page.getByLabel(en['login.password']).fill('wrong password!')
  await page.getByRole('button', { name: en['login.submit'] }).click()
  t.equal(await page.getByRole('alert').textContent(), en['login.failed'])
  await page.getByLabel(en['login.password']).fill(PASSWORD)
  await page.getByRole('button', { name: en['login.submit'] }).click()
  await page.waitForURL(`${base}/calendar`)
  t.match(await page.locator('h1').textContent(), `${en['calendar.title']} · 2026-11`)

  // open the day from the calendar
  const cell = page.locator(`a[data-day="${DATE}"][data-store="S02"]`)
  t.equal(await cell.getAttribute('data-status'), 'exceptions')
  await cell.click()
  await page.waitForURL(`${base}/days/${DATE}?store=S02`)
  t.equal(await page.locator('h1').textContent(), `${en['day.title'].replace('{date}', DATE)} · S02`)
  t.ok(await page.locator('#open-exceptions tr[data-code="AMOUNT_MISMATCH"]').count() === 1)
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, 'report-en.png'), fullPage: true })

  // switch language: the same page, every label in 繁中
  await page.getByRole('link', { name: en['lang.switch'] }).click()
  await page.waitForURL(`${base}/days/${DATE}?store=S02`)
  t.equal(await page.locator('html').getAttribute('lang'), 'zh-HK')
  t.equal(await page.locator('h1').textContent(), `${zhHK['day.title'].replace('{date}', DATE)} · S02`)
  t.match(await page.locator('#open-exceptions').textContent(), zhHK['code.AMOUNT_MISMATCH'])
  await page.screenshot({ path: join(SHOTS, 'report-zh-HK.png'), fullPage: true })

  // resolve: accept the amount mismatch as a rounding write-off
  await page.locator('#open-exceptions tr[data-code="AMOUNT_MISMATCH"] a').click()
  t.match(await page.locator('h1').textContent(), zhHK['code.AMOUNT_MISMATCH'])
  const writeOff = page.locator('form[data-action="write-off"]')
  await writeOff.locator('select[name="category"]').selectOption('rounding')
  await writeOff.getByLabel(zhHK['action.reason']).fill('收銀機進位錯誤 till rounding')
  await writeOff.getByRole('button', { name: zhHK['action.submit'] }).click()
  await page.waitForURL(/\/days\/2026-11-20\?store=S02&done=write-off$/)
  t.equal(await page.getByRole('status').textContent(), zhHK['action.done'])
  t.equal(await page.locator('#open-exceptions tr[data-code="AMOUNT_MISMATCH"]').count(), 0, 'no longer open')
  t.match(await page.locator('#resolved-exceptions').textContent(), /進位差額[\s\S]*收銀機進位錯誤 till rounding/)

  // the CSV: downloaded by the browser, UTF-8 with BOM, the resolution on its row
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: zhHK['day.exportCsv'] }).click()])
  t.equal(download.suggestedFilename(), `reconciliation-${DATE}-S02.csv`)
  const bytes = readFileSync((await download.path())!)
  t.equal(bytes.subarray(0, 3).toString('hex'), 'efbbbf', 'BOM first, so Excel reads UTF-8')
  const rows = bytes.toString('utf8').slice(1).trim().split('\r\n')
  t.match(rows[0], /^營業日 Business day,店舖 Store,類別 Type,/)
  const resolved = rows.find(r => r.includes('AMOUNT_MISMATCH'))!
  t.match(resolved, /,resolved,write_off:rounding,收銀機進位錯誤 till rounding,user:finance/)
  t.same(failed, [], 'every request stayed on our server and succeeded')
})

t.test('on a phone, every page fits the screen: wide tables scroll inside their box, the page does not', async t => {
  const { base, name, browser } = await servedDay(t)
  const context = await browser.newContext({ locale: 'zh-HK', viewport: PHONE, isMobile: true, hasTouch: true })
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.getByLabel(zhHK['login.username']).fill(name)
  await page.getByLabel(zhHK['login.password']).fill(PASSWORD)
  await page.getByRole('button', { name: zhHK['login.submit'] }).click()
  await page.waitForURL(`${base}/calendar`)
  const exception = await (async () => {
    await page.goto(`${base}/days/${DATE}?store=S02`)
    return await page.locator('#open-exceptions tr a').first().getAttribute('href')
  })()
  for (const path of ['/calendar', `/days/${DATE}`, `/days/${DATE}?store=S02`, exception!, '/stock', '/orders', '/exports']) {
    await page.goto(`${base}${path}`)
    // against the phone's width, not innerWidth: a mobile browser widens its layout viewport to fit
    // content that overflows (a string, evaluated in the page: the project compiles without the DOM library)
    const width = await page.evaluate<number>('document.documentElement.scrollWidth')
    t.ok(width <= PHONE.width, `${path}: ${width} px wide on a ${PHONE.width} px screen`)
  }
  await page.goto(`${base}/days/${DATE}?store=S02`)
  // each open exception is a card: its amount and its link are on the screen, not off to the right
  const rows = page.locator('#open-exceptions tbody tr')
  t.ok(await rows.count() > 0)
  for (let i = 0; i < await rows.count(); i++) {
    for (const cell of [rows.nth(i).locator('td.num').last(), rows.nth(i).locator('a').first()]) {
      const box = await cell.boundingBox()
      t.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `exception ${i + 1}: amount and link within the ${PHONE.width} px screen`)
    }
  }
  await page.screenshot({ path: join(SHOTS, 'report-phone-zh-HK.png'), fullPage: true })
})
