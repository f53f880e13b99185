// Verified movements, forwarded: two external ledgers on one generated day, one realtime and one
// verified-only, checked against the report's own lists (verified, provisional with their reasons).
import t from 'tap'
import { join } from 'node:path'
import { LedgerSinkDouble, type Applied } from '../../fixtures/doubles/ledger-sink.ts'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { SINK_SECRET } from '../../fixtures/support/forwarding.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { forwardingConfig } from '../config-forwarding.ts'
import { voidSale } from './resolve.ts'
import { reconcileDay } from './run.ts'

const DATE = '2026-11-20'
const AS_OF = '2026-11-27'

/** The last word a sink heard about each movement (by its sequence; the posting itself is 0). */
function lastWord (applied: Applied[]): Map<string, { type: string, status: string, sequence: number }> {
  const out = new Map<string, { type: string, status: string, sequence: number }>()
  for (const a of applied) {
    const d = a.data as { movement_id: string, status: string, sequence?: number }
    const seen = out.get(d.movement_id)
    if (!seen || (d.sequence ?? 0) > seen.sequence) out.set(d.movement_id, { type: a.type, status: d.status, sequence: d.sequence ?? 0 })
  }
  return out
}

t.test('a realtime sink ends the day with every movement and its final standing; a verified-only sink with exactly the verified ones; each change told once', async t => {
  const realtime = await new LedgerSinkDouble(SINK_SECRET).listen()
  const verifiedOnly = await new LedgerSinkDouble(SINK_SECRET).listen()
  t.teardown(async () => { await realtime.close(); await verifiedOnly.close() })
  const forwarding = forwardingConfig({
    allowHosts: ['127.0.0.1'], timeoutMs: 5000, retryDelaySeconds: 1,
    sinks: [{ id: 'erp', kind: 'http', mode: 'realtime', url: realtime.url, secret: SINK_SECRET }, { id: 'books', kind: 'http', mode: 'verified-only', url: verifiedOnly.url, secret: SINK_SECRET }]
  })
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 200, seed: 5, date: DATE, anomalies: 1 }, dir)
  const rt = await testRuntime(t, { workers: true, config: { stores: generatedStores(truth), forwarding } })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const settled = async () => (await rt.db.query(`SELECT (SELECT count(*) FROM outbox WHERE status <> 'delivered')::int AS waiting,
    (SELECT count(*) FROM pgboss.job WHERE name LIKE 'forward.%' AND state IN ('created', 'retry', 'active'))::int AS jobs,
    (SELECT count(*) FROM pgboss.job WHERE name = 'recon.reconcile' AND state IN ('created', 'retry', 'active'))::int AS runs`)).rows[0]
  await eventually(async () => { const s = await settled(); return s.waiting === 0 && s.jobs === 0 && s.runs === 0 }, 60_000)
  const { report } = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  await eventually(async () => { const s = await settled(); return s.waiting === 0 && s.jobs === 0 }, 60_000)

  // what the report says, read by hand: verified, in doubt for a reason, or only waiting for settlement
  const posted = (await rt.db.query(`SELECT m.id FROM stock_movements m JOIN sales s ON m.source_id = s.vendor || ':' || s.sale_id WHERE s.business_date = $1 AND m.reason IN ('sale', 'return')`, [DATE])).rows.map(r => `pos:${r.id}`)
  const verified = new Set(Object.values(report.verified_movements).flat().map(id => `pos:${id}`))
  const expected = new Map(posted.map(id => [id, verified.has(id) ? 'verified' : 'provisional']))
  for (const p of report.provisional_movements) if (p.why.some(c => c !== 'PENDING_SETTLEMENT')) expected.set(`pos:${p.movement}`, 'disputed')
  t.ok(verified.size > 0 && [...expected.values()].includes('disputed'), 'the day has verified and disputed movements')

  // (the generated files hold some sales of the days around it too; the run is of this day)
  const rtWord = lastWord(realtime.applied)
  t.same(posted.filter(id => !rtWord.has(id)), [], 'the realtime sink heard of every movement of the day')
  t.same(posted.map(id => [id, rtWord.get(id)?.status]).filter(([id, status]) => status !== expected.get(id!)), [], 'and its last word on each is the standing the report gives')
  t.same(new Set(verifiedOnly.applied.map(a => (a.data as { movement_id: string }).movement_id)), verified, 'the verified-only sink holds exactly the verified movements')
  t.ok(verifiedOnly.applied.every(a => a.type === 'stock.movement' && (a.data as { status: string }).status === 'verified'))
  // the verified-only sink hears only what runs tell: all of it went on the bulk queue, behind live sales
  t.same((await rt.db.query(`SELECT DISTINCT name FROM pgboss.job WHERE data->>'sink' = 'http:books'`)).rows, [{ name: 'forward.bulk' }], 'a run\'s events are on the bulk queue')

  // a run that finds the same: nothing more
  const before = [realtime.applied.length, verifiedOnly.applied.length]
  const again = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: AS_OF })
  t.equal(again.outcome, 'unchanged')
  t.same((await settled()).waiting, 0, 'no delivery was queued')
  t.same([realtime.applied.length, verifiedOnly.applied.length], before)

  // a flip: a verified sale voided after the fact; each of its movements is told once, to each sink
  const sale = (await rt.db.query<{ sale_id: string, store_id: string, vendor: string, moves: string[] }>(`SELECT s.sale_id, s.store_id, s.vendor, array_agg('pos:' || m.id) AS moves FROM sales s JOIN stock_movements m ON m.source_id = s.vendor || ':' || s.sale_id
    WHERE s.business_date = $1 AND s.kind = 'sale' AND m.reason = 'sale' GROUP BY 1, 2, 3`, [DATE])).rows.find(r => r.moves.every(m => verified.has(m)))
  if (!sale) throw new Error('the day has no verified sale to void')
  await voidSale(rt, { date: DATE, sale: { saleId: sale.sale_id, storeId: sale.store_id, vendor: sale.vendor }, reason: 'customer disputed the charge', actor: 'test' })
  await eventually(async () => { const s = await settled(); return s.waiting === 0 && s.jobs === 0 && s.runs === 0 }, 60_000)
  const told = (sink: LedgerSinkDouble, type: string) => sink.applied.filter(a => a.type === type && sale.moves.includes((a.data as { movement_id: string }).movement_id))
  t.equal(told(realtime, 'stock.movement.voided').length, sale.moves.length, 'realtime: voided, once per movement')
  t.equal(told(verifiedOnly, 'stock.movement.reversed').length, sale.moves.length, 'verified-only: reversed, once per movement')
  t.equal(realtime.duplicates + verifiedOnly.duplicates, 0, 'no event was delivered twice')
})
