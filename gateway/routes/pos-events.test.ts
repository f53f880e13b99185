import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, eventually, testRuntime } from '../../fixtures/support/runtime.ts'

const ndjson = readFileSync(join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8')
const upload = (app: any, body: string, role: 'pos' | 'finance' | 'admin' = 'pos') =>
  app.inject({ method: 'POST', url: '/v1/pos-events', headers: { ...auth(role), 'content-type': 'application/x-ndjson' }, payload: body })
const inbox = async (db: { query: (q: string) => Promise<{ rows: any[] }> }) => (await db.query('SELECT count(*)::int AS n FROM inbox_events')).rows[0].n

t.test('a till backlog as NDJSON is accepted whole, normalised like webhooks, and is idempotent', async t => {
  const rt = await testRuntime(t, { workers: true })
  const first = await upload(rt.app, ndjson)
  t.equal(first.statusCode, 202)
  t.same(first.json(), { status: 'accepted', events: 14, accepted: 14, duplicates: 0 })
  const again = await upload(rt.app, ndjson, 'admin')
  t.same(again.json(), { status: 'accepted', events: 14, accepted: 0, duplicates: 14 })
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM inbox_events WHERE status = 'processed'`)).rows[0].n === 14)
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM sales')).rows[0].n, 13)
})

t.test('one bad line refuses the upload, every bad line listed, nothing stored', async t => {
  const rt = await testRuntime(t)
  const lines = ndjson.trim().split('\n')
  lines[2] = '{"id": broken'
  lines[5] = lines[5].replace('"qty":2', '"qty":-2')
  lines[7] = lines[7].replace('"store_id":"MK01"', '"store_id":"ZZ99"')
  const res = await upload(rt.app, lines.join('\n'))
  t.equal(res.statusCode, 422)
  t.match(res.json(), { error: 'INVALID_ROWS', issue_count: 3, issues: [{ line: 3, message: 'not a JSON object' }, { line: 6, column: 'data.lines[0].qty' }, { line: 8, message: /unknown store ZZ99/ }] })
  t.equal(await inbox(rt.db), 0)
})

t.test('a card number or a reused id with another body refuses the whole upload', async t => {
  const rt = await testRuntime(t)
  const lines = ndjson.trim().split('\n')
  const pan = await upload(rt.app, [lines[0], lines[1].replace('"provider_txn_id":null', '"provider_txn_id":"5500 0000 0000 0004"')].join('\n'))
  t.equal(pan.statusCode, 422)
  t.match(pan.json(), { error: 'CARD_NUMBER_FOUND', issues: [{ line: 2 }] })
  t.notMatch(pan.body, '5500')
  t.equal((await upload(rt.app, lines[0])).statusCode, 202)
  const conflict = await upload(rt.app, [lines[1], lines[0].replace('"receipt_no":"000123"', '"receipt_no":"000999"')].join('\n'))
  t.equal(conflict.statusCode, 409)
  t.match(conflict.json(), { issues: [{ line: 2, column: 'id', message: /already received with a different body/ }] })
  t.equal(await inbox(rt.db), 1, 'the valid first line of the refused upload was not kept either')
})

t.test('only the pos and admin roles may upload events', async t => {
  const rt = await testRuntime(t)
  t.equal((await upload(rt.app, ndjson, 'finance')).statusCode, 403)
  t.equal((await rt.app!.inject({ method: 'POST', url: '/v1/pos-events', payload: ndjson, headers: { 'content-type': 'application/x-ndjson' } })).statusCode, 401)
})
