// Confidence and review: a pairing by amount and time that a rival makes doubtful is only proposed;
// a person's confirmation or rejection is an input to every later run. Expected scores are worked out
// by hand in each test from the 10-minute window (600 s): closeness = 1 − seconds apart / 600.
import t from 'tap'
import { payment, sale, settings } from '../fixtures/support/recon.ts'
import { reconcile } from './reconcile.ts'
import type { ReconInput, ReconReport } from './types.ts'

const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: '2026-11-20', sales: [], payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z', ...over })

// two HK$38 sales 4 s apart at a till with no reader reference, and one Octopus record after both
const a = sale('A', { time: '12:00:00', tenders: [{ method: 'octopus', amount: 3800 }] })
const b = sale('B', { time: '12:00:04', tenders: [{ method: 'octopus', amount: 3800 }] })
const rec = payment({ id: 'p1', provider: 'octopus', gross: 3800, fee: 57, time: '12:00:10' })

t.test('a record either of two sales could have paid is proposed, with the other sale as its alternative, and the stock stays provisional', async t => {
  const r = run({ sales: [a, b], payments: [rec] })
  // B is 6 s off (0.99), A 10 s off (0.98333): share 0.99 / 1.97333 = 0.50169, times B's own 0.99 = 0.497
  t.match(r.matches, [{ sale_id: 'B', payment_id: 'p1', by: 'amount_time', score: 0.497, review: 'proposed' }])
  const proposal = r.exceptions.find(e => e.code === 'PROPOSED_MATCH')
  t.match(proposal, { sale_id: 'B', tender: 0, payment_id: 'p1', expected: 3800, actual: 3800, score: 0.497 })
  t.same(proposal?.alternatives, [{ sale_id: 'A', store_id: 'MK01', tender: 0, payment_id: 'p1', provider_txn_id: null, seconds_after_sale: 10, score: 0.983 }])
  t.ok(r.exceptions.some(e => e.code === 'MISSING_PAYMENT' && e.sale_id === 'A'), 'the other sale is still unpaid')
  t.same(r.provisional_movements.filter(m => m.sale_id === 'B').map(m => m.why), [['PROPOSED_MATCH']], "the proposed sale's stock is provisional")
  t.match(r.stores, [{ store_id: 'MK01', status: 'exceptions', verified_sales: 0 }])
})

t.test('a confirmed proposal is taken as the person said, and its stock is verified', async t => {
  const r = run({ sales: [a, b], payments: [rec], matchReviews: [{ saleKey: b.key, tenderNo: 1, paymentId: 'p1', decision: 'confirmed' }] })
  t.match(r.matches, [{ sale_id: 'B', payment_id: 'p1', by: 'amount_time', review: 'confirmed' }])
  t.notOk(r.exceptions.some(e => e.code === 'PROPOSED_MATCH'))
  t.same(r.verified_movements, { MK01: ['pos:B#1'] })
  t.same(r.exceptions.map(e => [e.code, e.sale_id]), [['MISSING_PAYMENT', 'A']])
})

t.test('a rejected pairing is never made again: the record goes to the alternative, now uncontested', async t => {
  const r = run({ sales: [a, b], payments: [rec], matchReviews: [{ saleKey: b.key, tenderNo: 1, paymentId: 'p1', decision: 'rejected' }] })
  // A alone may take it: 10 s apart, nothing else in reach: 1 − 10/600 = 0.983, above the threshold
  t.same(r.matches.map(m => [m.sale_id, m.payment_id, m.score, m.review ?? null]), [['A', 'p1', 0.983, null]])
  t.same(r.exceptions.map(e => [e.code, e.sale_id]), [['MISSING_PAYMENT', 'B']])
})

t.test('rejecting both leaves the record unexplained and both sales unpaid', async t => {
  const both = [a, b].map(s => ({ saleKey: s.key, tenderNo: 1, paymentId: 'p1', decision: 'rejected' as const }))
  // the reader is known to serve the till, so its upload of the day is in and the sales are due
  const r = run({ sales: [a, b], payments: [rec], matchReviews: both, settings: settings({ devices: { D1: 'MK01:T1' } }) })
  t.same(r.matches, [])
  t.same(r.exceptions.map(e => e.code).sort(), ['MISSING_PAYMENT', 'MISSING_PAYMENT', 'UNEXPECTED_PAYMENT'])
})

t.test('a lone record far from its sale is proposed on its residual alone, with no alternatives', async t => {
  const far = payment({ id: 'p2', provider: 'octopus', gross: 3800, fee: 57, time: '12:08:00' })
  const r = run({ sales: [a], payments: [far] })
  // 480 s of 600: 1 − 0.8 = 0.2
  t.match(r.exceptions, [{ code: 'PROPOSED_MATCH', sale_id: 'A', payment_id: 'p2', score: 0.2, alternatives: [] }])
})

t.test('a threshold of 0 takes every pairing, as before review existed', async t => {
  const r = run({ sales: [a, b], payments: [rec], settings: settings({ reviewBelow: 0 }) })
  t.same(r.matches.map(m => [m.sale_id, m.score, m.review ?? null]), [['B', 0.497, null]])
  t.same(r.exceptions.map(e => e.code), ['MISSING_PAYMENT'])
})

t.test('a free record the sale could as well have been paid by competes too', async t => {
  // one sale, records 6 s and 10 s after it: the nearer is taken, the other is the alternative
  const other = payment({ id: 'p0', provider: 'octopus', gross: 3800, fee: 57, time: '12:00:14' })
  const r = run({ sales: [b], payments: [rec, other] })
  t.match(r.exceptions.find(e => e.code === 'PROPOSED_MATCH'), { sale_id: 'B', payment_id: 'p1', score: 0.497, alternatives: [{ sale_id: 'B', payment_id: 'p0', seconds_after_sale: 10 }] })
  t.ok(r.exceptions.some(e => e.code === 'UNEXPECTED_PAYMENT' && e.payment_id === 'p0'))
})
