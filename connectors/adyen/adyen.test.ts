import t from 'tap'
import { join } from 'node:path'
import { FIXTURES, money, readBack, withLine } from '../../fixtures/support/settlement.ts'

const REPORT = join(FIXTURES, 'adyen/settlement_detail_report_batch_7.csv')

t.test('an Adyen settlement details report: payments, a refund, a chargeback and its reversal, a fee; the payout equals the batch', async t => {
  const { result, records } = await readBack(REPORT)
  t.match(result, { provider: 'adyen', layout: 'settlement-details', records: 6, issueCount: 0 })
  // by hand: 200.00 − 196.40 = 3.60 = markup 0.60 + scheme 0.40 + interchange 2.60; 350.00 − 343.70 = commission 6.30
  t.same(records.map(money), [
    ['payment', 'CWB1-T1-000401-1', 20000, 360, 19640],
    ['payment', 'CWB1-T1-000402-1', 35000, 630, 34370],
    ['refund', 'CWB1-T1-000410-R1', -5000, 0, -5000],
    ['chargeback', null, -12000, 0, -12000],
    ['chargeback_reversal', null, 8000, 0, 8000],
    ['fee', null, 0, 1500, -1500]
  ])
  t.match(records[2], { originalRef: 'CWB1-T1-000402-1', originalProviderTxnId: '8815637200000002', providerTxnId: '8825637200000010' }, 'the refund names its payment')
  t.match(records[3], { originalRef: 'CWB1-T1-000399-1', originalProviderTxnId: '8815637100000399', batchId: '7' }, 'the chargeback names the disputed payment')
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T04:00:05.000Z', '12:00:05 HKT')
  t.match(result.controls, { payouts: [{ batch: '7', amount: 43510 }] }, 'the MerchantPayout line is kept as the batch payout, not a record')
})

t.test('a payout that is not the batch net, a fee that does not add up, or an unknown type or zone refuses the report', async t => {
  const variant = (i: number, from: string, to: string) => withLine(t, REPORT, i + 1, l => l.replace(from, to))
  t.match((await readBack(variant(7, '435.10', '435.00'))).result.issues, [{ line: 8, message: /MerchantPayout of batch 7 is 435\.00 but the batch's rows net 435\.10/ }])
  t.match((await readBack(variant(1, ',0.60,', ',0.70,'))).result.issues, [{ line: 2, message: /gross 200\.00 − net 196\.40 is not the fees 3\.70/ }])
  t.match((await readBack(variant(1, 'Settled', 'Authorised'))).result.issues, [{ line: 2, column: 'Type', message: /unknown record type "Authorised"/ }])
  t.match((await readBack(variant(1, ',HKT,', ',XYZ,'))).result.issues, [{ line: 2, column: 'TimeZone', message: /unknown time zone "XYZ"/ }])
})
