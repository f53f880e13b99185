import t from 'tap'
import { join } from 'node:path'
import { FIXTURES, money, readBack } from '../../fixtures/support/settlement.ts'
import { parseProfile, ProfileError } from '../profile/profile.ts'
import { DEFAULT_OCTOPUS_PROFILE, createOctopusConnector } from './index.ts'

const O = join(FIXTURES, 'octopus')
const HEADER = 'Settlement Date,Batch No,Device ID,Location ID,Transaction Date Time,Octopus No,Transaction Type,Transaction Amount,Service Fee,Net Amount,Reference No,Remarks\n'

t.test('default profile: payments, refunds and add-value signed as money moves to the merchant', async t => {
  const { result, records } = await readBack(join(O, 'octopus_settlement_20261121.csv'))
  t.match(result, { provider: 'octopus', layout: 'octopus-settlement-v1', records: 6, issueCount: 0 })
  t.same(records.map(money), [
    ['payment', 'MK01-T1-000123-1', 8800, 132, 8668],
    ['payment', 'MK01-T1-000130-1', 2000, 30, 1970],
    ['refund', 'MK01-T1-000140-1', -1000, 0, -1000],
    ['add_value', null, -10000, 0, -10000],
    ['payment', 'MK01-T2-000126-1', 5000, 75, 4925],
    ['payment', null, 3800, 57, 3743]
  ])
  t.match(records[0], { deviceId: '9A1F02', storeId: 'MK01', batchId: 'MPS.FF30.20261120230000', cardMasked: '****4821', settlementDate: '2026-11-21' })
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T04:01:09.000Z')
  t.equal(records.filter(r => r.type === 'payment').length, 4, 'add value is never a payment')
})

t.test('a file with old Mac line endings (lone CR) is read line by line', async t => {
  const dir = t.testdir({ 'o.csv': (HEADER + '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,10.00,0.15,9.85,R1,\nTOTAL,1,,,,,,10.00,0.15,9.85,,\n').replace(/\n/g, '\r') })
  const { result, records } = await readBack(join(dir, 'o.csv'))
  t.equal(result.issueCount, 0)
  t.same(records.map(money), [['payment', 'R1', 1000, 15, 985]])
})

t.test('amounts off the HK$0.10 grid are kept and flagged', async t => {
  const dir = t.testdir({ 'o.csv': HEADER + '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,12.34,0.19,12.15,R1,\nTOTAL,1,,,,,,12.34,0.19,12.15,,\n' })
  const { records } = await readBack(join(dir, 'o.csv'))
  t.same(records[0].flags, ['amount_not_multiple_of_10_cents'])
})

t.test('a TOTAL trailer that disagrees with the rows refuses the file', async t => {
  const mismatch = await readBack(join(O, 'bad/octopus_settlement_20261122_total_mismatch.csv'))
  t.same(mismatch.result.issues, [{ line: 4, message: 'TOTAL says 3 records but the file has 2' }])
  const dir = t.testdir({
    'sum.csv': HEADER + '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,10.00,0.15,9.85,R1,\nTOTAL,1,,,,,,10.00,0.15,9.95,,\n',
    'none.csv': HEADER + '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,10.00,0.15,9.85,R1,\n',
    'after.csv': HEADER + 'TOTAL,0,,,,,,0.00,0.00,0.00,,\n2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,10.00,0.15,9.85,R1,\n'
  })
  t.match((await readBack(join(dir, 'sum.csv'))).result.issues, [{ line: 3, message: 'TOTAL net sum is 9.95 but the rows add up to 9.85' }])
  t.match((await readBack(join(dir, 'none.csv'))).result.issues, [{ line: 0, message: /TOTAL trailer row is missing/ }])
  t.match((await readBack(join(dir, 'after.csv'))).result.issues, [{ line: 3, message: /data after the TOTAL trailer row/ }])
})

t.test('an unmasked Octopus number refuses the row without echoing it', async t => {
  const dir = t.testdir({ 'o.csv': HEADER + '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,12345678,Payment,10.00,0.15,9.85,R1,\nTOTAL,1,,,,,,10.00,0.15,9.85,,\n' })
  const { result, records } = await readBack(join(dir, 'o.csv'))
  t.equal(records.length, 0)
  t.match(result.issues, [{ line: 2, column: 'Octopus No', message: /not masked/ }])
  t.notMatch(JSON.stringify(result.issues), /12345678/)
})

t.test('net that disagrees with amount and fee (or has the wrong sign), and unknown types, are line errors', async t => {
  const dir = t.testdir({
    'o.csv': HEADER +
      '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,10.00,0.15,9.00,R1,\n' +
      '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Void,10.00,0.15,9.85,R2,\n' +
      '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Refund,10.00,0.00,10.00,R3,\n' +
      'TOTAL,3,,,,,,30.00,0.30,28.85,,\n'
  })
  const { result } = await readBack(join(dir, 'o.csv'))
  t.match(result.issues, [{ line: 2, message: /do not add up/ }, { line: 3, column: 'Transaction Type', message: /unknown transaction type "Void"/ }, { line: 4, message: /net 10.00 has the wrong sign for a refund/ }])
})

t.test('a Big5-HKSCS report keeps HKSCS characters (啱 嘅 𨋢)', async t => {
  const { result, records } = await readBack(join(O, 'big5/octopus_settlement_20261121_big5.csv'))
  t.equal(result.encoding, 'big5hkscs')
  t.equal(records[0].remarks, '啱嘅𨋢')
  t.equal(records[0].gross, 4230)
})

t.test('an acquirer report is read through a JSON mapping profile, no code', async t => {
  const { result, records } = await readBack(join(O, 'acquirer/kpay_octopus_20261121.csv'))
  t.match(result, { provider: 'octopus', layout: 'kpay-octopus-v1' })
  t.same(records.map(money), [['payment', 'MK01-T1-000123-1', 8800, 132, 8668], ['refund', 'MK01-T1-000140-1', -1000, 0, -1000]])
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T04:01:00.000Z')
  t.equal(records[0].settlementDate, '2026-11-21')
})

t.test('an explicit profile must fit the header; unknown profiles are named', async t => {
  await t.rejects(readBack(join(O, 'octopus_settlement_20261121.csv'), { profile: 'kpay-octopus-v1' }), { code: 'UNKNOWN_LAYOUT', message: /does not have the columns profile kpay-octopus-v1 expects/ })
  await t.rejects(readBack(join(O, 'octopus_settlement_20261121.csv'), { profile: 'nope', provider: 'octopus' }), { code: 'UNKNOWN_LAYOUT', message: /unknown Octopus mapping profile "nope"/ })
})

t.test('a broken profile lists every problem', async t => {
  const err = t.throws(() => parseProfile({ id: 'x y', columns: { grosss: 'A' }, types: { SALE: 'sale' }, sign: 'maybe' })) as ProfileError
  t.type(err, ProfileError)
  t.match(err.problems, [/"id"/, /headerMatch/, /unknown column field "grosss"/, /column "type" is required/, /column "gross" is required/, /paidAt/, /maps to "sale"/, /"sign"/])
  t.throws(() => createOctopusConnector([DEFAULT_OCTOPUS_PROFILE]), /registered twice/)
})
