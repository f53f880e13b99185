import t from 'tap'
import { createHash } from 'node:crypto'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { NORMALIZE_QUEUE, type InboxItem } from './inbox.ts'

const item = (eventId: string, body: string): InboxItem => ({
  connector: 'pos-canonical',
  eventId,
  sha256: createHash('sha256').update(body).digest(),
  // stands in for the ciphertext: bytes of every value, and lengths that differ from row to row
  bodyEnc: Buffer.concat([Buffer.from([0, 255, 10, 13]), Buffer.from(body)]),
  keyId: 'k1',
  headers: eventId === 'A' ? { 'x-topic': 'orders/paid' } : {}
})

t.test('one flush of new, repeated and conflicting deliveries: each its verdict, the bodies stored byte for byte, one job for the new rows', async t => {
  const rt = await testRuntime(t)
  t.same((await rt.inbox.add(item('C', 'the first body of C'))).status, 'accepted')
  t.same((await rt.inbox.add(item('D', 'the body of D'))).status, 'accepted')
  // the writer counts a flush as done a few promise steps after its senders are answered
  await new Promise(resolve => setImmediate(resolve))

  // a flush in flight (the writer's limit), so x2 and the next five queue and go out as one batch
  const busy = [rt.inbox.add(item('x1', '1')), rt.inbox.add(item('x2', '22'))]
  const batch = [item('A', 'a body'), item('A', 'a body'), item('B', 'the body of B, longer than the others'), item('C', 'another body of C'), item('D', 'the body of D')]
  const results = await Promise.all(batch.map(i => rt.inbox.add(i)))
  await Promise.all(busy)
  t.same(results.map(r => r.status), ['accepted', 'duplicate', 'accepted', 'conflict', 'duplicate'])
  t.equal(results[1].inboxId, results[0].inboxId, 'the repeat points at the row stored')

  const { rows } = await rt.db.query<{ id: number, event_id: string, body_enc: Buffer, body_sha256: Buffer, key_id: string, headers: object }>(
    'SELECT id, event_id, body_enc, body_sha256, key_id, headers FROM inbox_events ORDER BY id')
  t.same(rows.map(r => r.event_id).sort(), ['A', 'B', 'C', 'D', 'x1', 'x2'], 'one row per event id')
  const expected = new Map([['C', 'the first body of C'], ['D', 'the body of D'], ['x1', '1'], ['x2', '22'], ['A', 'a body'], ['B', 'the body of B, longer than the others']])
  for (const r of rows) {
    const sent = item(r.event_id, expected.get(r.event_id)!)
    t.ok(r.body_enc.equals(sent.bodyEnc), `${r.event_id}: the body bytes as sent`)
    t.ok(r.body_sha256.equals(sent.sha256), `${r.event_id}: its hash`)
    t.equal(r.key_id, 'k1')
    t.same(r.headers, sent.headers)
  }
  t.equal(results[2].inboxId, rows.find(r => r.event_id === 'B')!.id)

  const jobs = await rt.db.query<{ data: { ids: number[] } }>(`SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on, id`, [NORMALIZE_QUEUE])
  const eventOf = new Map(rows.map(r => [r.id, r.event_id]))
  t.same(jobs.rows.map(j => j.data.ids.map(id => eventOf.get(id)).sort().join('+')).sort(), ['A+B+x2', 'C', 'D', 'x1'],
    'a job per flush that stored something, naming only its new rows')
})

t.test('a flush whose deliveries were all stored before sends no job and answers each as a duplicate', async t => {
  const rt = await testRuntime(t)
  await rt.inbox.add(item('E', 'e'))
  const again = await rt.inbox.add(item('E', 'e'))
  t.equal(again.status, 'duplicate')
  const jobs = await rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1', [NORMALIZE_QUEUE])
  t.equal(jobs.rows[0].n, 1, 'only the first delivery made a job')
})
