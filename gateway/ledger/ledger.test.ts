import t from 'tap'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { verifyLedger } from './audit.ts'
import { postMovements, type NewMovement } from './chain.ts'

const count = async (db: { query: (q: string) => Promise<{ rows: any[] }> }, q: string): Promise<number> => (await db.query(q)).rows[0].n

t.test('POS movements reach the ledger through the outbox, each once, chained per location', async t => {
  const rt = await testRuntime(t, { workers: true })
  await importPosNdjson(rt, join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'))
  const posted = async () => await count(rt.db, 'SELECT count(*)::int AS n FROM stock_movements')
  await eventually(async () => (await posted()) > 0 && await count(rt.db, 'SELECT count(*)::int AS n FROM ledger_movements') === await posted())
  t.equal(await count(rt.db, `SELECT count(*)::int AS n FROM outbox WHERE sink = 'ledger' AND status <> 'delivered'`), 0, 'every ledger delivery is done')
  // the same events again (a till re-sending its backlog) move nothing twice
  await importPosNdjson(rt, join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'))
  const again = await count(rt.db, 'SELECT count(*)::int AS n FROM ledger_movements')
  t.equal(again, await posted())
  const { rows } = await rt.db.query<{ location_id: string, seqs: number[] }>(`SELECT location_id, array_agg(seq ORDER BY seq) AS seqs FROM ledger_movements GROUP BY location_id`)
  for (const r of rows) t.same(r.seqs.map(Number), Array.from({ length: r.seqs.length }, (_, i) => i + 1), `${r.location_id}: one unbroken sequence`)
  t.match(await verifyLedger(rt.db), { broken: null, movements: again })
  const res = await rt.app!.inject({ method: 'GET', url: '/v1/movements?limit=5', headers: auth('finance') })
  t.match(res.json().items[0], { reason: /sale|return|void/, source_type: 'pos', status: 'provisional', hash: /^[0-9a-f]{64}$/ })
})

t.test('L1: movements cannot be updated, deleted or truncated; an edit behind the database\'s back is found at its link', async t => {
  const rt = await testRuntime(t)
  await rt.db.query(`INSERT INTO locations (id, name, kind) VALUES ('MK01', 'Mong Kok', 'store') ON CONFLICT DO NOTHING`)
  const mv = (i: number): NewMovement => ({ locationId: 'MK01', sku: `S${i % 3}`, qty: -(i + 1), reason: 'sale', sourceType: 'test', sourceId: String(i), key: `t:${i}`, actor: 'test', occurredAt: new Date(Date.UTC(2026, 10, 20, 4, i)) })
  await rt.db.withTransaction(c => postMovements(c, Array.from({ length: 10 }, (_, i) => mv(i))))
  t.same(await verifyLedger(rt.db), { locations: 1, movements: 10, broken: null })
  await t.rejects(rt.db.query(`UPDATE ledger_movements SET qty = 5 WHERE seq = 4`), { message: /append-only: UPDATE/ })
  await t.rejects(rt.db.query(`DELETE FROM ledger_movements WHERE seq = 4`), { message: /append-only: DELETE/ })
  await t.rejects(rt.db.query(`TRUNCATE ledger_movements CASCADE`), { message: /append-only: TRUNCATE/ })
  // an administrator with the triggers off edits a quantity: the chain says where
  await rt.db.withTransaction(async c => {
    await c.query(`SET LOCAL session_replication_role = replica`)
    await c.query(`UPDATE ledger_movements SET qty = -1 WHERE seq = 6`)
  })
  t.match(await verifyLedger(rt.db), { broken: { locationId: 'MK01', seq: 6, problem: /no longer matches its hash/ }, movements: 5 })
  await rt.db.withTransaction(async c => {
    await c.query(`SET LOCAL session_replication_role = replica`)
    await c.query(`DELETE FROM ledger_movements WHERE seq >= 3`)
  })
  t.match(await verifyLedger(rt.db), { broken: { seq: 10, problem: /the chain ends at 2 but its head says 10/ } })
})

t.test('a key is posted once, also when two postings of it race', async t => {
  const rt = await testRuntime(t)
  await rt.db.query(`INSERT INTO locations (id, name, kind) VALUES ('MK01', 'Mong Kok', 'store') ON CONFLICT DO NOTHING`)
  const m: NewMovement = { locationId: 'MK01', sku: 'A', qty: 2.5, reason: 'receipt', sourceType: 'test', sourceId: '1', key: 'same', actor: 'test', occurredAt: new Date() }
  const outs = await Promise.all(Array.from({ length: 8 }, () => rt.db.withTransaction(c => postMovements(c, [m]))))
  t.equal(outs.filter(o => o.posted.length === 1).length, 1, 'one posting wins')
  t.equal(outs.filter(o => o.skipped.includes('same')).length, 7, 'the others see the key taken')
  t.equal(await count(rt.db, 'SELECT count(*)::int AS n FROM ledger_movements'), 1)
  await t.rejects(rt.db.withTransaction(c => postMovements(c, [{ ...m, key: 'x', qty: 0.0001 }])), /more than 3 decimals/)
  t.equal(await count(rt.db, 'SELECT count(*)::int AS n FROM ledger_movements'), 1, 'a bad quantity writes nothing')
})
