import { INBOX_BODY_CONTEXT } from '../crypto.ts'
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { storeInboxItems } from './inbox.ts'
import { processInbox } from './normalize-worker.ts'
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
