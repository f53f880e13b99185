// The inventory over HTTP: transfers, stock-takes, stock levels at an instant (provisional until the
// reconciler verifies the sale), and stock lists from Excel or CSV refused whole on a bad line.
import t, { type Test } from 'tap'
import writeXlsxFile from 'write-excel-file/node'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { saleEvent, salesFile } from '../../fixtures/support/sales.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { drainInbox } from '../../fixtures/support/day-db.ts'
import { reconcileDay } from '../recon/run.ts'
import { hktDate } from '../../connectors/_shared/time.ts'

type App = NonNullable<Awaited<ReturnType<typeof testRuntime>>['app']>
const call = (app: App, method: 'GET' | 'POST', url: string, payload?: object | string | Buffer, headers: Record<string, string> = {}) =>
  app.inject({ method, url, headers: { ...auth(method === 'GET' ? 'finance' : 'admin'), ...headers }, payload })
const csv = (app: App, url: string, body: string | Buffer, type = 'text/csv') => call(app, 'POST', url, body, { 'content-type': type })

async function stocked (t: Test) {
  const rt = await testRuntime(t)
  const app = rt.app!
  t.equal((await csv(app, '/v1/skus?filename=skus.csv', 'sku,name,supplier,unit cost\nA,烏龍茶 Oolong,SupA,12.50\nB,普洱 Pu-erh,SupA,30\n')).statusCode, 201)
  t.equal((await csv(app, '/v1/stock/opening?filename=open.csv', '\ufeffsku,location,qty\nA,WH1,100\nB,WH1,40.5\nA,MK01,10\n')).statusCode, 201)
  return { rt, app }
}

const level = async (app: App, q: string) => (await call(app, 'GET', `/v1/stock?${q}`)).json().items

t.test('transfers: two linked movements that commit together; short stock refused with nothing written; a request key repeats nothing', async t => {
  const { rt, app } = await stocked(t)
  const res = await call(app, 'POST', '/v1/transfers', { from: 'WH1', to: 'MK01', lines: [{ sku: 'A', qty: 30 }, { sku: 'B', qty: 0.5 }], note: 'weekly', request_key: 'tr-1' })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.same(body.movements.map((m: any) => [m.location_id, m.sku, m.qty, m.reason]), [['MK01', 'A', 30, 'transfer_in'], ['MK01', 'B', 0.5, 'transfer_in'], ['WH1', 'A', -30, 'transfer_out'], ['WH1', 'B', -0.5, 'transfer_out']])
  const { rows } = await rt.db.query('SELECT DISTINCT transfer_id FROM ledger_movements WHERE transfer_id IS NOT NULL')
  t.same(rows.map(r => Number(r.transfer_id)), [body.transfer_id], 'all four movements name the transfer')
  t.same(await level(app, 'sku=A'), [{ sku: 'A', location_id: 'MK01', on_hand: '40.000', verified: '40.000', provisional: '0.000' }, { sku: 'A', location_id: 'WH1', on_hand: '70.000', verified: '70.000', provisional: '0.000' }])
  t.match((await call(app, 'POST', '/v1/transfers', { from: 'WH1', to: 'MK01', lines: [{ sku: 'A', qty: 1 }], request_key: 'tr-1' })).json(), { transfer_id: body.transfer_id, repeated: true, movements: [] })
  const before = (await rt.db.query('SELECT count(*)::int AS n FROM ledger_movements')).rows[0].n
  const short = await call(app, 'POST', '/v1/transfers', { from: 'WH1', to: 'MK01', lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 99 }] })
  t.equal(short.statusCode, 409)
  t.match(short.json(), { error: 'INSUFFICIENT_STOCK', message: /B: 40 on hand at WH1, 99 asked/ })
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM ledger_movements')).rows[0].n, before, 'nothing of the refused transfer was written')
  t.equal((await call(app, 'POST', '/v1/transfers', { from: 'WH1', to: 'XX9', lines: [{ sku: 'A', qty: 1 }] })).statusCode, 422)
  t.equal((await call(app, 'POST', '/v1/transfers', { from: 'WH1', to: 'WH1', lines: [{ sku: 'A', qty: 1 }] })).statusCode, 422)
  t.equal((await call(app, 'POST', '/v1/transfers', { from: 'WH1', to: 'MK01', lines: [{ sku: 'A', qty: -1 }] })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: '/v1/transfers', headers: auth('finance'), payload: { from: 'WH1', to: 'MK01', lines: [{ sku: 'A', qty: 1 }] } })).statusCode, 403, 'finance reads, admins move stock')
})

t.test('stock-take: the difference to what was on hand at the start posts as stock_take movements with actor and reason', async t => {
  const { rt, app } = await stocked(t)
  const opened = await call(app, 'POST', '/v1/stock-takes', { location_id: 'MK01' })
  t.equal(opened.statusCode, 201)
  const id = opened.json().id
  t.equal((await call(app, 'POST', '/v1/stock-takes', { location_id: 'MK01' })).statusCode, 409, 'one open count per location')
  // a sale during the count: on hand drops to 8, but the shelf was counted before it
  await importPosNdjson(rt, salesFile(t.testdir({}), 'during.ndjson', [saleEvent(1, { sku: 'A', qty: 2, prefix: 'ST' })]))
  await drainInbox(rt)
  await call(app, 'POST', `/v1/stock-takes/${id}/counts`, { counts: [{ sku: 'A', counted: 9 }, { sku: 'B', counted: 0 }] })
  await call(app, 'POST', `/v1/stock-takes/${id}/counts`, { counts: [{ sku: 'A', counted: 9.5 }] })
  const posted = await call(app, 'POST', `/v1/stock-takes/${id}/post`, { reason: '月結盤點 month-end count' })
  t.equal(posted.statusCode, 200)
  t.match(posted.json(), { status: 'posted', closed_by: 'key:owner', reason: '月結盤點 month-end count', counts: [{ sku: 'A', counted: '9.500' }, { sku: 'B', counted: '0.000' }], adjustments: [{ sku: 'A', qty: '-0.500' }] })
  const { rows } = await rt.db.query(`SELECT reason, actor, note FROM ledger_movements WHERE source_type = 'stock_take'`)
  t.same(rows, [{ reason: 'stock_take', actor: 'key:owner', note: '月結盤點 month-end count' }], 'B was counted at 0 and held 0 at MK01: no movement')
  t.equal((await call(app, 'POST', `/v1/stock-takes/${id}/post`, { reason: 'again' })).statusCode, 409, 'posted once')
})

t.test('stock at an instant, provisional until the reconciler verified the sale', async t => {
  const { rt, app } = await stocked(t)
  const before = new Date()
  // the sale a millisecond after `before`: the level as of `before` must not see it
  await importPosNdjson(rt, salesFile(t.testdir({}), 'sale.ndjson', [saleEvent(1, { sku: 'A', qty: 3, prefix: 'PV', at: new Date(before.getTime() + 1) })]))
  await drainInbox(rt)
  // the sale's movement reaches the ledger through the outbox worker's own function
  const { deliverToLedger } = await import('../forward/deliver.ts')
  const { rows: ids } = await rt.db.query(`SELECT id FROM outbox WHERE sink = 'ledger'`)
  await rt.db.withTransaction(c => deliverToLedger(c, ids.map(r => Number(r.id))))
  t.same(await level(app, 'sku=A&location=MK01'), [{ sku: 'A', location_id: 'MK01', on_hand: '7.000', verified: '10.000', provisional: '-3.000' }])
  t.same(await level(app, `sku=A&location=MK01&as_of=${encodeURIComponent(before.toISOString())}`), [{ sku: 'A', location_id: 'MK01', on_hand: '10.000', verified: '10.000', provisional: '0.000' }], 'as it stood before the sale')
  await reconcileDay(rt, { date: hktDate(new Date()), trigger: 'manual' })
  t.same(await level(app, 'sku=A&location=MK01'), [{ sku: 'A', location_id: 'MK01', on_hand: '7.000', verified: '7.000', provisional: '0.000' }], 'a cash sale is verified by the run')
  const mv = (await call(app, 'GET', '/v1/movements?sku=A&location=MK01')).json().items
  t.same(mv.map((m: any) => [m.reason, m.qty, m.status]), [['opening', '10.000', 'verified'], ['sale', '-3.000', 'verified']])
})

t.test('stock lists: an Excel sheet or a CSV; unknown SKU, negative stock and duplicates refuse it whole, with line numbers', async t => {
  const { rt, app } = await stocked(t)
  const count = async () => (await rt.db.query('SELECT count(*)::int AS n FROM ledger_movements')).rows[0].n
  const was = await count()
  const bad = await csv(app, '/v1/stock/opening?filename=bad.csv', 'SKU,Location,Qty\nA,MK01,12\nZ9,MK01,1\nB,MK01,-2\nA,MK01,3\nB,NOPE,x\n\n')
  t.equal(bad.statusCode, 422)
  t.match(bad.json(), { error: 'INVALID_ROWS', issue_count: 5, issues: [
    { line: 3, column: 'sku', message: /unknown SKU Z9/ }, { line: 4, column: 'qty', message: /negative stock/ }, { line: 5, message: /A at MK01 is listed twice \(first on line 2\)/ },
    { line: 6, column: 'location', message: /unknown location "NOPE"/ }, { line: 6, column: 'qty', message: /"x" is not a quantity/ }] })
  t.equal(await count(), was, 'nothing was written')
  const sheet = await writeXlsxFile([[{ value: '貨號' }, { value: '分店' }, { value: '數量' }], [{ value: 'A' }, { value: 'MK01' }, { value: 12 }], [{ value: 'B' }, { value: 'MK01' }, { value: 4 }]]).toBuffer()
  const ok = await csv(app, '/v1/stock/opening?filename=盤點.xlsx', sheet, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  t.equal(ok.statusCode, 201)
  t.same(ok.json(), { status: 'imported', lines: 2, posted: 2 })
  t.same((await level(app, 'location=MK01')).map((l: any) => [l.sku, l.on_hand]), [['A', '12.000'], ['B', '4.000']], 'brought to the listed quantities')
  t.same((await csv(app, '/v1/stock/opening?filename=盤點.xlsx', sheet, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).json(), { status: 'unchanged', lines: 2, posted: 0 }, 'the same sheet again changes nothing')
  t.match((await csv(app, '/v1/skus?filename=c.csv', 'sku,name,unit cost\nQ,,1.234\nQ,Tea,abc\n')).json(), { issue_count: 4, issues: [{ line: 2, column: 'name' }, { line: 2, column: 'unit_cost' }, { line: 3, column: 'unit_cost' }, { line: 3, message: /listed twice/ }] })
  t.match((await csv(app, '/v1/skus', 'name,price\nTea,1\n')).json(), { message: /no sku column/ })
  t.match((await csv(app, '/v1/stock/opening?filename=x.xlsx', Buffer.from('PK\u0003\u0004 not a workbook'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).json(), { message: /not a readable Excel workbook/ })
})

t.test('a POS sale names a new location: it is registered as a store; locations are listed and added by admins', async t => {
  const { rt, app } = await stocked(t)
  t.equal((await call(app, 'POST', '/v1/locations', { id: 'POP1', name: '尖沙咀 pop-up', kind: 'temporary' })).statusCode, 201)
  t.equal((await call(app, 'POST', '/v1/locations', { id: 'POP1', name: 'again', kind: 'temporary' })).statusCode, 409)
  await importPosNdjson(rt, salesFile(t.testdir({}), 'kiosk.ndjson', [saleEvent(1, { sku: 'A', location: 'KIOSK7', prefix: 'L' })]))
  await drainInbox(rt)
  const { deliverToLedger } = await import('../forward/deliver.ts')
  const { rows: ids } = await rt.db.query(`SELECT id FROM outbox WHERE sink = 'ledger'`)
  await rt.db.withTransaction(c => deliverToLedger(c, ids.map(r => Number(r.id))))
  const locations = (await call(app, 'GET', '/v1/locations')).json().items
  t.same(locations.map((l: any) => [l.id, l.kind]), [['CWB1', 'store'], ['KIOSK7', 'store'], ['MK01', 'store'], ['POP1', 'temporary'], ['TST1', 'store'], ['WH1', 'central']])
})

t.test('adjustments: signed corrections with a reason and an actor; a request key posts once', async t => {
  const { rt, app } = await stocked(t)
  const res = await call(app, 'POST', '/v1/adjustments', { location_id: 'MK01', lines: [{ sku: 'A', qty: -1.5 }], reason: '打破 broken on the shelf', request_key: 'adj-1' })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { movements: [{ sku: 'A', qty: -1.5 }] })
  t.equal((await call(app, 'POST', '/v1/adjustments', { location_id: 'MK01', lines: [{ sku: 'A', qty: -1.5 }], reason: 'again', request_key: 'adj-1' })).json().movements.length, 0, 'the same key posts nothing')
  t.same((await rt.db.query(`SELECT reason, actor, note, qty::text FROM ledger_movements WHERE reason = 'adjustment'`)).rows, [{ reason: 'adjustment', actor: 'key:owner', note: '打破 broken on the shelf', qty: '-1.500' }])
  t.equal((await call(app, 'POST', '/v1/adjustments', { location_id: 'MK01', lines: [{ sku: 'A', qty: 0 }], reason: 'x' })).statusCode, 400, 'a zero adjustment is refused')
  t.equal((await call(app, 'POST', '/v1/adjustments', { location_id: 'NOPE', lines: [{ sku: 'A', qty: 1 }], reason: 'x' })).statusCode, 422)
  t.equal((await call(app, 'POST', '/v1/adjustments', { location_id: 'MK01', lines: [{ sku: 'A', qty: 1 }] })).statusCode, 400, 'a reason is required')
})
