import t from 'tap'
import type { ReconPayment } from '../../reconciler/types.ts'
import { fromColumns, toColumns } from './payment-columns.ts'

const base: ReconPayment = {
  id: 'octopus_settlement_20261123.csv:2', provider: 'octopus', fileKind: 'settlement', type: 'payment', providerTxnId: null, merchantRef: null, originalRef: null,
  originalProviderTxnId: null, gross: 3800, fee: 38, net: 3762, paidAt: Date.UTC(2026, 10, 20, 4, 1, 9), businessDate: '2026-11-20', settlementDate: '2026-11-23',
  batchId: null, storeId: 'MK01', deviceId: '4A1B2C3D', account: 'M0001', card: null
}
// the shapes a record takes (gateway/recon/convert.ts paymentFromRecord): a card record's brand and last
// four come first; account and card may hold undefined; a settlement item may have no payment time
const records: ReconPayment[] = [
  base,
  { cardBrand: 'visa', cardLast4: '4242', ...base, id: 'settlement_detail_report_batch_1.csv:7', provider: 'adyen', providerTxnId: 'PSP8813', merchantRef: 'TST1-T2-000117-1', card: '411111******4242' },
  { ...base, id: 'a.csv:3', type: 'refund', gross: -1250, fee: 0, net: -1250, paidAt: null, businessDate: null, account: undefined, card: undefined, originalRef: '', merchantRef: '退款 ✓ 𠮷', originalProviderTxnId: 'a\u0000"b\\\ud800' },
  { ...base, id: 'b.csv:4', fileKind: 'transaction', gross: -0, batchId: 'B20261120001' },
  // amounts beyond 32 bits, and one not whole (no connector gives one, but nothing may round it)
  { ...base, id: 'b.csv:5', gross: 2 ** 40, fee: -(2 ** 31), net: 12.5 },
  // every field a text of its own: a field read from another's place shows
  Object.fromEntries(Object.entries({ cardBrand: '', cardLast4: '', ...base }).map(([k, v]) => [k, typeof v === 'number' ? v : `${k} of the last`])) as unknown as ReconPayment
]
delete (records[3] as Partial<ReconPayment>).card

t.test('records survive the columns with every key, its order and its value (null, undefined, absent, -0, amounts past 32 bits or not whole, any text: NUL, quotes, a lone surrogate)', async t => {
  const { columns, transferables } = toColumns(records)
  t.ok(transferables.length > 0)
  const back = fromColumns(structuredClone(columns, { transfer: transferables }))
  t.equal(back.length, records.length)
  for (const [i, r] of records.entries()) {
    t.same(Object.keys(back[i]), Object.keys(r), `record ${i}: the same keys in the same order`)
    for (const k of Object.keys(r) as Array<keyof ReconPayment>) t.ok(Object.is(back[i][k], r[k]), `record ${i}: ${k}`)
  }
})

t.test('a day of more records than one text carries comes back whole and in order', async t => {
  const many = Array.from({ length: 70_000 }, (_, i) => ({ ...base, id: `big.csv:${i + 2}`, merchantRef: i % 3 === 0 ? null : `REF-${i}` }))
  const back = fromColumns(toColumns(many).columns)
  t.equal(back.length, many.length)
  t.same(back.map(p => p.id + '|' + p.merchantRef), many.map(p => p.id + '|' + p.merchantRef))
})

t.test('an empty list is an empty list', async t => {
  t.same(fromColumns(toColumns([]).columns), [])
})

t.test('a field that is neither text nor null is refused, not turned into null', async t => {
  t.throws(() => toColumns([{ ...base, batchId: 42 as never }]), /batchId is neither text nor null/)
})
