// A bulk job (a run's standings) marks its rows delivered a hundred at a time, not one UPDATE per call;
// when a call fails, what the sink took is still marked and the rest waits for the retry.
import t from 'tap'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { schedule, writeOutbox, type OutboxEntry } from '../outbox/outbox.ts'

async function setup (t: Parameters<typeof testRuntime>[0]) {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const rt = await testRuntime(t, { workers: true, config: { forwarding: doublesForwarding(doubles) } })
  /** `n` movement rows for the HTTP sink, on one bulk job. */
  const bulk = async (n: number, prefix: string): Promise<void> => {
    const entries: OutboxEntry[] = Array.from({ length: n }, (_, i) => ({ sink: 'http:erp', topic: 'movement', key: `${prefix}:${i}`, payload: { movement_id: `pos:${i}`, sku: 'S1', location_id: 'MK01', qty: '-1.000', reason: 'sale' } }))
    await rt.db.withTransaction(async c => {
      const rows = await writeOutbox(c, entries)
      await schedule(rt.boss, 'http:erp', rows.map(r => Number(r.id)), { sql: c, bulk: true })
    })
  }
  const marks = async (prefix: string) => (await rt.db.query<{ status: string, rows: number, marks: number }>(`SELECT status, count(*)::int AS rows, count(DISTINCT delivered_at)::int AS marks FROM outbox WHERE key LIKE $1 GROUP BY status ORDER BY status`, [`${prefix}:%`])).rows
  return { rt, doubles, bulk, marks }
}

t.test('a bulk job of 250 rows reaches the sink once each and marks them in three statements (100, 100, 50)', async t => {
  const { doubles, bulk, marks } = await setup(t)
  await bulk(250, 'A')
  await eventually(async () => (await marks('A')).some(m => m.status === 'delivered' && m.rows === 250), 30_000)
  t.equal(doubles.sink.applied.length, 250)
  t.equal(doubles.sink.duplicates, 0)
  // delivered_at is the marking transaction's time: one value per UPDATE
  t.same(await marks('A'), [{ status: 'delivered', rows: 250, marks: 3 }])
})

t.test('a failing call: every row the sink took is marked, the rest stays pending with the error', async t => {
  const { rt, doubles, bulk, marks } = await setup(t)
  // the sink takes 130 rows, then answers 503: the job stops between two marks
  doubles.sink.server.fault = { mode: 'status', status: 503, afterHits: 130 }
  await bulk(250, 'B')
  await eventually(async () => (await rt.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE key LIKE 'B:%' AND status <> 'delivered' AND last_error LIKE '%503%'`)).rows[0].n > 0, 30_000)
  const { rows } = await rt.db.query<{ key: string }>(`SELECT key FROM outbox WHERE key LIKE 'B:%' AND status = 'delivered'`)
  const expected = Array.from({ length: 130 }, (_, i) => `B:${i}`)
  t.same(doubles.sink.applied.map(a => a.key), expected, 'the sink took the first 130, in order')
  t.same(rows.map(r => r.key).sort(), [...expected].sort(), 'and exactly those are marked delivered')
  const byStatus = await marks('B')
  t.same(byStatus.find(m => m.status === 'delivered'), { status: 'delivered', rows: 130, marks: 2 }, 'marked as 100, then the 30 before the failure')
  // pending while the job retries; dead once its retries have run out
  t.equal(byStatus.filter(m => m.status !== 'delivered').reduce((n, m) => n + m.rows, 0), 120, 'the other 120 not delivered')
})
