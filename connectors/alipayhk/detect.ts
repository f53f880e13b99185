// Tells the AlipayHK layouts apart by their first lines (formats.md §1.13), never by file name alone:
//   A  Open API settle/fptrade CSV: Partner_transaction_id … Type PAYMENT|REFUND|CANCEL
//   B  legacy online: `*_settlebatch_*` batch file (Settle_batch_no …) and per-batch files, Type P|R
//   C  in-store barcode/QR: pipe-delimited, optional `Partner:…|Payment_time:…|Total_count:N` line
//   D  cross-border "Forex": Rmb_amount column, Type P|R
//   F  Antom/AMS settlementItems / transactionItems (also the AlipayHK AMS variant, G)
import type { FileKind } from '../contract.ts'
import { firstContentLine, LayoutError, type DetectContext, type LayoutDetection } from '../settlement.ts'
import { normaliseHeader } from '../_shared/fields.ts'
import { sniffDelimiter, splitHeader } from '../_shared/header.ts'

export function detectAlipayLayout (lines: string[], ctx: DetectContext): LayoutDetection | null {
  const first = firstContentLine(lines)
  if (!first) return null
  let preamble: Record<string, string> = {}
  let headerAt = first
  if (/^\s*partner\s*:/i.test(first.text)) {
    preamble = parsePreamble(first.text)
    const next = firstContentLine(lines, first.index + 1)
    if (!next) throw new LayoutError('the file has a Partner: record line but no header line', first.index + 1)
    headerAt = next
  }
  const delimiter = sniffDelimiter(headerAt.text)
  const header = splitHeader(headerAt.text, delimiter)
  const names = new Set(header.map(normaliseHeader))
  const base = { provider: 'alipayhk' as const, delimiter, headerLine: headerAt.index + 1, header, preamble }

  if (names.has('settlebatchno')) return { ...base, layout: 'B-batch', fileKind: 'batch' }
  if (names.has('summarytype') || (names.has('type') && names.has('count') && names.has('settlementamount'))) {
    throw new LayoutError('this is a settlement summary file; import the settlement detail (settlementItems) file instead', headerAt.index + 1)
  }
  if (names.has('transactionid') && names.has('transactiontype') && names.has('transactionamountvalue')) {
    const fileKind: FileKind = names.has('settlementamountvalue') ? 'settlement' : 'transaction'
    return { ...base, layout: 'F', fileKind }
  }
  if (!names.has('partnertransactionid')) return null
  const fileKind = kindFromName(ctx.filename) ?? (names.has('settlement') ? 'settlement' : 'transaction')
  if (names.has('rmbamount')) return { ...base, layout: 'D', fileKind }
  if (Object.keys(preamble).length > 0 || delimiter === '|' || names.has('chargeamount') || names.has('secondarymerchantindustry')) {
    return { ...base, layout: 'C', fileKind }
  }
  // A and B per-batch files share their columns; B's Type column says P/R where A says PAYMENT/REFUND.
  const typeCol = header.findIndex(h => normaliseHeader(h) === 'type')
  const row = firstContentLine(lines, headerAt.index + 1)
  const firstType = row && typeCol >= 0 ? splitHeader(row.text, delimiter)[typeCol]?.toUpperCase() : undefined
  return { ...base, layout: firstType === 'P' || firstType === 'R' ? 'B' : 'A', fileKind }
}

function kindFromName (filename: string | null): FileKind | null {
  if (!filename) return null
  const n = filename.toLowerCase()
  if (/_fptrade_|_transaction_|transactionitems/.test(n)) return 'transaction'
  if (/_settle_|_settlement_|settlementitems/.test(n)) return 'settlement'
  return null
}

/** `Partner:2088…|Payment_time: 2024-01-05|Total_count:2` → { partner, paymenttime, totalcount }. */
export function parsePreamble (line: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of line.split(/[|,]/)) {
    const i = part.indexOf(':')
    if (i > 0) out[normaliseHeader(part.slice(0, i))] = part.slice(i + 1).trim()
  }
  return out
}

/** The payout batch id from a file name like `2088…_settle_20240108_B0001.csv`. */
/** `2088000000000001_settle_20261121_B0001.csv` → the partner id 2088000000000001. */
export function partnerFromName (filename: string | null): string | null {
  const m = filename ? /^(2088\d{12})_/.exec(filename.replace(/^.*[/\\]/, '')) : null
  return m ? m[1] : null
}

export function batchIdFromName (filename: string | null): string | null {
  if (!filename) return null
  const m = /_settle_\d{8}_([^./\\]+)\.[a-z]+$/i.exec(filename)
  return m ? m[1] : null
}
