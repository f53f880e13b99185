// Matching that knows clocks: a stand-alone Octopus reader's record follows its sale by the seconds a
// customer takes to tap; a record never comes before its sale. The day's pairs tell the band.
import t from 'tap'
import { payment, sale, settings } from '../fixtures/support/recon.ts'
import { reconcile } from './reconcile.ts'
import type { ReconInput, ReconPayment, ReconReport, ReconSale } from './types.ts'

const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: '2026-11-20', sales: [], payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z', ...over })

/** A seeded generator (mulberry32), so the day is the same on every run. */
function random (seed: number): () => number {
  let a = seed
  return () => { a = (a + 0x6d2b79f5) | 0; let x = Math.imul(a ^ (a >>> 15), 1 | a); x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x; return ((x ^ (x >>> 14)) >>> 0) / 4294967296 }
}
const hms = (s: number) => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map(n => String(n).padStart(2, '0')).join(':')

/**
 * A HK$38-all-day shop: a sale every 30 to 70 s from 08:00 (closer sales with unequal lags would
 * have their records overtake each other: equal amounts and no ids cannot tell those apart), the four of the report at 09:06:21,
 * 09:06:52, 09:07:14 and 09:07:46 among them; each record follows its sale by 3 to 30 s (`lagOf` gives
 * the quartet's), and the record of `missing` is not in the file.
 */
function day (seed: number, quartetLags: number[], missing: string) {
  const next = random(seed)
  const times: number[] = []
  for (let s = 8 * 3600; s < 9 * 3600 + 5 * 60; s += 30 + Math.floor(next() * 41)) times.push(s)
  times.push(9 * 3600 + 6 * 60 + 21, 9 * 3600 + 6 * 60 + 52, 9 * 3600 + 7 * 60 + 14, 9 * 3600 + 7 * 60 + 46)
  for (let s = 9 * 3600 + 8 * 60 + 30; s < 11 * 3600; s += 30 + Math.floor(next() * 41)) times.push(s)
  const sales: ReconSale[] = []
  const payments: ReconPayment[] = []
  const quartetStart = times.indexOf(9 * 3600 + 6 * 60 + 21)
  times.forEach((s, i) => {
    const id = `S${String(i).padStart(4, '0')}@${hms(s)}`
    sales.push(sale(id, { time: hms(s), tenders: [{ method: 'octopus', amount: 3800 }] }))
    const q = i - quartetStart
    const lag = q >= 0 && q < 4 ? quartetLags[q] : 3 + Math.floor(next() * 28)
    if (hms(s) !== missing) payments.push(payment({ id: `P-${id}`, provider: 'octopus', gross: 3800, fee: 57, time: hms(s + lag) }))
  })
  return { sales, payments }
}

function check (t: { same: (a: unknown, b: unknown, m: string) => unknown }, r: ReconReport, missing: string): void {
  t.same(r.exceptions.map(e => [e.code, e.sale_id?.split('@')[1]]), [['MISSING_PAYMENT', missing]], `the sale at ${missing} is the one reported`)
  const crossed = r.matches.filter(m => m.payment_id !== `P-${m.sale_id}`)
  t.same(crossed.map(m => [m.sale_id, m.payment_id]), [], 'every record paired with its own sale: no cross-pairing')
}

t.test('the identical-amount swap of the report: the missing 09:07:46 payment is reported, its neighbours keep their own sales', async t => {
  // lags 24, 18 and 26 s: pairing each record with the nearest later sale would cost 7 + 4 + 6 s
  // against 24 + 18 + 26 s, and shift three pairs; no record may come before its sale
  const { sales, payments } = day(1, [24, 18, 26, 20], '09:07:46')
  check(t, run({ sales, payments }), '09:07:46')
})

t.test('on seeded days, any one payment removed from the quartet is the one reported', async t => {
  for (const [seed, missing] of [[2, '09:06:21'], [3, '09:06:52'], [4, '09:07:14'], [5, '09:07:46']] as const) {
    const { sales, payments } = day(seed, [29, 3, 27, 4], missing)
    check(t, run({ sales, payments }), missing)
  }
})

t.test('with too few pairs to estimate a reader\'s lag, the plain window applies', async t => {
  const sales = [sale('A', { time: '10:00:00', tenders: [{ method: 'octopus', amount: 3800 }] })]
  const r = run({ sales, payments: [payment({ provider: 'octopus', gross: 3800, fee: 57, time: '09:59:40' })] })
  t.same(r.matches.map(m => [m.sale_id, m.by]), [['A', 'amount_time']], 'a record 20 s before its sale still pairs when nothing says how the reader lags')
  t.same(r.exceptions, [])
})
