// Adyen's Settlement details report (tenders.md §2; docs.adyen.com/reporting/settlement-detail-report
// and its structure page): one CSV per payout batch, a row per booking. Settled, Refunded, Chargeback,
// ChargebackReversed… are the card payments and their modifications; Fee and MiscCosts are Adyen's
// charges; MerchantPayout is the batch's transfer to the bank, which must equal the batch's net.
// Gross is credit − debit in the gross currency, net likewise in the net currency, and the fee is the
// difference, checked against the fee columns (Commission, Markup, Scheme Fees, Interchange).
import { NO_FLAGS, type PaymentRecord, type PaymentType, type ProviderDescriptor } from '../contract.ts'
import { cardBrand } from '../_shared/cards.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult, type SettlementConnector } from '../settlement.ts'
import { detectColumns, type ColumnLayout } from '../_shared/detect-columns.ts'
import { mapColumns, missingColumns, normaliseHeader, orNull } from '../_shared/fields.ts'
import { formatMinor } from '../_shared/money.ts'
import { compileTimeFormat, TimeFormatError } from '../_shared/time.ts'

export const ADYEN: ProviderDescriptor = {
  id: 'adyen',
  names: { en: 'Adyen (cards)', 'zh-HK': 'Adyen（信用卡）' },
  // cards at the till; a chain may take them through another acquirer as well (SHARED_TENDER_METHODS)
  tenderMethods: ['card'],
  // one merchant account for the chain; the till's merchant reference finds the sale
  matchScope: 'merchant',
  devicesUploadLate: false,
  cashRounding: false,
  // interchange++ on HK cards: about 1.5% to 3.5% with the scheme fees
  feeBand: { min: 0.005, max: 0.04 },
  settlementDays: 2,
  // the MerchantPayout's transfer: in a HK account the next business day
  payout: { days: 1, bankNames: ['ADYEN'] },
  // the settlement details report of a batch, once the batch has closed
  fileDue: { days: 2, at: '12:00' }
}

const COLUMNS = {
  psp: ['Psp Reference'],
  account: ['Merchant Account'],
  merchantRef: ['Merchant Reference'],
  method: ['Payment Method'],
  created: ['Creation Date'],
  zone: ['TimeZone'],
  type: ['Type'],
  modification: ['Modification Reference'],
  grossCurrency: ['Gross Currency'],
  grossDebit: ['Gross Debit (GC)'],
  grossCredit: ['Gross Credit (GC)'],
  netCurrency: ['Net Currency'],
  netDebit: ['Net Debit (NC)'],
  netCredit: ['Net Credit (NC)'],
  commission: ['Commission (NC)'],
  markup: ['Markup (NC)'],
  schemeFees: ['Scheme Fees (NC)'],
  interchange: ['Interchange (NC)'],
  modificationRef: ['Modification Merchant Reference'],
  batch: ['Batch Number']
} as const
const REQUIRED = ['psp', 'merchantRef', 'created', 'type', 'netCurrency', 'netDebit', 'netCredit', 'batch'] as const

const TYPES: Record<string, PaymentType | 'payout'> = {
  settled: 'payment', settledbulk: 'payment', refunded: 'refund', refundedbulk: 'refund', refundedreversed: 'adjustment',
  chargeback: 'chargeback', secondchargeback: 'chargeback', chargebackreversed: 'chargeback_reversal',
  fee: 'fee', misccosts: 'fee', paymentcost: 'fee', depositcorrection: 'adjustment', balancetransfer: 'adjustment',
  reserveadjustment: 'adjustment', invoicededuction: 'adjustment', merchantpayout: 'payout'
}
/** The TimeZone column's abbreviations (Adyen writes the account's zone; IANA names are taken as they are). */
const ZONES: Record<string, string> = { HKT: 'Asia/Hong_Kong', CET: 'Europe/Amsterdam', CEST: 'Europe/Amsterdam', UTC: 'UTC', GMT: 'UTC', SGT: 'Asia/Singapore', PST: 'America/Los_Angeles', PDT: 'America/Los_Angeles' }

const LAYOUT: ColumnLayout<keyof typeof COLUMNS> = { provider: ADYEN.id, what: 'an Adyen settlement details report', columns: COLUMNS, markers: ['psp', 'type', 'batch'], required: REQUIRED }

function mapper (d: LayoutDetection): RowMapper {
  const cols = mapColumns(d.header, COLUMNS)
  const missing = missingColumns(cols, REQUIRED)
  const r = new FieldReader(d.header)
  const parsers = new Map<string, (s: string) => Date>()
  const batchNet = new Map<string, number>()
  const payouts: Array<{ line: number, batch: string, amount: number }> = []

  function readTime (): Date | null {
    const text = r.text(cols.created)
    const zoneText = r.text(cols.zone) || 'UTC'
    const zone = ZONES[zoneText.toUpperCase()] ?? (zoneText.includes('/') ? zoneText : null)
    if (!zone) { r.fail(`unknown time zone "${zoneText}"`, cols.zone); return null }
    let parse = parsers.get(zone)
    if (!parse) { parse = compileTimeFormat('yyyy-MM-dd HH:mm:ss', zone); parsers.set(zone, parse) }
    try { return parse(text) } catch (err) { if (err instanceof TimeFormatError) { r.fail(err.message, cols.created); return null } throw err }
  }
  const amount = (credit: number, debit: number) => (r.money(credit, false) ?? 0) - (r.money(debit, false) ?? 0)

  function row (fields: string[], line: number): RowResult {
    if (emptyRow(fields)) return { kind: 'skip' }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => COLUMNS[m][0]).join(', ')}` }] }
    if (fields.length !== d.header.length) return { kind: 'issues', issues: [{ line, message: `row has ${fields.length} fields, the header has ${d.header.length}` }] }
    r.reset(fields, line)
    const typeText = r.text(cols.type)
    const type = TYPES[normaliseHeader(typeText)]
    if (!type) r.fail(`unknown record type "${typeText}"`, cols.type)
    const batch = r.text(cols.batch)
    const net = amount(cols.netCredit, cols.netDebit)
    const currency = r.text(cols.netCurrency).toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency)) r.fail(`"${currency}" is not a currency code`, cols.netCurrency)
    const paidAt = readTime()
    if (r.issues.length || !type) return { kind: 'issues', issues: r.issues }
    if (type === 'payout') { payouts.push({ line, batch, amount: -net }); return { kind: 'skip' } }
    batchNet.set(batch, (batchNet.get(batch) ?? 0) + net)
    // the gross currency may differ (a card charged in another currency): the net's is what settles
    const sameCurrency = cols.grossCurrency < 0 || r.text(cols.grossCurrency).toUpperCase() === currency
    const fees = [cols.commission, cols.markup, cols.schemeFees, cols.interchange].reduce((s, c) => s + (r.money(c, false) ?? 0), 0)
    const gross = type === 'fee' ? 0 : sameCurrency && cols.grossCredit >= 0 ? amount(cols.grossCredit, cols.grossDebit) : net + fees
    if (r.issues.length) return { kind: 'issues', issues: r.issues }
    if (type !== 'fee' && sameCurrency && Math.abs(gross - net) !== Math.abs(fees) && fees !== 0) {
      return { kind: 'issues', issues: [{ line, message: `gross ${formatMinor(gross)} − net ${formatMinor(net)} is not the fees ${formatMinor(fees)}` }] }
    }
    return { kind: 'record', record: record(type, line, batch, gross, net, currency, paidAt) }
  }

  function record (type: PaymentType, line: number, batch: string, gross: number, net: number, currency: string, paidAt: Date | null): PaymentRecord {
    const psp = orNull(r.text(cols.psp))
    const ref = orNull(r.text(cols.merchantRef))
    // a modification (refund, chargeback…) books under its own reference and names the payment's
    const modification = type !== 'payment' && type !== 'fee'
    return {
      provider: ADYEN.id,
      lineNo: line,
      providerTxnId: modification ? orNull(r.text(cols.modification)) ?? psp : psp,
      merchantRef: modification ? orNull(r.text(cols.modificationRef)) : type === 'fee' ? null : ref,
      originalRef: modification ? ref : null,
      originalProviderTxnId: modification ? psp : null,
      type,
      gross,
      fee: gross - net,
      net,
      currency,
      paidAt,
      settlementDate: null,
      batchId: orNull(batch),
      storeId: null,
      deviceId: null,
      account: orNull(r.text(cols.account)),
      cardMasked: null,
      cardBrand: cardBrand(r.text(cols.method)),
      status: null,
      remarks: type === 'fee' ? orNull([r.text(cols.type), ref].filter(Boolean).join(' ')) : orNull(r.text(cols.method)),
      flags: NO_FLAGS
    }
  }

  /** Each MerchantPayout equals the net of its batch's rows; a batch without one is still open. */
  function finish () {
    return payouts.filter(p => (batchNet.get(p.batch) ?? 0) !== p.amount).map(p => ({ line: p.line, message: `MerchantPayout of batch ${p.batch} is ${formatMinor(p.amount)} but the batch's rows net ${formatMinor(batchNet.get(p.batch) ?? 0)}` }))
  }

  return { row, finish, controls: () => ({ payouts: payouts.map(p => ({ batch: p.batch, amount: p.amount, line: p.line })), batches: Object.fromEntries(batchNet) }) }
}

export const adyen: SettlementConnector = {
  id: ADYEN.id,
  kind: 'settlement',
  descriptor: ADYEN,
  legacyEncodings: () => [],
  detect: lines => detectColumns(lines, LAYOUT, () => 'settlement-details'),
  mapper
}
