// The records' canonical order: payment time, then id, as a stable sort by that comparator gives it,
// whichever way inCanonicalOrder takes to it (packed times sorted natively, or the comparator itself).
import t from 'tap'
import fc from 'fast-check'
import { inCanonicalOrder } from './index-payments.ts'
import type { ReconPayment } from './types.ts'

const record = (id: string, paidAt: number | null): ReconPayment => ({
  id, provider: 'octopus', fileKind: 'settlement', type: 'payment', providerTxnId: null, merchantRef: null, originalRef: null, originalProviderTxnId: null,
  gross: 100, fee: 1, net: 99, paidAt, businessDate: '2026-11-20', settlementDate: null, batchId: null, storeId: null, deviceId: null
})

// the oracle: Array.prototype.sort is stable, so records alike in time and id keep their input order
const expected = (xs: ReconPayment[]): ReconPayment[] => [...xs].sort((a, b) => (a.paidAt ?? 0) - (b.paidAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

const BASE = Date.UTC(2026, 10, 20)
// times one sort can pack: whole milliseconds of a day, many in one second as an Octopus reader's records
const packable = fc.oneof(fc.integer({ min: 0, max: 50 }).map(s => BASE + s * 1000), fc.integer({ min: 0, max: 86_400_000 }).map(ms => BASE + ms))
// and times it cannot: none (sorts as 0, far from the rest), not a whole millisecond, years apart
const any = fc.oneof(packable, fc.constant(null), fc.constant(BASE + 0.5), fc.integer({ min: -5, max: 5 }).map(d => BASE + d * 86_400_000 * 400))
const dayOf = (time: fc.Arbitrary<number | null>) => fc.array(fc.tuple(fc.constantFrom('a:1', 'a:2', 'b:1', 'b:10', 'b:9', 'z'), time), { maxLength: 60 })
  .map(list => list.map(([id, paidAt]) => record(id, paidAt)))

for (const [name, time] of [['times it packs', packable], ['any times', any]] as const) {
  t.test(`${name}: records come in payment time, then id, with records alike in both kept in input order`, async t => {
    fc.assert(fc.property(dayOf(time), xs => {
      const got = inCanonicalOrder(xs)
      const want = expected(xs)
      return got.length === want.length && got.every((p, i) => p === want[i])
    }), { numRuns: 5_000 })
    t.pass('held')
  })
}

t.test('a hand-checked day: same-second records by id, ties of id in input order', async t => {
  const second = BASE + 7_000
  const [b9, a2, a1first, early, a1second] = [record('b:9', second), record('a:2', second), record('a:1', second), record('z', BASE), record('a:1', second)]
  t.same(inCanonicalOrder([b9, a2, a1first, early, a1second]), [early, a1first, a1second, a2, b9])
  t.same(inCanonicalOrder([]), [])
  t.same(inCanonicalOrder([b9]), [b9])
})
