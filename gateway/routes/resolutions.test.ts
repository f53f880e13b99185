import t, { type Test } from 'tap'
import { join } from 'node:path'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { auth, KEYS, testRuntime } from '../../fixtures/support/runtime.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import type { ReconException, ReconReport } from '../../reconciler/types.ts'
import { reconcileDay } from '../recon/run.ts'

const DATE = '2026-11-20'

/** A generated day with one anomaly of each code, reconciled as of a week later (everything due). */
async function reconciledDay (t: Test) {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 300, seed: 5, date: DATE, anomalies: 1 }, dir)
  const rt = await testRuntime(t, { config: { stores: generatedStores(truth), apiKeys: [{ role: 'finance', key: KEYS.finance, stores: null }, { role: 'store_manager', key: KEYS.manager, stores: ['S01'] }, { role: 'auditor', key: KEYS.auditor, stores: null }] } })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  const app = rt.app!
  const report = async (): Promise<ReconReport> => (await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: auth('finance') })).json()
  const post = (path: string, body: object, role: 'finance' | 'manager' | 'auditor' = 'finance') => app.inject({ method: 'POST', url: `/v1/reconciliations/${DATE}/${path}`, headers: auth(role), payload: body })
  const count = async (table: string): Promise<number> => (await rt.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
  return { rt, app, report, post, count }
}

const find = (r: ReconReport, code: string, pred: (e: ReconException) => boolean = () => true): ReconException => {
  const e = r.exceptions.find(x => x.code === code && pred(x))
  if (!e) throw new Error(`no open ${code}`)
  return e
}

t.test('link by hand, write off the difference, re-open both: each changes the report at once and lands in the audit trail', async t => {
  const { rt, report, post } = await reconciledDay(t)
  const before = await report()
  const missing = find(before, 'MISSING_PAYMENT', e => e.provider === 'octopus')
  const ghost = find(before, 'UNEXPECTED_PAYMENT', e => e.provider === 'octopus')

  const detail = await rt.app!.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}/exceptions/${encodeURIComponent(exceptionKey(missing))}`, headers: auth('finance') })
  t.equal(detail.statusCode, 200)
  t.match(detail.json(), { state: 'open', sale: { sale_id: missing.sale_id, tenders: Array }, actions: ['link', 'write_off', 'void'] })
  t.ok(detail.json().candidates.some((c: { id: string, score: number }) => c.id === ghost.payment_id && c.score > 0), 'the unexplained payment is a scored candidate')

  const linked = await post('links', { sale_id: missing.sale_id, store_id: missing.store_id, tender: missing.tender, payment_id: ghost.payment_id, reason: 'customer tapped on the next till' })
  t.equal(linked.statusCode, 200, linked.body)
  t.match(linked.json(), { business_date: DATE, outcome: 'changed', stores: Array })
  const afterLink = await report()
  t.notOk(afterLink.exceptions.some(e => exceptionKey(e) === exceptionKey(missing) || exceptionKey(e) === exceptionKey(ghost)), 'both exceptions are gone')
  t.match(afterLink.matches.find(m => m.sale_id === missing.sale_id), { by: 'manual', payment_id: ghost.payment_id })
  const mismatch = find(afterLink, 'AMOUNT_MISMATCH', e => e.sale_id === missing.sale_id)
  t.match(mismatch, { expected: missing.expected, actual: ghost.actual })

  const off = await post('write-offs', { key: exceptionKey(mismatch), category: 'goodwill', reason: 'customer paid the old price' })
  t.equal(off.statusCode, 200, off.body)
  const afterOff = await report()
  t.notOk(afterOff.exceptions.some(e => exceptionKey(e) === exceptionKey(mismatch)))
  t.match(afterOff.resolved, [{ code: 'AMOUNT_MISMATCH', sale_id: missing.sale_id, resolution: { category: 'goodwill', reason: 'customer paid the old price', actor: 'key:finance' } }])
  const store = afterOff.stores.find(s => s.store_id === missing.store_id)!
  t.equal(store.resolved.AMOUNT_MISMATCH, 1)
  const cal = (await rt.app!.inject({ method: 'GET', url: `/v1/reconciliations?from=${DATE}&to=${DATE}&store=${missing.store_id}`, headers: auth('finance') })).json()
  t.same(cal.items[0].resolved, { AMOUNT_MISMATCH: 1 }, 'the calendar counts it as resolved')

  t.equal((await post('reopen', { key: exceptionKey(mismatch), reason: 'wrong category' })).statusCode, 200)
  t.ok((await report()).exceptions.some(e => exceptionKey(e) === exceptionKey(mismatch)), 'the write-off is undone')
  t.equal((await post('reopen', { payment_id: ghost.payment_id, reason: 'linked the wrong sale' })).statusCode, 200)
  const last = await report()
  t.ok(last.exceptions.some(e => exceptionKey(e) === exceptionKey(missing)) && last.exceptions.some(e => exceptionKey(e) === exceptionKey(ghost)), 'the link is undone')

  const trail = (await rt.app!.inject({ method: 'GET', url: `/v1/audit?target=day:${DATE}`, headers: auth('finance') })).json().items
  t.same(trail.map((a: { action: string }) => a.action), ['payment.unlink', 'exception.reopen', 'exception.write_off', 'payment.link'])
  t.ok(trail.every((a: { actor: string, reason: string }) => a.actor === 'key:finance' && a.reason.length > 3))
})

t.test('mark a sale voided: compensating movements are posted and forwarded, the missing payment is no longer expected', async t => {
  const { rt, report, post, count } = await reconciledDay(t)
  const missing = find(await report(), 'MISSING_PAYMENT')
  const outbox = await count('outbox')
  const res = await post('voids', { sale_id: missing.sale_id, store_id: missing.store_id, reason: 'customer walked out before paying' })
  t.equal(res.statusCode, 200, res.body)
  t.notOk((await report()).exceptions.some(e => e.sale_id === missing.sale_id && e.code === 'MISSING_PAYMENT'))
  const { rows } = await rt.db.query<{ qty: number, actor: string }>(`SELECT qty::float8 AS qty, actor FROM stock_movements WHERE reason = 'void' AND source_id LIKE '%:' || $1`, [missing.sale_id])
  const { rows: sold } = await rt.db.query<{ qty: number }>(`SELECT qty::float8 AS qty FROM stock_movements WHERE reason = 'sale' AND source_id LIKE '%:' || $1`, [missing.sale_id])
  t.ok(rows.length > 0 && rows.length === sold.length, 'one compensating movement per sale movement')
  t.same(rows.map(r => r.qty).sort(), sold.map(r => -r.qty).sort())
  t.ok(rows.every(r => r.actor === 'key:finance'))
  t.ok(await count('outbox') > outbox, 'the compensating movements are queued for the ledger and sinks')
  const again = await post('voids', { sale_id: missing.sale_id, store_id: missing.store_id, reason: 'again' })
  t.match(again, { statusCode: 409 })
  t.equal(again.json().error, 'SALE_VOIDED')
})

t.test('bad requests are refused with a clear error and write nothing', async t => {
  const { app, report, post, count } = await reconciledDay(t)
  const r = await report()
  const missing = find(r, 'MISSING_PAYMENT')
  const ghost = find(r, 'UNEXPECTED_PAYMENT')
  const pending = r.exceptions.find(e => e.code === 'PENDING_SETTLEMENT')
  const before = { audit: await count('audit_log'), links: await count('manual_links'), offs: await count('exception_resolutions'), voids: await count('sale_voids') }
  const link = { sale_id: missing.sale_id, store_id: missing.store_id, tender: missing.tender, payment_id: ghost.payment_id }
  t.match((await post('links', link)).json(), { error: 'BAD_REQUEST', message: /reason/ })
  t.equal((await post('links', { ...link, reason: 'x' })).statusCode, 400, 'a reason has at least 3 characters')
  t.match((await post('links', { ...link, payment_id: '999999', reason: 'typo' })).json(), { error: 'NOT_FOUND', message: /no payment record 999999/ })
  t.match((await post('links', { ...link, sale_id: 'NOPE', reason: 'typo' })).json(), { error: 'NOT_FOUND', message: /no sale NOPE/ })
  t.match((await post('links', { ...link, tender: 9, reason: 'typo' })).json(), { error: 'NOT_FOUND', message: /no tender 9/ })
  t.match((await post('write-offs', { key: 'MISSING_PAYMENT|S01|NOPE||||', category: 'fee', reason: 'typo' })).json(), { error: 'NOT_OPEN' })
  t.equal((await post('write-offs', { key: exceptionKey(missing), category: 'bribe', reason: 'no' })).statusCode, 400)
  if (pending) t.match((await post('write-offs', { key: exceptionKey(pending), category: 'fee', reason: 'not due' })).json(), { error: 'NOT_DUE' })
  // a write-off must fit the problem: a missing payment is a goodwill loss, not a fee; an unexpected
  // payment is linked or claimed, never written off
  t.match((await post('write-offs', { key: exceptionKey(missing), category: 'fee', reason: 'not a fee' })).json(), { error: 'NOT_WRITABLE', message: /written off as goodwill, not fee/ })
  t.match((await post('write-offs', { key: exceptionKey(ghost), category: 'goodwill', reason: 'free money' })).json(), { error: 'NOT_WRITABLE', message: /link it to its sale or claim it/ })
  const ghostDetail = (await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}/exceptions/${encodeURIComponent(exceptionKey(ghost))}`, headers: auth('finance') })).json()
  t.same(ghostDetail.actions, ['link'], 'an unexpected payment can be linked: no write-off, no void')
  t.match((await post('reopen', { reason: 'nothing named' })).json(), { error: 'BAD_REQUEST', message: /key.*payment_id/ })
  t.match((await post('reopen', { key: exceptionKey(missing), reason: 'never written off' })), { statusCode: 404 })
  t.equal((await post('voids', { sale_id: missing.sale_id, store_id: missing.store_id, reason: 'manager' }, 'manager')).statusCode, 403, 'a store manager reads, finance acts')
  t.equal((await post('write-offs', { key: exceptionKey(missing), category: 'fee', reason: 'auditor' }, 'auditor')).statusCode, 403, 'an auditor only reads')
  const unreconciled = await app.inject({ method: 'POST', url: '/v1/reconciliations/2026-11-19/write-offs', headers: auth('finance'), payload: { key: exceptionKey(missing), category: 'fee', reason: 'other day' } })
  t.match(unreconciled.json(), { error: 'NOT_RECONCILED' })
  t.same({ audit: await count('audit_log'), links: await count('manual_links'), offs: await count('exception_resolutions'), voids: await count('sale_voids') }, before)
})

t.test('a store manager reads an exception of their store and is refused one of another', async t => {
  const { app, report } = await reconciledDay(t)
  const r = await report()
  const own = r.exceptions.find(e => e.store_id === 'S01')!
  const other = r.exceptions.find(e => e.store_id === 'S02')!
  const get = (e: ReconException) => app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}/exceptions/${encodeURIComponent(exceptionKey(e))}`, headers: auth('manager') })
  t.equal((await get(own)).statusCode, 200)
  t.match((await get(other)).json(), { error: 'OUT_OF_SCOPE' })
})
