// How sure an amount-and-time pairing is. Two things say so: how near the record lies to where its
// reader's records lie (the residual: from the lag band's centre, else from the sale's instant), and
// whether anything else could as well have been this pair: an unpaid sale of the same amount the
// record could have paid, or a free record the sale could have been paid by. A rival that would fit
// as well splits the belief between them; a pairing no rival contests is as sure as its residual.
//
// Rivals among pairs that are all paid are not counted: swapping two paid sales of the same amount
// changes which record belongs to which, never which sale is missing or whose stock is in doubt.
import type { LagBand } from './lag.ts'
import type { Minor } from './types.ts'

/** Where a record may lie relative to its sale (ms), and where it most likely lies. */
export interface Reach { lo: number, hi: number, center: number, fromBand: boolean }

export function reachOf (lag: LagBand | null, windowMs: number): Reach {
  return lag ? { ...lag, fromBand: true } : { lo: -windowMs, hi: windowMs, center: 0, fromBand: false }
}

export const within = (offset: number, r: Reach): boolean => offset >= r.lo && offset <= r.hi

/** 1 at the centre, falling to 0 at the nearer edge of the reach on that side. */
export function closeness (offset: number, r: Reach): number {
  const half = offset >= r.center ? r.hi - r.center : r.center - r.lo
  if (half <= 0) return offset === r.center ? 1 : 0
  return Math.max(0, 1 - Math.abs(offset - r.center) / half)
}

/** A rival weighs at least this much: one at the very edge of the reach is still possible. */
const FLOOR = 0.05

/**
 * The pairing's confidence, 0..1 to three places. With a lag band learnt from the day, any offset
 * inside it is plausible, so only rivals lower it; with the plain window, a record minutes away from
 * its sale is weak evidence even alone.
 */
export function confidence (offset: number, rivalOffsets: readonly number[], r: Reach): number {
  const own = Math.max(FLOOR, closeness(offset, r))
  let others = 0
  for (const o of rivalOffsets) others += Math.max(FLOOR, closeness(o, r))
  const share = own / (own + others)
  const value = r.fromBand ? share : share * closeness(offset, r)
  return Math.round(value * 1000) / 1000
}

/** An unpaid sale's tender or a free record, as a rival: what it is, its amount and its instant. */
export interface Side<T> { ref: T, amount: Minor, at: number }

/**
 * The sides within `tolerance` of `amount` whose instant lies between `from` and `to`. `sorted` is in
 * time order; the first is found by binary search, so a day of few rivals costs little per pair.
 */
export function sidesWithin<T> (sorted: ReadonlyArray<Side<T>>, from: number, to: number, amount: Minor, tolerance: Minor): Array<Side<T>> {
  let a = 0
  let b = sorted.length
  while (a < b) { const mid = (a + b) >> 1; if (sorted[mid].at < from) a = mid + 1; else b = mid }
  const out: Array<Side<T>> = []
  for (let k = a; k < sorted.length && sorted[k].at <= to; k++) if (Math.abs(sorted[k].amount - amount) <= tolerance) out.push(sorted[k])
  return out
}
