// Payouts against bank deposits: did what each provider paid out reach the bank? Pure, like the rest
// of the reconciler; the gateway gives it the providers' payout batches and the bank's credits.
//   1. by reference: a credit whose text or references carry the payout's reference (as a whole word)
//      is that payout's; when its amount differs, it is a PAYOUT_AMOUNT_MISMATCH, not a missing payout;
//   2. by amount and value day: an unclaimed credit of exactly the payout's amount whose value day lies
//      from the payout's last trade day (a provider that states no settlement day may pay early) to the
//      last day the provider's cycle allows, the earliest first;
//   3. a payout still unpaired is missing once that last day has passed and the bank's statements
//      reach it (without them nothing says the money did not come), pending before;
//   4. a credit no payout claims whose text names a provider (its payer names) is unexpected; other
//      credits (cash paid in, transfers) are the bank's business, not ours.
import type { Minor } from './types.ts'

export interface Payout {
  /** The group its records are summed in (payout-build.ts payoutGroupOf). */
  group: string
  /** What its records add up to (a stated batch may pay another amount). */
  rowsNet: Minor
  provider: string
  /** The provider's batch or payout id; null when its records name none (a day's payout). */
  batchId: string | null
  /** What identifies the payout in the report: its batch id, else `provider:settlement day`. */
  key: string
  /** A token the bank's narrative may carry (a batch id long enough not to occur by chance), or null. */
  reference: string | null
  /** What the batch pays out (net of fees), in cents. */
  amount: Minor
  /** The day the provider settled (or scheduled) the batch. */
  settlementDate: string
  /** The last value day the credit may carry (the provider's cycle on HK business days). */
  dueBy: string
  /** The last business day of the records it pays: the day whose report carries it. */
  closeDay: string
  /** The store, when all its records are one store's. */
  storeId: string | null
}

export interface Deposit { id: string, account: string, valueDate: string, amount: Minor, text: string }

export interface PayoutMatch { payout: Payout, deposit: Deposit, by: 'reference' | 'amount_date' }

export interface PayoutFindings {
  matched: PayoutMatch[]
  /** Paired by reference, but the bank credited another amount. */
  mismatched: PayoutMatch[]
  missing: Payout[]
  pending: Payout[]
  /** Credits whose text names a provider but that no payout claims. */
  unexpected: Deposit[]
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** The id as a whole token of the text: "B0001" in "SETTLEMENT B0001 20261123", not in "B00012". */
export const names = (text: string, id: string): boolean => new RegExp(`(^|[^A-Za-z0-9])${escape(id)}($|[^A-Za-z0-9])`, 'i').test(text)

/** asOf: the day of the run; bankThrough: the last day the imported statements cover (null: none). */
export interface PayoutClock { asOf: string, bankThrough: string | null }

export function matchPayouts (payouts: readonly Payout[], deposits: readonly Deposit[], clock: PayoutClock, payerNames: Readonly<Record<string, readonly string[]>>): PayoutFindings {
  const credits = deposits.filter(d => d.amount > 0).sort((a, b) => a.valueDate < b.valueDate ? -1 : a.valueDate > b.valueDate ? 1 : a.id < b.id ? -1 : 1)
  const taken = new Set<string>()
  const out: PayoutFindings = { matched: [], mismatched: [], missing: [], pending: [], unexpected: [] }
  const left: Payout[] = []
  // longer ids first, so that a batch id that is a prefix of another never takes the other's credit
  const byRef = payouts.filter(p => p.reference !== null)
  left.push(...payouts.filter(p => p.reference === null))
  for (const p of byRef.sort((a, b) => b.reference!.length - a.reference!.length || (a.key < b.key ? -1 : 1))) {
    const d = credits.find(c => !taken.has(c.id) && names(c.text, p.reference!))
    if (!d) { left.push(p); continue }
    taken.add(d.id)
    ;(d.amount === p.amount ? out.matched : out.mismatched).push({ payout: p, deposit: d, by: 'reference' })
  }
  for (const p of left.sort((a, b) => a.settlementDate < b.settlementDate ? -1 : a.settlementDate > b.settlementDate ? 1 : a.key < b.key ? -1 : 1)) {
    const d = credits.find(c => !taken.has(c.id) && c.amount === p.amount && c.valueDate >= p.closeDay && c.valueDate <= p.dueBy)
    if (d) { taken.add(d.id); out.matched.push({ payout: p, deposit: d, by: 'amount_date' }); continue }
    const judged = clock.asOf > p.dueBy && clock.bankThrough !== null && clock.bankThrough >= p.dueBy
    ;(judged ? out.missing : out.pending).push(p)
  }
  out.unexpected = credits.filter(c => !taken.has(c.id) && payerOf(c.text, payerNames) !== null)
  return out
}

/** The provider whose payer name the text carries (the longest name wins), or null. */
export function payerOf (text: string, payerNames: Readonly<Record<string, readonly string[]>>): string | null {
  const upper = text.toUpperCase()
  let best: { provider: string, length: number } | null = null
  for (const [provider, list] of Object.entries(payerNames)) {
    for (const n of list) if (n && upper.includes(n.toUpperCase()) && (!best || n.length > best.length)) best = { provider, length: n.length }
  }
  return best?.provider ?? null
}
