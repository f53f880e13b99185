// Preparing provider records for matching: the same transaction can appear in a transaction file and
// later in a settlement file (keep the settlement record), and a provider can list one transaction
// twice (DUPLICATE_PAYMENT: kept aside, never matched, never "unexpected").
import type { ReconPayment } from './types.ts'

export type Direction = 'payment' | 'refund'

// A record's place in its run's `PreparedPayments.all`, stamped on the record by preparePayments: what a
// run learns per record (its tender, a claim, its store) is kept in arrays by that place, where maps by id
// cost a hash lookup a pass over a chain day's 700k records. A symbol, so the stamp is in no report or
// JSON; each run stamps every record of its input before it reads one, so a record passed again is renumbered.
// A loader that builds many records gives the stamp a slot in its object literal (`[PLACE]: -1`): a stamp
// added afterwards gives each record a property store of its own, and a chain day's 700k of them cost
// 0.5 s to stamp and slowed every later read of the records.
export const PLACE = Symbol('place in the run')
/** A record with the slot of its place (a loader's literal may name it). */
export type Placed = ReconPayment & { [PLACE]?: number }

/** A record's place in its run's `PreparedPayments.all`. */
export const placeOf = (p: ReconPayment): number => (p as Placed)[PLACE]!

export function directionOf (p: ReconPayment): Direction | null {
  return p.type === 'payment' ? 'payment' : p.type === 'refund' ? 'refund' : null
}

/**
 * Two listings of one transaction: the provider's id and our reference agree, or, where the provider
 * gives no id (an Octopus reader's report), device, second, amount and card do: two customers tapping
 * the same amount on one reader in the same second are two transactions, not a duplicate.
 */
function sameTransaction (a: ReconPayment, b: ReconPayment): boolean {
  return a.provider === b.provider && a.type === b.type && a.providerTxnId === b.providerTxnId && a.merchantRef === b.merchantRef &&
    (a.providerTxnId !== null || (a.deviceId === b.deviceId && a.paidAt === b.paidAt && a.gross === b.gross && (a.card ?? null) === (b.card ?? null)))
}

/**
 * Listings grouped by the provider's id, or by payment time when there is none, so that finding a
 * record's earlier listing builds no key string per record (a day has a million of them). A key
 * listed once holds its record itself, not a list of one (a million lists fewer to make and collect).
 */
const keyOf = (p: ReconPayment): string | number => p.providerTxnId !== null ? p.providerTxnId : p.paidAt ?? 0

class Listings {
  // the provider's id (text) or the payment time (a number): one map holds both, as a text key never equals a number
  readonly #byKey = new Map<string | number, ReconPayment | ReconPayment[]>()
  find (p: ReconPayment): ReconPayment | undefined {
    const listed = this.#byKey.get(keyOf(p))
    if (listed === undefined) return undefined
    if (!Array.isArray(listed)) return sameTransaction(p, listed) ? listed : undefined
    return listed.find(q => sameTransaction(p, q))
  }

  add (p: ReconPayment): void {
    const key = keyOf(p)
    const listed = this.#byKey.get(key)
    if (listed === undefined) this.#byKey.set(key, p)
    else if (Array.isArray(listed)) listed.push(p)
    else this.#byKey.set(key, [listed, p])
  }
}

export interface PreparedPayments {
  /** Every record, in canonical order (payment time, then id). */
  all: ReconPayment[]
  /** Records that take part in matching (one per real transaction), in canonical order. */
  live: ReconPayment[]
  /** A second listing of a transaction already listed: id → the first listing. */
  duplicates: Map<string, ReconPayment>
  /** Transaction-file records superseded by their settlement record. */
  superseded: Set<string>
}

const timeOf = (p: ReconPayment): number => p.paidAt ?? 0
const byId = (a: ReconPayment, b: ReconPayment): number => a.id < b.id ? -1 : a.id > b.id ? 1 : 0
const byTimeThenId = (a: ReconPayment, b: ReconPayment): number => timeOf(a) - timeOf(b) || byId(a, b)

/**
 * The records in canonical order (payment time, then id) exactly as a stable sort by that comparator
 * puts them. The times are sorted natively: each is packed with the record's position into one exact
 * double, (time − earliest) × 2^k + position, so that only records of the same millisecond are
 * compared, by id. A chain day's 709k records took 6.8M comparator calls, 1.2 s, sorted by comparator;
 * times too far apart to pack (or not whole milliseconds) are sorted that way still.
 */
export function inCanonicalOrder (payments: readonly ReconPayment[]): ReconPayment[] {
  const n = payments.length
  let earliest = Infinity
  let latest = -Infinity
  for (const p of payments) {
    const t = timeOf(p)
    if (!Number.isInteger(t)) return [...payments].sort(byTimeThenId)
    if (t < earliest) earliest = t
    if (t > latest) latest = t
  }
  const scale = 2 ** Math.ceil(Math.log2(n + 1))
  if (n < 2 || !Number.isSafeInteger((latest - earliest + 1) * scale)) return [...payments].sort(byTimeThenId)
  const keys = new Float64Array(n)
  for (let i = 0; i < n; i++) keys[i] = (timeOf(payments[i]) - earliest) * scale + i
  keys.sort()
  const out = new Array<ReconPayment>(n)
  for (let i = 0; i < n; i++) out[i] = payments[keys[i] % scale]
  // the records of one millisecond, in input order so far, by id
  for (let from = 0, to = 1; from < n; from = to, to = from + 1) {
    while (to < n && timeOf(out[to]) === timeOf(out[from])) to++
    if (to - from < 2) continue
    const same = out.slice(from, to).sort(byId)
    for (let k = 0; k < same.length; k++) out[from + k] = same[k]
  }
  return out
}

export function preparePayments (payments: readonly ReconPayment[]): PreparedPayments {
  const all = inCanonicalOrder(payments)
  for (let i = 0; i < all.length; i++) (all[i] as Placed)[PLACE] = i
  // only a provider that sent transaction files has records a settlement record supersedes: the other
  // providers' settlement records need no index (most of a chain day's 700k)
  const withTransactions = new Set<string>()
  for (const p of all) if (p.fileKind === 'transaction') withTransactions.add(p.provider)
  const settled = new Listings()
  if (withTransactions.size > 0) for (const p of all) if (p.fileKind === 'settlement' && withTransactions.has(p.provider)) settled.add(p)
  const first = new Listings()
  const live: ReconPayment[] = []
  const duplicates = new Map<string, ReconPayment>()
  const superseded = new Set<string>()
  for (const p of all) {
    if (p.fileKind === 'transaction' && settled.find(p)) { superseded.add(p.id); continue }
    const seen = first.find(p)
    if (seen !== undefined) { duplicates.set(p.id, seen); continue }
    first.add(p)
    live.push(p)
  }
  return { all, live, duplicates, superseded }
}
