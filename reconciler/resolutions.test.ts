import t from 'tap'
import { DAY, payment, sale, settings } from '../fixtures/support/recon.ts'
import { exceptionKey, reconcile } from './reconcile.ts'
import { rankCandidates } from './candidates.ts'
import type { ReconInput, ReconReport, Resolution } from './types.ts'

const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: DAY, sales: [], payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z', ...over })

// a till that rang up a reference the provider never saw, and a provider record under another reference
const till = sale('S1', { tenders: [{ method: 'alipayhk', amount: 4200, reference: 'S1-TYPO' }] })
const record = payment({ id: 'p1', provider: 'alipayhk', gross: 4200, merchantRef: 'S1-1', providerTxnId: 'A1' })

t.test('a hand-made link pairs a tender with a record before any other pass: both exceptions go, the stock is verified', async t => {
  const before = run({ sales: [till], payments: [record] })
  t.same(before.exceptions.map(e => e.code).sort(), ['MISSING_PAYMENT', 'UNEXPECTED_PAYMENT'])
  const after = run({ sales: [till], payments: [record], manualLinks: [{ saleKey: till.key, tenderNo: 1, paymentId: 'p1' }] })
  t.same(after.exceptions, [])
  t.match(after.matches, [{ sale_id: 'S1', tender: 0, payment_id: 'p1', by: 'manual' }])
  t.same(after.verified_movements, { MK01: ['pos:S1#1'] })
  t.match(after.stores, [{ store_id: 'MK01', status: 'balanced', verified_sales: 1 }])
})

t.test('a link to a record of another provider, direction or one not in the input pairs nothing', async t => {
  const octo = payment({ id: 'p2', provider: 'octopus', gross: 4200 })
  const refund = payment({ id: 'p3', provider: 'alipayhk', gross: -4200, type: 'refund' })
  const r = run({ sales: [till], payments: [octo, refund], manualLinks: [{ saleKey: till.key, tenderNo: 1, paymentId: 'p2' }, { saleKey: till.key, tenderNo: 1, paymentId: 'p3' }, { saleKey: till.key, tenderNo: 1, paymentId: 'gone' }] })
  t.equal(r.matches.length, 0)
  t.ok(r.exceptions.some(e => e.code === 'MISSING_PAYMENT' && e.sale_id === 'S1'))
})

t.test('a linked record whose amount differs is an AMOUNT_MISMATCH, which a write-off then resolves', async t => {
  const short = payment({ id: 'p4', provider: 'alipayhk', gross: 4100, merchantRef: 'S1-1' })
  const links = [{ saleKey: till.key, tenderNo: 1, paymentId: 'p4' }]
  const linked = run({ sales: [till], payments: [short], manualLinks: links })
  t.match(linked.exceptions, [{ code: 'AMOUNT_MISMATCH', sale_id: 'S1', expected: 4200, actual: 4100, payment_id: 'p4' }])
  t.equal(linked.stores[0].verified_sales, 0, 'a difference keeps the stock in doubt')
  const resolution: Resolution = { key: exceptionKey(linked.exceptions[0]), action: 'write_off', category: 'goodwill', reason: 'discount given at the counter', actor: 'user:amy', at: '2026-11-21T02:00:00.000Z' }
  const r = run({ sales: [till], payments: [short], manualLinks: links, resolutions: [resolution] })
  t.same(r.exceptions, [])
  t.match(r.resolved, [{ code: 'AMOUNT_MISMATCH', sale_id: 'S1', resolution: { action: 'write_off', category: 'goodwill', reason: 'discount given at the counter', actor: 'user:amy' } }])
  t.notOk('key' in r.resolved[0].resolution)
  t.match(r.stores, [{ store_id: 'MK01', status: 'balanced', exceptions: {}, resolved: { AMOUNT_MISMATCH: 1 }, verified_sales: 1 }])
  t.same(r.verified_movements, { MK01: ['pos:S1#1'] }, 'an accepted difference verifies the sale\'s stock')
})

t.test('a write-off never hides a pending settlement, and one naming no exception changes nothing', async t => {
  const pending = sale('S2', { tenders: [{ method: 'alipayhk', amount: 500, reference: 'S2-1' }] })
  const early = settings({ asOf: '2026-11-20' })
  const base = run({ sales: [pending], settings: early })
  const key = exceptionKey(base.exceptions[0])
  const r = run({ sales: [pending], settings: early, resolutions: [{ key, action: 'write_off', category: 'fee', reason: 'x', actor: 'a', at: 'now' }, { key: 'MISSING_PAYMENT|MK01|NOPE||||', action: 'write_off', category: 'fee', reason: 'x', actor: 'a', at: 'now' }] })
  t.same(r.exceptions, base.exceptions)
  t.same(r.resolved, [])
})

t.test('an unexpected payment written off stays unmatched money in the provider totals (money is conserved)', async t => {
  const ghost = payment({ id: 'p5', provider: 'alipayhk', gross: 999, merchantRef: 'GHOST' })
  const base = run({ payments: [ghost] })
  const r = run({ payments: [ghost], resolutions: [{ key: exceptionKey(base.exceptions[0]), action: 'write_off', category: 'goodwill', reason: 'tip', actor: 'a', at: 'now' }] })
  t.same(r.providers, base.providers)
  t.match(r.providers.alipayhk, { gross: 999, unmatched_gross: 999, matched_gross: 0 })
})

t.test('candidates: the same reference first, then closer amount and time; another provider or direction never', async t => {
  const target = { id: 't', provider: 'octopus' as const, amount: 3800, at: 0, reference: null }
  const ranked = rankCandidates(target, [
    { id: 'far', provider: 'octopus', amount: 3800, at: 50 * 60_000, reference: null },
    { id: 'near', provider: 'octopus', amount: 3800, at: 2 * 60_000, reference: null },
    { id: 'off', provider: 'octopus', amount: 3900, at: 60_000, reference: null },
    { id: 'alipay', provider: 'alipayhk', amount: 3800, at: 0, reference: null },
    { id: 'refund', provider: 'octopus', amount: -3800, at: 0, reference: null }
  ], 10)
  t.same(ranked.map(c => c.id), ['near', 'off', 'far'])
  t.match(ranked[0], { score: 0.987, amount_diff: 0, minutes_apart: 2 })
  t.match(ranked[1], { amount_diff: 100, minutes_apart: 1 })
  t.match(rankCandidates({ ...target, reference: 'R1' }, [{ id: 'ref', provider: 'octopus', amount: 1, at: null, reference: 'R1' }], 10), [{ id: 'ref', score: 1, same_reference: true }])
})
