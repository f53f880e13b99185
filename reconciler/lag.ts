// How a reader's or terminal's records lie in time against the till. A stand-alone Octopus reader's
// record follows the sale by the seconds the customer takes to tap (3 to 30 s in a busy shop), and a
// device clock may run minutes off: a pair whose record comes before its sale, or far later than the
// day's others, is not a pair at all, however near in time. Estimated per group from the day's first,
// unconstrained pairing: with enough pairs the few it got wrong (around a missing payment) are the
// tails, and the band between the 2nd and 98th percentiles, widened a little, is where records lie.

/** Payment time − sale time, in ms: the band a pair must fall in, and its most likely value. */
export interface LagBand { lo: number, hi: number, center: number }

/** Fewer pairs than this tell too little: the plain window applies. */
export const MIN_LAG_PAIRS = 12
/** The band is widened by this much at least on each side (a clock's second, a tap's hesitation). */
const MIN_MARGIN_MS = 3000

function quantile (sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q
  const lo = Math.floor(i)
  return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo)
}

/** The band of the given offsets, within ±window; null when there are too few to say. */
export function lagBand (offsets: readonly number[], windowMs: number): LagBand | null {
  if (offsets.length < MIN_LAG_PAIRS) return null
  const sorted = [...offsets].sort((a, b) => a - b)
  const low = quantile(sorted, 0.02)
  const high = quantile(sorted, 0.98)
  const margin = Math.max(MIN_MARGIN_MS, (high - low) * 0.1)
  return { lo: Math.max(low - margin, -windowMs), hi: Math.min(high + margin, windowMs), center: quantile(sorted, 0.5) }
}
