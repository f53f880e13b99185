// A day is read and matched on the reconciliation thread, not on the gateway's main thread, and what
// comes back is what the matcher gives on the same data.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { testConfig, testRuntime } from '../../fixtures/support/runtime.ts'
import * as matcher from '../../reconciler/reconcile.ts'
import { loadOfflineInput } from './files.ts'
import { computeDayInThread } from './run-thread.ts'
import { reconcileDay } from './run.ts'

const DATE = '2026-11-20'
const AS_OF = '2026-11-24'

t.test('the day is matched on the reconciliation thread: a main thread whose matcher throws still gets the full report, as stored', async t => {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 400, seed: 5, date: DATE, anomalies: 2 }, dir)
  const stores = generatedStores(truth)
  const rt = await testRuntime(t, { config: { stores } })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const { reconcileDay } = await t.mockImport<typeof import('./run.ts')>('./run.ts', {
    '../../reconciler/reconcile.ts': { ...matcher, reconcile: () => { throw new Error('matched on the main thread') } }
  })
  const run = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  const offline = matcher.reconcile(await loadOfflineInput({ pos: [join(dir, 'pos-events.ndjson')], settlements: settlementFiles(dir) }, DATE, AS_OF, testConfig({ stores })))
  t.ok(offline.matches.length > 100, `the offline matcher pairs the day's card and wallet payments (${offline.matches.length})`)
  t.equal(run.matches, offline.matches.length, 'the run counts as many matches')
  t.equal(run.report.matches.length, offline.matches.length, 'and its report lists them')
  const { rows: [stored] } = await rt.db.query<{ report: { matches: unknown[] }, matches: number }>('SELECT report, matches FROM recon_runs WHERE id = $1', [run.runId])
  t.same(stored, { report: JSON.parse(JSON.stringify(run.report)), matches: offline.matches.length }, 'the stored report is the one returned')
})

t.test('a database error on the thread comes back to the caller with its SQLSTATE', async t => {
  const rt = await testRuntime(t)
  const url = new URL(rt.db.url)
  url.pathname = '/no_such_database'
  await t.rejects(computeDayInThread(rt.cipher, { url: url.toString(), date: DATE, settings: { ...rt.config.recon, asOf: AS_OF }, generatedAt: new Date().toISOString() }),
    { code: '3D000', message: /no_such_database/ })
})

t.test('the reconciliation thread runs at nice 10, below the gateway\'s main thread', { skip: process.platform !== 'linux' && 'thread priorities are read from /proc' }, async t => {
  const rt = await testRuntime(t)
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  // field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (after the command in parentheses)
  const nice = (tid: string): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16])
  const threads = readdirSync('/proc/self/task')
  t.equal(nice(String(process.pid)), 0, 'the main thread keeps its priority')
  t.ok(threads.some(tid => nice(tid) === 10), `a thread of this process runs at nice 10 (${threads.map(nice).join(', ')})`)
})

