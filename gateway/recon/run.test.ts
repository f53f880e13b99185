// Reconciliation runs on PostgreSQL: the database path gives the same answer as the offline CLI on the
// same files, re-running changes nothing, late data re-opens the day, and runs of one day serialise.
import t, { type Test } from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles, drainInbox } from '../../fixtures/support/day-db.ts'
import { eventually, testConfig, testRuntime } from '../../fixtures/support/runtime.ts'
import { reconcile } from '../../reconciler/reconcile.ts'
import type { ReconException } from '../../reconciler/types.ts'
import { loadOfflineInput } from './files.ts'
import { reconcileDay } from './run.ts'
import { RECONCILE_QUEUE } from './queue.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { createDb, type Db } from '../db/pool.ts'

const DATE = '2026-11-20'
const AS_OF = '2026-11-24'

/** An exception as finance would point at it, without the storage ids of its payment record. */
const located = (e: ReconException): string => [e.code, e.store_id, e.sale_id, e.tender, e.reference, e.provider_txn_id, e.batch_id, e.expected, e.actual].join('|')

async function counts (db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, number>>(`SELECT (SELECT count(*) FROM recon_exceptions)::int AS exceptions, (SELECT count(*) FROM movement_verifications)::int AS verified,
    (SELECT count(*) FROM recon_store_days)::int AS store_days, (SELECT count(*) FROM recon_runs WHERE outcome = 'changed')::int AS changed_runs`)
  return rows[0]
}

async function queuedRuns (db: Db): Promise<string[]> {
  const { rows } = await db.query<{ date: string }>(`SELECT data->>'date' AS date FROM pgboss.job WHERE name = $1 AND state = 'created' ORDER BY 1`, [RECONCILE_QUEUE])
  return rows.map(r => r.date)
}

async function generated (test: Test, sales: number) {
  const dir = join(test.testdir({}), 'day')
  const truth = await generateDay({ stores: 3, sales, seed: 11, date: DATE, anomalies: 2 }, dir)
  const stores = generatedStores(truth)
  const rt = await testRuntime(test, { config: { stores } })
  return { dir, truth, stores, rt }
}

t.test('a day ingested through the gateway reconciles from PostgreSQL exactly as the offline CLI does on the same files', async t => {
  const { dir, truth, stores, rt } = await generated(t, 3000)
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const run = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  const offline = reconcile(await loadOfflineInput({ pos: [join(dir, 'pos-events.ndjson')], settlements: settlementFiles(dir) }, DATE, AS_OF, testConfig({ stores })))
  t.equal(run.outcome, 'changed')
  t.same(run.report.exceptions.map(located), offline.exceptions.map(located), 'the same exceptions, located the same way')
  t.equal(run.report.matches.length, offline.matches.length)
  t.same(run.report.stores.map(s => [s.store_id, s.status, s.sales, s.verified_sales, s.tenders, s.settled]), offline.stores.map(s => [s.store_id, s.status, s.sales, s.verified_sales, s.tenders, s.settled]))
  // every injected anomaly but STOCK_MISMATCH (the gateway posts movements from the lines itself)
  const injected = truth.anomalies.filter(a => a.code !== 'STOCK_MISMATCH').length
  t.equal(run.report.exceptions.length, injected, `${injected} anomalies injected, as many exceptions`)
  const c = await counts(rt.db)
  t.equal(c.exceptions, run.report.exceptions.length, 'each exception stored once')
  const verified = Object.values(run.report.verified_movements).flat().length
  t.equal(c.verified, verified, 'the verified movements are recorded')
  const { rows } = await rt.db.query(`SELECT count(*)::int AS n FROM stock_movements m JOIN movement_verifications v ON v.movement_id = m.id WHERE m.business_date = $1`, [DATE])
  t.equal(rows[0].n, verified, 'and they are movements of the day')
})

t.test('re-running on the same data gives the same report and writes nothing but the run\'s log line', async t => {
  const { dir, rt } = await generated(t, 600)
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const first = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  const before = await counts(rt.db)
  const again = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  t.equal(again.outcome, 'unchanged')
  t.same({ ...again.report, generated_at: null }, { ...first.report, generated_at: null })
  t.same(await counts(rt.db), before)
  const { rows } = await rt.db.query('SELECT run_id, reconciled_version = data_version AS caught_up FROM recon_days WHERE business_date = $1', [DATE])
  t.same(rows, [{ run_id: first.runId, caught_up: true }], 'the first run\'s report still stands')
})

t.test('a late Octopus upload re-opens the day: a run is queued, pending tenders are matched, their exceptions cleared with history', async t => {
  const { dir, rt } = await generated(t, 600)
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir, 'alipayhk'))
  t.same(await queuedRuns(rt.db), [DATE], 'the AlipayHK import queued a run of its day')
  const early = await reconcileDay(rt, { date: DATE, trigger: 'import', asOf: AS_OF })
  const pending = early.report.exceptions.filter(e => e.code === 'PENDING_SETTLEMENT' && e.provider === 'octopus').length
  t.ok(pending > 100, `${pending} Octopus tenders wait for their readers`)
  await rt.db.query(`DELETE FROM pgboss.job WHERE name = $1`, [RECONCILE_QUEUE])
  const [octopusImport] = await ingestSettlements(rt, settlementFiles(dir, 'octopus'))
  const { rows: day } = await rt.db.query('SELECT data_version > reconciled_version AS reopened, reopened_by FROM recon_days WHERE business_date = $1', [DATE])
  t.same(day, [{ reopened: true, reopened_by: `import:${octopusImport}` }])
  t.same(await queuedRuns(rt.db), [DATE])
  const late = await reconcileDay(rt, { date: DATE, trigger: 'import', asOf: AS_OF })
  t.equal(late.outcome, 'changed')
  t.ok(late.report.exceptions.filter(e => e.code === 'PENDING_SETTLEMENT').length < pending, 'the uploaded readers\' tenders are no longer pending')
  const { rows: cleared } = await rt.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM recon_exceptions WHERE code = 'PENDING_SETTLEMENT' AND cleared_run_id = $1 AND first_run_id = $2`, [late.runId, early.runId])
  t.ok(cleared[0].n > 100, 'cleared by the late run, first seen by the early one')
  const { rows: open } = await rt.db.query('SELECT count(*)::int AS n FROM recon_exceptions WHERE cleared_run_id IS NULL')
  t.equal(open[0].n, late.report.exceptions.length, 'open exceptions are exactly the late report\'s')
  const { rows: after } = await rt.db.query('SELECT data_version = reconciled_version AS caught_up, reopened_by FROM recon_days WHERE business_date = $1', [DATE])
  t.same(after, [{ caught_up: true, reopened_by: null }])
})

t.test('a late POS event re-opens a reconciled day; on a day never reconciled it queues nothing', async t => {
  const { dir, rt } = await generated(t, 300)
  const [first, ...rest] = readFileSync(join(dir, 'pos-events.ndjson'), 'utf8').trim().split('\n')
  const one = join(dir, 'one.ndjson')
  const others = join(dir, 'others.ndjson')
  writeFileSync(one, first + '\n')
  writeFileSync(others, rest.join('\n') + '\n')
  await importPosNdjson(rt, others)
  await drainInbox(rt)
  t.same(await queuedRuns(rt.db), [], 'trading-day events do not queue runs')
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  await importPosNdjson(rt, one)
  await drainInbox(rt)
  t.same(await queuedRuns(rt.db), [DATE], 'a late sale queues a run of its day')
  const { rows } = await rt.db.query(`SELECT reopened_by, (SELECT start_after > now() + interval '20 seconds' FROM pgboss.job WHERE name = $2 AND state = 'created') AS delayed FROM recon_days WHERE business_date = $1`, [DATE, RECONCILE_QUEUE])
  t.same(rows, [{ reopened_by: 'pos', delayed: true }], 'the run waits for the rest of a burst')
})

t.test('two runs of one day at once are serialised: one report, one set of rows', async t => {
  const { dir, rt } = await generated(t, 600)
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const runs = await Promise.all([1, 2, 3].map(() => reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })))
  t.same(runs.map(r => r.outcome).sort(), ['changed', 'unchanged', 'unchanged'])
  const c = await counts(rt.db)
  t.equal(c.changed_runs, 1)
  t.equal(c.exceptions, runs[0].report.exceptions.length)
})

t.test('a run waiting for another run of its day waits past the statement time limit, then runs', async t => {
  const { dir, rt } = await generated(t, 100)
  await ingestPos(rt, dir)
  // a pool whose statements may take 300 ms, and another run's lock held for longer than that
  const db = createDb(rt.testDb.url, { statementTimeoutMs: 300 })
  t.teardown(() => db.pool.end())
  const holder = await rt.db.pool.connect()
  t.teardown(() => holder.release())
  await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`recon-day:${DATE}`])
  const run = reconcileDay({ ...rt, db }, { date: DATE, trigger: 'manual', asOf: AS_OF })
  // the run's backend has waited for the lock twice as long as its pool lets any statement take
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND clock_timestamp() - query_start > interval '600 milliseconds'`)).rows[0].n === 1)
  await holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`recon-day:${DATE}`])
  t.match(await run, { outcome: 'changed' }, 'the run went ahead once the lock was free')
  t.same((await db.query('SHOW statement_timeout')).rows, [{ statement_timeout: '300ms' }], 'and its connection is back to the pool\'s limit')
})
