// Stripe's itemized payout reconciliation report, `payout_reconciliation.itemized.5` (tenders.md §2;
// docs.stripe.com/reports/report-types/payout-reconciliation and /reports/reporting-categories), also
// read in the balance change report's layout (no payout columns). One row per balance transaction,
// amounts signed as they move the balance (a refund's gross is negative), fee and net beside it, the
// `reporting_category` saying what it is. A POS puts its own reference in the payment's metadata
// (`payment_metadata[reference]` or another key below); Stripe Terminal tills keep the PaymentIntent id.
import { NO_FLAGS, type PaymentRecord, type PaymentType, type ProviderDescriptor } from '../contract.ts'
import { cardBrand } from '../_shared/cards.ts'
import { FieldReader, LayoutError, emptyRow, type LayoutDetection, type RowMapper, type RowResult, type SettlementConnector } from '../settlement.ts'
import { mapColumns, missingColumns, normaliseHeader, orNull } from '../_shared/fields.ts'
import { detectColumns, type ColumnLayout } from '../_shared/detect-columns.ts'
import { formatMinor } from '../_shared/money.ts'
import { compileTimeFormat, hktDate, TimeFormatError } from '../_shared/time.ts'

export const STRIPE: ProviderDescriptor = {
  id: 'stripe',
  names: { en: 'Stripe (cards)', 'zh-HK': 'Stripe（信用卡）' },
  tenderMethods: ['card'],
  matchScope: 'merchant',
  devicesUploadLate: false,
  cashRounding: false,
  // Stripe's published HK card pricing is 3.4% + HK$2.35 a charge: the fixed part makes a small ticket's
  // rate high (15% of HK$20), so the band is wide; a store may set its own (stores.<id>.feeBands)
  feeBand: { min: 0.01, max: 0.15 },
  settlementDays: 2,
  // the payout's effective day is its expected arrival; a bank may value it a day later
  payout: { days: 1, bankNames: ['STRIPE'] },
  fileDue: { days: 2, at: '12:00' }
}

// the metadata keys a till may have used for its own reference, in the order they are tried
const REFERENCE_KEYS = ['reference', 'merchant_reference', 'pos_reference', 'order_id', 'receipt']
const COLUMNS = {
  txn: ['balance_transaction_id'],
  createdUtc: ['created_utc'],
  created: ['created'],
  currency: ['currency'],
  gross: ['gross'],
  fee: ['fee'],
  net: ['net'],
  category: ['reporting_category'],
  source: ['source_id'],
  description: ['description'],
  charge: ['charge_id'],
  intent: ['payment_intent_id'],
  paymentRef: REFERENCE_KEYS.map(k => `payment_metadata[${k}]`),
  refundRef: REFERENCE_KEYS.map(k => `refund_metadata[${k}]`),
  payout: ['automatic_payout_id'],
  payoutAt: ['automatic_payout_effective_at_utc', 'automatic_payout_effective_at'],
  brand: ['card_brand']
} as const
const REQUIRED = ['txn', 'currency', 'gross', 'fee', 'net', 'category'] as const

const CATEGORIES: Record<string, PaymentType> = {
  charge: 'payment', refund: 'refund', refund_failure: 'adjustment', dispute: 'chargeback', dispute_reversal: 'chargeback_reversal',
  fee: 'fee', network_cost: 'fee', other_adjustment: 'adjustment', partial_capture_reversal: 'adjustment', charge_failure: 'adjustment', platform_earning: 'adjustment'
}
const utc = compileTimeFormat('yyyy-MM-dd HH:mm:ss', 'UTC')

const LAYOUT: ColumnLayout<keyof typeof COLUMNS> = { provider: STRIPE.id, what: 'a Stripe report', columns: COLUMNS, markers: ['txn', 'category'], required: REQUIRED, delimiter: ',' }

function detect (lines: string[]): LayoutDetection | null {
  let created = false
  const d = detectColumns(lines, LAYOUT, has => {
    created = has('createdUtc') || has('created')
    return has('payout') ? 'payout-reconciliation-itemized' : 'balance-change-itemized'
  })
  if (d && !created) throw new LayoutError('a Stripe report without created_utc or created', d.headerLine)
  return d
}

function mapper (d: LayoutDetection): RowMapper {
  const cols = mapColumns(d.header, COLUMNS)
  const missing = missingColumns(cols, REQUIRED)
  const r = new FieldReader(d.header)
  const time = (index: number): Date | null => {
    const text = r.text(index)
    if (!text) return null
    // created_utc, or created in the timezone the report was run with: UTC unless asked otherwise
    try { return utc(text) } catch (err) { if (err instanceof TimeFormatError) { r.fail(err.message, index); return null } throw err }
  }

  function row (fields: string[], line: number): RowResult {
    if (emptyRow(fields)) return { kind: 'skip' }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => COLUMNS[m][0]).join(', ')}` }] }
    if (fields.length !== d.header.length) return { kind: 'issues', issues: [{ line, message: `row has ${fields.length} fields, the header has ${d.header.length}` }] }
    r.reset(fields, line)
    const category = r.text(cols.category)
    const type = CATEGORIES[category.toLowerCase()]
    if (!type) r.fail(`unknown reporting_category "${category}"`, cols.category)
    const gross = r.money(cols.gross)
    const fee = r.money(cols.fee)
    const net = r.money(cols.net)
    const paidAt = time(cols.createdUtc >= 0 ? cols.createdUtc : cols.created)
    if (!paidAt) r.fail('created is empty', cols.createdUtc >= 0 ? cols.createdUtc : cols.created)
    const payoutAt = time(cols.payoutAt)
    const currency = r.text(cols.currency).toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency)) r.fail(`"${currency}" is not a currency code`, cols.currency)
    if (r.issues.length || !type || gross === null || fee === null || net === null) return { kind: 'issues', issues: r.issues }
    if (gross - fee !== net) return { kind: 'issues', issues: [{ line, message: `gross ${formatMinor(gross)} − fee ${formatMinor(fee)} ≠ net ${formatMinor(net)}` }] }
    const intent = orNull(r.text(cols.intent)) ?? orNull(r.text(cols.charge))
    const paymentRef = orNull(r.text(cols.paymentRef))
    const own = type === 'payment'
    const record: PaymentRecord = {
      provider: STRIPE.id,
      lineNo: line,
      providerTxnId: own ? intent ?? orNull(r.text(cols.source)) : orNull(r.text(cols.source)) ?? orNull(r.text(cols.txn)),
      merchantRef: own ? paymentRef : type === 'refund' ? orNull(r.text(cols.refundRef)) : null,
      originalRef: own ? null : paymentRef,
      originalProviderTxnId: own ? null : intent,
      type,
      gross,
      fee,
      net,
      currency,
      paidAt,
      settlementDate: payoutAt ? hktDate(payoutAt) : null,
      batchId: orNull(r.text(cols.payout)),
      storeId: null,
      deviceId: null,
      account: null,
      cardMasked: null,
      cardBrand: cardBrand(r.text(cols.brand)),
      status: null,
      remarks: orNull([r.text(cols.brand), r.text(cols.description)].filter(Boolean).join(' · ')),
      flags: NO_FLAGS
    }
    return { kind: 'record', record }
  }

  return { row, finish: () => [], controls: () => ({}) }
}

export const stripe: SettlementConnector = {
  id: STRIPE.id,
  kind: 'settlement',
  descriptor: STRIPE,
  legacyEncodings: () => [],
  detect,
  mapper
}
