// Payout batches: what a provider says a batch paid (layout B's settle-batch file) against what the
// batch's rows add up to. Gross, fee and net are each compared; any difference is a finding.
import { formatMinor } from '../connectors/_shared/money.ts'
import { hktDate } from '../connectors/_shared/time.ts'
import type { BatchFinding, Minor, Provider, ReconPayment } from './types.ts'

export interface BatchAmounts { gross: Minor, fee: Minor, net: Minor }
/** `covers`: the trade days a batch pays for when its rows name no batch (WeChat Pay). */
export interface StatedBatch extends BatchAmounts { provider: Provider, batchId: string, covers?: { from: string, to: string } }

const batchKey = (provider: string, batchId: string): string => `${provider}|${batchId}`

const add = (sums: Map<string, BatchAmounts>, k: string, p: ReconPayment): void => {
  const s = sums.get(k) ?? { gross: 0, fee: 0, net: 0 }
  s.gross += p.gross; s.fee += p.fee; s.net += p.net
  sums.set(k, s)
}

/**
 * Per provider and batch id: the sums of the settlement rows; for a batch that covers trade days, of
 * its provider's rows of those days (HKT), when every one of those days has rows here.
 */
export function sumBatches (payments: readonly ReconPayment[], stated: readonly StatedBatch[] = []): Map<string, BatchAmounts> {
  const sums = new Map<string, BatchAmounts>()
  for (const p of payments) if (p.batchId && p.fileKind === 'settlement') add(sums, batchKey(p.provider, p.batchId), p)
  for (const b of stated) {
    if (!b.covers) continue
    const days = new Set<string>()
    const k = batchKey(b.provider, b.batchId)
    for (const p of payments) {
      if (p.provider !== b.provider || p.fileKind !== 'settlement' || p.paidAt === null) continue
      const day = hktDate(new Date(p.paidAt))
      if (day < b.covers.from || day > b.covers.to) continue
      days.add(day)
      add(sums, k, p)
    }
    const span = (Date.parse(b.covers.to) - Date.parse(b.covers.from)) / 86_400_000 + 1
    if (days.size < span) sums.delete(k)
  }
  return sums
}

/** Batches whose stated totals differ from their rows; a batch with no rows here is not judged. */
export function compareBatches (stated: Iterable<StatedBatch>, rows: ReadonlyMap<string, BatchAmounts>): BatchFinding[] {
  const out: BatchFinding[] = []
  for (const b of stated) {
    const got = rows.get(batchKey(b.provider, b.batchId))
    if (!got) continue
    const apart = (['gross', 'fee', 'net'] as const).filter(f => got[f] !== b[f])
    if (apart.length === 0) continue
    out.push({
      provider: b.provider, batchId: b.batchId, expected: b.gross, actual: got.gross,
      detail: `batch ${b.batchId} states ${apart.map(f => `${f} ${formatMinor(b[f])}`).join(', ')} but its rows add up to ${apart.map(f => `${f} ${formatMinor(got[f])}`).join(', ')}`
    })
  }
  return out.sort((a, b) => a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0)
}
