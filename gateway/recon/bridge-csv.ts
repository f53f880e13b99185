// The money bridge as CSV: one row per store and provider, each figure with the difference from the
// one before and the items that make it, then a row of signed totals. Machine column names and item
// codes for the API and the CLI; bilingual names and described items (with HK$) for the web app.
import { formatHkd, formatMinor } from '../../connectors/_shared/money.ts'
import type { BridgeItem, BridgeRow, BridgeStep } from '../../reconciler/bridge.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import { csvDocument } from './csv.ts'

const COLUMNS: Array<[string, string]> = [
  ['business_date', '營業日 Business day'], ['store_id', '店舖 Store'], ['provider', '支付商 Provider'], ['till_hkd', '收銀 Till (HKD)'],
  ['settled_gross_hkd', '結算 Settled (HKD)'], ['settled_difference_hkd', '結算差額 Settled − till (HKD)'], ['settled_items', '結算差額組成 Settled differences'],
  ['fees_hkd', '手續費 Fees (HKD)'], ['net_hkd', '淨額 Net (HKD)'], ['paid_out_hkd', '撥款 Paid out (HKD)'], ['payout_difference_hkd', '撥款差額 Paid out − net (HKD)'],
  ['payout_items', '撥款差額組成 Payout differences'], ['in_bank_hkd', '銀行入帳 In the bank (HKD)'], ['bank_difference_hkd', '入帳差額 In bank − paid out (HKD)'],
  ['bank_items', '入帳差額組成 Bank differences'], ['unexplained_hkd', '未能解釋 Unexplained (HKD)']
]

/** How an item is written: its code, or for people its names in both languages. */
export type ItemNames = (code: BridgeItem['code']) => string

function items (s: BridgeStep, names?: ItemNames): string {
  return s.explained.map(i => names ? `${names(i.code)} ${formatHkd(i.amount)} ×${i.count}` : `${i.code}:${formatMinor(i.amount)}x${i.count}`).join('; ')
}

function line (date: string, b: BridgeRow, names?: ItemNames): Array<string | null> {
  return [date, b.store_id, b.provider, formatMinor(b.till), formatMinor(b.gross), formatMinor(b.settled.difference), items(b.settled, names), formatMinor(b.fee), formatMinor(b.net),
    formatMinor(b.paid_out), formatMinor(b.payout.difference), items(b.payout, names), formatMinor(b.in_bank), formatMinor(b.bank.difference), items(b.bank, names),
    formatMinor(b.settled.unexplained + b.payout.unexplained + b.bank.unexplained)]
}

export function bridgeCsv (r: ReconReport, headers: 'machine' | 'bilingual' = 'machine', names?: ItemNames): string {
  const rows = r.bridge ?? []
  const sum = (f: (b: BridgeRow) => number): string => formatMinor(rows.reduce((s, b) => s + f(b), 0))
  const total = [r.business_date, 'TOTAL', null, sum(b => b.till), sum(b => b.gross), sum(b => b.settled.difference), null, sum(b => b.fee), sum(b => b.net), sum(b => b.paid_out),
    sum(b => b.payout.difference), null, sum(b => b.in_bank), sum(b => b.bank.difference), null, sum(b => b.settled.unexplained + b.payout.unexplained + b.bank.unexplained)]
  return csvDocument(COLUMNS.map(c => headers === 'machine' ? c[0] : c[1]), [...rows.map(b => line(r.business_date, b, names)), total])
}
