// Forwarding to the external sinks against doubles that implement the real protocols: delivered once
// each, through a blackholed sink (C6), a 429 with Retry-After (C7), retry exhaustion into the
// dead-letter queue with an alert and a redrive (C10, R4), and the outbound allowlist (S10).
import t, { type Test } from 'tap'
import { ConfigError } from '../config-error.ts'
import { forwardingConfig } from '../config-forwarding.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { redrive } from './admin.ts'
import { QUEUES } from '../outbox/outbox.ts'
import { doublesForwarding, startDoubles, type Doubles } from '../../fixtures/support/forwarding.ts'
import { saleEvent, salesFile } from '../../fixtures/support/sales.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'

async function setup (t: Test, over: Parameters<typeof doublesForwarding>[1] = {}) {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const rt = await testRuntime(t, { workers: true, config: { forwarding: doublesForwarding(doubles, over) } })
  const sell = async (n: number, prefix: string) => await importPosNdjson(rt, salesFile(t.testdir({}), `${prefix}.ndjson`, Array.from({ length: n }, (_, i) => saleEvent(i, { prefix }))))
  return { rt, doubles, sell }
}

const delivered = (d: Doubles) => d.sink.applied.length

t.test('every movement reaches the built-in ledger, the HTTP sink and Jiandaoyun once, signed and keyed', async t => {
  const { rt, doubles, sell } = await setup(t)
  await sell(30, 'A')
  await eventually(async () => delivered(doubles) === 30 && doubles.jiandaoyun.records.length === 30)
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM ledger_movements')).rows[0].n, 30)
  t.equal(doubles.sink.badSignatures, 0, 'the sink verified every Standard Webhooks signature')
  t.equal(doubles.sink.duplicates, 0)
  t.same(new Set(doubles.sink.applied.map(a => a.key)).size, 30)
  t.match(doubles.sink.applied[0], { type: 'stock.movement', data: { sku: '10032', location_id: 'MK01', qty: '-1.000', reason: 'sale' } })
  t.match(doubles.jiandaoyun.records[0], { _widget_sku: { value: '10032' }, _widget_qty: { value: -1 }, _widget_loc: { value: 'MK01' } })
  // read in one snapshot: deliveries, outbox rows, and the jobs that could still forward something
  const state = async () => (await rt.db.query(`SELECT (SELECT count(*) FROM inbox_events)::int AS inbox, (SELECT count(*) FROM outbox)::int AS outbox,
    (SELECT count(*) FROM outbox WHERE status <> 'delivered')::int AS waiting,
    (SELECT count(*) FROM pgboss.job WHERE name IN ('pos.normalize', 'forward.ledger', 'forward.sink', 'forward.bulk') AND state IN ('created', 'retry', 'active'))::int AS jobs`)).rows[0]
  await eventually(async () => (await state()).jobs === 0)
  await sell(30, 'A') // the till sends its backlog again
  t.same(await state(), { inbox: 30, outbox: 90, waiting: 0, jobs: 0 }, 'the repeats made no row and no job that could forward later')
  t.equal(delivered(doubles), 30, 'a repeated event forwards nothing')
})

t.test('C6: a blackholed sink — each call ends at its timeout, retries back off, all arrive once after healing', async t => {
  const { rt, doubles, sell } = await setup(t)
  doubles.sink.server.fault = { mode: 'blackhole' }
  await sell(5, 'B')
  // the send right after a sale's commit calls for its rows side by side; then the delivery jobs, which
  // wait their backstop (6 s here), try a row at a time and back off between attempts. How many jobs
  // there are depends on how the normalize worker batched the five sales, so each row's calls are
  // looked at apart: its first is the send, the rest its job's attempts.
  const callsOf = () => Map.groupBy(doubles.sink.server.faultHits, h => h.id)
  await eventually(async () => callsOf().size === 5 && [...callsOf().values()].some(calls => calls.length >= 4), 30_000)
  const { rows: [stuck] } = await rt.db.query(`SELECT count(*)::int AS n, max(last_error) AS err FROM outbox WHERE sink = 'http:erp' AND status = 'pending'`)
  t.equal(stuck.n, 5, 'nothing was marked delivered')
  t.match(stuck.err, /no answer, timed out after 500 ms/, 'the attempt ended by our timeout')
  const gaps = [...callsOf().values()].flatMap(calls => calls.slice(1).map((h, i) => h.at - calls[i].at))
  t.ok(gaps.length >= 3 && gaps.every(g => g >= 900), `each row's attempts are spaced (${gaps.join(', ')} ms apart)`)
  doubles.sink.server.fault = { mode: 'none' }
  await eventually(async () => delivered(doubles) === 5, 30_000)
  t.equal(doubles.sink.duplicates, 0)
})

t.test('C7: a 429 with Retry-After — the next attempt comes no sooner, and no hot loop', async t => {
  const { doubles, sell } = await setup(t)
  doubles.sink.server.fault = { mode: 'status', status: 429, headers: { 'retry-after': '3' }, times: 1 }
  await sell(1, 'C')
  await eventually(async () => delivered(doubles) === 1, 20_000)
  const refused = doubles.sink.server.faultHits[0].at
  t.equal(doubles.sink.server.faultHits.length, 1, 'one refused attempt, not a loop')
  t.ok(doubles.sink.applied[0].at - refused >= 3000, `applied ${doubles.sink.applied[0].at - refused} ms after the 429`)
})

t.test('C10: retries exhausted — dead-lettered with its error, ops is told in DingTalk, redrive delivers each once', async t => {
  const { rt, doubles, sell } = await setup(t, { retryLimit: 1, retryDelaySeconds: 1 })
  doubles.sink.server.fault = { mode: 'status', status: 503 }
  await sell(4, 'D')
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sink = 'http:erp' AND status = 'dead'`)).rows[0].n === 4, 30_000)
  // our rows are marked dead inside the failing job; pg-boss moves the job to the dead-letter queue after it
  const inDeadLetterQueue = async () => (await rt.boss.findJobs(QUEUES.dead, { queued: true })).some(j => (j.data as { sink: string }).sink === 'http:erp')
  await eventually(inDeadLetterQueue, 10_000)
  t.ok(await inDeadLetterQueue(), 'the job is in the dead-letter queue')
  await eventually(async () => doubles.dingtalk.messages.some(m => m.robot === 'ops' && /Forwarding stopped/.test(m.body.markdown?.text ?? '')), 20_000)
  t.match(doubles.dingtalk.messages.find(m => m.robot === 'ops')!.body.markdown.text, /4 item\(s\) for \*\*http:erp\*\*[\s\S]*503[\s\S]*recon outbox redrive --sink http:erp/)
  doubles.sink.server.fault = { mode: 'none' }
  t.match(await redrive(rt.db, rt.boss, 'http:erp'), { rows: 4, sinks: ['http:erp'] })
  await eventually(async () => delivered(doubles) === 4, 20_000)
  t.equal(doubles.sink.duplicates, 0, 'R4: nothing applied twice')
  t.equal((await rt.db.query(`SELECT count(*)::int AS n FROM ledger_movements`)).rows[0].n, 4, 'the built-in ledger was never affected')
})

t.test('S10: outbound URLs must be on the allowlist, and a redirect is never followed', async t => {
  t.throws(() => forwardingConfig({ dingtalk: { robots: { ops: { url: 'http://169.254.169.254/robot/send?access_token=x', secret: 's' } } } }), ConfigError)
  t.throws(() => forwardingConfig({ dingtalk: { robots: { ops: { url: 'http://169.254.169.254/robot/send?access_token=x', secret: 's' } } } }), /169.254.169.254 is not on the outbound allowlist/)
  t.throws(() => forwardingConfig({ sinks: [{ id: 'erp', kind: 'http', url: 'https://user:pw@erp.example/x', secret: 'whsec_' + 'A'.repeat(32) }], allowHosts: ['erp.example'] }), /credentials/)
  t.throws(() => forwardingConfig({ dingtalk: { robots: { ops: { url: 'http://oapi.dingtalk.com/robot/send?access_token=x', secret: 's' } } } }), /must be https/)
  const { rt, doubles, sell } = await setup(t)
  const elsewhere = await startDoubles()
  t.teardown(() => elsewhere.close())
  doubles.sink.server.fault = { mode: 'redirect', location: elsewhere.sink.url }
  await sell(1, 'E')
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sink = 'http:erp' AND status = 'dead'`)).rows[0].n === 1, 20_000)
  t.equal(elsewhere.sink.server.hits.length, 0, 'the redirect target was never called')
  t.match((await rt.db.query(`SELECT last_error FROM outbox WHERE sink = 'http:erp'`)).rows[0].last_error, /redirect/)
})
