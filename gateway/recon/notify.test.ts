import t from 'tap'
import { join } from 'node:path'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { reconcile } from '../../reconciler/reconcile.ts'
import { sale, settings, DAY } from '../../fixtures/support/recon.ts'
import { mismatchAlert } from './notify.ts'
import { reconcileDay } from './run.ts'

t.test('the digest: counts per code, the five largest amounts, a link; nothing when only settlements are pending', async t => {
  const sales = [100, 900, 300, 700, 500, 200].map((amount, i) => sale(`S${i}`, { tenders: [{ method: 'alipayhk', amount: amount * 100, reference: `R${i}` }] }))
  const r = reconcile({ date: DAY, sales, payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z' })
  const a = mismatchAlert(r, 'https://recon.example/')!
  t.same(a.counts, { MISSING_PAYMENT: 6 })
  t.same(a.top.map(x => x.amount), [90000, 70000, 50000, 30000, 20000])
  t.equal(a.url, `https://recon.example/v1/reconciliations/${DAY}`)
  const pending = reconcile({ date: DAY, sales, payments: [], settings: settings({ asOf: DAY }), generatedAt: '2026-11-21T01:30:00Z' })
  t.equal(mismatchAlert(pending, 'https://recon.example'), null, 'not due yet is not a mismatch')
})

t.test('a run that finds exceptions sends finance\'s DingTalk group one actionCard; re-running sends nothing more', async t => {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 300, seed: 9, date: '2026-11-20', anomalies: 1 }, dir)
  const rt = await testRuntime(t, { workers: true, config: { stores: generatedStores(truth), forwarding: doublesForwarding(doubles) } })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  const run = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-24' })
  // the imports queued runs of their own (the worker is on): the digest of this run is the one with its counts
  const codes = [...new Set(run.report.exceptions.map(e => e.code))]
  const finance = () => doubles.dingtalk.messages.filter(m => m.robot === 'finance')
  const ours = () => finance().find(m => codes.every(c => m.body.actionCard?.text.includes(`- ${c}: `)))
  await eventually(async () => ours() !== undefined, 20_000)
  const msg = ours()!.body
  t.equal(msg.msgtype, 'actionCard')
  t.match(msg.actionCard, { title: '對賬異常 Reconciliation 2026-11-20', singleURL: 'http://127.0.0.1:3000/v1/reconciliations/2026-11-20' })
  for (const code of codes) t.match(msg.actionCard.text, new RegExp(`- ${code}: ${run.report.exceptions.filter(e => e.code === code).length}\\n`), `${code} counted`)
  t.equal((msg.actionCard.text.match(/^- [A-Z_]+[^:\n]*: HK\$/gm) ?? []).length, 5, 'five largest amounts')
  // settled: no run queued or running, every alert for finance sent
  const state = async () => (await rt.db.query(`SELECT
    (SELECT count(*) FROM pgboss.job WHERE name = 'recon.reconcile' AND state IN ('created', 'retry', 'active'))::int AS runs,
    (SELECT count(*) FROM outbox WHERE sink = 'robot:finance')::int AS alerts,
    (SELECT count(*) FROM outbox WHERE sink = 'robot:finance' AND status = 'pending')::int AS pending`)).rows[0]
  await eventually(async () => { const s = await state(); return s.runs === 0 && s.pending === 0 }, 30_000)
  const before = await state()
  const sent = finance().length
  const again = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-24' })
  t.equal(again.outcome, 'unchanged')
  t.same(await state(), before, 'no alert was queued by the unchanged run (an alert is written with its run, in one transaction)')
  t.equal(finance().length, sent, 'an unchanged report alerts no one again')
})
