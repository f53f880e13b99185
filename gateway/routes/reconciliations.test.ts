import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { auth, eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { reconcileDay } from '../recon/run.ts'
import { RECONCILE_QUEUE } from '../recon/queue.ts'

const DATE = '2026-11-20'

async function day (t: Test, workers = false) {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 300, seed: 5, date: DATE, anomalies: 1 }, dir)
  const rt = await testRuntime(t, { workers, config: { stores: generatedStores(truth) } })
  return { dir, truth, rt, app: rt.app! }
}

t.test('a settlement upload gets its day reconciled by the worker; GET returns the contract §3 report with its run', async t => {
  const { dir, app } = await day(t, true)
  const pos = await app.inject({ method: 'POST', url: '/v1/pos-events', headers: { ...auth('pos'), 'content-type': 'application/x-ndjson' }, payload: readFileSync(join(dir, 'pos-events.ndjson')) })
  t.equal(pos.statusCode, 202)
  await eventually(async () => (await app.inject({ method: 'GET', url: `/v1/sales?date=${DATE}&limit=1000`, headers: auth('finance') })).json().items.length > 290)
  for (const file of settlementFiles(dir)) {
    const up = await app.inject({ method: 'POST', url: `/v1/settlements?filename=${file.split('/').pop()}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(file) })
    t.equal(up.statusCode, 201, file)
  }
  let res: any
  await eventually(async () => {
    res = await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: auth('finance') })
    return res.statusCode === 200 && !res.json().run.reopened
  }, 30_000)
  const r = res.json()
  t.same(Object.keys(r).sort(), ['bridge', 'business_date', 'exceptions', 'generated_at', 'matches', 'payouts', 'providers', 'provisional_movements', 'resolved', 'run', 'stores', 'verified_movements'])
  t.match(r, { business_date: DATE, run: { trigger: 'import', reopened: false } })
  t.match(r.stores[0], { store_id: String, status: /balanced|pending|exceptions/, sales: Number, tenders: Object, settled: Object, verified_sales: Number, exceptions: Object })
  t.ok(r.matches.length > 100, `${r.matches.length} matches`)
  t.match(r.exceptions[0], { code: String, detail: String })
  for (const e of r.exceptions) t.ok(['expected', 'actual', 'sale_id', 'tender', 'provider'].every(k => k in e), `${e.code} carries every contract field`)
})

t.test('POST /v1/reconciliations queues a run; one already waiting absorbs the next; bad requests are refused clearly', async t => {
  const { rt, app } = await day(t)
  const post = (body: unknown, role: 'finance' | 'admin' | 'pos' = 'finance') => app.inject({ method: 'POST', url: '/v1/reconciliations', headers: auth(role), payload: body as object })
  const first = await post({ date: DATE, store: 'S01' })
  t.equal(first.statusCode, 202)
  t.match(first.json(), { business_date: DATE, job_id: String, report_url: `/v1/reconciliations/${DATE}?store=S01` })
  const second = await post({ date: DATE }, 'admin')
  t.same(second.json().job_id, null, 'the waiting run will see the same data')
  const { rows } = await rt.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [RECONCILE_QUEUE])
  t.equal(rows[0].n, 1)
  t.match((await post({})).json(), { error: 'BAD_REQUEST', message: /date/ })
  t.equal((await post({ date: '20-11-2026' })).statusCode, 400)
  t.equal((await post({ date: DATE, extra: 1 })).statusCode, 400)
  t.match((await post({ date: '2999-01-01' })), { statusCode: 422 })
  t.equal((await post({ date: DATE }, 'pos')).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/v1/reconciliations', payload: { date: DATE } })).statusCode, 401)
})

t.test('GET narrows to a store, gives CSV with a BOM, and says what to do for a day never reconciled', async t => {
  const { dir, rt, app } = await day(t)
  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth('finance') })
  const none = await get(`/v1/reconciliations/${DATE}`)
  t.equal(none.statusCode, 404)
  t.match(none.json(), { error: 'NOT_RECONCILED', message: /POST \/v1\/reconciliations/ })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const run = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-24' })
  const store = run.report.stores[0].store_id
  const one = (await get(`/v1/reconciliations/${DATE}?store=${store}`)).json()
  t.same(one.stores.map((s: { store_id: string }) => s.store_id), [store])
  t.ok(one.exceptions.every((e: { store_id: string }) => e.store_id === store))
  t.equal(one.exceptions.length, run.report.exceptions.filter(e => e.store_id === store).length)
  const csv = await get(`/v1/reconciliations/${DATE}?format=csv`)
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /text\/csv/)
  t.match(csv.headers['content-disposition'], `reconciliation-${DATE}.csv`)
  t.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 BOM for Excel')
  const lines = csv.payload.replace(/^\ufeff/, '').trim().split('\r\n')
  t.match(lines[0], /^business_date,store_id,code,sale_id,tender,provider,expected_hkd,actual_hkd/)
  t.equal(lines.length - 1, run.report.exceptions.length, 'one row per exception')
  t.equal((await get('/v1/reconciliations/2026-13-45')).statusCode, 400)
})

t.test('GET /v1/reconciliations lists store-days with their status over a range', async t => {
  const { dir, rt, app } = await day(t)
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const run = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-24' })
  const res = await app.inject({ method: 'GET', url: '/v1/reconciliations?from=2026-11-01&to=2026-11-30', headers: auth('finance') })
  t.equal(res.statusCode, 200)
  t.same(res.json().items.map((i: any) => [i.business_date, i.store_id, i.status, i.run_id, i.reopened]), run.report.stores.map(s => [DATE, s.store_id, s.status, run.runId, false]))
  const bad = await app.inject({ method: 'GET', url: '/v1/reconciliations?from=2026-11-30&to=2026-11-01', headers: auth('finance') })
  t.match(bad, { statusCode: 400 })
  t.match(bad.json().message, /at most 93 days/)
})
