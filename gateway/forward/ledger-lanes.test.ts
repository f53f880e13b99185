// The built-in ledger posts whole locations in two lanes (two transactions on two backends): every
// movement once, each location's chain unbroken, and a lane that committed is not posted again when
// the other lane's failure sends the jobs back to retry.
import t from 'tap'
import { forwardingConfig } from '../config-forwarding.ts'
import { enqueue, type OutboxEntry } from '../outbox/outbox.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { ledgerLanes } from './deliver.ts'

const movement = (location: string, i: number, qty = '-1.000'): OutboxEntry => ({
  sink: 'ledger', topic: 'movement', key: `lanes:${location}:${i}`,
  payload: { movement_id: `pos:${location}${i}`, sku: `S${i % 7}`, location_id: location, qty, reason: 'sale', occurred_at: new Date(Date.UTC(2026, 10, 20, 4, 0, i)).toISOString(), source: `sale:${location}#${i}`, actor: 'pos:test' }
})

t.test('lanes hold whole locations, the largest first into the lighter lane, each row once', async t => {
  // A 3 rows, B 2, C 2: A fills lane one; B goes to the empty lane two; C then to the lighter lane two (2 < 3)
  const lanes = ledgerLanes([{ sink: 'ledger', ids: [1, 2], location: 'A' }, { sink: 'ledger', ids: [3, 4], location: 'B' }, { sink: 'ledger', ids: [5, 6, 3], location: 'C' }, { sink: 'ledger', ids: [7], location: 'A' }])
  t.same(lanes, [[1, 2, 7], [3, 4, 5, 6]], 'row 3, named by two jobs, is posted by the first only')
  t.same(ledgerLanes([{ sink: 'ledger', ids: [9, 8] }, { sink: 'ledger', ids: [8] }]), [[9, 8]], 'jobs without a location share one lane')
  t.same(ledgerLanes([]), [], 'no rows, no lane')
})

t.test('two locations posted side by side: every movement once, each chain 1..n and linked', async t => {
  const rt = await testRuntime(t, { workers: true, config: { forwarding: forwardingConfig({}) } })
  await rt.db.withTransaction(c => enqueue(c, rt.boss, ['MK01', 'TST1', 'YL01'].flatMap(loc => Array.from({ length: 600 }, (_, i) => movement(loc, i)))))
  const count = async () => (await rt.db.query('SELECT count(*)::int AS n FROM ledger_movements')).rows[0].n
  await eventually(async () => await count() === 1800, 60_000)
  const { rows } = await rt.db.query(`SELECT location_id, count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys, min(seq)::int AS lo, max(seq)::int AS hi FROM ledger_movements GROUP BY 1 ORDER BY 1`)
  t.same(rows, ['MK01', 'TST1', 'YL01'].map(l => ({ location_id: l, n: 600, keys: 600, lo: 1, hi: 600 })))
  const { rows: [links] } = await rt.db.query(`SELECT count(*)::int AS broken FROM ledger_movements a JOIN ledger_movements b ON a.location_id = b.location_id AND b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash`)
  t.equal(links.broken, 0, 'each movement carries the hash of the one before it')
  t.equal((await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE status <> 'delivered'`)).rows[0].n, 0)
})

t.test('a lane that fails sends the jobs back; the other lane\'s postings stand and are not posted again', async t => {
  const rt = await testRuntime(t, { workers: true, config: { forwarding: forwardingConfig({ retryLimit: 2, retryDelaySeconds: 1 }) } })
  // MK01's three rows (one with a fourth decimal, refused by the ledger) fill lane one; TST1's one
  // row goes to lane two, a transaction of its own that commits whatever lane one does
  await rt.db.withTransaction(c => enqueue(c, rt.boss, [movement('MK01', 0), movement('MK01', 1, '-0.0005'), movement('MK01', 2), movement('TST1', 0)]))
  const status = async (loc: string) => (await rt.db.query(`SELECT status, count(*)::int AS n FROM outbox WHERE payload->>'location_id' = $1 GROUP BY 1`, [loc])).rows
  await eventually(async () => (await status('MK01')).some(r => r.status === 'dead'), 60_000)
  t.same(await status('MK01'), [{ status: 'dead', n: 3 }], 'the failing lane\'s rows are dead after the last attempt')
  t.same(await status('TST1'), [{ status: 'delivered', n: 1 }])
  const { rows } = await rt.db.query('SELECT location_id, seq::int FROM ledger_movements ORDER BY id')
  t.same(rows, [{ location_id: 'TST1', seq: 1 }], 'TST1 posted once across every retry; nothing of MK01')
})
