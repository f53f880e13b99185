// A settlement provider that does not exist in the code — a descriptor and a mapping profile in the
// configuration, a file written here — taken through import, the API, the report, the web page and
// the offline CLI, with no edit to gateway/ or reconciler/.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freshDb } from '../fixtures/support/db.ts'
import { drainInbox } from '../fixtures/support/day-db.ts'
import { auth, KEYS, SECRETS } from '../fixtures/support/runtime.ts'
import { standardHeaders } from '../fixtures/support/sign.ts'
import { ROOT } from '../fixtures/support/test-pg.ts'
import { loadConfig } from './config.ts'
import { reconcileDay } from './recon/run.ts'
import { startRuntime } from './runtime.ts'

const DATE = '2026-11-20'
const PROVIDER = 'bauhinia-pay'

const CONFIG = {
  stores: { MK01: { name: 'Mong Kok' } },
  webhooks: { 'pos-canonical': [{ secret: SECRETS['pos-canonical'] }], loyverse: [{ secret: SECRETS.loyverse }], 'shopify-pos': [{ secret: SECRETS['shopify-pos'] }] },
  apiKeys: [{ role: 'finance', key: KEYS.finance }, { role: 'pos_vendor', key: KEYS.pos }],
  piiKeys: [{ id: 'k1', key: Buffer.alloc(32, 9).toString('base64') }],
  providers: {
    [PROVIDER]: {
      descriptor: { names: { en: 'Bauhinia Pay', 'zh-HK': '紫荊支付' }, matchScope: 'store', feeBand: { min: 0.005, max: 0.02 }, settlementDays: 1 },
      profiles: [{
        id: 'bauhinia-daily-v1',
        description: 'an invented wallet: backtick-prefixed values, day-first times, a TOTAL row',
        headerMatch: ['Txn Time', 'Shop', 'Order Ref', 'Amount'],
        columns: { paidAt: 'Txn Time', storeId: 'Shop', merchantRef: 'Order Ref', providerTxnId: 'Txn No', type: 'Kind', gross: 'Amount', fee: 'Fee', net: 'Net', settlementDate: 'Value Date' },
        timeFormat: 'dd/MM/yyyy HH:mm:ss',
        dateFormat: 'dd/MM/yyyy',
        types: { SALE: 'payment', REFUND: 'refund' },
        sign: 'type',
        valuePrefixes: ['`'],
        trailer: { marker: 'TOTAL', countColumn: 1, sums: ['gross', 'fee'] }
      }]
    }
  }
}

// Paid at the till: two sales with the wallet's order reference, one without (matched by amount and time).
const SALES = [
  { id: 'R1', time: '12:01:00', amount: '25.00', ref: 'MK01-R1' },
  { id: 'R2', time: '12:30:00', amount: '40.00', ref: 'MK01-R2' },
  { id: 'R3', time: '15:00:00', amount: '12.00', ref: null }
]
// The wallet's file: R2 settled at 41.00 (a mismatch), an order no till sent (unexpected), the third by time.
const FILE = [
  'Txn Time,Shop,Order Ref,Txn No,Kind,Amount,Fee,Net,Value Date',
  '`20/11/2026 12:01:05,`MK01,`MK01-R1,`BP0001,`SALE,`25.00,`0.25,`24.75,`21/11/2026',
  '`20/11/2026 12:30:09,`MK01,`MK01-R2,`BP0002,`SALE,`41.00,`0.41,`40.59,`21/11/2026',
  '`20/11/2026 14:10:00,`MK01,`MK01-X9,`BP0003,`SALE,`30.00,`0.30,`29.70,`21/11/2026',
  '`20/11/2026 15:00:40,`MK01,,`BP0004,`SALE,`12.00,`0.12,`11.88,`21/11/2026',
  'TOTAL,4,,,,108.00,1.08,,'
].join('\n') + '\n'

function saleEvent (s: typeof SALES[number]): string {
  return JSON.stringify({
    id: `evt_${s.id}`, type: 'sale.completed', occurred_at: `${DATE}T${s.time}+08:00`,
    data: { sale_id: `MK01-${s.id}`, store_id: 'MK01', terminal_id: 'T1', receipt_no: s.id, refund_of: null,
      lines: [{ sku: 'TEA', qty: 1, unit_price: s.amount, discount: '0.00' }],
      tenders: [{ method: PROVIDER, amount: s.amount, reference: s.ref, provider_txn_id: null }] }
  })
}

t.test('a provider defined only in configuration is imported, listed, reconciled, shown and reconciled offline', async t => {
  const dir = t.testdir({ 'recon.json': JSON.stringify(CONFIG), 'bauhinia_20261121.csv': FILE, 'pos.ndjson': SALES.map(saleEvent).join('\n') + '\n' })
  const env = { RECON_CONFIG: join(dir, 'recon.json'), RECON_DATA_DIR: dir, RECON_ENV: 'test' }
  const db = await freshDb(t)
  const rt = await startRuntime({ ...loadConfig(env), databaseUrl: db.url }, { workers: false })
  t.teardown(() => rt.close())
  const app = rt.app!

  for (const s of SALES) {
    const body = saleEvent(s)
    const res = await app.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], `evt_${s.id}`, body), payload: body })
    t.equal(res.statusCode, 202, `the till's ${PROVIDER} tender is a known method (${s.id})`)
  }
  await drainInbox(rt)

  const upload = await app.inject({ method: 'POST', url: '/v1/settlements?filename=bauhinia_20261121.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(dir, 'bauhinia_20261121.csv')) })
  t.equal(upload.statusCode, 201)
  t.match(upload.json(), { status: 'imported', provider: PROVIDER, layout: 'bauhinia-daily-v1', records: 4 })

  const listed = await app.inject({ method: 'GET', url: `/v1/payments?provider=${PROVIDER}&date=${DATE}`, headers: auth('finance') })
  t.equal(listed.statusCode, 200)
  t.same(listed.json().items.map((p: { merchant_ref: string | null, gross: number, fee: number }) => [p.merchant_ref, p.gross, p.fee]),
    [['MK01-R1', 2500, 25], ['MK01-R2', 4100, 41], ['MK01-X9', 3000, 30], [null, 1200, 12]], 'backticks gone, amounts in cents')

  const run = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-24' })
  const matched = run.report.matches.map(m => [m.sale_id, m.provider, m.by])
  t.same(matched.sort(), [['MK01-R1', PROVIDER, 'reference'], ['MK01-R2', PROVIDER, 'reference'], ['MK01-R3', PROVIDER, 'amount_time']])
  t.same(run.report.exceptions.map(e => [e.code, e.provider, e.sale_id ?? e.reference, e.expected, e.actual]).sort(),
    [['AMOUNT_MISMATCH', PROVIDER, 'MK01-R2', 4000, 4100], ['UNEXPECTED_PAYMENT', PROVIDER, 'MK01-X9', null, 3000]])
  t.match(run.report.stores.find(s => s.store_id === 'MK01')?.settled, { [PROVIDER]: { gross: 10800, fee: 108, net: 10692 } })

  const api = await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: auth('finance') })
  t.equal(api.json().exceptions.length, 2, 'the API serves the same report')
  const page = await app.inject({ method: 'GET', url: `/days/${DATE}`, headers: { ...auth('finance'), accept: 'text/html', cookie: 'lang=zh-HK' } })
  t.match(page.body, '紫荊支付', 'the web page names it from its descriptor')

  // the offline CLI, as an operator runs it, with the same configuration file
  const out = join(dir, 'report.json')
  await promisify(execFile)(process.execPath, [join(ROOT, 'gateway/cli/main.ts'), 'reconcile', '--pos', join(dir, 'pos.ndjson'), '--settlement', join(dir, 'bauhinia_20261121.csv'), '--date', DATE, '--as-of', '2026-11-24', '--out', out], { cwd: ROOT, env: { ...process.env, ...env } })
  const offline = JSON.parse(readFileSync(out, 'utf8'))
  t.same(offline.exceptions.map((e: { code: string }) => e.code).sort(), ['AMOUNT_MISMATCH', 'UNEXPECTED_PAYMENT'])
  t.equal(offline.matches.length, 3)
})
