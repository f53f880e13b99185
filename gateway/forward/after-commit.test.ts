// A bulk job's calls go out between the live sales' sends (deliver.ts): the sender's quiet() waits
// while a live send is in flight, and no longer than it is told to, so a busy hour still lets them through.
import t from 'tap'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { schedule, writeOutbox } from '../outbox/outbox.ts'
import { AfterCommitSender } from './after-commit.ts'

t.test('quiet() waits for a live send in flight and resolves once it is done; with a limit, it stops waiting at the limit', async t => {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const forwarding = doublesForwarding(doubles)
  const rt = await testRuntime(t, { config: { forwarding } })
  const sender = new AfterCommitSender({ db: rt.db, boss: rt.boss, forwarding })
  await t.resolves(sender.quiet(60_000), 'nothing in flight: at once')

  const jobs = await rt.db.withTransaction(async c => {
    const rows = await writeOutbox(c, [{ sink: 'http:erp', topic: 'movement', key: 'live:1', payload: { movement_id: 'pos:1', sku: 'S1', location_id: 'MK01', qty: '-1.000', reason: 'sale' } }])
    return await schedule(rt.boss, 'http:erp', rows.map(r => Number(r.id)), { sql: c })
  })
  doubles.sink.server.fault = { mode: 'hold' }
  sender.push(jobs)
  await eventually(async () => doubles.sink.server.held === 1)

  await sender.quiet(20)
  t.equal(doubles.sink.server.held, 1, 'quiet(20) stopped waiting while the live call was still held')
  let done = false
  const waiting = sender.quiet(60_000).then(() => { done = true })
  await new Promise(resolve => setImmediate(resolve))
  t.notOk(done, 'quiet() is still waiting while the live call is held')
  doubles.sink.server.release()
  await waiting
  t.same(doubles.sink.applied.map(a => a.key), ['live:1'], 'it resolved once the live row had reached the sink')
  await sender.idle()
})
