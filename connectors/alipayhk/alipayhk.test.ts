import t from 'tap'
import { join } from 'node:path'
import { FIXTURES, money, readBack } from '../../fixtures/support/settlement.ts'
import { InputError } from '../errors.ts'

const A = join(FIXTURES, 'alipayhk')

t.test('layout A settlement: BOM, CRLF, padded values, "+0.00", M/D/YYYY H:mm, signs from the type', async t => {
  const { result, records } = await readBack(join(A, '2088000000000001_settle_20261121_B0001.csv'))
  t.match(result, { provider: 'alipayhk', layout: 'A', fileKind: 'settlement', encoding: 'utf-8', records: 7, issueCount: 0 })
  t.same(records.map(money), [
    ['payment', 'MK01-T1-000124-1', 12850, 129, 12721],
    ['payment', 'MK01-T1-000128-1', 2590, 26, 2564],
    ['refund', 'MK01-T1-000142-1', -1295, 0, -1295],
    ['payment', 'CWB1-T1-000001-1', 12000, 120, 11880],
    ['payment', 'CWB1-T1-000002-1', 12850, 129, 12721],
    ['cancel', null, -12850, -129, -12721],
    ['payment', 'CWB1-T1-000003-1', 8800, 88, 8712]
  ])
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T04:15:00.000Z', '11/20/2026 12:15 HKT')
  t.equal(records[0].settlementDate, '2026-11-21')
  t.equal(records[0].batchId, 'B0001', 'batch id from the file name')
  t.equal(records[0].account, '2088000000000001', 'the partner id from the file name: one per shop in layout A')
  t.equal(records[2].originalRef, 'MK01-T1-000128-1', 'refund links to its payment, header spelt Original_partner_transaction_ID')
  t.equal(records[6].paidAt?.toISOString(), '2026-11-20T17:30:00.000Z', '11/21/2026 1:30 (no padding, no seconds)')
})

t.test('F5: every physical line is accounted for: header, rows, blank lines, trailers', async t => {
  const dir = t.testdir({ 'c.txt': 'Partner:2088000000000002|Payment_time: 2026-11-20|Total_count:2\n' +
    'Partner_transaction_id|Transaction_id|Transaction_amount|Charge_amount|Currency|Payment_time|Transaction_type\n' +
    'R1|T1|10.00|0.10|HKD|2026-11-20 10:00:00|PAYMENT\n\nR2|T2|5.00|0.05|HKD|2026-11-20 10:05:00|BOGUS\nR3|T3|5.00|0.05|HKD|2026-11-20 10:05:00|PAYMENT\n' })
  const { result } = await readBack(join(dir, 'c.txt'))
  t.same(result.rowCounts, { dataRecords: 4, payments: 2, batches: 0, refused: 1, skipped: 1 })
  t.equal(result.lines, 6, '2 header lines + 4 data records')
  t.match(result.issues, [{ line: 1, message: /Total_count says 2 but the file has 3 data rows/ }, { line: 5 }].sort((a, b) => a.line - b.line))
})

t.test('a CANCEL row listed under the provider id keeps the provider id, not a false reference', async t => {
  const { records } = await readBack(join(A, '2088000000000001_settle_20261121_B0001.csv'))
  const cancel = records.find(r => r.type === 'cancel')!
  t.equal(cancel.merchantRef, null)
  t.equal(cancel.providerTxnId, '2026112022001400000000000004')
  t.equal(cancel.originalProviderTxnId, '2026112022001400000000000004')
  t.same(cancel.flags, ['reference_is_provider_id'])
})

t.test('layout A transaction (fptrade) file: empty settlement columns, fee follows the direction', async t => {
  const { result, records } = await readBack(join(A, '2088000000000001_fptrade_20261120.csv'))
  t.match(result, { layout: 'A', fileKind: 'transaction' })
  t.same(records.map(money), [['payment', 'MK01-T1-000124-1', 12850, 129, 12721], ['refund', 'MK01-T1-000142-1', -1295, 0, -1295]])
  t.equal(records[0].settlementDate, null)
})

t.test('layout B: batch file with padded values and per-batch file with unsigned P/R rows', async t => {
  const batch = await readBack(join(A, '2088000000000003_settlebatch_20261121.csv'))
  t.match(batch.result, { layout: 'B-batch', fileKind: 'batch', records: 0, batches: 1 })
  t.match(batch.batches[0], { batchId: '5000000000001', gross: 85240, fee: 852, net: 84388 })
  const rows = await readBack(join(A, '2088000000000003_settle_20261121_5000000000001.csv'))
  t.match(rows.result, { layout: 'B', fileKind: 'settlement' })
  t.same(rows.records.map(money), [
    ['payment', 'WEB-000501', 50000, 500, 49500],
    ['payment', 'WEB-000502', 37240, 372, 36868],
    ['refund', 'WEB-R-000501', -2000, -20, -1980]
  ])
  t.equal(rows.records[0].batchId, '5000000000001')
  const sum = rows.records.reduce((s, r) => ({ gross: s.gross + r.gross, fee: s.fee + r.fee, net: s.net + r.net }), { gross: 0, fee: 0, net: 0 })
  t.same(sum, { gross: 85240, fee: 852, net: 84388 }, 'the rows add up to the batch file')
})

t.test('layout C transaction file: Partner record line, pipes, positive amounts signed by type', async t => {
  const { result, records } = await readBack(join(A, '2088000000000002_transaction_20261120.txt'))
  t.match(result, { layout: 'C', fileKind: 'transaction', controls: { totalCount: 4, partner: '2088000000000002' } })
  t.same(records.map(money), [
    ['payment', 'CWB1-T1-000010-1', 8800, 70, 8730],
    ['payment', 'CWB1-T1-000011-1', 4500, 36, 4464],
    ['reversal', 'CWB1-T1-000012-1', -6000, -48, -5952],
    ['refund', 'RF-CWB1-T1-000010-1', -1000, -8, -992]
  ])
  t.equal(records[3].originalProviderTxnId, '2026112022001600000000000001', 'the refund carries the payment\'s Alipay id')
  t.equal(records[2].remarks, '超時撤銷')
  t.equal(records[0].account, '銅鑼灣店', 'the shop a chain-wide partner id serves: Secondary_merchant_name')
})

t.test('layout C settlement file (barcode_hk) and layout D (Forex, Type R unsigned)', async t => {
  const c = await readBack(join(A, '2088000000000002_settlement_20261121.txt'))
  t.match(c.result, { layout: 'C', fileKind: 'settlement' })
  t.same(c.records.map(money).at(-1), ['refund', 'RF-CWB1-T1-000010-1', -1000, -8, -992])
  const d = await readBack(join(A, '2088000000000004_settle_20261121.txt'))
  t.match(d.result, { layout: 'D' })
  t.same(d.records.map(money), [['payment', 'MK01-T2-000200-1', 30000, 300, 29700], ['refund', 'FOREXREFUND_20261120001', -5000, -50, -4950]])
})

t.test('layout F settlementItems: 20 fee columns written negative, net = gross + fees, <END>', async t => {
  const { result, records } = await readBack(join(A, 'settlementItems_ALIPAY_HK_HKD_2026112100001_000.csv'))
  t.match(result, { layout: 'F', fileKind: 'settlement', controls: { ended: true } })
  t.same(records.map(money), [
    ['payment', 'MK01-T1-000150-1', 10000, 300, 9700],
    ['payment', 'MK01-T1-000151-1', 5880, 88, 5792],
    ['refund', 'MK01-T1-000152-1', -2000, -50, -1950]
  ])
  t.match(records[2], { providerTxnId: '202611201900000003', originalProviderTxnId: '202611201900000001', batchId: '2026112100001', storeId: 'MK01', settlementDate: '2026-11-21' })
})

t.test('layout F transactionItems with quoted fields holding commas and quotes', async t => {
  const { result, records } = await readBack(join(A, 'transactionItems_20261120_000.csv'))
  t.match(result, { layout: 'F', fileKind: 'transaction' })
  t.equal(records[0].remarks, 'Tea, green')
  t.equal(records[1].remarks, 'Refund "partial"')
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T02:00:00.000Z')
})

t.test('a GBK-encoded file is decoded as GBK, not turned into replacement characters', async t => {
  const { result, records } = await readBack(join(A, 'gbk/2088000000000002_transaction_20261120.txt'))
  t.equal(result.encoding, 'gbk')
  t.equal(records[2].remarks, '超时撤销')
  t.same(records.map(money), (await readBack(join(A, '2088000000000002_transaction_20261120.txt'))).records.map(money))
})

t.test('columns are found by name in any order and any case', async t => {
  const dir = t.testdir({
    'x_settle_20261121_B9.csv': 'type,STATUS,fee,amount,settlement,partner_transaction_id,TRANSACTION_ID,payment_time,currency\n' +
      'PAYMENT,SETTLED,0.50,50.00,49.50,REF-1,TX-1,2026-11-20 10:00:00,hkd\n'
  })
  const { records } = await readBack(join(dir, 'x_settle_20261121_B9.csv'))
  t.same(records.map(money), [['payment', 'REF-1', 5000, 50, 4950]])
})

t.test('control totals: Total_count and <END> are enforced', async t => {
  const dir = t.testdir({
    'c.txt': 'Partner:2088000000000002|Payment_time: 2026-11-20|Total_count:3\n' +
      'Partner_transaction_id|Transaction_id|Transaction_amount|Charge_amount|Currency|Payment_time|Transaction_type\n' +
      'R1|T1|10.00|0.10|HKD|2026-11-20 10:00:00|PAYMENT\n',
    'f.csv': 'transactionId,transactionRequestId,transactionType,transactionAmountValue,transactionCurrency,paymentTime\n' +
      'T1,R1,PAYMENT,10.00,HKD,2026-11-20T10:00:00+08:00\n',
    'f_after_end.csv': 'transactionId,transactionRequestId,transactionType,transactionAmountValue,transactionCurrency,paymentTime\n' +
      'T1,R1,PAYMENT,10.00,HKD,2026-11-20T10:00:00+08:00\n<END>\nT2,R2,PAYMENT,5.00,HKD,2026-11-20T10:00:00+08:00\n'
  })
  const c = await readBack(join(dir, 'c.txt'))
  t.same(c.result.issues, [{ line: 1, message: 'Total_count says 3 but the file has 1 data rows' }])
  const f = await readBack(join(dir, 'f.csv'))
  t.match(f.result.issues, [{ line: 0, message: /no <END> line/ }])
  const g = await readBack(join(dir, 'f_after_end.csv'))
  t.match(g.result.issues, [{ line: 4, message: /data after the <END> line/ }])
})

t.test('rows that do not add up, unknown types and foreign currencies are refused with their line', async t => {
  const head = 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Settlement_time,Type\n'
  const dir = t.testdir({
    'bad.csv': head +
      'R1,T1,50.00,0.50,48.00,HKD,11/20/2026 10:00,,PAYMENT\n' +
      'R2,T2,50.00,0.50,49.50,HKD,11/20/2026 10:00,,CHARGEBACK\n' +
      'R3,T3,50.00,0.50,49.50,USD,11/20/2026 10:00,,PAYMENT\n' +
      ',,50.00,0.50,49.50,HKD,11/20/2026 10:00,,PAYMENT\n'
  })
  const { result, records } = await readBack(join(dir, 'bad.csv'))
  t.equal(records.length, 0, 'nothing is handed over once a row is bad')
  t.same(result.issues.map(i => i.line), [2, 3, 4, 5])
  t.match(result.issues, [
    { message: /do not add up/ },
    { column: 'Type', message: /unknown transaction type "CHARGEBACK"/ },
    { column: 'Currency', message: /USD is not supported/ },
    { message: /neither Partner_transaction_id nor Transaction_id/ }
  ])
})

t.test('a summary file or an unknown header is refused with a clear reason', async t => {
  const dir = t.testdir({
    'summary.csv': 'summaryType,settlementBatchId,settlementAmountValue\nTOTAL,1,10.00\n<END>\n',
    'other.csv': 'date,description,amount\n2026-11-20,coffee,38.00\n'
  })
  await t.rejects(readBack(join(dir, 'summary.csv')), { code: 'UNKNOWN_LAYOUT', message: /summary file/ })
  await t.rejects(readBack(join(dir, 'other.csv')), { code: 'UNKNOWN_LAYOUT', message: /not a recognised alipayhk, octopus, wechatpay, adyen, stripe, payme, fps-collection or kpay settlement file \(first line: "date,description,amount"\)/ })
  await t.rejects(readBack(join(dir, 'other.csv'), { provider: 'alipayhk' }), InputError)
})

t.test('a settlement file saved from Excel with ="…" around the long ids imports whole, each id as its digits', async t => {
  const dir = t.testdir({
    '2088000000000001_settle_20261121_B0002.csv': 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Settlement_time,Type\r\n' +
      'POS1-000123,="2026112022001400000000000001",12.50,0.13,12.37,HKD,11/20/2026 12:15,11/21/2026 9:40,PAYMENT\r\n' +
      '="POS1-000124",="2026112022001400000000000002",="8.00",0.08,7.92,HKD,11/20/2026 12:20,11/21/2026 9:40,PAYMENT\r\n'
  })
  const { result, records } = await readBack(join(dir, '2088000000000001_settle_20261121_B0002.csv'))
  t.match(result, { records: 2, issueCount: 0 })
  t.same(records.map(r => [r.merchantRef, r.providerTxnId, r.gross]), [
    ['POS1-000123', '2026112022001400000000000001', 1250],
    ['POS1-000124', '2026112022001400000000000002', 800]
  ])
})
