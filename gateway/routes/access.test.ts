// A1: every route × every role × own / other store, against the documented table below (not the app's
// own grants). A role the table does not list for a route gets 403
// and nothing is written; a store manager asking for another store gets 403 OUT_OF_SCOPE, and a list
// it may read never carries another store's record. Every registered route must have a sample here, so
// a new route cannot skip the matrix. A3: every JSON answer carries only the fields its schema names.
import t from 'tap'
import { join } from 'node:path'
import type { InjectOptions } from 'fastify'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { KEYS, testRuntime } from '../../fixtures/support/runtime.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import type { Role } from '../auth/roles.ts'
import { reconcileDay } from '../recon/run.ts'
import { undeclaredFields } from '../../fixtures/support/schema-fields.ts'

const DATE = '2026-11-20'
const OWN = 'S01'
const OTHER = 'S02'
const PRINCIPALS: Array<{ role: Role, key: string }> = [
  { role: 'owner', key: KEYS.admin }, { role: 'finance', key: KEYS.finance }, { role: 'store_manager', key: KEYS.manager },
  { role: 'pos_vendor', key: KEYS.pos }, { role: 'auditor', key: KEYS.auditor }
]

interface Ctx { key: Record<string, string>, stockTake: Record<string, number>, order: Record<string, number>, importId: number, seq: () => number }
/** A request for a store (routes that take none ignore it); `rows`, for lists: the store of each record in the answer. */
interface Sample { scoped: boolean, req: (c: Ctx, store: string) => InjectOptions, rows?: (body: any) => Array<string | null> }

// Who may call what, written out from README's role table (Web app → Roles), not computed from the
// app's grant table, so the matrix grades the code against the documented promise:
//   owner everything; finance reads everything, uploads settlement files, runs reconciliations and
//   resolves exceptions; a store manager reads its stores' sales, report and stock and changes stock,
//   counts, transfers, adjustments, reorder rules and purchase orders; an auditor reads everything and
//   changes nothing; a POS vendor pushes POS events only. Accounts, keys, locations, the catalogue and
//   purchase-order decisions are the owner's.
const O: Role = 'owner'; const F: Role = 'finance'; const M: Role = 'store_manager'; const A: Role = 'auditor'; const V: Role = 'pos_vendor'
const READ_ALL = [O, F, A]
const READ_STORE = [O, F, M, A]
const STOCK_WRITE = [O, M]
const ALLOWED: Record<string, Role[]> = {
  'POST /v1/pos-events': [O, V],
  'POST /v1/settlements': [O, F],
  'POST /v1/bank-statements': [O, F],
  'GET /v1/bank-entries': READ_ALL,
  'GET /v1/imports/:id': READ_ALL,
  'GET /v1/sales': READ_STORE,
  'GET /v1/payments': READ_ALL,
  'POST /v1/reconciliations': [O, F],
  'GET /v1/reconciliations/:date': READ_STORE,
  'GET /v1/reconciliations': READ_STORE,
  'GET /v1/reconciliations/:date/exceptions/:key': READ_STORE,
  'POST /v1/reconciliations/:date/links': [O, F],
  'POST /v1/reconciliations/:date/write-offs': [O, F],
  'POST /v1/reconciliations/:date/reviews': [O, F],
  'POST /v1/reconciliations/:date/voids': [O, F],
  'POST /v1/reconciliations/:date/reopen': [O, F],
  'POST /v1/reconciliations/:date/store-assignments': [O, F],
  'POST /v1/reconciliations/:date/claims': [O, F],
  'GET /v1/claims': READ_STORE,
  'POST /v1/claims/:id/:move': [O, F],
  'GET /v1/locations': READ_STORE,
  'POST /v1/locations': [O],
  'GET /v1/stock': READ_STORE,
  'GET /v1/movements': READ_STORE,
  'POST /v1/transfers': STOCK_WRITE,
  'POST /v1/adjustments': STOCK_WRITE,
  'POST /v1/stock-takes': STOCK_WRITE,
  'GET /v1/stock-takes/:id': READ_STORE,
  'POST /v1/stock-takes/:id/counts': STOCK_WRITE,
  'POST /v1/stock-takes/:id/post': STOCK_WRITE,
  'PUT /v1/thresholds/:location/:sku': STOCK_WRITE,
  'GET /v1/thresholds': READ_STORE,
  'GET /v1/purchase-orders': READ_STORE,
  'GET /v1/purchase-orders/:id': READ_STORE,
  'POST /v1/purchase-orders/:id/submit': STOCK_WRITE,
  'POST /v1/purchase-orders/:id/decision': [O],
  'POST /v1/purchase-orders/:id/receive': STOCK_WRITE,
  'GET /v1/outbox': READ_ALL,
  'GET /v1/outbox/dead': READ_ALL,
  'POST /v1/outbox/redrive': [O],
  'POST /v1/skus': [O],
  'POST /v1/stock/opening': [O],
  'GET /v1/users': [O],
  'POST /v1/users': [O],
  'POST /v1/users/:username/password': [O],
  'POST /v1/users/:username/disable': [O],
  'POST /v1/users/:username/enable': [O],
  'GET /v1/api-keys': [O],
  'POST /v1/api-keys': [O],
  'POST /v1/api-keys/:id/revoke': [O],
  'GET /v1/audit': READ_ALL,
  'GET /calendar': READ_STORE,
  'GET /days/:date': READ_STORE,
  'GET /days/:date/report.csv': READ_STORE,
  'GET /days/:date/bridge.csv': READ_STORE,
  'GET /dashboard': READ_STORE,
  'GET /claims': READ_STORE,
  'POST /claims/:id/:move': [O, F],
  'POST /days/:date/run': [O, F],
  'GET /days/:date/exceptions/:key': READ_STORE,
  'POST /days/:date/actions/:action': [O, F],
  'GET /stock': READ_STORE,
  'GET /orders': READ_STORE,
  'GET /exports': READ_STORE,
  'GET /bank': [O, F],
  'POST /bank/statements': [O, F],
  'GET /exports/movements.csv': READ_STORE,
  'GET /exports/stock-takes.csv': READ_STORE
}

const json = (method: string, url: string, payload?: object): InjectOptions => ({ method: method as InjectOptions['method'], url, ...(payload ? { payload } : {}) })
const csv = (url: string, body: string): InjectOptions => ({ method: 'POST', url, payload: body, headers: { 'content-type': 'text/csv' } })
const form = (url: string, fields: Record<string, string>): InjectOptions => ({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
const any = (req: (c: Ctx) => InjectOptions): Sample => ({ scoped: false, req })
const store = (req: (c: Ctx, s: string) => InjectOptions, rows?: Sample['rows']): Sample => ({ scoped: true, req, rows })
const list = (req: (c: Ctx) => InjectOptions, rows: Sample['rows']): Sample => ({ scoped: false, req, rows })
const items = (field: string) => (b: any) => b.items.map((i: any) => i[field])

const SAMPLES: Record<string, Sample> = {
  'POST /v1/pos-events': any(() => ({ method: 'POST', url: '/v1/pos-events', payload: '{"nope":1}\n', headers: { 'content-type': 'application/x-ndjson' } })),
  'POST /v1/settlements': any(() => csv('/v1/settlements?filename=x.csv', 'not,a,settlement\n')),
  'POST /v1/bank-statements': any(() => csv('/v1/bank-statements?filename=x.sta', 'not a statement\n')),
  'GET /v1/bank-entries': any(() => json('GET', '/v1/bank-entries?limit=5')),
  'GET /v1/imports/:id': any(c => json('GET', `/v1/imports/${c.importId}`)),
  'GET /v1/sales': list(() => json('GET', `/v1/sales?date=${DATE}&limit=1000`), items('store_id')),
  'GET /v1/payments': any(() => json('GET', `/v1/payments?date=${DATE}&limit=5`)),
  'POST /v1/reconciliations': any(() => json('POST', '/v1/reconciliations', { date: DATE })),
  'GET /v1/reconciliations/:date': store((_c, s) => json('GET', `/v1/reconciliations/${DATE}?store=${s}`), b => [...b.stores.map((x: any) => x.store_id), ...b.exceptions.map((x: any) => x.store_id)]),
  'GET /v1/reconciliations': store((_c, s) => json('GET', `/v1/reconciliations?from=${DATE}&to=${DATE}&store=${s}`), items('store_id')),
  'GET /v1/reconciliations/:date/exceptions/:key': store((c, s) => json('GET', `/v1/reconciliations/${DATE}/exceptions/${encodeURIComponent(c.key[s])}`)),
  'POST /v1/reconciliations/:date/links': any(() => json('POST', `/v1/reconciliations/${DATE}/links`, { sale_id: 'NONE', store_id: OWN, tender: 0, payment_id: '1', reason: 'matrix' })),
  'POST /v1/reconciliations/:date/write-offs': any(() => json('POST', `/v1/reconciliations/${DATE}/write-offs`, { key: 'NONE', category: 'fee', reason: 'matrix' })),
  'POST /v1/reconciliations/:date/reviews': any(() => json('POST', `/v1/reconciliations/${DATE}/reviews`, { key: 'NONE', decision: 'rejected', reason: 'matrix' })),
  'POST /v1/reconciliations/:date/voids': any(() => json('POST', `/v1/reconciliations/${DATE}/voids`, { sale_id: 'NONE', store_id: OWN, reason: 'matrix' })),
  'POST /v1/reconciliations/:date/reopen': any(() => json('POST', `/v1/reconciliations/${DATE}/reopen`, { key: 'NONE', reason: 'matrix' })),
  'POST /v1/reconciliations/:date/store-assignments': any(() => json('POST', `/v1/reconciliations/${DATE}/store-assignments`, { key: 'NONE', store_id: OWN, reason: 'matrix' })),
  'POST /v1/reconciliations/:date/claims': any(() => json('POST', `/v1/reconciliations/${DATE}/claims`, { key: 'NONE', note: 'matrix' })),
  'GET /v1/claims': list(() => json('GET', '/v1/claims'), items('store_id')),
  'POST /v1/claims/:id/:move': any(() => json('POST', '/v1/claims/999999/send', { note: 'matrix' })),
  'GET /v1/locations': list(() => json('GET', '/v1/locations'), items('id')),
  'POST /v1/locations': any(c => json('POST', '/v1/locations', { id: `L${c.seq()}`, name: 'matrix', kind: 'temporary' })),
  'GET /v1/stock': store((_c, s) => json('GET', `/v1/stock?location=${s}`), items('location_id')),
  'GET /v1/movements': store((_c, s) => json('GET', `/v1/movements?location=${s}&limit=1000`), items('location_id')),
  'POST /v1/transfers': store((_c, s) => json('POST', '/v1/transfers', { from: s, to: OWN, lines: [{ sku: 'MATRIX', qty: 1 }], allow_negative: true })),
  'POST /v1/adjustments': store((_c, s) => json('POST', '/v1/adjustments', { location_id: s, lines: [{ sku: 'MATRIX', qty: 1 }], reason: 'matrix' })),
  'POST /v1/stock-takes': store((_c, s) => json('POST', '/v1/stock-takes', { location_id: s })),
  'GET /v1/stock-takes/:id': store((c, s) => json('GET', `/v1/stock-takes/${c.stockTake[s]}`)),
  'POST /v1/stock-takes/:id/counts': store((c, s) => json('POST', `/v1/stock-takes/${c.stockTake[s]}/counts`, { counts: [{ sku: 'MATRIX', counted: 1 }] })),
  'POST /v1/stock-takes/:id/post': store((c, s) => json('POST', `/v1/stock-takes/${c.stockTake[s]}/post`, { reason: 'matrix' })),
  'PUT /v1/thresholds/:location/:sku': store((_c, s) => json('PUT', `/v1/thresholds/${s}/MATRIX`, { min_level: 1 })),
  'GET /v1/thresholds': store((_c, s) => json('GET', `/v1/thresholds?location=${s}`), items('location_id')),
  'GET /v1/purchase-orders': list(() => json('GET', '/v1/purchase-orders'), items('location_id')),
  'GET /v1/purchase-orders/:id': store((c, s) => json('GET', `/v1/purchase-orders/${c.order[s]}`)),
  'POST /v1/purchase-orders/:id/submit': store((c, s) => json('POST', `/v1/purchase-orders/${c.order[s]}/submit`)),
  'POST /v1/purchase-orders/:id/decision': store((c, s) => json('POST', `/v1/purchase-orders/${c.order[s]}/decision`, { decision: 'rejected' })),
  'POST /v1/purchase-orders/:id/receive': store((c, s) => json('POST', `/v1/purchase-orders/${c.order[s]}/receive`, {})),
  'GET /v1/outbox': any(() => json('GET', '/v1/outbox')),
  'GET /v1/outbox/dead': any(() => json('GET', '/v1/outbox/dead')),
  'POST /v1/outbox/redrive': any(() => json('POST', '/v1/outbox/redrive', {})),
  'POST /v1/skus': any(() => csv('/v1/skus?filename=c.csv', 'sku,name\nMATRIX,Matrix\n')),
  'POST /v1/stock/opening': any(() => csv('/v1/stock/opening?filename=o.csv', 'sku,location,qty\nMATRIX,S01,-1\n')),
  'GET /v1/users': any(() => json('GET', '/v1/users')),
  'POST /v1/users': any(c => json('POST', '/v1/users', { username: `matrix${c.seq()}`, password: 'a long enough password', role: 'auditor' })),
  'POST /v1/users/:username/password': any(() => json('POST', '/v1/users/nobody/password', { password: 'a long enough password' })),
  'POST /v1/users/:username/disable': any(() => json('POST', '/v1/users/nobody/disable')),
  'POST /v1/users/:username/enable': any(() => json('POST', '/v1/users/nobody/enable')),
  'GET /v1/api-keys': any(() => json('GET', '/v1/api-keys')),
  'POST /v1/api-keys': any(c => json('POST', '/v1/api-keys', { name: `matrix ${c.seq()}`, role: 'pos_vendor' })),
  'POST /v1/api-keys/:id/revoke': any(() => json('POST', '/v1/api-keys/999999/revoke')),
  'GET /v1/audit': any(() => json('GET', '/v1/audit')),
  // the web app's pages
  'GET /calendar': list(() => json('GET', '/calendar?month=2026-11'), b => [...String(b).matchAll(/data-store="([^"]+)"/g)].map(m => m[1])),
  'GET /days/:date': store((_c, s) => json('GET', `/days/${DATE}?store=${s}`), b => [...String(b).matchAll(/data-store="([^"]+)"/g)].map(m => m[1])),
  'GET /days/:date/report.csv': store((_c, s) => json('GET', `/days/${DATE}/report.csv?store=${s}`), b => String(b).trim().split('\r\n').slice(1).map(l => l.split(',')[1])),
  'GET /days/:date/bridge.csv': store((_c, s) => json('GET', `/days/${DATE}/bridge.csv?store=${s}`), b => String(b).trim().split('\r\n').slice(1).map(l => l.split(',')[1]).filter(x => x !== 'TOTAL')),
  'GET /dashboard': list(() => json('GET', '/dashboard?month=2026-11'), b => [...String(b).matchAll(/<tr data-store="([^"]+)"/g)].map(m => m[1])),
  'GET /claims': list(() => json('GET', '/claims'), () => []),
  'POST /claims/:id/:move': any(() => form('/claims/999999/send', { note: 'matrix' })),
  'POST /days/:date/run': any(() => form(`/days/${DATE}/run`, {})),
  'GET /days/:date/exceptions/:key': store((c, s) => json('GET', `/days/${DATE}/exceptions/${encodeURIComponent(c.key[s])}`)),
  'POST /days/:date/actions/:action': any(() => form(`/days/${DATE}/actions/write-off`, { key: 'NONE', category: 'fee', reason: 'matrix' })),
  'GET /stock': store((_c, s) => json('GET', `/stock?location=${s}`), b => [...String(b).matchAll(/data-location="([^"]+)"/g)].map(m => m[1])),
  'GET /orders': list(() => json('GET', '/orders'), () => []),
  'GET /exports': any(() => json('GET', '/exports?month=2026-11')),
  'GET /bank': any(() => json('GET', '/bank')),
  'POST /bank/statements': any(() => form('/bank/statements', { account: 'matrix' })),
  'GET /exports/movements.csv': store((_c, s) => json('GET', `/exports/movements.csv?month=2026-11&location=${s}`), b => String(b).trim().split('\r\n').slice(1).map(l => l.split(',')[0])),
  'GET /exports/stock-takes.csv': store((_c, s) => json('GET', `/exports/stock-takes.csv?month=2026-11&location=${s}`), b => String(b).trim().split('\r\n').slice(1).map(l => l.split(',')[1]))
}

/** Counts that any write would change: a forbidden request must leave them all as they were. */
const FINGERPRINT = `SELECT (SELECT count(*) FROM sales) || '/' || (SELECT count(*) FROM payments) || '/' || (SELECT count(*) FROM imports) || '/' || (SELECT count(*) FROM ledger_movements)
  || '/' || (SELECT count(*) FROM stock_movements) || '/' || (SELECT count(*) FROM audit_log) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM api_keys)
  || '/' || (SELECT count(*) FROM locations) || '/' || (SELECT count(*) FROM thresholds) || '/' || (SELECT count(*) FROM stock_takes) || '/' || (SELECT count(*) FROM stock_take_counts)
  || '/' || (SELECT string_agg(status, ',' ORDER BY id) FROM purchase_orders) || '/' || (SELECT count(*) FROM outbox WHERE status = 'pending') || '/' || (SELECT count(*) FROM recon_runs)
  || '/' || (SELECT count(*) FROM skus) || '/' || (SELECT count(*) FROM pgboss.job) AS f`

t.test('A1 and A3: route × role × own/other store', async t => {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 120, seed: 5, date: DATE, anomalies: 1 }, dir)
  const keys = PRINCIPALS.map(p => ({ role: p.role, key: p.key, stores: p.role === 'store_manager' ? [OWN] : null }))
  const rt = await testRuntime(t, { config: { stores: generatedStores(truth), apiKeys: keys } })
  await ingestPos(rt, dir)
  const [importId] = await ingestSettlements(rt, settlementFiles(dir))
  await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  const app = rt.app!
  const report: ReconReport = (await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: { authorization: `Bearer ${KEYS.admin}` } })).json()
  let n = 0
  const ctx: Ctx = { key: {}, stockTake: {}, order: {}, importId, seq: () => ++n }
  for (const s of [OWN, OTHER]) {
    ctx.key[s] = exceptionKey(report.exceptions.find(e => e.store_id === s)!)
    ctx.stockTake[s] = Number((await rt.db.query(`INSERT INTO stock_takes (location_id, opened_by) VALUES ($1, 'test') RETURNING id`, [s])).rows[0].id)
    ctx.order[s] = Number((await rt.db.query(`INSERT INTO purchase_orders (supplier, location_id) VALUES ('Matrix Ltd', $1) RETURNING id`, [s])).rows[0].id)
    await rt.db.query(`INSERT INTO purchase_order_lines (purchase_order_id, sku, qty) VALUES ($1, 'MATRIX', 1)`, [ctx.order[s]])
  }

  // every route the app registered has a sample, or is public or signature-authenticated
  const routes = app.routeAccess
  const open = routes.filter(r => r.access === 'public' || r.access === 'webhook').map(r => `${r.method} ${r.url}`)
  t.same(open.filter(r => !r.includes('/docs')).sort(), ['GET /', 'GET /assets/app.css', 'GET /healthz', 'GET /lang', 'GET /login', 'GET /readyz', 'POST /login', 'POST /logout',
    'POST /v1/dingtalk/callback', 'POST /v1/webhooks/:connector', 'DELETE /v1/sessions', 'POST /v1/sessions'].sort(), 'the only routes open without a role')
  const guarded = routes.filter(r => r.access !== 'public' && r.access !== 'webhook')
  t.same(guarded.map(r => `${r.method} ${r.url}`).filter(r => !SAMPLES[r]), [], 'every guarded route has a sample request in the matrix')
  t.same(guarded.map(r => `${r.method} ${r.url}`).sort(), Object.keys(ALLOWED).sort(), 'every guarded route is in the documented table, and nothing else is')

  const fingerprint = async (): Promise<string> => (await rt.db.query<{ f: string }>(FINGERPRINT)).rows[0].f
  for (const route of guarded) {
    const sample = SAMPLES[`${route.method} ${route.url}`]
    for (const p of PRINCIPALS) {
      const stores = sample.scoped && p.role === 'store_manager' ? [OWN, OTHER] : [OWN]
      for (const s of stores) {
        const label = `${route.method} ${route.url} as ${p.role}${sample.scoped ? ` (${s === OWN ? 'own' : 'other'} store)` : ''}`
        const req = sample.req(ctx, s)
        const before = await fingerprint()
        const res = await app.inject({ ...req, headers: { ...req.headers, authorization: `Bearer ${p.key}` } })
        if (!ALLOWED[`${route.method} ${route.url}`].includes(p.role)) {
          t.equal(res.statusCode, 403, `${label}: forbidden`)
          t.equal(await fingerprint(), before, `${label}: nothing written`)
        } else if (sample.scoped && s === OTHER) {
          t.equal(res.statusCode, 403, `${label}: another store is refused`)
          t.equal(await fingerprint(), before, `${label}: nothing written`)
        } else {
          t.notOk([401, 403].includes(res.statusCode) || res.statusCode >= 500, `${label}: allowed (${res.statusCode} ${res.body.slice(0, 120)})`)
        }
        // a list the store manager may read carries nothing of another store
        if (sample.rows && p.role === 'store_manager' && res.statusCode === 200) {
          const body = res.headers['content-type']?.startsWith('application/json') ? res.json() : res.body
          const bad = sample.rows(body).filter(id => id !== OWN)
          t.same(bad, [], `${label}: only the own store in the answer`)
        }
      }
    }
  }

  // A3: each JSON answer of the API has only the fields its response schema declares
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  let checked = 0
  for (const route of guarded.filter(r => r.url.startsWith('/v1/') && r.method === 'GET')) {
    const sample = SAMPLES[`${route.method} ${route.url}`]
    const res = await app.inject({ ...sample.req(ctx, OWN), headers: { authorization: `Bearer ${KEYS.admin}` } })
    if (res.statusCode !== 200 || !res.headers['content-type']?.startsWith('application/json')) continue
    const path = route.url.replace(/:(\w+)/g, '{$1}')
    const schema = doc.paths[path]?.get?.responses?.['200']?.content?.['application/json']?.schema
    t.ok(schema, `${path} has a response schema`)
    t.same(undeclaredFields(res.json(), schema), [], `A3: GET ${path} carries only declared fields`)
    checked++
  }
  t.ok(checked >= 15, `${checked} JSON answers checked against their schemas`)
})
