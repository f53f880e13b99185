import t from 'tap'
import { builtInConnectors } from '../../connectors/index.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PosEvent } from '../../connectors/contract.ts'
import { normalizeCanonical } from '../../connectors/pos-canonical/normalize.ts'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { freshDb } from '../../fixtures/support/db.ts'
import { applyPosEvent } from './pos-store.ts'

const events: PosEvent[] = readFileSync(join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8').trim().split('\n')
  .map((l, i) => normalizeCanonical(JSON.parse(l), { resolveStore: s => s, tenderMethods: builtInConnectors().tenderMethods }, i + 1))
const cutoff = (store: string) => store === 'CWB1' ? 240 : 0

async function state (db: { query: (q: string) => Promise<{ rows: any[] }> }) {
  const { rows } = await db.query(`SELECT
    (SELECT count(*) FROM sales)::int AS sales, (SELECT count(*) FROM sale_lines)::int AS lines, (SELECT count(*) FROM sale_tenders)::int AS tenders,
    (SELECT count(*) FROM stock_movements)::int AS movements, (SELECT coalesce(sum(qty), 0)::text FROM stock_movements) AS net_qty`)
  return rows[0]
}

async function stockBySource (db: { query: (q: string, v?: unknown[]) => Promise<{ rows: any[] }> }, source: string) {
  const { rows } = await db.query(`SELECT reason, sku, qty::text FROM stock_movements WHERE source_id = $1 ORDER BY id`, [source])
  return rows.map(r => [r.reason, r.sku, r.qty])
}

t.test('a day of events lands as sales, tenders and provisional movements; business days honour the cut-off', async t => {
  const db = await freshDb(t)
  for (const ev of events) await applyPosEvent(db, ev, cutoff(ev.storeId))
  t.match(await state(db), { sales: 13, tenders: 14 })
  t.same(await stockBySource(db, 'pos-canonical:MK01-T1-000123'), [['sale', '10032', '-2.000']])
  t.same(await stockBySource(db, 'pos-canonical:MK01-T1-000142'), [['return', '30005', '1.000']], 'a refund puts stock back')
  t.same(await stockBySource(db, 'pos-canonical:CWB1-T1-000002'), [['sale', '20011', '-1.000'], ['void', '20011', '1.000']], 'a void reverses with a compensating movement')
  const { rows } = await db.query(`SELECT sale_id, business_date, rounding FROM sales WHERE sale_id IN ('CWB1-T1-000003', 'MK01-T1-000131', 'MK01-T1-000125') ORDER BY sale_id`)
  t.same(rows, [
    { sale_id: 'CWB1-T1-000003', business_date: '2026-11-20', rounding: 0 },
    { sale_id: 'MK01-T1-000125', business_date: '2026-11-20', rounding: 5 },
    { sale_id: 'MK01-T1-000131', business_date: '2026-11-21', rounding: 0 }
  ], '01:30 at CWB1 (cut-off 04:00) is the 20th; 00:30 at MK01 is the 21st')
  const ms = await db.query(`SELECT DISTINCT status, actor FROM stock_movements`)
  t.same(ms.rows, [{ status: 'provisional', actor: 'pos:pos-canonical' }])
})

t.test('repeated and late events change nothing twice', async t => {
  const db = await freshDb(t)
  for (const ev of events) await applyPosEvent(db, ev, cutoff(ev.storeId))
  const once = await state(db)
  const outcomes = []
  for (const ev of [...events].reverse()) outcomes.push(await applyPosEvent(db, { ...ev, eventId: `${ev.eventId}-redelivered` }, cutoff(ev.storeId)))
  t.same(await state(db), once)
  t.ok(outcomes.every(o => o === 'duplicate' || o === 'void_duplicate'))
})

t.test('out of order: a void before its sale still reverses it, exactly once', async t => {
  const db = await freshDb(t)
  const sale = events.find(e => e.saleId === 'CWB1-T1-000002' && e.kind === 'sale')!
  const voided = events.find(e => e.saleId === 'CWB1-T1-000002' && e.kind === 'void')!
  t.equal(await applyPosEvent(db, voided, 240), 'void_recorded')
  t.equal(await applyPosEvent(db, sale, 240), 'created')
  t.equal(await applyPosEvent(db, voided, 240), 'void_duplicate')
  t.same(await stockBySource(db, 'pos-canonical:CWB1-T1-000002'), [['sale', '20011', '-1.000'], ['void', '20011', '1.000']])
  t.match(await state(db), { net_qty: '0.000' })
})

t.test('every order of one sale, its refund and its void ends in the same stock', async t => {
  const db = await freshDb(t)
  const sale = events.find(e => e.saleId === 'MK01-T1-000130')!
  const refund = events.find(e => e.saleId === 'MK01-T1-000140')!
  const voidRefund: PosEvent = { ...refund, kind: 'void', eventId: 'v', lines: [], tenders: [], rounding: 0 }
  const orders = [[sale, refund, voidRefund], [voidRefund, refund, sale], [refund, voidRefund, sale], [voidRefund, sale, refund]]
  const results = []
  for (const order of orders) {
    await db.query('TRUNCATE sales, sale_lines, sale_tenders, sale_voids, stock_movements, movement_verifications, movement_standing')
    for (const ev of order) await applyPosEvent(db, ev, 0)
    results.push((await state(db)).net_qty)
  }
  t.same(results, ['-2.000', '-2.000', '-2.000', '-2.000'], 'sold 2, returned 1, return voided')
})

t.test('a refund whose goods are not restocked moves no stock', async t => {
  const db = await freshDb(t)
  const refund = events.find(e => e.saleId === 'MK01-T1-000142')!
  await applyPosEvent(db, { ...refund, lines: refund.lines.map(l => ({ ...l, restock: false })) }, 0)
  t.match(await state(db), { sales: 1, movements: 0 })
})
