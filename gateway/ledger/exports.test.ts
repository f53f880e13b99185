import t from 'tap'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { hktWallToInstant } from '../../connectors/_shared/time.ts'
import { ledgerDeps } from '../routes/inventory.ts'
import { postAndForward } from './operations.ts'
import { parse } from 'csv-parse/sync'

const table = (body: string): string[][] => parse(body, { bom: true })

t.test('the auditor\'s month: movements of an HKT month with the balance after each, and the month\'s stock-takes', async t => {
  const rt = await testRuntime(t)
  await rt.db.query(`INSERT INTO skus (sku, name) VALUES ('TEA', '鐵觀音 Tieguanyin'), ('CUP', '杯 Cup')`)
  const move = (sku: string, qty: number, at: Date, reason: 'opening' | 'adjustment' | 'receipt', key: string, location = 'MK01') =>
    rt.db.withTransaction(c => postAndForward(c, ledgerDeps(rt), [{ locationId: location, sku, qty, reason, sourceType: 'test', sourceId: key, key, actor: 'user:amy', note: key === 'broken' ? '打破, "broken"' : undefined, occurredAt: at }]))
  await move('TEA', 10, hktWallToInstant(2026, 10, 31, 23, 30), 'opening', 'open-tea') // October, HKT (15:30 UTC)
  await move('TEA', 5, hktWallToInstant(2026, 11, 1, 0, 10), 'receipt', 'po-1') // November, HKT (the 31st, 16:10 UTC)
  await move('CUP', 3, hktWallToInstant(2026, 11, 2, 9, 0), 'receipt', 'po-2')
  await move('TEA', -1.5, hktWallToInstant(2026, 11, 3, 18, 0), 'adjustment', 'broken')
  await move('TEA', 2, hktWallToInstant(2026, 11, 4, 9, 0), 'receipt', 'elsewhere', 'WH1')
  await move('TEA', 1, hktWallToInstant(2026, 12, 1, 0, 0), 'receipt', 'december')

  const get = (url: string) => rt.app!.inject({ method: 'GET', url, headers: auth('auditor') })
  const res = await get('/exports/movements.csv?month=2026-11&location=MK01')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-disposition'], 'attachment; filename="inventory-movements-MK01-2026-11.csv"')
  t.equal(res.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf')
  const rows = table(res.body)
  t.same(rows[0].slice(0, 4), ['地點 Location', '序號 Seq', '時間 (HKT) Time', '貨號 SKU'])
  t.same(rows.slice(1).map(r => [r[2], r[3], r[4], r[5], r[6], r[rows[0].indexOf('結餘 Balance after')]]), [
    ['2026-11-01 00:10:00', 'TEA', '鐵觀音 Tieguanyin', '5.000', 'receipt', '15.000'],
    ['2026-11-02 09:00:00', 'CUP', '杯 Cup', '3.000', 'receipt', '3.000'],
    ['2026-11-03 18:00:00', 'TEA', '鐵觀音 Tieguanyin', '-1.500', 'adjustment', '13.500']
  ], 'HKT month boundaries; October\'s opening is in the balance, not a row; WH1 and December are not in it')
  t.equal(rows[3][9], '打破, "broken"', 'a note with a comma and quotes stays one cell')

  const open = await rt.app!.inject({ method: 'POST', url: '/v1/stock-takes', headers: auth('admin'), payload: { location_id: 'MK01' } })
  const id = open.json().id
  await rt.app!.inject({ method: 'POST', url: `/v1/stock-takes/${id}/counts`, headers: auth('admin'), payload: { counts: [{ sku: 'TEA', counted: 14 }, { sku: 'CUP', counted: 3 }] } })
  await rt.app!.inject({ method: 'POST', url: `/v1/stock-takes/${id}/post`, headers: auth('admin'), payload: { reason: '月結 month-end' } })
  const month = new Date().toISOString().slice(0, 7)
  const st = await get(`/exports/stock-takes.csv?month=${month}&location=MK01`)
  const lines = table(st.body)
  t.same(lines[0].slice(8, 12), ['貨號 SKU', '帳面數量 Book qty', '點算數量 Counted', '差額 Difference'])
  // the December receipt may or may not be before the stock-take, depending on today: the book quantity is whatever the ledger held then
  const tea = lines.find(l => l[8] === 'TEA')!
  t.equal(Number(tea[11]), Number(tea[10]) - Number(tea[9]))
  t.same([tea[2], tea[7]], ['posted', '月結 month-end'])
  t.match(lines.find(l => l[8] === 'CUP'), [String(id), 'MK01', 'posted', /.+/, 'key:owner', /.+/, 'key:owner', '月結 month-end', 'CUP', '3.000', '3.000', '0.000', 'key:owner'])
  t.equal((await get('/exports/movements.csv?month=2026-13&location=MK01')).statusCode, 400)
})
