import { INBOX_BODY_CONTEXT } from '../crypto.ts'
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { AfterCommitSender } from '../forward/after-commit.ts'
import { storeInboxItems } from './inbox.ts'
import { normalizeAndSend, processInbox } from './normalize-worker.ts'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { saleEvent } from '../../fixtures/support/sales.ts'
import type { Sql } from '../db/pool.ts'
import { createHash } from 'node:crypto'

const lines = readFileSync(join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8').trim().split('\n')

async function store (rt: Awaited<ReturnType<typeof testRuntime>>, bodies: string[]): Promise<number[]> {
  const items = bodies.map(b => ({ connector: 'pos-canonical', eventId: JSON.parse(b).id ?? 'x', sha256: createHash('sha256').update(b).digest(), bodyEnc: rt.cipher.encrypt(b, INBOX_BODY_CONTEXT), keyId: rt.cipher.activeKeyId, headers: {} }))
  const res = await rt.db.withTransaction(c => storeInboxItems(c, rt.boss, items))
  return res.map(r => r.inboxId)
}

t.test('a delivery that no longer normalises is marked rejected with its reason, the rest processed', async t => {
  const rt = await testRuntime(t, { config: { stores: [{ id: 'MK01', name: 'MK', cutoffMinutes: 0, aliases: {} }] } })
  const bad = JSON.stringify({ ...JSON.parse(lines[0]), id: 'evt_bad', data: { ...JSON.parse(lines[0]).data, lines: [] } })
  const ids = await store(rt, [lines[0], bad])
  const result = await rt.db.withTransaction(c => processInbox(c, ids, rt))
  t.same(result, { processed: 1, rejected: 1 })
  const { rows } = await rt.db.query('SELECT event_id, status, error FROM inbox_events ORDER BY id')
  t.match(rows, [{ event_id: 'evt_01J9Z3K5ZK8M', status: 'processed', error: null }, { event_id: 'evt_bad', status: 'rejected', error: /at least one line/ }])
  t.same(await rt.db.withTransaction(c => processInbox(c, ids, rt)), { processed: 0, rejected: 0 }, 'a redelivered job finds nothing pending')
})

t.test('a failure half-way through a job leaves nothing behind: the effects commit with the job or not at all', async t => {
  const rt = await testRuntime(t)
  const ids = await store(rt, lines.slice(0, 6))
  let calls = 0
  await t.rejects(rt.db.withTransaction(async c => {
    const flaky: Sql = { query: (text, values) => { if (++calls === 12) throw new Error('connection lost'); return c.query(text, values as unknown[]) } }
    await processInbox(flaky, ids, rt)
  }), /connection lost/)
  const { rows } = await rt.db.query(`SELECT (SELECT count(*) FROM sales)::int AS sales, (SELECT count(*) FROM stock_movements)::int AS moves, (SELECT count(*) FROM inbox_events WHERE status = 'pending')::int AS pending`)
  t.same(rows[0], { sales: 0, moves: 0, pending: 6 })
  await rt.db.withTransaction(c => processInbox(c, ids, rt))
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM sales')).rows[0].n, 6, 'the retry does it all, once')
})

t.test('a sale posts its movements to the built-in ledger in its own transaction, with no ledger job; a failed posting undoes the sale too', async t => {
  const rt = await testRuntime(t)
  const ids = await store(rt, lines.slice(0, 6))
  const counts = async () => (await rt.db.query(`SELECT (SELECT count(*) FROM sales)::int AS sales, (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM ledger_movements)::int AS ledger`)).rows[0]
  await t.rejects(rt.db.withTransaction(async c => {
    const failing: Sql = { query: (text, values) => { if (text.includes('INSERT INTO ledger_movements')) throw new Error('disk full'); return c.query(text, values as unknown[]) } }
    await processInbox(failing, ids, rt)
  }), /disk full/)
  t.same(await counts(), { sales: 0, outbox: 0, ledger: 0 }, 'nothing of the sale stands without its posting')
  await rt.db.withTransaction(c => processInbox(c, ids, rt))
  const { rows: [r] } = await rt.db.query<{ moves: number }>(`SELECT (SELECT count(*) FROM stock_movements)::int AS moves,
      (SELECT count(*) FROM ledger_movements l JOIN stock_movements m ON l.idempotency_key = 'pos:' || m.id)::int AS posted,
      (SELECT count(*) FROM outbox WHERE sink = 'ledger' AND status = 'delivered')::int AS delivered,
      (SELECT count(*) FROM pgboss.job WHERE name = 'forward.ledger')::int AS jobs`)
  t.ok(r.moves > 0, `the sales moved stock (${r.moves} movements)`)
  t.same(r, { moves: r.moves, posted: r.moves, delivered: r.moves, jobs: 0 }, 'each movement posted once, its outbox row delivered, no job queued for it')
})

const jobStates = async (rt: Awaited<ReturnType<typeof testRuntime>>): Promise<string[]> =>
  (await rt.db.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = 'forward.sink' ORDER BY state::text`)).rows.map(r => r.state)

t.test('the sinks are sent a sale\'s movements as soon as it commits and the jobs standing behind are cancelled; a failed send stays pending with its error, for its job', async t => {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const rt = await testRuntime(t, { config: { forwarding: doublesForwarding(doubles) } })
  await normalizeAndSend(rt, await store(rt, [0, 1, 2].map(i => saleEvent(i, { prefix: 'N' }))))
  t.equal(doubles.sink.applied.length, 3, 'the HTTP sink has the three movements when the call returns')
  t.equal(doubles.jiandaoyun.records.length, 3, 'and so has Jiandaoyun')
  const { rows: jobs } = await rt.db.query<{ wait: number, state: string }>(`SELECT extract(epoch FROM start_after - created_on)::float8 AS wait, state FROM pgboss.job WHERE name = 'forward.sink'`)
  t.equal(jobs.length, 2, 'a job was made for each sink')
  // doublesForwarding's time limit is 500 ms: two of them and 5 s, rounded up, is 6 s
  t.ok(jobs.every(j => j.wait >= 6 && j.wait < 7), `the jobs were to wait 6 s (${jobs.map(j => j.wait.toFixed(2)).join(', ')})`)
  t.same(jobs.map(j => j.state), ['cancelled', 'cancelled'], 'both cancelled: their rows are delivered')
  doubles.sink.server.fault = { mode: 'status', status: 503 }
  await normalizeAndSend(rt, await store(rt, [3, 4].map(i => saleEvent(i, { prefix: 'N' }))))
  const { rows } = await rt.db.query(`SELECT sink, status, attempts, last_error FROM outbox WHERE sink = 'http:erp' AND key IN (SELECT 'pos:' || id FROM stock_movements WHERE source_id LIKE '%-N3' OR source_id LIKE '%-N4')`)
  t.equal(rows.length, 2)
  t.match(rows, [{ status: 'pending', attempts: 1, last_error: /503/ }, { status: 'pending', attempts: 1, last_error: /503/ }], 'left to the job, with why')
  t.equal(doubles.sink.applied.length, 3, 'nothing more reached the failing sink')
  t.equal(doubles.jiandaoyun.records.length, 5, 'the healthy sink was sent its rows all the same')
  t.same(await jobStates(rt), ['cancelled', 'cancelled', 'cancelled', 'created'], 'the failing sink\'s job waits to run; the healthy one\'s is cancelled')
})

t.test('with a sender, the sends run in the background: the call returns while the sink holds them, idle() once done; past its cap, jobs are left to run in their time', async t => {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const rt = await testRuntime(t, { config: { forwarding: doublesForwarding(doubles) } })
  doubles.sink.server.fault = { mode: 'hold' }
  // three sales in one transaction: a job for each of the two sinks, three rows each
  const sender = new AfterCommitSender({ db: rt.db, boss: rt.boss, forwarding: rt.config.forwarding }, 2)
  await normalizeAndSend({ ...rt, sender }, await store(rt, [0, 1, 2].map(i => saleEvent(i, { prefix: 'Q' }))))
  await eventually(async () => doubles.sink.server.held >= 1)
  t.equal(doubles.sink.applied.length, 0, 'the call returned while the HTTP sink holds its first request')
  doubles.sink.server.release()
  doubles.sink.server.fault = { mode: 'none' }
  await sender.idle()
  t.equal(doubles.sink.applied.length + doubles.jiandaoyun.records.length, 6, 'all six rows were sent')
  t.same(await jobStates(rt), ['cancelled', 'cancelled'])
  // a cap of one job: the second sink's job is left to run in its time
  const capped = new AfterCommitSender({ db: rt.db, boss: rt.boss, forwarding: rt.config.forwarding }, 1)
  await normalizeAndSend({ ...rt, sender: capped }, await store(rt, [3, 4].map(i => saleEvent(i, { prefix: 'Q' }))))
  t.equal(capped.skipped, 1)
  await capped.idle()
  const { rows: [o] } = await rt.db.query(`SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*) FILTER (WHERE status = 'pending')::int AS pending FROM outbox WHERE sink <> 'ledger'`)
  t.same(o, { delivered: 8, pending: 2 }, 'the two rows left over wait for their job')
  t.same(await jobStates(rt), ['cancelled', 'cancelled', 'cancelled', 'created'])
})
