// Payout batches: what a provider says a batch paid (layout B's settle-batch file) against what the
// batch's rows add up to. Gross, fee and net are each compared; any difference is a finding.
import { formatMinor } from '../connectors/_shared/money.ts'
import type { BatchFinding, Minor, Provider, ReconPayment } from './types.ts'

export interface BatchAmounts { gross: Minor, fee: Minor, net: Minor }
export interface StatedBatch extends BatchAmounts { provider: Provider, batchId: string }

const batchKey = (provider: string, batchId: string): string => `${provider}|${batchId}`

/** Per provider and batch id: the sums of the settlement rows. */
export function sumBatches (payments: Iterable<ReconPayment>): Map<string, BatchAmounts> {
  const sums = new Map<string, BatchAmounts>()
  for (const p of payments) {
    if (!p.batchId || p.fileKind !== 'settlement') continue
    const k = batchKey(p.provider, p.batchId)
    const s = sums.get(k) ?? { gross: 0, fee: 0, net: 0 }
    s.gross += p.gross; s.fee += p.fee; s.net += p.net
    sums.set(k, s)
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
