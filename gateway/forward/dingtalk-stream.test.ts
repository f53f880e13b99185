// DingTalk events without a public URL: the gateway keeps a Stream connection open to a double that
// speaks the Stream protocol; approvals decided there reach their orders once, however often they are
// sent and by whichever way (Stream or the HTTP callback).
import t from 'tap'
import { DingTalkStreamDouble } from '../../fixtures/doubles/dingtalk-stream.ts'
import { APP, doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'

t.test('approvals arrive over the Stream connection: acknowledged, acted on once, across redeliveries, a reconnect and the HTTP callback', async t => {
  const doubles = await startDoubles()
  const stream = await new DingTalkStreamDouble(doubles.dingtalk, APP).listen()
  t.teardown(async () => { await doubles.close(); await stream.close() })
  const f = doublesForwarding(doubles)
  const rt = await testRuntime(t, { workers: true, config: { forwarding: { ...f, app: { ...f.app!, stream: true } } } })
  await eventually(async () => stream.connected === 1, 20_000)
  t.equal(stream.opens, 1, 'one connection opened with the app\'s credentials and a one-time ticket')

  const order = async (instance: string): Promise<number> => Number((await rt.db.query(
    `INSERT INTO purchase_orders (supplier, location_id, status, approval_instance_id, submitted_at) VALUES ('Stream Ltd', 'MK01', 'pending_approval', $1, now()) RETURNING id`, [instance])).rows[0].id)
  const status = async (id: number) => (await rt.db.query('SELECT status, decided_by FROM purchase_orders WHERE id = $1', [id])).rows[0]
  const acked = (messageId: string) => stream.acks.find(a => a.messageId === messageId)
  const events = async () => (await rt.db.query('SELECT count(*)::int AS n FROM dingtalk_events')).rows[0].n

  const first = await order('PI-S1')
  const m1 = stream.approval('PI-S1', 'agree', 'evt-1')
  await eventually(async () => acked(m1) !== undefined)
  t.match(acked(m1), { code: 200 })
  t.same(await status(first), { status: 'approved', decided_by: 'dingtalk:PI-S1' })

  // DingTalk sends it again (same eventId, new messageId): acknowledged, not acted on twice
  const m2 = stream.approval('PI-S1', 'agree', 'evt-1')
  await eventually(async () => acked(m2) !== undefined)
  t.equal(await events(), 1)
  // and the same decision by the HTTP callback is the same event
  await rt.app!.listen({ port: 0, host: '127.0.0.1' })
  const callback = `http://127.0.0.1:${(rt.app!.server.address() as { port: number }).port}/v1/dingtalk/callback`
  t.match(await doubles.dingtalk.finishApproval(callback, 'PI-S1', 'agree'), { status: 200, success: true })
  t.equal(await events(), 1, 'the callback found it acted on already')

  const ping = stream.ping()
  await eventually(async () => acked(ping) !== undefined)
  t.match(acked(ping), { code: 200 }, 'a ping is answered')

  // DingTalk asks the client to reconnect: a new connection, and events keep coming
  stream.disconnect()
  await eventually(async () => stream.connections === 2 && stream.connected === 1, 20_000)
  t.equal(stream.opens, 2, 'a fresh ticket for the new connection')
  const second = await order('PI-S2')
  const m3 = stream.approval('PI-S2', 'refuse')
  await eventually(async () => acked(m3) !== undefined)
  t.same(await status(second), { status: 'rejected', decided_by: 'dingtalk:PI-S2' })
})
