// Rows of the "classic" AlipayHK layouts A, B (per-batch), C and D, which share one column vocabulary.
//
// Sign conventions (formats.md §1.11): A writes refunds and cancels with a positive Amount and a
// negative Settlement; B, C and D write every amount unsigned and the direction is in Type /
// Transaction_type. So the direction always comes from the type (see _shared/sign.ts for the fee).
import { NO_FLAGS, type FileKind, type PaymentRecord, type PaymentType } from '../contract.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult } from '../settlement.ts'
import { mapColumns, missingColumns, orNull } from '../_shared/fields.ts'
import { signAmounts } from '../_shared/sign.ts'
import { hktDate } from '../_shared/time.ts'
import { batchIdFromName, partnerFromName } from './detect.ts'

const ALIASES = {
  merchantRef: ['Partner_transaction_id'],
  providerTxnId: ['Transaction_id'],
  gross: ['Amount', 'Transaction_amount'],
  fee: ['Fee', 'Charge_amount'],
  net: ['Settlement'],
  currency: ['Currency'],
  paidAt: ['Payment_time'],
  settledAt: ['Settlement_time'],
  type: ['Type', 'Transaction_type'],
  status: ['Status'],
  remarks: ['Remarks', 'Remark'],
  originalRef: ['original_partner_transaction_ID'],
  // layout C names the shop a chain-wide partner id serves
  shop: ['Secondary_merchant_name', 'Secondary_merchant_id']
} as const
type Field = keyof typeof ALIASES

const TYPES: Record<string, PaymentType> = {
  PAYMENT: 'payment', P: 'payment', REFUND: 'refund', R: 'refund', CANCEL: 'cancel', REVERSAL: 'reversal'
}

export function classicMapper (d: LayoutDetection, filename: string | null): RowMapper {
  const cols = mapColumns(d.header, ALIASES)
  const missing = missingColumns<Field>(cols, ['merchantRef', 'providerTxnId', 'gross', 'type'])
  const batchId = batchIdFromName(filename)
  // the partner id: layout C's record line, else the file name's (one per shop in layout A)
  const partner = d.preamble.partner ?? partnerFromName(filename)
  const declaredCount = d.preamble.totalcount
  const r = new FieldReader(d.header)
  let rows = 0
  let sawNet = false

  function row (fields: string[], line: number): RowResult {
    if (emptyRow(fields)) return { kind: 'skip' }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => ALIASES[m][0]).join(', ')}` }] }
    rows++
    if (fields.length !== d.header.length) return { kind: 'issues', issues: [{ line, message: `row has ${fields.length} fields, the header has ${d.header.length}` }] }
    r.reset(fields, line)
    const typeText = r.text(cols.type).toUpperCase()
    const type = TYPES[typeText]
    if (!type) r.fail(`unknown transaction type "${typeText}"`, cols.type)
    const grossAbs = r.money(cols.gross)
    const feeAbs = cols.fee >= 0 ? r.money(cols.fee, false) ?? 0 : 0
    const netRaw = cols.net >= 0 ? r.money(cols.net, false) : null
    const paidAt = r.time(cols.paidAt, cols.paidAt >= 0)
    const settledAt = cols.settledAt >= 0 ? r.time(cols.settledAt, false) : null
    const merchantRef = r.text(cols.merchantRef)
    const providerTxnId = r.text(cols.providerTxnId)
    if (!merchantRef && !providerTxnId) r.fail('neither Partner_transaction_id nor Transaction_id is filled')
    const currency = (r.text(cols.currency) || 'HKD').toUpperCase()
    if (currency !== 'HKD') r.fail(`currency ${currency} is not supported (HKD only)`, cols.currency)
    if (r.issues.length || grossAbs === null || !type) return { kind: 'issues', issues: r.issues }

    const amounts = signAmounts(type === 'payment' ? 1 : -1, grossAbs, feeAbs, netRaw)
    if (typeof amounts === 'string') return { kind: 'issues', issues: [{ line, message: amounts }] }
    if (netRaw !== null) sawNet = true
    // A cancelled payment is listed under the provider's id where our reference should be
    // (formats.md §1.2): it is matched through the provider txn id the till kept.
    const cancelById = type === 'cancel' && merchantRef !== '' && merchantRef === providerTxnId
    const record: PaymentRecord = {
      provider: 'alipayhk',
      lineNo: line,
      providerTxnId: orNull(providerTxnId),
      merchantRef: cancelById ? null : orNull(merchantRef),
      originalRef: orNull(r.text(cols.originalRef)),
      originalProviderTxnId: type !== 'payment' && (cancelById || d.layout === 'C') ? orNull(providerTxnId) : null,
      type,
      gross: amounts.gross,
      fee: amounts.fee,
      net: amounts.net,
      currency,
      paidAt,
      settlementDate: settledAt ? hktDate(settledAt) : null,
      batchId,
      storeId: null,
      deviceId: null,
      account: orNull(r.text(cols.shop)) ?? partner,
      cardMasked: null,
      status: orNull(r.text(cols.status)),
      remarks: orNull(r.text(cols.remarks)),
      flags: cancelById ? ['reference_is_provider_id'] : NO_FLAGS
    }
    return { kind: 'record', record }
  }

  return {
    row,
    finish () {
      if (declaredCount === undefined) return []
      const n = Number(declaredCount)
      if (!/^\d+$/.test(declaredCount) || n !== rows) {
        return [{ line: 1, message: `Total_count says ${declaredCount} but the file has ${rows} data rows` }]
      }
      return []
    },
    controls: () => ({ rows, ...(declaredCount !== undefined ? { totalCount: Number(declaredCount) } : {}), ...(d.preamble.partner ? { partner: d.preamble.partner } : {}) }),
    // A file named or headed like a settlement file whose rows carry no settlement amount is a
    // transaction file (the fptrade file has the same columns with Settlement left empty).
    fileKind: (): FileKind => d.fileKind === 'settlement' && rows > 0 && !sawNet ? 'transaction' : d.fileKind
  }
}
