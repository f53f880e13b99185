// The money bridge, worked out by hand for one store on Friday 20 November 2026: every step's
// difference is cut into the exceptions (and harmless reasons) that make it, signed, to the cent.
import t from 'tap'
import { DAY, payment, sale, settings } from '../fixtures/support/recon.ts'
import { reconcile } from './reconcile.ts'
import type { Deposit } from './payouts.ts'
import { payoutRecordsOf } from './payout-build.ts'
import type { BatchFinding, ReconPayment, ReconReport } from './types.ts'

const credit = (id: string, valueDate: string, amount: number, text: string): Deposit => ({ id, account: '004-123456-001', valueDate, amount, text })

const SALES = [
  sale('S1', { tenders: [{ method: 'alipayhk', amount: 10000, reference: 'R1' }] }),
  sale('S2', { time: '12:30', tenders: [{ method: 'alipayhk', amount: 5000, reference: 'R2' }] }),
  sale('S3', { time: '13:00', tenders: [{ method: 'octopus', amount: 3804, reference: 'R3' }] }),
  sale('S4', { time: '14:00', tenders: [{ method: 'cash', amount: 2000 }] })
]
const RECORDS: ReconPayment[] = [
  payment({ provider: 'alipayhk', gross: 10000, merchantRef: 'R1', providerTxnId: 'A1', batchId: 'B2026112001', settlementDate: '2026-11-21', storeId: 'MK01' }),
  payment({ provider: 'alipayhk', gross: 3000, merchantRef: 'GHOST', providerTxnId: 'A2', batchId: 'B2026112001', settlementDate: '2026-11-21', storeId: 'MK01' }),
  payment({ provider: 'octopus', gross: 3800, fee: 57, merchantRef: 'R3', batchId: 'MPS-OCT-1120', settlementDate: '2026-11-21' })
]

function run (deposits: Deposit[], batchFindings: BatchFinding[] = [], stated: Array<{ batchId: string, net: number }> = []): ReconReport {
  return reconcile({
    date: DAY, sales: SALES, payments: RECORDS, batchFindings, settings: settings({ asOf: '2026-11-27' }), generatedAt: '2026-11-27T01:00:00Z',
    payouts: { records: payoutRecordsOf(RECORDS), stated: stated.map(b => ({ provider: 'alipayhk', batchId: b.batchId, net: b.net, settledOn: '2026-11-21', covers: null })), deposits, bankThrough: '2026-11-30' }
  })
}
const row = (r: ReconReport, provider: string) => r.bridge.find(b => b.store_id === 'MK01' && b.provider === provider)!
const items = (s: { explained: Array<{ code: string, amount: number, count: number }> }) => s.explained.map(i => [i.code, i.amount, i.count])

t.test('till → settled → net → paid out → in the bank: a missing sale and a stray record explain AlipayHK, a rounding and a missing payout Octopus', async t => {
  const r = run([credit('1', '2026-11-23', 12870, 'ALIPAY HK SETTLEMENT B2026112001')])
  // AlipayHK: till 100.00 + 50.00 = 150.00; settled 100.00 + 30.00 = 130.00 (fees 1.00 + 0.30), net 128.70, all in the batch the bank shows
  t.match(row(r, 'alipayhk'), { till: 15000, gross: 13000, fee: 130, net: 12870, paid_out: 12870, in_bank: 12870 })
  t.same(row(r, 'alipayhk').settled, { difference: -2000, explained: [['MISSING_PAYMENT', -5000, 1], ['UNEXPECTED_PAYMENT', 3000, 1]].map(([code, amount, count]) => ({ code, amount, count })), unexplained: 0 })
  t.same([row(r, 'alipayhk').payout.difference, row(r, 'alipayhk').bank.difference], [0, 0])
  // Octopus: till 38.04, settled 38.00 (−0.04, a cash rounding), fee 0.57, net 37.43 paid out; settled on Saturday the 21st,
  // due in the bank by Monday the 23rd, and the statements (to the 30th) show no credit
  t.match(row(r, 'octopus'), { till: 3804, gross: 3800, fee: 57, net: 3743, paid_out: 3743, in_bank: 0 })
  t.same(items(row(r, 'octopus').settled), [['ROUNDING', -4, 1]])
  t.same([items(row(r, 'octopus').bank), row(r, 'octopus').bank.unexplained], [[['PAYOUT_MISSING', -3743, 1]], 0])
  t.notOk(r.bridge.some(b => b.provider === 'cash'), 'cash stays in the till: no provider settles it')
})

t.test('a batch stated 0.10 under its records and credited another 0.10 short: both on the batch\'s row, each step still adds up', async t => {
  const finding: BatchFinding = { provider: 'alipayhk', batchId: 'B2026112001', expected: 12860, actual: 12870, detail: 'stated net 128.60, rows 128.70' }
  const r = run([credit('1', '2026-11-23', 12850, 'ALIPAY HK SETTLEMENT B2026112001')], [finding], [{ batchId: 'B2026112001', net: 12860 }])
  const a = row(r, 'alipayhk')
  // paid out: the stated 128.60; in the bank: 128.50
  t.match(a, { net: 12870, paid_out: 12860, in_bank: 12850 })
  t.same(items(a.payout), [['BATCH_TOTAL_MISMATCH', -10, 1]])
  t.same(items(a.bank), [['PAYOUT_AMOUNT_MISMATCH', -10, 1]])
  for (const b of r.bridge) {
    t.equal(b.gross - b.till, b.settled.difference, `${b.provider}: settled difference`)
    t.equal(b.paid_out - b.net, b.payout.difference, `${b.provider}: payout difference`)
    t.equal(b.in_bank - b.paid_out, b.bank.difference, `${b.provider}: bank difference`)
  }
})

t.test('without bank statements the payouts await the bank: nothing is missing, nothing unexplained', async t => {
  const r = reconcile({ date: DAY, sales: SALES, payments: RECORDS, settings: settings({ asOf: '2026-11-27' }), payouts: { records: payoutRecordsOf(RECORDS), stated: [], deposits: [], bankThrough: null } })
  t.same(r.bridge.map(b => [b.provider, b.paid_out, b.in_bank, items(b.bank)]), [['alipayhk', 12870, 0, [['AWAITING_BANK', -12870, 2]]], ['octopus', 3743, 0, [['AWAITING_BANK', -3743, 1]]]])
})
