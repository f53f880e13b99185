// Preparing provider records for matching: the same transaction can appear in a transaction file and
// later in a settlement file (keep the settlement record), and a provider can list one transaction
// twice (DUPLICATE_PAYMENT: kept aside, never matched, never "unexpected").
import type { ReconPayment } from './types.ts'

export type Direction = 'payment' | 'refund'

export function directionOf (p: ReconPayment): Direction | null {
  return p.type === 'payment' ? 'payment' : p.type === 'refund' ? 'refund' : null
}

function identity (p: ReconPayment): string {
  return p.providerTxnId
    ? `${p.provider}|${p.type}|${p.providerTxnId}|${p.merchantRef ?? ''}`
    : `${p.provider}|${p.type}|${p.deviceId ?? ''}|${p.paidAt ?? ''}|${p.gross}|${p.merchantRef ?? ''}`
}

export interface PreparedPayments {
  /** Records that take part in matching (one per real transaction), in canonical order. */
  live: ReconPayment[]
  /** A second listing of a transaction already listed: id → the id of the first listing. */
  duplicates: Map<string, string>
  /** Transaction-file records superseded by their settlement record. */
  superseded: Set<string>
}

export function preparePayments (payments: readonly ReconPayment[]): PreparedPayments {
  const sorted = [...payments].sort((a, b) => (a.paidAt ?? 0) - (b.paidAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const settled = new Set<string>()
  for (const p of sorted) if (p.fileKind === 'settlement') settled.add(identity(p))
  const first = new Map<string, string>()
  const live: ReconPayment[] = []
  const duplicates = new Map<string, string>()
  const superseded = new Set<string>()
  for (const p of sorted) {
    const key = identity(p)
    if (p.fileKind === 'transaction' && settled.has(key)) { superseded.add(p.id); continue }
    const seen = first.get(key)
    if (seen !== undefined) { duplicates.set(p.id, seen); continue }
    first.set(key, p.id)
    live.push(p)
  }
  return { live, duplicates, superseded }
}
