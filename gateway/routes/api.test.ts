import t from 'tap'
import { builtInConnectors } from '../../connectors/index.ts'
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { join } from 'node:path'
import Fastify from 'fastify'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, KEYS, testConfig, testRuntime } from '../../fixtures/support/runtime.ts'
import { registerAuth } from '../plugins/auth.ts'
import type { Db } from '../db/pool.ts'
import { applyPosEvent } from '../sales/pos-store.ts'
import { normalizeCanonical } from '../../connectors/pos-canonical/normalize.ts'

const octopus = readFileSync(join(FIXTURES, 'octopus/octopus_settlement_20261121.csv'))
const badAlipay = readFileSync(join(FIXTURES, 'alipayhk/bad/2088000000000001_settle_20261122_B0002.csv'))

function multipart (filename: string, content: Buffer, fields: Record<string, string> = {}): { payload: Buffer, headers: Record<string, string> } {
  const b = '----recon' + Math.random().toString(16).slice(2)
  const parts = Object.entries(fields).map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  const payload = Buffer.concat([Buffer.from(parts.join('') + `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`), content, Buffer.from(`\r\n--${b}--\r\n`)])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } }
}

t.test('uploads: multipart and raw bodies import; the same file again is "already imported"', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const m = multipart('octopus_settlement_20261121.csv', octopus)
  const first = await app.inject({ method: 'POST', url: '/v1/settlements', headers: { ...auth('finance'), ...m.headers }, payload: m.payload })
  t.equal(first.statusCode, 201)
  t.match(first.json(), { status: 'imported', provider: 'octopus', records: 6, filename: 'octopus_settlement_20261121.csv' })
  const again = await app.inject({ method: 'POST', url: '/v1/settlements?filename=again.csv', headers: { ...auth('admin'), 'content-type': 'text/csv' }, payload: octopus })
  t.equal(again.statusCode, 200)
  t.match(again.json(), { status: 'already_imported', import_id: first.json().import_id, message: /already imported/ })
  const got = await app.inject({ method: 'GET', url: `/v1/imports/${first.json().import_id}`, headers: auth('finance') })
  t.match(got.json(), { status: 'imported', records: 6, lines: 8, by_type: { payment: { count: 4 } }, issues: [] })
})

t.test('a refused upload is 422 with every bad line, and GET /v1/imports/:id shows the same', async t => {
  const rt = await testRuntime(t)
  const m = multipart('2088000000000001_settle_20261122_B0002.csv', badAlipay)
  const res = await rt.app!.inject({ method: 'POST', url: '/v1/settlements', headers: { ...auth('finance'), ...m.headers }, payload: m.payload })
  t.equal(res.statusCode, 422)
  t.match(res.json(), { status: 'refused', error: 'INVALID_ROWS', issue_count: 3, issues: [{ line: 3, column: 'Amount' }, { line: 4 }, { line: 5, column: 'Payment_time' }] })
  const got = await rt.app!.inject({ method: 'GET', url: `/v1/imports/${res.json().import_id}`, headers: auth('finance') })
  t.match(got.json(), { status: 'refused', error: 'INVALID_ROWS', issues: [{ line: 3 }, { line: 4 }, { line: 5 }] })
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM payments')).rows[0].n, 0)
})

t.test('an upload over the size cap is 413 and leaves nothing behind', async t => {
  const rt = await testRuntime(t, { config: { limits: { ...testConfig().limits, uploadBytes: 200 } } })
  const res = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=o.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: octopus })
  t.equal(res.statusCode, 413)
  const m = multipart('o.csv', octopus)
  const res2 = await rt.app!.inject({ method: 'POST', url: '/v1/settlements', headers: { ...auth('finance'), ...m.headers }, payload: m.payload })
  t.equal(res2.statusCode, 413)
  const chunked = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=o.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: Readable.from([octopus.subarray(0, 150), octopus.subarray(150)]) })
  t.equal(chunked.statusCode, 413, 'no content-length: counted while streaming')
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM imports')).rows[0].n, 0)
})

t.test('GET /v1/payments and /v1/sales filter by day, store and source and page by id', async t => {
  const rt = await testRuntime(t)
  await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=o.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: octopus })
  const p = await rt.app!.inject({ method: 'GET', url: '/v1/payments?date=2026-11-20&provider=octopus&type=payment&limit=3', headers: auth('finance') })
  t.equal(p.statusCode, 200)
  t.equal(p.json().items.length, 3)
  t.match(p.json().items[0], { merchant_ref: 'MK01-T1-000123-1', gross: 8800, fee: 132, net: 8668, card_masked: '****4821', business_date: '2026-11-20' })
  t.notOk('card_enc' in p.json().items[0], 'no ciphertext in the response')
  const next = await rt.app!.inject({ method: 'GET', url: `/v1/payments?date=2026-11-20&provider=octopus&type=payment&limit=3&after=${p.json().next_after}`, headers: auth('finance') })
  t.match(next.json(), { items: [{ merchant_ref: null, gross: 3800 }], next_after: null })
  const ndjson = readFileSync(join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8').trim().split('\n')
  for (const [i, l] of ndjson.entries()) await applyPosEvent(rt.db, normalizeCanonical(JSON.parse(l), { resolveStore: s => s, tenderMethods: builtInConnectors().tenderMethods }, i + 1), l.includes('CWB1') ? 240 : 0)
  const s = await rt.app!.inject({ method: 'GET', url: '/v1/sales?date=2026-11-20&store=CWB1', headers: auth('finance') })
  t.same(s.json().items.map((x: { sale_id: string, voided: boolean }) => [x.sale_id, x.voided]), [['CWB1-T1-000001', false], ['CWB1-T1-000002', true], ['CWB1-T1-000003', false]])
  t.match(s.json().items[0], { lines: [{ sku: '10032', qty: '3.000', discount: 1200, amount: 12000 }], tenders: [{ method: 'alipayhk', amount: 12000 }] })
  const bad = await rt.app!.inject({ method: 'GET', url: '/v1/sales?date=20-11-2026', headers: auth('finance') })
  t.equal(bad.statusCode, 400)
})

t.test('API keys: none is 401, another role is 403, keys are not accepted as query parameters', async t => {
  const rt = await testRuntime(t)
  const none = await rt.app!.inject({ method: 'GET', url: '/v1/payments' })
  t.equal(none.statusCode, 401)
  const wrong = await rt.app!.inject({ method: 'GET', url: '/v1/payments', headers: { authorization: 'Bearer not-a-key' } })
  t.equal(wrong.statusCode, 401)
  const pos = await rt.app!.inject({ method: 'GET', url: '/v1/payments', headers: auth('pos') })
  t.equal(pos.statusCode, 403)
  t.match(pos.json(), { error: 'FORBIDDEN', message: /pos_vendor role/ })
  const xkey = await rt.app!.inject({ method: 'GET', url: '/v1/payments', headers: { 'x-api-key': KEYS.admin } })
  t.equal(xkey.statusCode, 200)
  const upload = await rt.app!.inject({ method: 'POST', url: '/v1/settlements', headers: { ...auth('pos'), 'content-type': 'text/csv' }, payload: octopus })
  t.equal(upload.statusCode, 403, 'POS vendors cannot upload settlement files')
})

t.test('A2: a route without a declared permission or time limit fails at start-up', async t => {
  const app = Fastify()
  registerAuth(app, { db: null as unknown as Db, apiKeys: [] })
  t.throws(() => app.get('/x', async () => 'x'), /does not declare config.access/)
  t.throws(() => app.get('/y', { config: { access: 'sales:read' } }, async () => 'y'), /does not set a handlerTimeout/)
})

t.test('OpenAPI at /docs lists every route with a schema; health and readiness answer', async t => {
  const rt = await testRuntime(t)
  const doc = (await rt.app!.inject({ method: 'GET', url: '/docs/json' })).json()
  const paths = Object.keys(doc.paths).sort()
  t.same(paths, ['/healthz', '/readyz', '/v1/adjustments', '/v1/api-keys', '/v1/api-keys/{id}/revoke', '/v1/audit', '/v1/bank-entries', '/v1/bank-statements', '/v1/claims', '/v1/claims/{id}/{move}', '/v1/dingtalk/callback', '/v1/imports/{id}', '/v1/locations', '/v1/movements',
    '/v1/outbox', '/v1/outbox/dead', '/v1/outbox/redrive', '/v1/payments', '/v1/pos-events',
    '/v1/purchase-orders', '/v1/purchase-orders/{id}', '/v1/purchase-orders/{id}/decision', '/v1/purchase-orders/{id}/receive', '/v1/purchase-orders/{id}/submit',
    '/v1/reconciliations', '/v1/reconciliations/{date}', '/v1/reconciliations/{date}/claims', '/v1/reconciliations/{date}/exceptions/{key}', '/v1/reconciliations/{date}/links', '/v1/reconciliations/{date}/reopen', '/v1/reconciliations/{date}/reviews', '/v1/reconciliations/{date}/store-assignments',
    '/v1/reconciliations/{date}/voids', '/v1/reconciliations/{date}/write-offs', '/v1/sales', '/v1/sessions', '/v1/settlements', '/v1/skus', '/v1/stock', '/v1/stock-takes', '/v1/stock-takes/{id}',
    '/v1/stock-takes/{id}/counts', '/v1/stock-takes/{id}/post', '/v1/stock/opening', '/v1/thresholds', '/v1/thresholds/{location}/{sku}', '/v1/transfers',
    '/v1/users', '/v1/users/{username}/disable', '/v1/users/{username}/enable', '/v1/users/{username}/password', '/v1/webhooks/{connector}'], 'the pages of the web app are not in the API documentation')
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses?: object, summary?: string }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      t.ok(op.summary && op.responses && Object.keys(op.responses).length > 0, `${method.toUpperCase()} ${path} has a summary and response schemas`)
    }
  }
  t.equal((await rt.app!.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true, 'the UI is served from our own server')
  t.same((await rt.app!.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' })
  t.match((await rt.app!.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready', checks: { database: 'ok', queue: 'ok' } })
})

t.test('responses carry no field outside their schema', async t => {
  const rt = await testRuntime(t)
  await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=o.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: octopus })
  const p = (await rt.app!.inject({ method: 'GET', url: '/v1/payments?limit=1', headers: auth('finance') })).json()
  const doc = (await rt.app!.inject({ method: 'GET', url: '/docs/json' })).json()
  const allowed = Object.keys(doc.paths['/v1/payments'].get.responses['200'].content['application/json'].schema.properties.items.items.properties)
  t.same(Object.keys(p.items[0]).filter(k => !allowed.includes(k)), [])
})
