// Layout B's payout batches: the batch file states each batch's totals, the per-batch files hold its
// rows. Whichever arrives second is checked against the first; a disagreement refuses that file.
import type { BatchTotal, LineIssue } from '../../connectors/contract.ts'
import { formatMinor } from '../../connectors/_shared/money.ts'
import type { Sql } from './pos-store.ts'

interface Sums { gross: number, fee: number, net: number }

function differs (a: Sums, b: Sums): boolean {
  return a.gross !== b.gross || a.fee !== b.fee || a.net !== b.net
}

function describe (s: Sums): string {
  return `gross ${formatMinor(s.gross)}, fee ${formatMinor(s.fee)}, net ${formatMinor(s.net)}`
}

export async function checkBatchTotals (sql: Sql, importId: number, provider: string, batches: BatchTotal[]): Promise<LineIssue[]> {
  const issues: LineIssue[] = []
  if (batches.length) {
    // a batch file: compare with rows already imported for each batch
    const { rows } = await sql.query(
      `SELECT batch_id, sum(gross)::bigint AS gross, sum(fee)::bigint AS fee, sum(net)::bigint AS net FROM payments
        WHERE provider = $1 AND batch_id = ANY($2::text[]) AND file_kind = 'settlement' GROUP BY batch_id`,
      [provider, batches.map(b => b.batchId)])
    const byId = new Map(rows.map(r => [r.batch_id as string, r as Sums]))
    for (const b of batches) {
      const got = byId.get(b.batchId)
      if (got && differs(got, b)) issues.push({ line: b.lineNo, message: `batch ${b.batchId} states ${describe(b)} but its imported rows add up to ${describe(got)}` })
    }
    return issues
  }
  // a per-batch file: compare its rows with a batch file imported earlier
  const { rows } = await sql.query(
    `SELECT p.batch_id, sum(p.gross)::bigint AS gross, sum(p.fee)::bigint AS fee, sum(p.net)::bigint AS net,
            b.gross AS b_gross, b.fee AS b_fee, b.net AS b_net, b.line_no, b.import_id AS b_import
       FROM payments p
       JOIN LATERAL (SELECT * FROM settlement_batches s WHERE s.provider = p.provider AND s.batch_id = p.batch_id ORDER BY s.import_id DESC LIMIT 1) b ON true
      WHERE p.import_id = $1 AND p.batch_id IS NOT NULL
      GROUP BY p.batch_id, b.gross, b.fee, b.net, b.line_no, b.import_id`, [importId])
  for (const r of rows) {
    const stated = { gross: r.b_gross, fee: r.b_fee, net: r.b_net }
    if (differs(r, stated)) issues.push({ line: 0, message: `batch ${r.batch_id}: this file's rows add up to ${describe(r)} but the batch file (import #${r.b_import}, line ${r.line_no}) states ${describe(stated)}` })
  }
  return issues
}
