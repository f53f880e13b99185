import t from 'tap'
import { payment, sale, settings, DAY } from '../fixtures/support/recon.ts'
import { reconcile, reconcileInStages } from './reconcile.ts'
import type { DayReport } from './report.ts'
import type { ReconInput, ReconSale } from './types.ts'

function dayReport (input: ReconInput, summary = false): DayReport {
  const stages = reconcileInStages(input, { summary })
  for (;;) { const at = stages.next(); if (at.done) return at.value }
}

const ali = (reference: string, amount: number, tenderNo?: number) => ({ method: 'alipayhk' as const, amount, reference, ...tenderNo ? { tenderNo } : {} })
const paid = (reference: string, gross: number) => payment({ provider: 'alipayhk', gross, merchantRef: reference, providerTxnId: `T-${reference}` })
const of = (vendor: string, s: ReconSale): ReconSale => ({ ...s, key: `${vendor}:${s.saleId}` })

// Two vendors' tills in MK01 both number a sale S2; a sale lists its tenders out of number order; store
// ids that JavaScript objects put first as integers ('9' before '10', though '10' < '9' as text).
function input (): ReconInput {
  const sales = [
    of('pos', sale('S2', { tenders: [ali('R-pos-S2-b', 200, 2), ali('R-pos-S2-a', 100, 1)] })),
    of('alpha', sale('S2', { tenders: [ali('R-alpha-S2', 300)] })),
    of('pos', sale('S10', { tenders: [ali('R-S10', 400)] })),
    of('pos', sale('X1', { store: '9', tenders: [ali('R-X1', 500)] })),
    of('pos', sale('X2', { store: '10', tenders: [ali('R-X2', 600)] })),
    of('pos', sale('C1', { store: '10', tenders: [{ method: 'cash', amount: 50 }] }))
  ]
  const payments = [paid('R-pos-S2-a', 100), paid('R-pos-S2-b', 200), paid('R-alpha-S2', 300), paid('R-S10', 400), paid('R-X1', 500), paid('R-X2', 600)]
  return { date: DAY, sales, payments, settings: settings(), generatedAt: '2026-11-21T01:30:00Z' }
}

t.test('matches come by store, sale id and tender; two vendors\' sales of one id by tender, then in key order', async t => {
  const { report, detail } = dayReport(input())
  const order = report.matches.map(m => [m.store_id, m.sale_id, m.tender, m.provider_txn_id])
  // by hand: '10' < '9' < 'MK01' as text; 'S10' < 'S2'; at S2, tender 0 of alpha's sale (key alpha:S2) then of pos's, then pos's tender 1
  t.same(order, [
    ['10', 'X2', 0, 'T-R-X2'],
    ['9', 'X1', 0, 'T-R-X1'],
    ['MK01', 'S10', 0, 'T-R-S10'],
    ['MK01', 'S2', 0, 'T-R-alpha-S2'],
    ['MK01', 'S2', 0, 'T-R-pos-S2-a'],
    ['MK01', 'S2', 1, 'T-R-pos-S2-b']
  ])
  t.equal(detail.matchCount, 6)
  t.same([...detail.matches()], report.matches, 'the detail gives the report\'s own list')
})

t.test('verified movement ids per store in the order an object keeps its keys, each store\'s in key order', async t => {
  const { report, detail } = dayReport(input())
  t.same(Object.keys(report.verified_movements), ['9', '10', 'MK01'])
  t.same(detail.verifiedStores(), ['9', '10', 'MK01'])
  // no movements listed: a verified sale's ids are its lines' keys (key#line), sales in key order
  t.same(report.verified_movements.MK01, ['alpha:S2#1', 'pos:S10#1', 'pos:S2#1'])
  t.same(report.verified_movements['10'], ['pos:C1#1', 'pos:X2#1'], 'a cash sale is verified with nothing to match')
  t.equal(detail.verifiedCount('MK01'), 3)
  t.equal(report.stores.find(s => s.store_id === 'MK01')!.verified_movements, 3)
})

t.test('a summary leaves the lists out of the report; its detail still gives them', async t => {
  const day = input()
  const full = reconcile(day)
  const { report, detail } = dayReport(day, true)
  t.same(report.matches, [])
  t.same(report.verified_movements, {})
  t.same(report.stores, full.stores, 'the counts stay')
  t.same(detail.lists(), { matches: full.matches, verified_movements: full.verified_movements })
})

t.test('narrowed to a store, the detail gives that store\'s lists only', async t => {
  const { detail } = dayReport(input(), true)
  const mk = detail.forStores(['MK01'])
  t.equal(mk.matchCount, 4)
  t.same([...mk.matches()].map(m => m.store_id), ['MK01', 'MK01', 'MK01', 'MK01'])
  t.same(mk.verifiedStores(), ['MK01'])
  t.equal(detail.forStores(['nowhere']).matchCount, 0)
})

t.test('an unpaid tender keeps its sale\'s stock out of the verified ids and its sale out of the matches', async t => {
  const day = input()
  day.payments = day.payments.filter(p => p.merchantRef !== 'R-S10')
  const { report } = dayReport(day)
  t.same(report.matches.filter(m => m.store_id === 'MK01').map(m => m.provider_txn_id), ['T-R-alpha-S2', 'T-R-pos-S2-a', 'T-R-pos-S2-b'])
  t.same(report.verified_movements.MK01, ['alpha:S2#1', 'pos:S2#1'])
  t.match(report.provisional_movements, [{ movement: 'pos:S10#1', sale_id: 'S10' }])
})
