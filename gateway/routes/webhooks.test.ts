import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { loyverseHeaders, shopifyHeaders, standardHeaders } from '../../fixtures/support/sign.ts'
import { eventually, SECRETS, testConfig, testRuntime } from '../../fixtures/support/runtime.ts'
import { startRuntime } from '../runtime.ts'
import { processInbox } from '../ingest/normalize-worker.ts'
import type { Sql } from '../db/pool.ts'

const lines = readFileSync(join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8').trim().split('\n')
const SALE = lines[0]
const SALE_ID = JSON.parse(SALE).id as string

const post = (app: NonNullable<Awaited<ReturnType<typeof testRuntime>>['app']>, connector: string, headers: Record<string, string>, payload: string | Buffer) =>
  app.inject({ method: 'POST', url: `/v1/webhooks/${connector}`, headers, payload })

async function tally (db: Sql) {
  const { rows } = await db.query<Record<string, number>>(`SELECT (SELECT count(*) FROM inbox_events)::int AS inbox, (SELECT count(*) FROM sales)::int AS sales,
    (SELECT count(*) FROM stock_movements)::int AS movements, (SELECT count(*) FROM pgboss.job WHERE name = 'pos.normalize')::int AS jobs`)
  return rows[0]
}

t.test('a signed delivery is stored and answered 202; the worker turns it into a sale with movements', async t => {
  const rt = await testRuntime(t, { workers: true })
  const res = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], SALE_ID, SALE), SALE)
  t.equal(res.statusCode, 202)
  t.match(res.json(), { status: 'accepted', event_id: SALE_ID, events: 1 })
  await eventually(async () => (await rt.db.query(`SELECT status FROM inbox_events`)).rows[0]?.status === 'processed')
  t.match(await tally(rt.db), { inbox: 1, sales: 1, movements: 1 })
  const stored = await rt.db.query<{ body_enc: Buffer, key_id: string }>('SELECT body_enc, key_id FROM inbox_events')
  t.notMatch(stored.rows[0].body_enc.toString('latin1'), 'MK01-T1-000123', 'the raw body is encrypted at rest')
})

t.test('R1: 1,000 concurrent deliveries of one webhook across 4 instances give one row, one job, one sale', async t => {
  const rt = await testRuntime(t)
  const others = await Promise.all([1, 2, 3].map(() => startRuntime(testConfig({ databaseUrl: rt.testDb.url }), { workers: false })))
  t.teardown(() => Promise.all(others.map(o => o.close())))
  const apps = [rt.app!, ...others.map(o => o.app!)]
  const headers = standardHeaders(SECRETS['pos-canonical'], SALE_ID, SALE)
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => post(apps[i % 4], 'pos-canonical', headers, SALE)))
  const codes = results.map(r => r.statusCode)
  t.equal(codes.filter(c => c === 202).length, 1, 'exactly one accepted')
  t.equal(codes.filter(c => c === 200).length, 999, 'the rest are idempotent hits')
  t.ok(results.filter(r => r.statusCode === 200).every(r => r.headers['idempotency-hit'] === 'true'))
  t.match(await tally(rt.db), { inbox: 1, jobs: 1 })
  const { rows } = await rt.db.query<{ id: number }>('SELECT id FROM inbox_events')
  await rt.db.withTransaction(c => processInbox(c, [rows[0].id], rt))
  await rt.db.withTransaction(c => processInbox(c, [rows[0].id], rt))
  t.match(await tally(rt.db), { sales: 1, movements: 1 })
})

t.test('R2: the same event id with another body is refused 409, the original kept, a security line logged', async t => {
  const logged: string[] = []
  const rt = await testRuntime(t, { logger: { level: 'warn', stream: { write: (l: string) => logged.push(l) } } })
  const a = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], SALE_ID, SALE), SALE)
  const other = lines[1]
  const b = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], SALE_ID, other), other)
  t.equal(a.statusCode, 202)
  t.equal(b.statusCode, 409)
  t.match(b.json(), { error: 'EVENT_ID_CONFLICT' })
  t.match(await tally(rt.db), { inbox: 1 })
  const row = await rt.db.query<{ body_enc: Buffer }>('SELECT body_enc FROM inbox_events')
  t.equal(rt.cipher.decrypt(row.rows[0].body_enc, 'inbox_events.body').toString(), SALE, 'the first body is kept')
  t.ok(logged.some(l => l.includes('"security":true') && l.includes('different body')), 'security log line')
  t.notOk(logged.some(l => l.includes('MK01-T1-000124')), 'the payload is not logged')
})

t.test('S2/S7 over HTTP: bad, malformed or stale signatures are 401, never 500, and nothing is stored', async t => {
  const rt = await testRuntime(t)
  const good = standardHeaders(SECRETS['pos-canonical'], SALE_ID, SALE)
  const cases: Array<[string, Record<string, string>, string]> = [
    ['wrong length', { ...good, 'webhook-signature': 'v1,AAAA' }, SALE],
    ['not base64', { ...good, 'webhook-signature': 'v1,@@@@' }, SALE],
    ['empty', { ...good, 'webhook-signature': '' }, SALE],
    ['one byte changed', good, SALE.replace('"qty":2', '"qty":3')],
    ['too old', standardHeaders(SECRETS['pos-canonical'], SALE_ID, SALE, Math.floor(Date.now() / 1000) - 301), SALE]
  ]
  for (const [name, h, body] of cases) {
    const res = await post(rt.app!, 'pos-canonical', h, body)
    t.equal(res.statusCode, 401, name)
    t.equal(res.json().error, 'BAD_SIGNATURE', name)
  }
  const lh = await post(rt.app!, 'loyverse', { 'x-loyverse-signature': 'zz' }, '{}')
  t.equal(lh.statusCode, 401)
  t.match(await tally(rt.db), { inbox: 0 })
})

t.test('S8: an invalid signature on a large body is refused before any JSON parse; over the limit is 413', async t => {
  const rt = await testRuntime(t, { config: { limits: { ...testConfig().limits, webhookBodyBytes: 64 * 1024 } } })
  const junk = '{"a":' + '['.repeat(50_000)
  const bad = await post(rt.app!, 'pos-canonical', { ...standardHeaders('whsec_' + Buffer.from('x').toString('base64'), 'e', junk), 'content-type': 'application/json' }, junk)
  t.equal(bad.statusCode, 401, 'signature checked first, the malformed JSON never parsed')
  const big = 'x'.repeat(70 * 1024)
  const tooBig = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], 'e', big), big)
  t.equal(tooBig.statusCode, 413)
})

t.test('P1: a webhook carrying a card number is refused and not stored', async t => {
  const rt = await testRuntime(t)
  const body = SALE.replace('"provider_txn_id":null', '"provider_txn_id":"4111 1111 1111 1111"')
  const res = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], 'evt_pan', body), body)
  t.equal(res.statusCode, 422)
  t.equal(res.json().error, 'CARD_NUMBER_FOUND')
  t.notMatch(res.body, '4111')
  t.match(await tally(rt.db), { inbox: 0 })
})

t.test('a malformed payload is answered 422 with every problem; an unknown store too; nothing stored', async t => {
  const rt = await testRuntime(t)
  const ev = JSON.parse(SALE)
  ev.data.lines[0].qty = 0
  ev.data.tenders[0].amount = 'lots'
  const body = JSON.stringify(ev)
  const res = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], 'evt_bad', body), body)
  t.equal(res.statusCode, 422)
  t.match(res.json(), { error: 'INVALID_PAYLOAD', issues: [{ column: 'data.lines[0].qty' }, { column: 'data.tenders[0].amount' }] })
  const unknown = JSON.stringify({ ...JSON.parse(SALE), data: { ...JSON.parse(SALE).data, store_id: 'XX99' } })
  const res2 = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], 'evt_store', unknown), unknown)
  t.match(res2.json(), { error: 'INVALID_PAYLOAD', message: /unknown store XX99/ })
  // 30 November has no 31st: refused, not booked to 1 December
  const impossible = JSON.stringify({ ...JSON.parse(SALE), occurred_at: '2026-11-31T12:01:09+08:00' })
  const res3 = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], 'evt_day', impossible), impossible)
  t.equal(res3.statusCode, 422)
  t.match(res3.json(), { error: 'INVALID_PAYLOAD', issues: [{ column: 'occurred_at', message: /no such calendar day/ }] })
  t.match(await tally(rt.db), { inbox: 0 })
})

t.test('Loyverse and Shopify POS deliveries flow through to sales; online orders are ignored', async t => {
  const rt = await testRuntime(t, { workers: true })
  const receipts = readFileSync(join(FIXTURES, 'loyverse/receipts-2026-11-20.json'))
  t.equal((await post(rt.app!, 'loyverse', loyverseHeaders(SECRETS.loyverse, receipts, 'hex'), receipts)).statusCode, 202)
  const order = readFileSync(join(FIXTURES, 'shopify-pos/orders-create-pos.json'))
  t.equal((await post(rt.app!, 'shopify-pos', shopifyHeaders(SECRETS['shopify-pos'], order, 'orders/create', 'wh-1'), order)).statusCode, 202)
  const refund = readFileSync(join(FIXTURES, 'shopify-pos/refunds-create.json'))
  t.equal((await post(rt.app!, 'shopify-pos', shopifyHeaders(SECRETS['shopify-pos'], refund, 'refunds/create', 'wh-2'), refund)).statusCode, 202)
  const web = readFileSync(join(FIXTURES, 'shopify-pos/orders-create-web.json'))
  const ignored = await post(rt.app!, 'shopify-pos', shopifyHeaders(SECRETS['shopify-pos'], web, 'orders/create', 'wh-3'), web)
  t.match(ignored.json(), { status: 'ignored' })
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM inbox_events WHERE status = 'processed'`)).rows[0].n === 3)
  const { rows } = await rt.db.query('SELECT vendor, sale_id, kind, store_id, tenders_total FROM sales ORDER BY vendor, sale_id')
  t.same(rows, [
    { vendor: 'loyverse', sale_id: '1-1001', kind: 'sale', store_id: 'TST1', tenders_total: 4230 },
    { vendor: 'loyverse', sale_id: '1-1002', kind: 'sale', store_id: 'TST1', tenders_total: 9800 },
    { vendor: 'shopify-pos', sale_id: '5402311000001', kind: 'sale', store_id: 'CWB1', tenders_total: 8800 },
    { vendor: 'shopify-pos', sale_id: 'refund-8800001', kind: 'refund', store_id: 'CWB1', tenders_total: -4400 }
  ])
})

t.test('an unknown connector is 400 with the known ones named', async t => {
  const rt = await testRuntime(t)
  const res = await post(rt.app!, 'square', {}, '{}')
  t.equal(res.statusCode, 400)
  t.match(res.json().message, /pos-canonical/)
})

t.test('a vendor registered but not enabled here is 404 VENDOR_NOT_ENABLED, even correctly signed, and nothing is stored', async t => {
  const rt = await testRuntime(t, { config: { posVendors: ['pos-canonical'] } })
  const body = '{"type":"receipts.update","receipts":[]}'
  const res = await post(rt.app!, 'loyverse', loyverseHeaders(SECRETS.loyverse, body), body)
  t.equal(res.statusCode, 404)
  t.match(res.json(), { error: 'VENDOR_NOT_ENABLED', message: /loyverse is not enabled.*enabled: pos-canonical/ })
  t.match(await tally(rt.db), { inbox: 0, jobs: 0 })
  const open = await post(rt.app!, 'pos-canonical', standardHeaders(SECRETS['pos-canonical'], SALE_ID, SALE), SALE)
  t.equal(open.statusCode, 202, 'the enabled vendor still takes deliveries')
})
