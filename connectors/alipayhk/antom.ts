// Rows of layout F, Antom / AMS `settlementItems` and `transactionItems` (and the AlipayHK AMS variant).
//
// Sign comes from the number (formats.md §1.7): fees are written negative and
// settlementAmountValue = transactionAmountValue + Σ fees, checked on every row. Our fee is the
// charge, so fee = −Σ fee columns. The file ends with an `<END>` line; nothing may follow it.
import { NO_FLAGS, type PaymentRecord, type PaymentType } from '../contract.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult } from '../settlement.ts'
import { clean, mapColumns, missingColumns, normaliseHeader, orNull } from '../_shared/fields.ts'
import { formatMinor } from '../_shared/money.ts'
import { hktDate } from '../_shared/time.ts'

const ALIASES = {
  batchId: ['settlementBatchId'],
  providerTxnId: ['transactionId'],
  originalProviderTxnId: ['originalTransactionId'],
  merchantRef: ['transactionRequestId'],
  originalRef: ['originalTransactionRequestId'],
  type: ['transactionType'],
  gross: ['transactionAmountValue'],
  currency: ['transactionCurrency'],
  net: ['settlementAmountValue'],
  netCurrency: ['settlementCurrency'],
  paidAt: ['paymentTime', 'transactionTime', 'createTime'],
  settledAt: ['settlementTime', 'settlementInitiatedDate', 'valueDate'],
  store: ['referenceStoreId'],
  status: ['transactionStatus', 'status'],
  remarks: ['orderDescription', 'remark']
} as const

const TYPES: Record<string, PaymentType> = {
  PAYMENT: 'payment', CAPTURE: 'payment', REFUND: 'refund', CANCEL: 'cancel', VOID: 'cancel',
  PAYMENT_REVERSAL: 'reversal', REFUND_REVERSAL: 'reversal',
  ADJUSTMENT_FEE: 'fee', SETTLEMENT_FEE: 'fee',
  DISPUTE: 'adjustment', DISPUTE_REVERSAL: 'adjustment', RAPID_DISPUTE_RESOLUTION: 'adjustment', CDRN: 'adjustment',
  COLLATERAL_WITHHELD: 'adjustment', COLLATERAL_RELEASED: 'adjustment', RESERVE: 'adjustment', RESERVE_RELEASED: 'adjustment',
  AUTHORIZATION: 'adjustment'
}

/** Fee amount columns: the 20 `*FeeAmountValue`-style columns, plus AMS's single `feeAmountValue`. */
function feeColumns (header: string[]): Array<{ amount: number, currency: number }> {
  const byName = new Map(header.map((h, i) => [normaliseHeader(h), i]))
  const out: Array<{ amount: number, currency: number }> = []
  header.forEach((h, i) => {
    const n = normaliseHeader(h)
    if (n.endsWith('feeamountvalue') || n === 'disputehandlingfee' || n === 'withholdingtaxamountvalue') {
      const stem = n.replace(/amountvalue$/, '')
      out.push({ amount: i, currency: byName.get(`${stem}currency`) ?? byName.get(`${stem}amountcurrency`) ?? -1 })
    }
  })
  return out
}

export function antomMapper (d: LayoutDetection): RowMapper {
  const cols = mapColumns(d.header, ALIASES)
  const fees = feeColumns(d.header)
  const missing = missingColumns(cols, ['providerTxnId', 'type', 'gross'])
  const r = new FieldReader(d.header)
  let rows = 0
  let ended = false

  function row (fields: string[], line: number): RowResult {
    if (fields.length === 1 && clean(fields[0]) === '<END>') { ended = true; return { kind: 'end' } }
    if (emptyRow(fields)) return { kind: 'skip' }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => ALIASES[m][0]).join(', ')}` }] }
    rows++
    if (fields.length !== d.header.length) return { kind: 'issues', issues: [{ line, message: `row has ${fields.length} fields, the header has ${d.header.length}` }] }
    r.reset(fields, line)
    const typeText = r.text(cols.type).toUpperCase()
    const type = TYPES[typeText]
    if (!type) r.fail(`unknown transactionType "${typeText}"`, cols.type)
    const gross = r.money(cols.gross)
    const currency = (r.text(cols.currency) || 'HKD').toUpperCase()
    if (currency !== 'HKD') r.fail(`currency ${currency} is not supported (HKD only)`, cols.currency)
    let feeSum = 0
    for (const f of fees) {
      const v = r.money(f.amount, false) ?? 0
      if (v !== 0 && f.currency >= 0) {
        const c = r.text(f.currency).toUpperCase()
        if (c !== '' && c !== currency) r.fail(`fee currency ${c} differs from the transaction currency ${currency}`, f.currency)
      }
      feeSum += v
    }
    const netRaw = cols.net >= 0 ? r.money(cols.net, false) : null
    if (netRaw !== null && cols.netCurrency >= 0) {
      const c = r.text(cols.netCurrency).toUpperCase()
      if (c !== '' && c !== currency) r.fail(`settlement currency ${c} differs from the transaction currency ${currency}`, cols.netCurrency)
    }
    const paidAt = r.time(cols.paidAt, false)
    const settledAt = r.time(cols.settledAt, false)
    if (r.issues.length || gross === null || !type) return { kind: 'issues', issues: r.issues }
    let g = gross
    let flags = NO_FLAGS
    if (netRaw !== null && netRaw !== g + feeSum) {
      // Some exports write a refund's transaction amount unsigned; accept that only when it then adds up.
      if (type !== 'payment' && g > 0 && netRaw === -g + feeSum) { g = -g; flags = ['sign_from_type'] } else {
        return { kind: 'issues', issues: [{ line, message: `settlementAmountValue ${formatMinor(netRaw)} ≠ transactionAmountValue ${formatMinor(gross)} + fees ${formatMinor(feeSum)}` }] }
      }
    }
    const record: PaymentRecord = {
      provider: 'alipayhk',
      lineNo: line,
      providerTxnId: orNull(r.text(cols.providerTxnId)),
      merchantRef: orNull(r.text(cols.merchantRef)),
      originalRef: orNull(r.text(cols.originalRef)),
      originalProviderTxnId: orNull(r.text(cols.originalProviderTxnId)),
      type,
      gross: g,
      fee: -feeSum || 0, // never -0
      net: netRaw ?? g + feeSum,
      currency,
      paidAt,
      settlementDate: settledAt ? hktDate(settledAt) : null,
      batchId: orNull(r.text(cols.batchId)),
      storeId: orNull(r.text(cols.store)),
      deviceId: null,
      account: null,
      cardMasked: null,
      status: orNull(r.text(cols.status)),
      remarks: orNull(r.text(cols.remarks)),
      flags
    }
    return { kind: 'record', record }
  }

  return {
    row,
    finish: () => ended ? [] : [{ line: 0, message: 'the file has no <END> line: it may be truncated' }],
    controls: () => ({ rows, ended })
  }
}
