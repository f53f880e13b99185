// A claim through the web app, as finance would file one: the missing payout's page offers the claim
// with what it would ask, the claim is opened, marked sent and marked credited by the forms (CSRF
// token in each), the day's list shows its badge, the exception ends resolved as claimed back, and a
// bad amount comes back with the page's message and nothing written.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { csrfOf, form, signInAs } from '../../fixtures/support/web.ts'
import { reconcileDay } from '../recon/run.ts'
import { en } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

const DAY = '2026-11-20'
const KEY = 'PAYOUT_MISSING|||||5000000000001|'
const hsbcCsv = (rows: string[]): string => ['Account name,HK RETAIL CO LTD', 'Account number,004-123456-001', 'Currency,HKD', '', 'Date,Transaction details,Deposit amount,Withdrawal amount,Balance', ...rows].join('\r\n')
const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, '\'').replace(/\s+/g, ' ')

t.test('a missing payout claimed from the web app: open → sent → credited, in 繁體中文 and English', async t => {
  const rt = await testRuntime(t)
  for (const name of ['2088000000000003_settle_20261121_5000000000001.csv', '2088000000000003_settlebatch_20261121.csv']) {
    await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${name}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'alipayhk', name)) })
  }
  await rt.app!.inject({ method: 'POST', url: '/v1/bank-statements?filename=hsbc.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: hsbcCsv(['24/11/2026,SERVICE CHARGE,,25.00,"9,975.00"', '23/11/2026,CASH DEPOSIT,"1,200.00",,"10,000.00"']) })
  await reconcileDay(rt, { date: DAY, trigger: 'manual', asOf: '2026-11-27' })
  const app = rt.app!
  const s = await signInAs(app, rt.db, 'finance')
  const url = `/days/${DAY}/exceptions/${encodeURIComponent(KEY)}`
  const page = async (lang = 'en'): Promise<string> => (await app.inject({ method: 'GET', url, headers: { cookie: `${s.cookie}; lang=${lang}` } })).body

  const before = await page()
  t.match(before, 'data-action="claim"')
  t.match(before, 'value="843.88"', 'the payout\'s amount is asked by default')
  t.match(before, 'value="5000000000001"', 'named by the batch id the credit will carry')

  const bad = await app.inject({ method: 'POST', url: `/days/${DAY}/actions/claim`, ...form({ _csrf: csrfOf(before), key: KEY, amount: '843.889', claim_reference: '5000000000001', reason: 'asked AlipayHK' }), headers: { ...form({}).headers, cookie: s.cookie } })
  t.equal(bad.statusCode, 303)
  t.match(text((await app.inject({ method: 'GET', url: String(bad.headers.location), headers: { cookie: `${s.cookie}; lang=en` } })).body), en['error.BAD_AMOUNT'])
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM claims')).rows[0].n, 0, 'nothing written')

  const post = async (action: string, fields: Record<string, string>, html: string) => {
    const f = form({ _csrf: csrfOf(html), ...fields })
    const res = await app.inject({ method: 'POST', url: action, payload: f.payload, headers: { ...f.headers, cookie: s.cookie } })
    t.equal(res.statusCode, 303, `${action} redirects back`)
    t.notMatch(String(res.headers.location), /error=/)
  }
  await post(`/days/${DAY}/actions/claim`, { key: KEY, amount: '843.88', claim_reference: '5000000000001', reason: 'emailed AlipayHK merchant support' }, before)
  const { rows: [c] } = await rt.db.query<{ id: number, amount: string, status: string }>('SELECT id::int, amount::text, status FROM claims')
  t.same(c, { id: c.id, amount: '84388', status: 'open' })

  const opened = await page('zh-HK')
  t.match(text(opened), `追討 #${c.id}：${zhHK['claimStatus.open']}`)
  t.match(opened, 'data-move="send"')
  await post(`/claims/${c.id}/send`, { note: 'case HK-2211' }, opened)
  const sent = await page()
  t.match(text(sent), `Claim #${c.id}: sent`)
  t.notMatch(sent, 'data-move="send"', 'a sent claim is not sent again')
  const day = text((await app.inject({ method: 'GET', url: `/days/${DAY}`, headers: { cookie: `${s.cookie}; lang=en` } })).body)
  t.match(day, `Claim #${c.id}: sent`, 'the day\'s list shows the claim under its exception')
  await post(`/claims/${c.id}/credit`, { note: 'AlipayHK paid it with the next batch' }, sent)

  const after = text(await page())
  t.match(after, `Claim #${c.id}: credited`)
  t.match(after, en['claim.resolved'], 'the exception is resolved as claimed back')
  const list = text((await app.inject({ method: 'GET', url: '/claims?status=credited', headers: { cookie: `${s.cookie}; lang=zh-HK` } })).body)
  t.match(list, new RegExp(`#${c.id} 追討 #${c.id}：已入帳 2026-11-20`))
  const { rows: trail } = await rt.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE action LIKE 'claim.%' ORDER BY id`)
  t.same(trail.map(a => a.action), ['claim.open', 'claim.send', 'claim.credit'])
})
