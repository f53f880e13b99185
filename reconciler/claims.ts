// Claims on a provider: money the shop asks back (a listing charged twice, a chargeback it disputes, a
// payout that never came or came short, a fee above its band, money taken back with no sale behind
// it). Which exceptions a claim fits, what it asks by default, and which later credit settles it.
import type { Minor, ReconException } from './types.ts'
import { names } from './payouts.ts'

export const CLAIM_STATUSES = ['open', 'sent', 'credited', 'rejected'] as const
export type ClaimStatus = typeof CLAIM_STATUSES[number]

/** The moves a claim may make: sent to the provider, then credited (or rejected); open may skip sending. */
export const CLAIM_MOVES: Record<'send' | 'credit' | 'reject', readonly ClaimStatus[]> = { send: ['open'], credit: ['open', 'sent'], reject: ['open', 'sent'] }

/** Whether the shop can ask the provider for this money back. */
export function claimable (e: ReconException): boolean {
  switch (e.code) {
    case 'DUPLICATE_PAYMENT': case 'CHARGEBACK': case 'PAYOUT_MISSING': case 'BATCH_TOTAL_MISMATCH': return true
    case 'PAYOUT_AMOUNT_MISMATCH': return (e.expected ?? 0) > (e.actual ?? 0)
    case 'FEE_OUT_OF_BAND': return e.fee_band !== undefined && e.gross !== undefined && (e.actual ?? 0) > Math.ceil(e.gross * e.fee_band.max)
    // money a provider took back (a reversal, a cancel) that no sale explains
    case 'UNEXPECTED_PAYMENT': return (e.actual ?? 0) < 0
    default: return false
  }
}

/** What a claim asks by default: the money at stake, named by the provider's own id for it. */
export function claimDefaults (e: ReconException): { amount: Minor, reference: string | null } {
  const expected = e.expected ?? 0
  const actual = e.actual ?? 0
  const byRecord = e.provider_txn_id ?? e.reference ?? null
  switch (e.code) {
    case 'PAYOUT_MISSING': return { amount: expected, reference: e.batch_id ?? null }
    case 'PAYOUT_AMOUNT_MISMATCH': return { amount: expected - actual, reference: e.batch_id ?? null }
    case 'BATCH_TOTAL_MISMATCH': return { amount: Math.abs(expected - actual), reference: e.batch_id ?? null }
    // the fee above the band's ceiling
    case 'FEE_OUT_OF_BAND': return { amount: actual - Math.ceil((e.gross ?? 0) * (e.fee_band?.max ?? 0)), reference: byRecord }
    default: return { amount: Math.abs(actual), reference: byRecord }
  }
}

/** A credit that may settle a claim: a provider's record (its ids) or a bank credit (its text). */
export interface Credit { provider: string | null, amount: Minor, ids: ReadonlyArray<string | null>, text: string }
export interface OpenClaim { id: string, provider: string | null, reference: string | null, amount: Minor }

/**
 * The credit that settles a claim: of exactly its amount, naming its reference (one of the record's
 * ids, or a whole word of the bank's text), from its provider when the credit says whose it is.
 */
export function settles (c: OpenClaim, credit: Credit): boolean {
  if (c.reference === null || credit.amount !== c.amount) return false
  if (credit.provider !== null && c.provider !== null && credit.provider !== c.provider) return false
  return credit.ids.includes(c.reference) || names(credit.text, c.reference)
}
