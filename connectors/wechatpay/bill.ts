// The rows of a WeChat Pay bill. A payment row (交易状态 SUCCESS) settles 应结订单金额; a refund row
// (REFUND; a PROCESSING refund counts as done, WeChat's FAQ) takes back 退款金额 — 退款应结订单金额 in the
// cross-border layout — under its own 商户退款单号, naming the order it refunds; a REVOKED order was
// paid and undone, so it moves no money and cancels the sale's tender.
//
// Fees come with up to five decimals (`0.00600`). Each row's fee in cents is the change in the rounded
// running total, so the rows always add up to the total rounded once, the way the summary row states it:
// rounding per row never creates a difference. The provider's own figure stays in the row's remarks.
import { Decimal } from 'decimal.js'
import { NO_FLAGS, type PaymentRecord, type PaymentType, type Provider } from '../contract.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult } from '../settlement.ts'
import { clean, mapColumns, missingColumns, normaliseHeader, orNull, stripPrefixes } from '../_shared/fields.ts'
import { formatMinor, parseMinor, MoneyFormatError } from '../_shared/money.ts'

/** Accepted header names per field: the bill's Chinese names, the cross-border variant's, then English. */
export const BILL_COLUMNS = {
  paidAt: ['交易时间', 'Transaction Time'],
  deviceId: ['设备号', 'Device ID', 'Device Info'],
  providerTxnId: ['微信订单号', 'WeChat Order No', 'Transaction ID'],
  merchantRef: ['商户订单号', 'Merchant Order No', 'Out Trade No'],
  tradeType: ['交易类型', 'Trade Type'],
  merchant: ['商户号', 'Merchant ID', 'Mch ID'],
  subMerchant: ['特约商户号', '子商户号', 'Sub Merchant ID', 'Sub-merchant ID'],
  status: ['交易状态', 'Trade State', 'Transaction Status'],
  currency: ['货币种类', '结算币种', 'Settlement Currency', 'Currency'],
  settled: ['应结订单金额', 'Settlement Amount'],
  refundTxnId: ['微信退款单号', 'WeChat Refund No', 'Refund ID'],
  refundRef: ['商户退款单号', 'Merchant Refund No', 'Out Refund No'],
  refunded: ['退款金额', '退款应结订单金额', 'Refund Amount', 'Refund Settlement Amount'],
  refundStatus: ['退款状态', 'Refund Status'],
  product: ['商品名称', 'Product Name', 'Body'],
  fee: ['手续费', 'Fee', 'Service Fee'],
  rate: ['费率', 'Rate', 'Fee Rate']
} as const
type BillField = keyof typeof BILL_COLUMNS
export const REQUIRED_COLUMNS: BillField[] = ['paidAt', 'providerTxnId', 'merchantRef', 'status', 'settled', 'refunded', 'fee']

/** The summary's columns (总交易单数 …): what each one totals. */
const SUMMARY_COLUMNS = {
  rows: ['总交易单数', 'Total Transactions', 'Total Count'],
  settled: ['应结订单总金额', 'Total Settlement Amount'],
  refunded: ['退款总金额', 'Total Refund Amount'],
  fee: ['手续费总金额', 'Total Fee', 'Total Service Fee']
} as const
const SUMMARY_MARKERS = new Set(SUMMARY_COLUMNS.rows.map(normaliseHeader))
const BACKTICK = ['`']
const FEE_SCALE = 100_000 // fees are read exactly, in 1/100,000 of the currency unit

/** An amount with up to five decimals, in 1/100,000 units; throws MoneyFormatError beyond that. */
function parseFine (text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) throw new MoneyFormatError(text, 'not a decimal amount')
  const v = new Decimal(text).times(FEE_SCALE)
  if (!v.isInteger()) throw new MoneyFormatError(text, 'a fee with more than five decimals')
  return v.toNumber()
}

/** 1/100,000 units → cents, half away from zero. */
const fineToCents = (fine: number): number => Math.sign(fine) * Math.floor((Math.abs(fine) + 500) / 1000) || 0

/** The row's kind from its 交易状态, and for refunds whether the refund columns say so. */
function rowType (status: string, refundId: string): PaymentType | null {
  const s = status.toUpperCase()
  if (s === 'SUCCESS') return refundId ? 'refund' : 'payment'
  if (s === 'REFUND') return 'refund'
  if (s === 'REVOKED') return 'cancel'
  return null
}

export function billMapper (d: LayoutDetection, provider: Provider): RowMapper {
  const cols = mapColumns(d.header, BILL_COLUMNS)
  const missing = missingColumns(cols, REQUIRED_COLUMNS)
  const r = new FieldReader(d.header)
  const written = { rows: 0, settled: 0, refunded: 0, fineFee: 0 }
  let signedFine = 0 // the signed fees so far, exact
  let summary: Summary | null = null

  function row (raw: string[], line: number): RowResult {
    const fields = stripPrefixes(raw, BACKTICK)
    if (emptyRow(fields)) return { kind: 'skip' }
    if (summary) {
      if (summary.fields) return { kind: 'issues', issues: [{ line, message: `data after the bill's summary row (line ${summary.line})` }] }
      summary.fields = fields
      summary.line = line
      return { kind: 'skip' }
    }
    // the summary header is far shorter than the bill's: only then is the first field looked at
    if (fields.length !== d.header.length && SUMMARY_MARKERS.has(normaliseHeader(fields[0]))) {
      summary = { headerLine: line, header: fields.map(f => clean(f)), line: 0, fields: null }
      return { kind: 'skip' }
    }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => BILL_COLUMNS[m][0]).join(', ')}` }] }
    written.rows++
    if (fields.length !== d.header.length) return { kind: 'issues', issues: [{ line, message: `row has ${fields.length} fields, the header has ${d.header.length}` }] }
    r.reset(fields, line)
    return mapRow(line)
  }

  function mapRow (line: number): RowResult {
    const status = r.text(cols.status)
    const refundId = r.text(cols.refundTxnId)
    const type = rowType(status, refundId === '0' ? '' : refundId)
    if (!type) r.fail(`unknown 交易状态 "${status}" (a bill lists SUCCESS, REFUND and REVOKED)`, cols.status)
    const settled = r.money(cols.settled) ?? 0
    const refunded = r.money(cols.refunded, false) ?? 0
    const feeText = r.text(cols.fee)
    let fine = 0
    try { fine = feeText === '' ? 0 : parseFine(feeText) } catch (err) { if (err instanceof MoneyFormatError) r.fail(err.message, cols.fee); else throw err }
    const paidAt = r.time(cols.paidAt)
    const merchantRef = r.text(cols.merchantRef)
    if (merchantRef === '') r.fail('商户订单号 (the order number) is empty', cols.merchantRef)
    const currency = (r.text(cols.currency) || 'HKD').toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency)) r.fail(`"${currency}" is not a currency code`, cols.currency)
    written.settled += settled; written.refunded += refunded; written.fineFee += fine
    if (r.issues.length || !type) return { kind: 'issues', issues: r.issues }
    if (type === 'refund' && refunded === 0) return { kind: 'issues', issues: [{ line, column: BILL_COLUMNS.refunded[0], message: 'a refund row without a refund amount' }] }
    const dir = type === 'payment' ? 1 : -1
    const before = fineToCents(signedFine)
    if (type !== 'cancel') signedFine += dir * Math.abs(fine)
    const fee = fineToCents(signedFine) - before
    const gross = type === 'payment' ? Math.abs(settled) : type === 'refund' ? -Math.abs(refunded) : 0
    const rate = r.text(cols.rate)
    const record: PaymentRecord = {
      provider,
      lineNo: line,
      providerTxnId: orNull(type === 'refund' ? refundId : r.text(cols.providerTxnId)),
      merchantRef: type === 'refund' ? orNull(r.text(cols.refundRef)) : merchantRef,
      originalRef: type === 'payment' ? null : merchantRef,
      originalProviderTxnId: type === 'payment' ? null : orNull(r.text(cols.providerTxnId)),
      type,
      gross,
      fee,
      net: gross - fee,
      currency,
      paidAt,
      settlementDate: null,
      batchId: null,
      storeId: null,
      deviceId: orNull(r.text(cols.deviceId)),
      account: account(r.text(cols.subMerchant), r.text(cols.merchant)),
      cardMasked: null,
      status: orNull(type === 'refund' ? r.text(cols.refundStatus) || status : status),
      remarks: remarks(type, settled, feeText, rate, r.text(cols.tradeType)),
      flags: NO_FLAGS
    }
    return { kind: 'record', record }
  }

  return {
    row,
    finish: () => checkSummary(summary, written),
    controls: () => ({ rows: written.rows, settled: written.settled, refunded: written.refunded, fee: new Decimal(written.fineFee).div(FEE_SCALE).toFixed(5), summary: summary?.fields ? { line: summary.line } : null })
  }
}

/** What a person reading the row needs that the record has no field for: the exact fee and the rate. */
function remarks (type: PaymentType, settled: number, feeText: string, rate: string, tradeType: string): string | null {
  const parts = [tradeType, feeText && `手续费 ${feeText}`, rate && `费率 ${rate}`]
  if (type === 'cancel') parts.push(`revoked order of ${formatMinor(settled)}`)
  return parts.filter(Boolean).join(' · ') || null
}

interface Summary { headerLine: number, header: string[], line: number, fields: string[] | null }

/** The summary row against the rows as written; a bill without one may be cut short and is refused. */
function checkSummary (summary: Summary | null, written: { rows: number, settled: number, refunded: number, fineFee: number }) {
  if (!summary?.fields) return [{ line: summary?.headerLine ?? 0, message: 'the bill has no summary row (总交易单数 …): it may be cut short' }]
  const { line, fields } = summary
  const cols = mapColumns(summary.header, SUMMARY_COLUMNS)
  const at = (i: number) => clean(fields[i])
  const issues: Array<{ line: number, message: string }> = []
  if (at(cols.rows) !== String(written.rows)) issues.push({ line, message: `总交易单数 says ${at(cols.rows) || '(empty)'} but the bill has ${written.rows} rows` })
  for (const key of ['settled', 'refunded'] as const) {
    if (cols[key] < 0) continue
    try {
      const declared = parseMinor(at(cols[key]))
      if (declared !== written[key]) issues.push({ line, message: `${SUMMARY_COLUMNS[key][0]} is ${formatMinor(declared)} but the rows add up to ${formatMinor(written[key])}` })
    } catch (err) { if (err instanceof MoneyFormatError) issues.push({ line, message: `${SUMMARY_COLUMNS[key][0]}: ${err.message}` }); else throw err }
  }
  if (cols.fee >= 0) {
    // the total is stated to as many decimals as it is written with: compare at that precision
    const text = at(cols.fee)
    const places = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0
    const sum = new Decimal(written.fineFee).div(FEE_SCALE).toDecimalPlaces(places, Decimal.ROUND_HALF_UP)
    if (!/^[+-]?\d+(\.\d+)?$/.test(text) || !sum.equals(new Decimal(text))) issues.push({ line, message: `手续费总金额 is ${text || '(empty)'} but the rows' fees add up to ${sum.toFixed(places)}` })
  }
  return issues
}

/** The sub-merchant (a shop under a service provider) when there is one (not "0"), else the merchant. */
function account (sub: string, merchant: string): string | null {
  return sub && sub !== '0' ? sub : orNull(merchant)
}
