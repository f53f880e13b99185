// The report's exceptions as CSV for finance: UTF-8 with a BOM (so Excel shows Chinese correctly),
// amounts in HKD with two decimals, one row per exception, open ones first, then those resolved with
// who resolved them and why. Column names are machine names for the API and the CLI, or bilingual
// (繁中 and English) for people downloading from the web app.
import { formatMinor } from '../../connectors/_shared/money.ts'
import { formatHkt } from '../../connectors/_shared/time.ts'
import type { ReconException, ReconReport, ResolvedException } from '../../reconciler/types.ts'

const COLUMNS: Array<[string, string]> = [
  ['business_date', '營業日 Business day'], ['store_id', '店舖 Store'], ['code', '類別 Type'], ['sale_id', '銷售單 Sale'], ['tender', '付款項 Tender'],
  ['provider', '支付商 Provider'], ['expected_hkd', '應收 Expected (HKD)'], ['actual_hkd', '實收 Actual (HKD)'], ['reference', '參考編號 Reference'],
  ['provider_txn_id', '交易編號 Provider txn'], ['batch_id', '批次 Batch'], ['sku', '貨號 SKU'], ['line', '行 Line'], ['expected_qty', '應有數量 Expected qty'],
  ['actual_qty', '實際數量 Actual qty'], ['detail', '說明 Detail'], ['state', '狀態 State'], ['resolution', '處理 Resolution'], ['resolution_reason', '原因 Reason'],
  ['resolved_by', '處理人 By'], ['resolved_at', '處理時間 At (HKT)']
]

const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/

/**
 * One CSV cell: quoted when it must be. A value a spreadsheet could run as a formula (starting with
 * = + - @, a tab or a CR; OWASP's CSV injection list) gets a leading ' unless it is a plain number, so
 * -24.00 stays a number and -2+3+cmd|' /C calc'!A0 becomes text.
 */
export function csvCell (v: string | number | null | undefined): string {
  if (v === null || v === undefined) return ''
  const s = String(v)
  const safe = /^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** A whole CSV document: BOM, header, rows, CRLF line ends. */
export function csvDocument (header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return '\ufeff' + [header.map(csvCell).join(','), ...rows.map(r => r.map(csvCell).join(','))].join('\r\n') + '\r\n'
}

const hkd = (v: number | null): string | null => v === null ? null : formatMinor(v)
/** An instant as Hong Kong time, with its offset so that a machine reads it unambiguously. */
const hktTime = (iso: string | undefined): string | null => iso ? `${formatHkt(new Date(iso)).replace(' ', 'T')}+08:00` : null

/** How an exception is described to people, in English and in 繁中 (the web app's words, with HK$). */
export interface Describers { en: (e: ReconException) => string, zh: (e: ReconException) => string }

function row (date: string, e: ReconException | ResolvedException, d?: Describers): Array<string | number | null | undefined> {
  const r = 'resolution' in e ? e.resolution : null
  return [date, e.store_id, e.code, e.sale_id, e.tender, e.provider, hkd(e.expected), hkd(e.actual), e.reference, e.provider_txn_id, e.batch_id, e.sku, e.line,
    e.expected_qty, e.actual_qty, d ? d.en(e) : e.detail, ...(d ? [d.zh(e)] : []), r ? 'resolved' : 'open', r ? (r.category ? `${r.action}:${r.category}` : r.action) : null, r?.reason, r?.actor, hktTime(r?.at)]
}

/**
 * The exceptions as CSV: machine column names and the engine's own detail for the API and the CLI;
 * for people (given `describe`), bilingual column names and the description in both languages.
 */
export function exceptionsCsv (r: ReconReport, headers: 'machine' | 'bilingual' = 'machine', describe?: Describers): string {
  const columns = describe ? COLUMNS.flatMap(c => c[0] === 'detail' ? [c, ['detail_zh', '說明（中文） Description (Chinese)'] as [string, string]] : [c]) : COLUMNS
  return csvDocument(columns.map(c => headers === 'machine' ? c[0] : c[1]), [...r.exceptions, ...(r.resolved ?? [])].map(e => row(r.business_date, e, describe)))
}
