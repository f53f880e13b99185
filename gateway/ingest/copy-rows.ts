// PostgreSQL COPY text-format encoding of payment rows. COPY is the fastest way to land a large file
// inside one transaction; rows are encoded here and streamed with back-pressure.
import type { PaymentRecord } from '../../connectors/contract.ts'

export const PAYMENT_COPY_COLUMNS = [
  'import_id', 'line_no', 'provider', 'layout', 'file_kind', 'provider_txn_id', 'merchant_ref', 'original_ref',
  'original_provider_txn_id', 'type', 'gross', 'fee', 'net', 'currency', 'paid_at', 'business_date', 'settlement_date',
  'batch_id', 'store_id', 'device_id', 'card_enc', 'card_key_id', 'status', 'remarks', 'flags'
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

// Date#toISOString was a tenth of a 1M-row import: the instant is written from cached day strings and
// two-digit tables instead ('2026-11-20T04:01:09Z', with .mmm only when there are milliseconds).
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))
const utcDays = new Map<number, string>()
function iso (d: Date): string {
  const ms = d.getTime()
  const day = Math.floor(ms / 86_400_000)
  let prefix = utcDays.get(day)
  if (prefix === undefined) {
    prefix = new Date(day * 86_400_000).toISOString().slice(0, 11)
    if (utcDays.size > 10_000) utcDays.clear()
    utcDays.set(day, prefix)
  }
  const inDay = ms - day * 86_400_000
  const sec = Math.floor(inDay / 1000)
  const milli = inDay % 1000
  return `${prefix}${TWO[Math.floor(sec / 3600)]}:${TWO[Math.floor(sec / 60) % 60]}:${TWO[sec % 60]}${milli ? `.${String(milli).padStart(3, '0')}` : ''}Z`
}

export function paymentCopyLine (r: PaymentRecord, c: RowContext): string {
  // Most rows hold no character COPY must escape: test the free-text fields once, together.
  const e = SPECIAL.test(`${r.providerTxnId}${r.merchantRef}${r.originalRef}${r.originalProviderTxnId}${r.batchId}${r.storeId}${r.deviceId}${r.status}${r.remarks}${c.layout}${r.currency}`) ? copyText : plain
  let card = '\\N\t\\N'
  if (r.cardMasked) {
    const { enc, keyId } = c.encryptCard(r.cardMasked)
    card = `\\\\x${enc.toString('hex')}\t${copyText(keyId)}`
  }
  return `${c.importId}\t${r.lineNo}\t${r.provider}\t${e(c.layout)}\t${c.fileKind}\t${e(r.providerTxnId)}\t${e(r.merchantRef)}\t` +
    `${e(r.originalRef)}\t${e(r.originalProviderTxnId)}\t${r.type}\t${r.gross}\t${r.fee}\t${r.net}\t${e(r.currency)}\t` +
    `${r.paidAt ? iso(r.paidAt) : '\\N'}\t${c.businessDate(r) ?? '\\N'}\t${r.settlementDate ?? '\\N'}\t${e(r.batchId)}\t` +
    `${e(r.storeId)}\t${e(r.deviceId)}\t${card}\t${e(r.status)}\t${e(r.remarks)}\t${r.flags.length ? `{${r.flags.join(',')}}` : '\\N'}\n`
}
