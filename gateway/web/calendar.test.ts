// The calendar is a month of weeks, Monday first, in the page's language. Records no store could be
// given are not hidden: the calendar of those who see every store has a line for them each day,
// linking to the all-stores report; a store manager's does not.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { signInAs } from '../../fixtures/support/web.ts'
import { reconcileDay } from '../recon/run.ts'

t.test('unassigned exceptions have their own calendar column for the owner and finance, linking to the all-stores day', async t => {
  const rt = await testRuntime(t)
  // a WeChat Pay bill and no sales at all: six records that no sale claims and nothing attributes
  const upload = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=bill.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'wechatpay/1900000109_all_20261120.csv')) })
  t.equal(upload.statusCode, 201)
  await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  const owner = await signInAs(rt.app!, rt.db, 'owner')
  const page = (cookie: string) => rt.app!.inject({ method: 'GET', url: '/calendar?month=2026-11', headers: { cookie: `${cookie}; lang=zh-HK` } })
  const cal = (await page(owner.cookie)).body
  t.match(cal, /<a href="\/days\/2026-11-20" data-day="2026-11-20" data-store="UNASSIGNED" data-status="exceptions"[^>]*>\s*<span class="status exceptions">未歸屬店舖<\/span>/, 'a line of its own, named in the page\'s language, linking to the all-stores report')
  const manager = await signInAs(rt.app!, rt.db, 'store_manager', ['MK01'])
  t.notMatch((await page(manager.cookie)).body, 'data-store="UNASSIGNED"', 'a store manager sees their stores only')
})

t.test('a store with nothing on a reconciled day is shown balanced with nothing to reconcile, not as not reconciled', async t => {
  const rt = await testRuntime(t)
  // the configured stores include MK01 and TST1; the day's only data is a WeChat Pay bill of MK01 and CWB1
  await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=bill.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'wechatpay/1900000109_all_20261120.csv')) })
  await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  const owner = await signInAs(rt.app!, rt.db, 'owner')
  const cal = (await rt.app!.inject({ method: 'GET', url: '/calendar?month=2026-11', headers: { cookie: `${owner.cookie}; lang=en` } })).body
  const cell = (day: string, store: string) => new RegExp(`data-day="${day}" data-store="${store}" data-status="([a-z]+)"[^>]*>[\\s\\S]*?</a>`).exec(cal)
  const stores = [...cal.matchAll(/data-day="2026-11-20" data-store="([A-Z0-9]+)"/g)].map(m => m[1]).filter(s => s !== 'UNASSIGNED')
  t.ok(stores.length > 0)
  for (const store of stores) t.not(cell('2026-11-20', store)?.[1], 'none', `${store} on the reconciled day is not shown as not reconciled`)
  t.equal(cell('2026-11-19', stores[0])?.[1], 'none', 'a day never reconciled still says so')
})

t.test('a month of weeks, Monday first: November 2026 starts on a Sunday, so its first week is six empty days and the 1st', async t => {
  const rt = await testRuntime(t)
  const owner = await signInAs(rt.app!, rt.db, 'owner')
  const cal = (await rt.app!.inject({ method: 'GET', url: '/calendar?month=2026-11', headers: { cookie: `${owner.cookie}; lang=zh-HK` } })).body
  t.match(cal, /<thead><tr><th scope="col">星期一<\/th><th scope="col">星期二<\/th>[\s\S]*<th scope="col">星期日<\/th><\/tr><\/thead>/)
  const firstWeek = /<tbody><tr>([\s\S]*?)<\/tr>/.exec(cal)![1]
  t.equal((firstWeek.match(/class="outside"/g) ?? []).length, 6)
  t.match(firstWeek, /<td class="day" data-label="星期日"><a class="date" href="\/days\/2026-11-01">1<\/a>/)
  // 30 November is a Monday: the last week has the 30th and six empty days
  t.match(cal, /data-label="星期一"><a class="date" href="\/days\/2026-11-30">30<\/a>[\s\S]*?(<td class="outside"><\/td>){6}<\/tr><\/tbody>/)
})
