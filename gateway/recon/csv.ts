// The report's exceptions as CSV for finance: UTF-8 with a BOM (so Excel shows Chinese correctly),
// amounts in HKD with two decimals, one row per exception.
import { formatMinor } from '../../connectors/_shared/money.ts'
import type { ReconReport } from '../../reconciler/types.ts'

const COLUMNS = ['business_date', 'store_id', 'code', 'sale_id', 'tender', 'provider', 'expected_hkd', 'actual_hkd', 'reference', 'provider_txn_id', 'batch_id', 'sku', 'line', 'expected_qty', 'actual_qty', 'detail'] as const

function cell (v: string | number | null | undefined): string {
  if (v === null || v === undefined) return ''
  const s = String(v)
  // quote what needs it; a leading = + - @ is defused so a spreadsheet never runs it as a formula
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function exceptionsCsv (r: ReconReport): string {
  const rows = r.exceptions.map(e => [
    r.business_date, e.store_id, e.code, e.sale_id, e.tender, e.provider,
    e.expected === null ? null : formatMinor(e.expected), e.actual === null ? null : formatMinor(e.actual),
    e.reference, e.provider_txn_id, e.batch_id, e.sku, e.line, e.expected_qty, e.actual_qty, e.detail
  ].map(cell).join(','))
  return '\ufeff' + [COLUMNS.join(','), ...rows].join('\r\n') + '\r\n'
}
