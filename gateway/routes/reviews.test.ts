// Reviewing a proposed match end to end: two HK$38 sales 4 s apart at a till whose Octopus reader sends
// no reference, and one record after both. The reconciler proposes the nearer sale; finance rejects or
// confirms it over the API or on the exception page, and the decision holds in every later run.
import t, { type Test } from 'tap'
import { drainInbox } from '../../fixtures/support/day-db.ts'
import { auth, SECRETS, testRuntime } from '../../fixtures/support/runtime.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import { csrfOf, form, signInAs } from '../../fixtures/support/web.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import type { ReconException, ReconReport } from '../../reconciler/types.ts'
import { zhHK } from '../web/messages/zh-HK.ts'
import { reconcileDay } from '../recon/run.ts'

const DATE = '2026-11-20'
const OCTOPUS = [
  'Settlement Date,Batch No,Device ID,Location ID,Transaction Date Time,Octopus No,Transaction Type,Transaction Amount,Service Fee,Net Amount,Reference No,Remarks',
  '2026-11-21,MPS.FF30.20261120230000,9A1F02,MK01,2026-11-20 12:00:10,****4821,Payment,38.00,0.57,37.43,,',
  'TOTAL,1,,,,,,38.00,0.57,37.43,,'
].join('\n')

function saleEvent (id: string, time: string): string {
  return JSON.stringify({
    id: `evt_${id}`, type: 'sale.completed', occurred_at: `${DATE}T${time}+08:00`,
    data: { sale_id: id, store_id: 'MK01', terminal_id: 'T1', receipt_no: id, refund_of: null, lines: [{ sku: 'TEA', qty: 1, unit_price: '38.00', discount: '0.00' }], tenders: [{ method: 'octopus', amount: '38.00', reference: null, provider_txn_id: null }] }
  })
}

async function proposedDay (t: Test) {
  const rt = await testRuntime(t)
  const app = rt.app!
  for (const body of [saleEvent('A', '12:00:00'), saleEvent('B', '12:00:04')]) {
    const res = await app.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], JSON.parse(body).id, body), payload: body })
    t.equal(res.statusCode, 202)
  }
  await drainInbox(rt)
  const up = await app.inject({ method: 'POST', url: '/v1/settlements?filename=octopus_20261120.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: OCTOPUS })
  t.equal(up.statusCode, 201, up.body)
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  const report = async (): Promise<ReconReport> => (await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: auth('finance') })).json()
  const post = (path: string, body: object) => app.inject({ method: 'POST', url: `/v1/reconciliations/${DATE}/${path}`, headers: auth('finance'), payload: body })
  const reviews = async (): Promise<number> => (await rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM match_reviews WHERE undone_at IS NULL')).rows[0].n
  return { rt, app, report, post, reviews }
}

const proposal = (r: ReconReport): ReconException | undefined => r.exceptions.find(e => e.code === 'PROPOSED_MATCH')

t.test('a proposed match is listed with its alternative; rejecting it pairs the record with the other sale, for good; re-opening brings it back', async t => {
  const { rt, app, report, post, reviews } = await proposedDay(t)
  const before = await report()
  const p = proposal(before)
  // 6 s against 10 s apart in a 10-minute window: (0.99 / 1.97333) × 0.99 = 0.497
  t.match(p, { sale_id: 'B', store_id: 'MK01', tender: 0, expected: 3800, actual: 3800, score: 0.497, alternatives: [{ sale_id: 'A', seconds_after_sale: 10 }] })
  t.match(before.matches, [{ sale_id: 'B', by: 'amount_time', review: 'proposed' }])
  t.match(before.stores, [{ store_id: 'MK01', verified_sales: 0, exceptions: { PROPOSED_MATCH: 1, MISSING_PAYMENT: 1 } }])
  const key = exceptionKey(p!)
  const detail = await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}/exceptions/${encodeURIComponent(key)}`, headers: auth('finance') })
  t.match(detail.json(), { state: 'open', actions: ['confirm', 'reject'], exception: { alternatives: [{ sale_id: 'A' }] } })

  const rejected = await post('reviews', { key, decision: 'rejected', reason: 'B paid by the second reader' })
  t.equal(rejected.statusCode, 200, rejected.body)
  const after = await report()
  t.same(after.matches.map(m => [m.sale_id, m.by, m.review ?? null]), [['A', 'amount_time', null]], 'the record goes to A, now uncontested')
  t.same(after.exceptions.map(e => [e.code, e.sale_id]), [['MISSING_PAYMENT', 'B']])
  const again = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  t.notOk(proposal(again.report), 'a later run remembers the rejection')
  const trail = await rt.db.query<{ action: string, reason: string }>('SELECT action, reason FROM audit_log WHERE action LIKE \'match.%\'')
  t.same(trail.rows, [{ action: 'match.reject', reason: 'B paid by the second reader' }])

  const reopened = await post('reopen', { key, reason: 'rejected in error' })
  t.equal(reopened.statusCode, 200, reopened.body)
  t.equal(await reviews(), 0)
  t.match(proposal(await report()), { sale_id: 'B', score: 0.497 }, 'the pairing is proposed again')
})

t.test('confirming a proposed match takes it and verifies its stock; a second decision is refused', async t => {
  const { report, post } = await proposedDay(t)
  const key = exceptionKey(proposal(await report())!)
  t.equal((await post('reviews', { key, decision: 'confirmed', reason: 'receipt shows B tapped' })).statusCode, 200)
  const after = await report()
  t.match(after.matches, [{ sale_id: 'B', by: 'amount_time', review: 'confirmed' }])
  t.match(after.stores, [{ store_id: 'MK01', verified_sales: 1, exceptions: { MISSING_PAYMENT: 1 } }])
  t.notOk(proposal(after))
  const twice = await post('reviews', { key, decision: 'rejected', reason: 'changed my mind' })
  t.equal(twice.statusCode, 409)
  t.match(twice.json(), { error: 'NOT_OPEN' })
})

t.test('a review of anything but a proposed match, or without a decision or reason, is refused and nothing is written', async t => {
  const { report, post, reviews } = await proposedDay(t)
  const missing = (await report()).exceptions.find(e => e.code === 'MISSING_PAYMENT')!
  const wrong = await post('reviews', { key: exceptionKey(missing), decision: 'confirmed', reason: 'looks right' })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.json(), { error: 'NOT_PROPOSED' })
  const key = exceptionKey(proposal(await report())!)
  for (const body of [{ key, decision: 'maybe', reason: 'not sure' }, { key, decision: 'confirmed' }, { key, decision: 'confirmed', reason: 'ok', extra: 1 }]) {
    t.equal((await post('reviews', body)).statusCode, 400, JSON.stringify(body))
  }
  t.equal(await reviews(), 0, 'no review was recorded')
  t.ok(proposal(await report()), 'the proposal stands')
})

t.test('on the exception page in 繁體中文: the alternatives and the confirm and reject forms; rejecting there works as over the API', async t => {
  const { rt, app, report } = await proposedDay(t)
  const s = await signInAs(app, rt.db, 'finance')
  const key = exceptionKey(proposal(await report())!)
  const page = await app.inject({ method: 'GET', url: `/days/${DATE}/exceptions/${encodeURIComponent(key)}`, headers: { cookie: `${s.cookie}; lang=zh-HK` } })
  t.equal(page.statusCode, 200)
  t.match(page.body, zhHK['code.PROPOSED_MATCH'])
  t.match(page.body, /id="alternatives"[\s\S]*<td>A #1<\/td>/)
  t.match(page.body, 'data-action="confirm"')
  t.match(page.body, 'data-action="reject"')
  t.notMatch(page.body, 'data-action="write-off"', 'a proposal is not a difference to write off')
  const done = await app.inject({ method: 'POST', url: `/days/${DATE}/actions/reject`, ...form({ key, reason: '另一部讀卡器', _csrf: csrfOf(page.body) }), headers: { ...form({}).headers, cookie: s.cookie } })
  t.equal(done.statusCode, 303)
  t.match(done.headers.location, /done=reject/)
  t.same((await report()).matches.map(m => m.sale_id), ['A'])
})

t.test('a confirmed match is listed on the day page with the hand-made links, and re-opening it there brings the proposal back', async t => {
  const { rt, app, report, post } = await proposedDay(t)
  const key = exceptionKey(proposal(await report())!)
  t.equal((await post('reviews', { key, decision: 'confirmed', reason: 'receipt shows B tapped' })).statusCode, 200)
  const s = await signInAs(app, rt.db, 'finance')
  const day = await app.inject({ method: 'GET', url: `/days/${DATE}`, headers: { cookie: `${s.cookie}; lang=en` } })
  t.match(day.body, /id="manual-links"[\s\S]*<td>B<\/td>[\s\S]*a proposed match, confirmed/)
  t.match(day.body, `name="key" value="${key}"`, 'the undo names the proposal')
  const undone = await app.inject({ method: 'POST', url: `/days/${DATE}/actions/reopen`, ...form({ key, reason: 'confirmed the wrong sale', _csrf: csrfOf(day.body) }), headers: { ...form({}).headers, cookie: s.cookie } })
  t.equal(undone.statusCode, 303)
  t.match(undone.headers.location, /done=reopen/)
  t.match(proposal(await report()), { sale_id: 'B' }, 'proposed again, for a person to decide')
})
