// Layout B's payout batches: the batch file states each batch's totals, the per-batch files hold its
// rows. Whichever arrives second is checked against the first; a disagreement refuses that file.
import type { BatchTotal, LineIssue } from '../../connectors/contract.ts'
import { formatMinor } from '../../connectors/_shared/money.ts'
import type { Sql } from '../db/pool.ts'

export interface BatchSums { gross: number, fee: number, net: number }
type Sums = BatchSums

function differs (a: Sums, b: Sums): boolean {
  return a.gross !== b.gross || a.fee !== b.fee || a.net !== b.net
}

function describe (s: Sums): string {
  return `gross ${formatMinor(s.gross)}, fee ${formatMinor(s.fee)}, net ${formatMinor(s.net)}`
}

/**
 * `batches`: the totals a batch file states. `rowSums`: per batch id, what this file's rows add up to
 * (summed while the file was read, so a 1M-row file is not scanned again).
 */
export async function checkBatchTotals (sql: Sql, provider: string, rowSums: Map<string, Sums>, batches: BatchTotal[]): Promise<LineIssue[]> {
  const issues: LineIssue[] = []
  if (batches.length) {
    // a batch file: compare with rows already imported for each batch
    const { rows } = await sql.query<Sums & { batch_id: string }>(
      `SELECT batch_id, sum(gross)::bigint AS gross, sum(fee)::bigint AS fee, sum(net)::bigint AS net FROM payments
        WHERE provider = $1 AND batch_id = ANY($2::text[]) AND file_kind = 'settlement' GROUP BY batch_id`,
      [provider, batches.map(b => b.batchId)])
    const byId = new Map(rows.map(r => [r.batch_id, r]))
    for (const b of batches) {
      const got = byId.get(b.batchId)
      if (got && differs(got, b)) issues.push({ line: b.lineNo, message: `batch ${b.batchId} states ${describe(b)} but its imported rows add up to ${describe(got)}` })
    }
    return issues
  }
  if (rowSums.size === 0) return issues
  // a per-batch file: compare its rows with a batch file imported earlier
  const { rows } = await sql.query<Sums & { batch_id: string, line_no: number, import_id: number }>(
    `SELECT DISTINCT ON (batch_id) batch_id, gross, fee, net, line_no, import_id FROM settlement_batches
      WHERE provider = $1 AND batch_id = ANY($2::text[]) ORDER BY batch_id, import_id DESC`, [provider, [...rowSums.keys()]])
  for (const b of rows) {
    const got = rowSums.get(b.batch_id)!
    if (differs(got, b)) issues.push({ line: 0, message: `batch ${b.batch_id}: this file's rows add up to ${describe(got)} but the batch file (import #${b.import_id}, line ${b.line_no}) states ${describe(b)}` })
  }
  return issues
}
