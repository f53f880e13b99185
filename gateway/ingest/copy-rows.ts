// PostgreSQL COPY text-format encoding of payment rows. COPY is the fastest way to land a large file
// inside one transaction; rows are encoded here and streamed with back-pressure.
import type { PaymentRecord } from '../../connectors/contract.ts'
import { isoInstant } from '../../connectors/_shared/time.ts'
import { cardOfRecord } from '../../connectors/_shared/cards.ts'

export const PAYMENT_COPY_COLUMNS = [
  'import_id', 'line_no', 'provider', 'layout', 'file_kind', 'provider_txn_id', 'merchant_ref', 'original_ref',
  'original_provider_txn_id', 'type', 'gross', 'fee', 'net', 'currency', 'paid_at', 'business_date', 'settlement_date',
  'batch_id', 'store_id', 'device_id', 'account', 'card_enc', 'card_key_id', 'card_brand', 'card_last4', 'status', 'remarks', 'flags'
] as const

const SPECIAL = /[\\\n\r\t]/

/** Escapes a text value for COPY … FROM STDIN (text format); null is \N. */
export function copyText (v: string | null): string {
  if (v === null) return '\\N'
  return SPECIAL.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') : v
}

const plain = (v: string | null): string => v === null ? '\\N' : v

export interface RowContext {
  importId: number
  layout: string
  fileKind: string
  businessDate: (r: PaymentRecord) => string | null
  encryptCard: (masked: string) => { enc: Buffer, keyId: string }
}

export function paymentCopyLine (r: PaymentRecord, c: RowContext): string {
  // Most rows hold no character COPY must escape: test the free-text fields once, together.
  const e = SPECIAL.test(`${r.providerTxnId}${r.merchantRef}${r.originalRef}${r.originalProviderTxnId}${r.batchId}${r.storeId}${r.deviceId}${r.account}${r.status}${r.remarks}${c.layout}${r.currency}`) ? copyText : plain
  let card = '\\N\t\\N\t'
  if (r.cardMasked) {
    const { enc, keyId } = c.encryptCard(r.cardMasked)
    card = `\\\\x${enc.toString('hex')}\t${copyText(keyId)}\t`
  }
  // a bank card's scheme and last four digits in the clear: what matching compares (never more of a card)
  const bank = cardOfRecord(r)
  card += bank ? `${copyText(bank.brand)}\t${bank.last4 ?? '\\N'}` : '\\N\t\\N'
  return `${c.importId}\t${r.lineNo}\t${r.provider}\t${e(c.layout)}\t${c.fileKind}\t${e(r.providerTxnId)}\t${e(r.merchantRef)}\t` +
    `${e(r.originalRef)}\t${e(r.originalProviderTxnId)}\t${r.type}\t${r.gross}\t${r.fee}\t${r.net}\t${e(r.currency)}\t` +
    `${r.paidAt ? isoInstant(r.paidAt) : '\\N'}\t${c.businessDate(r) ?? '\\N'}\t${r.settlementDate ?? '\\N'}\t${e(r.batchId)}\t` +
    `${e(r.storeId)}\t${e(r.deviceId)}\t${e(r.account)}\t${card}\t${e(r.status)}\t${e(r.remarks)}\t${r.flags.length ? `{${r.flags.join(',')}}` : '\\N'}\n`
}
