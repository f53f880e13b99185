// WeChat Pay's settlement batches: what lands in the bank. The bill has no payout id (tenders.md §1);
// the settlement query API (`GET /v3/global/settle/settlements`, api_external chapter3_1_10) answers
// per batch: `batch_id`, `settlement_date`, the trade days it covers (`trade_start_date`,
// `trade_end_date`) and `amount` { pay, refund, net, fee, settled, unsettle, currency } in cents. Its JSON
// answer, saved as a file, is read through json-records.ts; each batch becomes a payout batch whose
// totals are checked against the bill rows of the trade days it covers.
import type { BatchTotal } from '../contract.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult } from '../settlement.ts'
import { mapColumns, missingColumns } from '../_shared/fields.ts'
import { formatMinor } from '../_shared/money.ts'
import { hktWallToInstant, parseProviderDate, TimeFormatError } from '../_shared/time.ts'

export const SETTLEMENT_COLUMNS = {
  batchId: ['batch_id'],
  settlementDate: ['settlement_date'],
  tradeStart: ['trade_start_date'],
  tradeEnd: ['trade_end_date'],
  pay: ['amount.pay'],
  refund: ['amount.refund'],
  net: ['amount.net'],
  fee: ['amount.fee'],
  settled: ['amount.settled'],
  unsettle: ['amount.unsettle'],
  currency: ['amount.currency']
} as const
export const SETTLEMENT_REQUIRED = ['batchId', 'tradeStart', 'tradeEnd', 'fee', 'currency'] as const

/** A whole number of cents, as the API sends amounts; null (with the reason) otherwise. */
function cents (r: FieldReader, index: number, what: string, required = true): number | null {
  const v = r.text(index)
  if (v === '') { if (required) r.fail(`${what} is empty`, index); return null }
  if (!/^-?\d{1,15}$/.test(v)) { r.fail(`${what} "${v}" is not a whole number of cents`, index); return null }
  return Number(v)
}

/** "20261120" or "2026-11-20" as an ISO day. */
function day (r: FieldReader, index: number, what: string): string | null {
  const v = r.text(index).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')
  if (v === '') { r.fail(`${what} is empty`, index); return null }
  try { return parseProviderDate(v) } catch (err) { if (err instanceof TimeFormatError) { r.fail(`${what}: ${err.message}`, index); return null } throw err }
}

export function settlementsMapper (d: LayoutDetection, provider: string): RowMapper {
  const cols = mapColumns(d.header, SETTLEMENT_COLUMNS)
  const missing = missingColumns(cols, SETTLEMENT_REQUIRED)
  const r = new FieldReader(d.header)
  let batches = 0

  function row (fields: string[], line: number): RowResult {
    if (emptyRow(fields)) return { kind: 'skip' }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing field(s): ${missing.map(m => SETTLEMENT_COLUMNS[m][0]).join(', ')}` }] }
    r.reset(fields, line)
    const batchId = r.text(cols.batchId)
    if (!batchId) r.fail('batch_id is empty', cols.batchId)
    const from = day(r, cols.tradeStart, 'trade_start_date')
    const to = day(r, cols.tradeEnd, 'trade_end_date')
    if (from && to && from > to) r.fail(`trade_start_date ${from} is after trade_end_date ${to}`, cols.tradeStart)
    const settledOn = cols.settlementDate >= 0 && r.text(cols.settlementDate) ? day(r, cols.settlementDate, 'settlement_date') : null
    // what the batch's trades came to: the net of payments and refunds, or the two apart
    const net = cols.net >= 0 ? cents(r, cols.net, 'amount.net', false) : null
    const pay = cols.pay >= 0 ? cents(r, cols.pay, 'amount.pay', false) : null
    const refund = cols.refund >= 0 ? cents(r, cols.refund, 'amount.refund', false) : null
    const gross = net ?? (pay !== null ? pay - (refund ?? 0) : null)
    if (gross === null) r.fail('the batch states neither amount.net nor amount.pay', cols.net >= 0 ? cols.net : cols.pay)
    const fee = cents(r, cols.fee, 'amount.fee')
    const currency = r.text(cols.currency).toUpperCase()
    if (currency !== 'HKD') r.fail(`currency ${currency || '(none)'} is not supported (HKD only)`, cols.currency)
    if (r.issues.length || gross === null || fee === null || !from || !to) return { kind: 'issues', issues: r.issues }
    if (pay !== null && net !== null && pay - (refund ?? 0) !== net) {
      return { kind: 'issues', issues: [{ line, message: `batch ${batchId}: pay ${formatMinor(pay)} − refund ${formatMinor(refund ?? 0)} ≠ net ${formatMinor(net)}` }] }
    }
    batches++
    const [y, m, dd] = (settledOn ?? to).split('-').map(Number)
    const batch: BatchTotal = { provider, lineNo: line, batchId, settledAt: settledOn ? hktWallToInstant(y, m, dd) : null, gross, fee, net: gross - fee, currency, covers: { from, to } }
    return { kind: 'batch', batch }
  }

  return { row, finish: () => [], controls: () => ({ batches }) }
}
