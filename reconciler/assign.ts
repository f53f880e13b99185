// Global assignment for tenders and payments that carry no reference (Loyverse tills, stand-alone
// Octopus readers), all of one amount: pairs must lie within the time window, as many pairs as
// possible, and among those the smallest total time difference. A shop selling HK$38 items all day
// must never pair them first-come-first-served.
//
// With one amount, compatibility depends on time alone, and two crossing pairs can always be uncrossed
// without breaking the window or raising the cost (|a−b| is convex), so some optimal matching keeps
// both sides in time order: an alignment DP over the two sorted lists. Only payments within the window
// of a tender can be its partner; rows are kept to that band, so 10,000 sales in an hour on one reader
// cost a few tens of millions of cells, not 10^8.

import type { LagBand } from './lag.ts'

export interface Timed { t: number }

const UP = 0 // tender left unmatched
const LEFT = 1 // payment left unmatched
const DIAG = 2 // matched

/**
 * Returns pairs [tenderIndex, paymentIndex] (indexes into the given arrays). Both arrays must be
 * sorted by `t` ascending. Without a lag band a payment may lie within ±window of its tender and the
 * cost is the time apart; with one (lag.ts), the payment must follow by lo..hi and the cost is the
 * distance from the band's centre. Either way the cost is convex in the offset, so pairs never cross.
 * `allowed` rules out pairs a person rejected; the alignment then finds the best pairing in order
 * without them (with a pair ruled out, a crossing one might do better, but rejections are few).
 */
export function assignByTime (tenders: readonly Timed[], payments: readonly Timed[], windowMs: number, lag: LagBand | null = null, allowed?: (i: number, j: number) => boolean): Array<[number, number]> {
  const n = tenders.length
  const m = payments.length
  if (n === 0 || m === 0) return []
  const from = lag ? lag.lo : -windowMs
  const to = lag ? lag.hi : windowMs
  const centre = lag ? lag.center : 0
  // band of payments each tender can reach: [lo[i], hi[i]) (hi exclusive)
  const lo = new Int32Array(n)
  const hi = new Int32Array(n)
  let a = 0
  let b = 0
  for (let i = 0; i < n; i++) {
    while (a < m && payments[a].t < tenders[i].t + from) a++
    if (b < a) b = a
    while (b < m && payments[b].t <= tenders[i].t + to) b++
    lo[i] = a
    hi[i] = b
  }
  // Row i covers payment counts j in [lo[i], hi[i]] (j = how many payments are considered).
  const rowStart = new Float64Array(n + 1)
  let widest = 1
  for (let i = 0; i < n; i++) {
    const w = hi[i] - lo[i] + 1
    rowStart[i + 1] = rowStart[i] + w
    if (w > widest) widest = w
  }
  const decision = new Uint8Array(rowStart[n])
  // two rows of values, swapped each row (no allocation in the loop)
  let prevCount = new Int32Array(widest)
  let prevCost = new Float64Array(widest)
  let count = new Int32Array(widest)
  let cost = new Float64Array(widest)
  let prevLo = 0
  let prevHi = 0 // row "i = 0" (no tenders): count 0, cost 0 for every j
  for (let i = 0; i < n; i++) {
    const L = lo[i]
    const H = hi[i]
    const base = rowStart[i]
    const t = tenders[i].t + centre
    for (let j = L; j <= H; j++) {
      const k = j - L
      // the previous row at j (payments beyond its band were useless to it)
      const pj = (j > prevHi ? prevHi : j) - prevLo
      let bc = prevCount[pj] // UP: tender i unmatched
      let bx = prevCost[pj]
      let d = UP
      if (k > 0 && (count[k - 1] > bc || (count[k - 1] === bc && cost[k - 1] < bx))) { bc = count[k - 1]; bx = cost[k - 1]; d = LEFT }
      if (k > 0 && (!allowed || allowed(i, j - 1))) {
        const pd = (j - 1 > prevHi ? prevHi : j - 1) - prevLo
        const c = prevCount[pd] + 1
        const dt = t - payments[j - 1].t
        const x = prevCost[pd] + (dt < 0 ? -dt : dt)
        if (c > bc || (c === bc && x < bx)) { bc = c; bx = x; d = DIAG }
      }
      count[k] = bc
      cost[k] = bx
      decision[base + k] = d
    }
    const sc = prevCount; prevCount = count; count = sc
    const sx = prevCost; prevCost = cost; cost = sx
    prevLo = L
    prevHi = H
  }
  // trace back from (n, m)
  const pairs: Array<[number, number]> = []
  let i = n - 1
  let j = Math.min(m, hi[n - 1])
  while (i >= 0) {
    if (j > hi[i]) j = hi[i]
    if (j < lo[i]) { i--; continue }
    const d = decision[rowStart[i] + (j - lo[i])]
    if (d === DIAG) {
      pairs.push([i, j - 1])
      i--
      j--
    } else if (d === LEFT) {
      j--
    } else {
      i--
    }
  }
  return pairs.reverse()
}
