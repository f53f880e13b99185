// Tenders beyond AlipayHK and Octopus, end to end: the till's sales arrive as webhooks, the provider's
// file is uploaded as finance would, and the day's report is read against what was done by hand.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { drainInbox } from '../../fixtures/support/day-db.ts'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, SECRETS, testRuntime } from '../../fixtures/support/runtime.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import { dayEvent, tenderSale } from '../../fixtures/support/sales.ts'
import { reconcileDay } from './run.ts'

const DATE = '2026-11-20'

const event = (id: string, type: string, time: string, data: Record<string, unknown>): string => dayEvent(DATE, id, type, time, data)
const sale = (id: string, store: string, time: string, amount: string, method: string, ref: string | null, refundOf: string | null = null): string =>
  tenderSale(DATE, id, store, time, amount, method, ref, refundOf)

t.test('WeChat Pay HK: the bill imports through the API and reconciles by 商户订单号, across stores, with its refund and its revoked order', async t => {
  const rt = await testRuntime(t)
  const events = [
    sale('MK01-T1-000201', 'MK01', '12:15:00', '88.00', 'wechatpay', 'MK01-T1-000201-1'),
    sale('MK01-T1-000202', 'MK01', '12:20:30', '128.50', 'wechatpay', 'MK01-T1-000202-1'),
    sale('MK01-T2-000204', 'MK01', '13:02:00', '25.90', 'wechatpay', 'MK01-T2-000204-1'),
    sale('MK01-T1-000210', 'MK01', '15:39:50', '30.00', 'wechatpay', 'MK01-T1-000210-R1', 'MK01-T1-000202'),
    sale('MK01-T1-000203', 'MK01', '16:05:00', '45.00', 'wechatpay', 'MK01-T1-000203-1'),
    event('evt_void_203', 'sale.voided', '16:06:00', { sale_id: 'MK01-T1-000203', store_id: 'MK01' }),
    sale('CWB1-T2-000301', 'CWB1', '23:59:50', '12.34', 'wechatpay', 'CWB1-T2-000301-1'),
    // paid by WeChat at the till, but the bill does not list it
    sale('MK01-T1-000205', 'MK01', '17:00:00', '60.00', 'wechatpay', 'MK01-T1-000205-1')
  ]
  for (const body of events) {
    const id = JSON.parse(body).id
    const res = await rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], id, body), payload: body })
    t.equal(res.statusCode, 202, `${id}: wechatpay is a tender the till may send`)
  }
  await drainInbox(rt)

  const upload = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=1900000109_all_20261120.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'wechatpay/1900000109_all_20261120.csv')) })
  t.equal(upload.statusCode, 201)
  t.match(upload.json(), { status: 'imported', provider: 'wechatpay', layout: 'bill', records: 6 })

  const { report } = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  t.same(report.matches.filter(m => m.provider === 'wechatpay').map(m => [m.sale_id, m.by]).sort(), [
    ['CWB1-T2-000301', 'reference'], ['MK01-T1-000201', 'reference'], ['MK01-T1-000202', 'reference'], ['MK01-T1-000210', 'reference'], ['MK01-T2-000204', 'reference']
  ], 'each by its order number; the CWB1 sale found from the chain-wide merchant account')
  t.same(report.exceptions.map(e => [e.code, e.sale_id, e.expected, e.actual]), [['MISSING_PAYMENT', 'MK01-T1-000205', 6000, null]],
    'only the sale the bill does not list; the revoked order cancels the voided sale')
  // by hand: MK01 settled 88.00 + 128.50 + 25.90 − 30.00 = 212.40 gross, fees 0.53 + 0.77 + 0.15 − 0.18 = 1.27
  t.match(report.stores.find(s => s.store_id === 'MK01')?.settled, { wechatpay: { gross: 21240, fee: 127, net: 21113 } })
  t.match(report.stores.find(s => s.store_id === 'CWB1')?.settled, { wechatpay: { gross: 1234, fee: 8, net: 1226 } })

  // the settlement query's answer for the day: its batch agrees with the bill's rows
  const answer = readFileSync(join(FIXTURES, 'wechatpay/settlements_20261122.json'), 'utf8')
  const batch = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=settlements_20261122.json', headers: { ...auth('finance'), 'content-type': 'application/json' }, payload: answer })
  t.equal(batch.statusCode, 201, batch.body)
  t.match(batch.json(), { status: 'imported', provider: 'wechatpay', layout: 'settlements', file_kind: 'batch', batches: 1 })
  const agreed = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  t.notOk(agreed.report.exceptions.some(e => e.code === 'BATCH_TOTAL_MISMATCH'), 'the batch pays what the bill says')
  // a later answer stating a fee of 1.40: the batch no longer agrees with its trade day's rows
  const doc = JSON.parse(answer)
  Object.assign(doc.data[0].amount, { fee: 140, settled: 22334 })
  const off = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=settlements_20261122b.json', headers: { ...auth('finance'), 'content-type': 'application/json' }, payload: JSON.stringify(doc) })
  t.equal(off.statusCode, 201, off.body)
  const { report: after } = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  t.match(after.exceptions.filter(e => e.code === 'BATCH_TOTAL_MISMATCH'), [{ provider: 'wechatpay', batch_id: '100000001202611220001', expected: 22474, actual: 22474, detail: /states fee 1\.40, net 223\.34 but its rows add up to fee 1\.35, net 223\.39/ }])
})

t.test('cards through two acquirers: Adyen at one store, Stripe at another, each file imported as downloaded; chargebacks reported with the disputed reference', async t => {
  const rt = await testRuntime(t)
  const events = [
    sale('CWB1-T1-000401', 'CWB1', '12:00:00', '200.00', 'card', 'CWB1-T1-000401-1'),
    sale('CWB1-T1-000402', 'CWB1', '12:31:30', '350.00', 'card', 'CWB1-T1-000402-1'),
    sale('CWB1-T1-000410', 'CWB1', '16:44:50', '50.00', 'card', 'CWB1-T1-000410-R1', 'CWB1-T1-000402'),
    sale('TST1-T1-000501', 'TST1', '12:15:00', '88.00', 'card', 'TST1-T1-000501-1'),
    sale('TST1-T1-000502', 'TST1', '14:02:30', '45.50', 'card', 'TST1-T1-000502-1'),
    sale('TST1-T1-000510', 'TST1', '16:29:50', '20.00', 'card', 'TST1-T1-000510-R1', 'TST1-T1-000502')
  ]
  for (const body of events) {
    const id = JSON.parse(body).id
    const res = await rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], id, body), payload: body })
    t.equal(res.statusCode, 202)
  }
  await drainInbox(rt)
  for (const [file, provider, records] of [['adyen/settlement_detail_report_batch_7.csv', 'adyen', 6], ['stripe/payout_reconciliation_itemized_po_1QHK0000000001.csv', 'stripe', 4]] as const) {
    const res = await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${file.split('/')[1]}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, file)) })
    t.equal(res.statusCode, 201, file)
    t.match(res.json(), { status: 'imported', provider, records })
  }
  const { report } = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  t.same(report.matches.map(m => [m.sale_id, m.provider, m.by]).sort(), [
    ['CWB1-T1-000401', 'adyen', 'reference'], ['CWB1-T1-000402', 'adyen', 'reference'], ['CWB1-T1-000410', 'adyen', 'reference'],
    ['TST1-T1-000501', 'stripe', 'reference'], ['TST1-T1-000502', 'stripe', 'reference'], ['TST1-T1-000510', 'stripe', 'reference']
  ])
  t.same(report.exceptions.map(e => [e.code, e.provider, e.reference, e.actual]).sort(), [
    ['CHARGEBACK', 'adyen', 'CWB1-T1-000399-1', -12000], ['CHARGEBACK', 'stripe', 'TST1-T1-000480-1', -3000]
  ], 'the two disputes, named by the disputed sale\'s reference; the won dispute (ChargebackReversed) and the fee are no exception')
  // the Adyen merchant account served only CWB1 today: its unmatched rows (the disputes, the terminal
  // fee) are CWB1's, inferred; Stripe's report names no account, so its dispute stays unassigned
  t.match(report.exceptions.find(e => e.provider === 'adyen'), { store_id: 'CWB1', store_inferred: true, store_evidence: /3 matched adyen records of account HKRetailCoPOS were CWB1's/ })
  t.match(report.exceptions.find(e => e.provider === 'stripe'), { store_id: null })
  // by hand, Adyen at CWB1, the whole batch: 200.00 + 350.00 − 50.00 − 120.00 + 80.00 = 460.00 gross,
  // fees 3.60 + 6.30 + 15.00 = 24.90, net 435.10: the batch's MerchantPayout
  t.match(report.stores.find(s => s.store_id === 'CWB1')?.settled, { adyen: { gross: 46000, fee: 2490, net: 43510 } })
  t.match(report.stores.find(s => s.store_id === 'TST1')?.settled, { stripe: { gross: 11350, fee: 924, net: 10426 } })
})

t.test('a wallet report downloaded as an Excel workbook imports through the API like its CSV; the same workbook again is already imported', async t => {
  const rt = await testRuntime(t)
  const xlsx = readFileSync(join(FIXTURES, 'payme/payme_transactions_20261120.xlsx'))
  const post = () => rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=payme.xlsx', headers: { ...auth('finance'), 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, payload: xlsx })
  const first = await post()
  t.equal(first.statusCode, 201)
  t.match(first.json(), { status: 'imported', provider: 'payme', records: 3 })
  const listed = await rt.app!.inject({ method: 'GET', url: `/v1/payments?provider=payme&date=${DATE}`, headers: auth('finance') })
  t.same(listed.json().items.map((p: { merchant_ref: string, gross: number, paid_at: string }) => [p.merchant_ref, p.gross, p.paid_at]),
    [['MK01-T1-000601-1', 6800, '2026-11-20T04:40:11.000Z'], ['MK01-T1-000602-1', 12000, '2026-11-20T07:02:45.000Z'], ['MK01-T1-000610-R1', -2000, '2026-11-20T10:20:00.000Z']])
  t.match((await post()).json(), { status: 'already_imported' })
})

t.test('card details from the till tell two same-amount card sales apart at a KPay terminal; a card number beyond its last four digits is refused', async t => {
  const rt = await testRuntime(t)
  const cardSale = (id: string, time: string, card: object) => event(`evt_${id}`, 'sale.completed', time, {
    sale_id: id, store_id: 'TST1', terminal_id: 'T2', receipt_no: id, refund_of: null,
    lines: [{ sku: 'BAG', qty: 1, unit_price: '120.00', discount: '0.00' }],
    tenders: [{ method: 'card', amount: '120.00', reference: null, provider_txn_id: null, card }]
  })
  const post = (body: string) => rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], JSON.parse(body).id, body), payload: body })
  t.equal((await post(cardSale('TST1-T2-000901', '13:00:00', { brand: 'VISA', last4: '1111', auth_code: '0A1B2C' }))).statusCode, 202)
  t.equal((await post(cardSale('TST1-T2-000902', '13:00:20', { brand: 'mc', last4: '4444' }))).statusCode, 202)
  const bad = await post(cardSale('TST1-T2-000903', '13:01:00', { brand: 'visa', last4: '11111' }))
  t.equal(bad.statusCode, 422)
  t.match(bad.json(), { issues: [{ column: 'data.tenders[0].card.last4' }] })
  await drainInbox(rt)
  const { rows: stored } = await rt.db.query('SELECT s.sale_id, t.card_brand, t.card_last4, t.auth_code FROM sale_tenders t JOIN sales s ON s.id = t.sale_pk ORDER BY 1')
  t.same(stored, [{ sale_id: 'TST1-T2-000901', card_brand: 'visa', card_last4: '1111', auth_code: '0A1B2C' }, { sale_id: 'TST1-T2-000902', card_brand: 'mastercard', card_last4: '4444', auth_code: null }], 'the refused sale stored nothing')

  // KPay lists the Mastercard 5 s after the first sale and the Visa 5 s after the second: nearest in
  // time would cross them
  const kpay = ['Settlement Date,Transaction Time,Store ID,Terminal ID,Transaction No,Order No,Payment Method,Card No,Transaction Type,Transaction Amount,MDR,Settlement Amount',
    '2026-11-21,2026-11-20 13:00:05,TST1,KP-T02,KP202611200901,,MASTERCARD,5***********4444,Sale,120.00,1.80,118.20',
    '2026-11-21,2026-11-20 13:00:25,TST1,KP-T02,KP202611200902,,VISA,4***********1111,Sale,120.00,1.80,118.20'].join('\n')
  const up = await rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=kpay_settlement_20261121.csv', headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: kpay })
  t.equal(up.statusCode, 201, up.body)
  const { rows: cards } = await rt.db.query('SELECT provider_txn_id, card_brand, card_last4 FROM payments ORDER BY 1')
  t.same(cards, [{ provider_txn_id: 'KP202611200901', card_brand: 'mastercard', card_last4: '4444' }, { provider_txn_id: 'KP202611200902', card_brand: 'visa', card_last4: '1111' }])
  const { report } = await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  t.same(report.matches.map(m => [m.sale_id, m.provider, m.provider_txn_id, m.by]), [
    ['TST1-T2-000901', 'kpay', 'KP202611200902', 'amount_time'], ['TST1-T2-000902', 'kpay', 'KP202611200901', 'amount_time']
  ], 'each sale with the record of its own card')
  t.same(report.exceptions, [])
})
