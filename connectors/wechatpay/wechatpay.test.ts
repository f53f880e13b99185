import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES, money, readBack, withLine } from '../../fixtures/support/settlement.ts'

const BILL = join(FIXTURES, 'wechatpay/1900000109_all_20261120.csv')
const text = readFileSync(BILL, 'utf8')
/** The bill with one line (1-based) replaced, or dropped when null. */
const variant = (t: { testdir: (files: Record<string, string>) => string }, line: number, replacement: string | null): string => withLine(t, BILL, line, () => replacement)

t.test('a WeChat Pay ALL bill: backticks off, payments, a PROCESSING refund, a revoked order; the summary row is a control, not a record', async t => {
  const { result, records } = await readBack(BILL)
  t.match(result, { provider: 'wechatpay', layout: 'bill', fileKind: 'settlement', records: 6, issueCount: 0 })
  // fees by hand: 88.00 × 0.6% = 0.528, 128.50 × 0.6% = 0.771, 25.90 × 0.6% = 0.1554, the refund gives 0.18
  // back, 12.34 × 0.6% = 0.07404; each row's cents is the step of the running total rounded
  // (0.53, 1.30, 1.45, 1.27, 1.27, 1.35), so they add up to the summary's 1.34844 → HK$1.35
  t.same(records.map(money), [
    ['payment', 'MK01-T1-000201-1', 8800, 53, 8747],
    ['payment', 'MK01-T1-000202-1', 12850, 77, 12773],
    ['payment', 'MK01-T2-000204-1', 2590, 15, 2575],
    ['refund', 'MK01-T1-000210-R1', -3000, -18, -2982],
    ['cancel', 'MK01-T1-000203-1', 0, 0, 0],
    ['payment', 'CWB1-T2-000301-1', 1234, 8, 1226]
  ])
  t.equal(records.reduce((s, r) => s + r.fee, 0), 135, 'the fees add up to the summary total, rounded once')
  t.match(records[3], { originalRef: 'MK01-T1-000202-1', originalProviderTxnId: '4200000001202611200000000002', providerTxnId: '50000000012026112000000000001', status: 'PROCESSING' })
  t.match(records[4], { originalRef: 'MK01-T1-000203-1', originalProviderTxnId: '4200000001202611200000000003', remarks: /revoked order of 45\.00/ })
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T04:15:03.000Z', '12:15:03 at UTC+8')
  t.match(records[0], { providerTxnId: '4200000001202611200000000001', deviceId: 'MK01-T1', currency: 'HKD', remarks: /手续费 0\.52800 · 费率 0\.60%/ })
})

t.test('a summary row that disagrees with the rows refuses the bill, naming the line and both figures', async t => {
  const cases: Array<[string, RegExp]> = [
    ['`7,`299.74,`30.00,`0.00,`1.34844,`299.74,`30.00', /总交易单数 says 7 but the bill has 6 rows/],
    ['`6,`299.75,`30.00,`0.00,`1.34844,`299.74,`30.00', /应结订单总金额 is 299\.75 but the rows add up to 299\.74/],
    ['`6,`299.74,`20.00,`0.00,`1.34844,`299.74,`30.00', /退款总金额 is 20\.00 but the rows add up to 30\.00/],
    ['`6,`299.74,`30.00,`0.00,`1.34,`299.74,`30.00', /手续费总金额 is 1\.34 but the rows' fees add up to 1\.35/]
  ]
  for (const [summary, message] of cases) {
    const { result } = await readBack(variant(t, 9, summary))
    t.match(result.issues, [{ line: 9, message }], summary)
  }
  const rounded = await readBack(variant(t, 9, '`6,`299.74,`30.00,`0.00,`1.35,`299.74,`30.00'))
  t.equal(rounded.result.issueCount, 0, 'a fee total written to the cent is compared to the cent')
})

t.test('a bill cut short (no summary), data after the summary, an unknown status or a fee past five decimals is refused', async t => {
  t.match((await readBack(variant(t, 9, null))).result.issues, [{ message: /no summary row .* cut short/ }])
  t.match((await readBack(join(t.testdir({ 'b.csv': text + '`2026-11-21 00:00:01,`x\r\n' }), 'b.csv'))).result.issues, [{ line: 10, message: /data after the bill's summary row \(line 9\)/ }])
  const lines = text.split('\r\n')
  const bad = (from: string, to: string) => variant(t, 2, lines[1].replace(from, to))
  t.match((await readBack(bad('`SUCCESS', '`CLOSED'))).result.issues, [{ line: 2, column: '交易状态', message: /unknown 交易状态 "CLOSED"/ }])
  t.match((await readBack(bad('`0.52800', '`0.528001'))).result.issues, [{ line: 2, column: '手续费', message: /more than five decimals/ }])
})

t.test('a bill without a column every bill has is refused with the column named', async t => {
  const header = text.split('\r\n')[0].replace(',手续费,', ',服务费,')
  const dir = t.testdir({ 'b.csv': [header, ...text.split('\r\n').slice(1)].join('\r\n') })
  await t.rejects(readBack(join(dir, 'b.csv')), { message: /WeChat Pay bill without the column\(s\) 手续费/ })
})

const SETTLEMENTS = join(FIXTURES, 'wechatpay/settlements_20261122.json')
const answer = JSON.parse(readFileSync(SETTLEMENTS, 'utf8'))
/** The settlement answer with its first batch changed, written as a file. */
const batchVariant = (t: { testdir: (files: Record<string, string>) => string }, edit: (b: Record<string, any>) => void): string => {
  const doc = structuredClone(answer)
  edit(doc.data[0])
  return join(t.testdir({ 'settlements.json': JSON.stringify(doc) }), 'settlements.json')
}

t.test('settlement batches from the settlement query\'s JSON answer: a payout batch covering the trade days it pays for', async t => {
  const { result, records, batches } = await readBack(SETTLEMENTS)
  t.match(result, { provider: 'wechatpay', layout: 'settlements', fileKind: 'batch', issueCount: 0 })
  t.same(records, [])
  // by hand: 254.74 paid − 30.00 refunded = 224.74, fee 1.35, paid out 223.39
  t.match(batches, [{ provider: 'wechatpay', batchId: '100000001202611220001', gross: 22474, fee: 135, net: 22339, currency: 'HKD', covers: { from: '2026-11-20', to: '2026-11-20' } }])
  t.equal(batches[0].settledAt?.toISOString(), '2026-11-21T16:00:00.000Z', 'settled on 2026-11-22 (HKT)')
  const pages = join(t.testdir({ 'pages.json': JSON.stringify([answer, { ...answer, data: [{ ...answer.data[0], batch_id: 'B2' }] }]) }), 'pages.json')
  t.same((await readBack(pages)).batches.map(b => b.batchId), ['100000001202611220001', 'B2'], 'several pages saved as one array')
})

t.test('a settlement batch with a bad amount, currency or day is refused with its field; a JSON without records is not a settlement file', async t => {
  const cases: Array<[(b: Record<string, any>) => void, RegExp]> = [
    [b => { b.amount.fee = '1.35' }, /amount\.fee "1\.35" is not a whole number of cents/],
    [b => { b.amount.currency = 'CNY' }, /currency CNY is not supported/],
    [b => { b.trade_end_date = '20261119' }, /trade_start_date 2026-11-20 is after trade_end_date 2026-11-19/],
    [b => { b.amount.net = 22475 }, /pay 254\.74 − refund 30\.00 ≠ net 224\.75/]
  ]
  for (const [edit, message] of cases) {
    const { result, batches } = await readBack(batchVariant(t, edit))
    t.equal(batches.length, 0)
    t.match(result.issues, [{ message }], String(message))
  }
  const none = join(t.testdir({ 'x.json': '{"total_count":0}' }), 'x.json')
  await t.rejects(readBack(none), { code: 'UNKNOWN_LAYOUT', message: /"data" array/ })
  const broken = join(t.testdir({ 'y.json': '{"data": [' }), 'y.json')
  await t.rejects(readBack(broken), { code: 'UNKNOWN_LAYOUT', message: /starts like JSON but is not JSON/ })
})
