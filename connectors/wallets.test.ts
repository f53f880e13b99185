// The wallets and local acquirers whose layouts are not public: shipped as mapping profiles, read
// with no code of their own. The figures below are the fixtures' own, added by hand.
import t from 'tap'
import { join } from 'node:path'
import { FIXTURES, money, readBack } from '../fixtures/support/settlement.ts'

t.test('PayMe for Business: its transaction report, refunds signed by the type', async t => {
  const { result, records } = await readBack(join(FIXTURES, 'payme/payme_transactions_20261120.csv'))
  t.match(result, { provider: 'payme', layout: 'payme-business-transactions-v1', records: 3, issueCount: 0 })
  t.same(records.map(money), [['payment', 'MK01-T1-000601-1', 6800, 88, 6712], ['payment', 'MK01-T1-000602-1', 12000, 156, 11844], ['refund', 'MK01-T1-000610-R1', -2000, 0, -2000]])
  t.match(records[0], { providerTxnId: 'PM2611200001', batchId: 'PO-20261121-01', account: 'Mong Kok', paidAt: new Date('2026-11-20T04:40:11Z') })
})

t.test('an FPS collection file: credits are payments to the shop, the payer\'s name and account are never read', async t => {
  const { result, records } = await readBack(join(FIXTURES, 'fps/bochk_fps_collection_20261120.csv'))
  t.match(result, { provider: 'fps-collection', layout: 'bochk-fps-collection-v1', records: 2, issueCount: 0 })
  t.same(records.map(money), [['payment', 'TST1-T1-000701-1', 25600, 0, 25600], ['payment', 'TST1-T1-000702-1', 9950, 0, 9950]])
  t.notMatch(JSON.stringify(records), /CHAN|LEE|\*123|\*456/, 'no personal data of the payer in the records')
  t.match(records[0], { providerTxnId: 'FRN20261120PAYC0101', settlementDate: '2026-11-20', account: '012-345-6-789012' })
})

t.test('KPay: the settlement report of card payments, net of the MDR, by store and terminal', async t => {
  const { result, records } = await readBack(join(FIXTURES, 'kpay/kpay_settlement_20261121.csv'))
  t.match(result, { provider: 'kpay', layout: 'kpay-merchant-settlement-v1', records: 2, issueCount: 0 })
  t.same(records.map(money), [['payment', 'TST1-T2-000801-1', 30000, 450, 29550], ['payment', null, 5800, 87, 5713]])
  t.match(records[1], { storeId: 'TST1', deviceId: 'KP-T01', cardMasked: '5***********4444', remarks: 'MASTERCARD' })
})

t.test('an .xlsx export reads like its CSV: date cells as the wall time shown, number cells as amounts', async t => {
  const csv = await readBack(join(FIXTURES, 'payme/payme_transactions_20261120.csv'))
  const xlsx = await readBack(join(FIXTURES, 'payme/payme_transactions_20261120.xlsx'))
  t.match(xlsx.result, { provider: 'payme', layout: 'payme-business-transactions-v1', records: 3, issueCount: 0, encoding: 'utf-8' })
  t.same(xlsx.records.map(r => ({ ...r, lineNo: 0 })), csv.records.map(r => ({ ...r, lineNo: 0 })), 'the same records, field for field')
})

t.test('a zip archive that is not a workbook is refused with the reason', async t => {
  const dir = t.testdir({ 'report.xlsx': Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 1)]) })
  await t.rejects(readBack(join(dir, 'report.xlsx')), { code: 'UNKNOWN_LAYOUT', message: /a zip archive but not a readable Excel workbook/ })
})
