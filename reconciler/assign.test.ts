import t from 'tap'
import fc from 'fast-check'
import { assignByTime } from './assign.ts'

/** All matchings (small inputs only): max pairs, then min total |Δt|. */
function brute (ts: number[], ps: number[], w: number): { count: number, cost: number } {
  let best = { count: 0, cost: 0 }
  const used = new Array(ps.length).fill(false)
  const go = (i: number, count: number, cost: number): void => {
    if (i === ts.length) {
      if (count > best.count || (count === best.count && cost < best.cost)) best = { count, cost }
      return
    }
    go(i + 1, count, cost)
    for (let j = 0; j < ps.length; j++) {
      if (used[j] || Math.abs(ts[i] - ps[j]) > w) continue
      used[j] = true
      go(i + 1, count + 1, cost + Math.abs(ts[i] - ps[j]))
      used[j] = false
    }
  }
  go(0, 0, 0)
  return best
}

t.test('the assignment is optimal: as many pairs as any matching, then the least total time difference', async t => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 6 }), fc.integer({ min: 0, max: 40 }),
    (a, b, w) => {
      const ts = [...a].sort((x, y) => x - y)
      const ps = [...b].sort((x, y) => x - y)
      const pairs = assignByTime(ts.map(x => ({ t: x })), ps.map(x => ({ t: x })), w)
      const usedT = new Set(pairs.map(p => p[0]))
      const usedP = new Set(pairs.map(p => p[1]))
      if (usedT.size !== pairs.length || usedP.size !== pairs.length) return false // nothing used twice
      if (pairs.some(([i, j]) => Math.abs(ts[i] - ps[j]) > w)) return false // within the window
      const want = brute(ts, ps, w)
      return pairs.length === want.count && pairs.reduce((s, [i, j]) => s + Math.abs(ts[i] - ps[j]), 0) === want.cost
    }), { numRuns: 3000 })
  t.pass('held')
})

t.test('not first-fit: an early payment goes to the closer of two tenders', async t => {
  // tenders at 0 and 100, one payment at 95, window 100: first-fit would pair it with the tender at 0
  t.same(assignByTime([{ t: 0 }, { t: 100 }], [{ t: 95 }], 100), [[1, 0]])
})

t.test('10,000 identical sales in an hour on one reader pair with their own payments', async t => {
  const n = 10_000
  const ts = Array.from({ length: n }, (_, i) => ({ t: i * 360 })) // one sale every 0.36 s
  const ps = ts.map((x, i) => ({ t: x.t + 1_000 + ((i * 7919) % 150) })) // the reader's clock: +1 s, ±jitter
  const pairs = assignByTime(ts, ps, 600_000)
  t.equal(pairs.length, n)
  t.equal(pairs.filter(([i, j]) => i !== j).length, 0, 'no cross-pairing')
})
