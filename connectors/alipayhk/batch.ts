// Layout B's `*_settlebatch_*` file: one row per payout batch. Its totals are checked against the rows
// of the per-batch files, whichever arrives first (gateway import service).
import type { BatchTotal } from '../contract.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult } from '../settlement.ts'
import { mapColumns, missingColumns } from '../_shared/fields.ts'
import { formatMinor } from '../_shared/money.ts'

const ALIASES = {
  batchId: ['Settle_batch_no'],
  settledAt: ['Settle_date'],
  gross: ['Amount'],
  fee: ['Fee'],
  net: ['Settlement'],
  currency: ['Currency']
} as const

export function batchMapper (d: LayoutDetection): RowMapper {
  const cols = mapColumns(d.header, ALIASES)
  const missing = missingColumns(cols, ['batchId', 'gross', 'fee', 'net'])
  const r = new FieldReader(d.header)
  let rows = 0

  function row (fields: string[], line: number): RowResult {
    if (emptyRow(fields)) return { kind: 'skip' }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => ALIASES[m][0]).join(', ')}` }] }
    rows++
    r.reset(fields, line)
    const batchId = r.text(cols.batchId)
    if (!batchId) r.fail('Settle_batch_no is empty', cols.batchId)
    const gross = r.money(cols.gross)
    const fee = r.money(cols.fee)
    const net = r.money(cols.net)
    const settledAt = r.time(cols.settledAt, false)
    const currency = (r.text(cols.currency) || 'HKD').toUpperCase()
    if (currency !== 'HKD') r.fail(`currency ${currency} is not supported (HKD only)`, cols.currency)
    if (r.issues.length || gross === null || fee === null || net === null) return { kind: 'issues', issues: r.issues }
    if (gross - fee !== net) {
      return { kind: 'issues', issues: [{ line, message: `batch ${batchId}: amount ${formatMinor(gross)} − fee ${formatMinor(fee)} ≠ settlement ${formatMinor(net)}` }] }
    }
    const batch: BatchTotal = { provider: 'alipayhk', lineNo: line, batchId, settledAt, gross, fee, net, currency }
    return { kind: 'batch', batch }
  }

  return { row, finish: () => [], controls: () => ({ batches: rows }) }
}
