// C1: a worker killed with SIGKILL at each instrumented point loses nothing and posts nothing twice:
// the built-in ledger holds each movement once, the external sink (which honours our keys) applied
// each once, and every delivery ends delivered after a healthy worker takes over. A sale's movements
// are posted with the sale; the ledger's worker posts what waits in the outbox for it (a manual void,
// a redrive, jobs queued before an upgrade), which the ledger's case queues by hand.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { freshDb } from '../../fixtures/support/db.ts'
import { startDoubles } from '../../fixtures/support/forwarding.ts'
import { saleEvent, salesFile } from '../../fixtures/support/sales.ts'
import { eventually, testConfig } from '../../fixtures/support/runtime.ts'
import { forwardingConfig } from '../config-forwarding.ts'
import { startRuntime } from '../runtime.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { drainInbox } from '../../fixtures/support/day-db.ts'
import { SINK_SECRET } from '../../fixtures/support/forwarding.ts'
import { enqueue } from '../outbox/outbox.ts'

const CHILD = join(import.meta.dirname, '../../fixtures/support/worker-child.ts')
const MOVEMENTS = 12

function worker (url: string, sinkUrl: string, crashAt?: string) {
  const proc = spawn(process.execPath, [CHILD], { env: { ...process.env, RECON_ENV: 'test', DATABASE_URL: url, SINK_URL: sinkUrl, CRASH_AT: crashAt ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] })
  const ready = new Promise<void>(resolve => proc.stdout.on('data', d => { if (String(d).includes('READY')) resolve() }))
  return { proc, ready, exited: once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]> }
}

for (const point of ['ledger:after-post', 'sink:after-send', 'sink:after-mark']) {
  t.test(`C1: killed at ${point}, then a healthy worker: each movement once in the ledger and at the sink`, async t => {
    const doubles = await startDoubles()
    t.teardown(() => doubles.close())
    const db = await freshDb(t)
    const forwarding = forwardingConfig({ allowHosts: ['127.0.0.1'], sinks: [{ id: 'erp', kind: 'http', url: doubles.sink.url, secret: SINK_SECRET }], jobExpireSeconds: 3 })
    // sales land, posted to the built-in ledger; their deliveries to the sink wait in the outbox (no worker in this process)
    const rt = await startRuntime(testConfig({ databaseUrl: db.url, forwarding }), { http: false })
    t.teardown(() => rt.close())
    await importPosNdjson(rt, salesFile(t.testdir({}), 'sales.ndjson', Array.from({ length: MOVEMENTS }, (_, i) => saleEvent(i, { prefix: 'K' }))))
    await drainInbox(rt)
    const queued = point.startsWith('ledger:') ? MOVEMENTS : 0
    await rt.db.withTransaction(c => enqueue(c, rt.boss, Array.from({ length: queued }, (_, i) => ({
      sink: 'ledger', topic: 'movement', key: `void:K${i}`,
      payload: { movement_id: `pos:void${i}`, sku: 'A', location_id: 'MK01', qty: '1.000', reason: 'void', occurred_at: new Date(Date.UTC(2026, 10, 20, 4, 0, i)).toISOString(), source: `sale:K${i}#1`, actor: 'user:finance' }
    }))))
    const crashing = worker(db.url, doubles.sink.url, point)
    const [code, signal] = await crashing.exited
    t.equal(signal, 'SIGKILL', `the worker died at ${point} (exit ${code})`)
    const healthy = worker(db.url, doubles.sink.url)
    t.teardown(async () => { healthy.proc.kill('SIGTERM'); await healthy.exited })
    await healthy.ready
    await eventually(async () => (await db.query(`SELECT count(*)::int AS n FROM outbox WHERE status <> 'delivered'`)).rows[0].n === 0, 60_000)
    const { rows: [ledger] } = await db.query('SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM ledger_movements')
    t.same(ledger, { n: MOVEMENTS + queued, keys: MOVEMENTS + queued }, 'the ledger holds each movement once')
    t.equal(new Set(doubles.sink.applied.map(a => a.key)).size, MOVEMENTS)
    t.equal(doubles.sink.applied.length, MOVEMENTS, 'the sink applied each once')
    if (point === 'sink:after-send') t.ok(doubles.sink.duplicates >= 1, `the resend after the crash was recognised by its key (${doubles.sink.duplicates})`)
  })
}
