// An exception described in the page's language from its fields (the reconciler's own `detail` is
// English, for logs and the API), and the money it is about.
import type { ReconException, Resolution } from '../../../reconciler/types.ts'
import type { MessageKey } from '../messages/en.ts'
import { label, money, type Translate } from '../i18n.ts'

// a refund is described as "refunded HK$28.50", not "refunded -HK$28.50"
const UNSIGNED = new Set(['REFUND_WITHOUT_RETURN', 'RETURN_WITHOUT_REFUND', 'CHARGEBACK'])
const magnitude = (e: ReconException): boolean => UNSIGNED.has(e.code) || (e.code === 'UNEXPECTED_PAYMENT' && (e.actual ?? 0) < 0)

export function describe (t: Translate, e: ReconException): string {
  const shown = (v: number | null): string => money(v !== null && magnitude(e) ? Math.abs(v) : v)
  // money taken back with no sale to explain it (a reversal, a cancel) is not "a payment of -HK$60.00"
  const key = e.code === 'UNEXPECTED_PAYMENT' && (e.actual ?? 0) < 0 ? 'desc.UNEXPECTED_REVERSAL' : `desc.${e.code}` as MessageKey
  return t(key, {
    provider: e.provider ? label(t, 'method', e.provider) : '—',
    expected: shown(e.expected),
    actual: shown(e.actual),
    sku: e.sku ?? '—',
    line: e.line ?? '—',
    expectedQty: e.expected_qty ?? '—',
    actualQty: e.actual_qty ?? '—',
    batch: e.batch_id ?? '—',
    score: e.score ?? '—',
    dueBy: e.due_by ?? '—',
    valueDate: e.value_date ?? '—',
    rate: e.gross ? `${((e.actual ?? 0) / e.gross * 100).toFixed(2)}%` : '—',
    band: e.fee_band ? `${(e.fee_band.min * 100).toFixed(2)}–${(e.fee_band.max * 100).toFixed(2)}%` : '—'
  })
}

/** How an exception was resolved: the write-off's category, or the claim the provider credited. */
export function resolutionLabel (t: Translate, r: Resolution): string {
  return r.action === 'claim' || r.category === null ? t('claim.resolved') : label(t, 'category', r.category)
}

/** The money an exception is about: the till's side when there is one, else the provider's. */
export function amountOf (e: Pick<ReconException, 'code' | 'expected' | 'actual'>): number | null {
  if (e.code === 'STOCK_MISMATCH') return null
  if (e.code === 'AMOUNT_MISMATCH' || e.code === 'BATCH_TOTAL_MISMATCH' || e.code === 'PAYOUT_AMOUNT_MISMATCH') return e.actual !== null && e.expected !== null ? e.actual - e.expected : null
  // a voided sale expects nothing: what is at stake is what the provider settled
  return e.expected || e.actual
}
