// Rows of a settlement report read through a mapping profile (profile.ts), for any provider.
//
// The profile's sign rule gives each row its direction (unsigned amounts signed by the type, or signed
// as written); its decorations (a backtick before every value) are taken off first. A card or buyer
// number must arrive masked. Amounts off the profile's grid (Octopus: HK$0.10) are kept and flagged. A
// trailer carries the record count and the sums of the amount, fee and net columns as written; any
// disagreement refuses the file.
import { NO_FLAGS, type PaymentRecord, type PaymentType, type Provider } from '../contract.ts'
import { FieldReader, emptyRow, type LayoutDetection, type RowMapper, type RowResult } from '../settlement.ts'
import { clean, mapColumns, missingColumns, orNull, stripPrefixes } from '../_shared/fields.ts'
import { formatMinor, parseMinor, MoneyFormatError } from '../_shared/money.ts'
import { signAmounts } from '../_shared/sign.ts'
import { compileDateFormat, compileTimeFormat, TimeFormatError } from '../_shared/time.ts'
import { PROFILE_FIELDS, type MappingProfile, type ProfileField } from './profile.ts'

const UNMASKED_CARD = /\d{6,}/

export function profileMapper (d: LayoutDetection, profile: MappingProfile, provider: Provider): RowMapper {
  const aliases = Object.fromEntries(PROFILE_FIELDS.map(f => [f, profile.columns[f] ? [profile.columns[f]] : []])) as Record<ProfileField, string[]>
  const cols = mapColumns(d.header, aliases)
  const missing = missingColumns(cols, PROFILE_FIELDS.filter(f => profile.columns[f] !== undefined))
  const parseTime = compileTimeFormat(profile.timeFormat, profile.timeZone)
  const parseDate = compileDateFormat(profile.dateFormat)
  const step = profile.amountStepCents
  const offGrid = step ? [`amount_not_multiple_of_${step}_cents`] : NO_FLAGS
  const r = new FieldReader(d.header)
  const written = { rows: 0, gross: 0, fee: 0, net: 0 }
  let trailer: { line: number, fields: string[] } | null = null

  function readTime (index: number): Date | null {
    const v = r.text(index)
    if (v === '') return null
    try { return parseTime(v) } catch (err) { if (err instanceof TimeFormatError) { r.fail(err.message, index); return null } throw err }
  }
  function readDate (index: number): string | null {
    const v = r.text(index)
    if (v === '') return null
    try { return parseDate(v) } catch (err) { if (err instanceof TimeFormatError) { r.fail(err.message, index); return null } throw err }
  }

  function row (raw: string[], line: number): RowResult {
    const fields = stripPrefixes(raw, profile.valuePrefixes)
    if (emptyRow(fields)) return { kind: 'skip' }
    if (trailer) return { kind: 'issues', issues: [{ line, message: `data after the ${profile.trailer?.marker} trailer row (line ${trailer.line})` }] }
    if (profile.trailer && clean(fields[0]).toUpperCase() === profile.trailer.marker.toUpperCase()) {
      trailer = { line, fields }
      return { kind: 'skip' }
    }
    if (missing.length) return { kind: 'issues', issues: [{ line, message: `missing column(s): ${missing.map(m => profile.columns[m]).join(', ')}` }] }
    written.rows++
    if (fields.length !== d.header.length) return { kind: 'issues', issues: [{ line, message: `row has ${fields.length} fields, the header has ${d.header.length}` }] }
    r.reset(fields, line)
    const typeText = r.text(cols.type)
    const type: PaymentType | undefined = profile.types[typeText.toUpperCase()]
    if (!type) r.fail(`unknown transaction type "${typeText}" (profile ${profile.id} knows ${Object.keys(profile.types).join(', ')})`, cols.type)
    const gross = r.money(cols.gross)
    const fee = cols.fee >= 0 ? r.money(cols.fee, false) ?? 0 : 0
    const net = cols.net >= 0 ? r.money(cols.net, false) : null
    const paidAt = readTime(cols.paidAt)
    const settlementDate = readDate(cols.settlementDate)
    if (!paidAt && !settlementDate) r.fail('neither a transaction time nor a settlement date')
    const card = r.text(cols.cardMasked)
    if (card && UNMASKED_CARD.test(card)) r.fail('the card or buyer number is not masked; reports must carry masked numbers only (****1234)', cols.cardMasked)
    const currency = cols.currency >= 0 ? r.text(cols.currency).toUpperCase() : profile.currency
    if (!/^[A-Z]{3}$/.test(currency)) r.fail(`"${currency}" is not a currency code`, cols.currency)
    if (gross !== null) { written.gross += gross; written.fee += fee; if (net !== null) written.net += net }
    if (r.issues.length || gross === null || !type) return { kind: 'issues', issues: r.issues }
    const signed = signAmounts(direction(profile, type, gross, net), gross, fee, net, true)
    if (typeof signed === 'string') return { kind: 'issues', issues: [{ line, message: signed }] }
    const record: PaymentRecord = {
      provider,
      lineNo: line,
      providerTxnId: orNull(r.text(cols.providerTxnId)),
      merchantRef: orNull(r.text(cols.merchantRef)),
      originalRef: orNull(r.text(cols.originalRef)),
      originalProviderTxnId: orNull(r.text(cols.originalProviderTxnId)),
      type,
      ...signed,
      currency,
      paidAt,
      settlementDate,
      batchId: orNull(r.text(cols.batchId)),
      storeId: orNull(r.text(cols.storeId)),
      deviceId: orNull(r.text(cols.deviceId)),
      account: orNull(r.text(cols.account)),
      cardMasked: orNull(card),
      status: orNull(r.text(cols.status)),
      remarks: orNull(r.text(cols.remarks)),
      flags: step && signed.gross % step !== 0 ? offGrid : NO_FLAGS
    }
    return { kind: 'record', record }
  }

  return {
    row,
    finish: () => checkTrailer(profile, trailer, written, cols),
    controls: () => ({ profile: profile.id, rows: written.rows, trailer: trailer ? { line: trailer.line } : null })
  }
}

/** The row's direction under the profile's sign rule. */
function direction (profile: MappingProfile, type: PaymentType, grossIn: number, netIn: number | null): 1 | -1 {
  if (profile.sign === 'number') return grossIn < 0 ? -1 : 1
  if (type === 'payment') return 1
  // an adjustment or fee can go either way: the signed net (or amount) says which
  if (type === 'adjustment' || type === 'fee') return (netIn !== null && netIn !== 0 ? netIn : grossIn) < 0 ? -1 : 1
  return -1
}

function checkTrailer (profile: MappingProfile, trailer: { line: number, fields: string[] } | null, written: { rows: number, gross: number, fee: number, net: number }, cols: Record<ProfileField, number>) {
  const t = profile.trailer
  if (!t) return []
  if (!trailer) return [{ line: 0, message: `the ${t.marker} trailer row is missing: the file may be truncated` }]
  const issues: Array<{ line: number, message: string }> = []
  const at = (i: number): string => clean(trailer.fields[i])
  if (at(t.countColumn) !== String(written.rows)) issues.push({ line: trailer.line, message: `${t.marker} says ${at(t.countColumn) || '(empty)'} records but the file has ${written.rows}` })
  for (const f of t.sums) {
    const text = at(cols[f])
    let declared: number
    try { declared = parseMinor(text) } catch (err) {
      if (err instanceof MoneyFormatError) { issues.push({ line: trailer.line, message: `${t.marker} ${f} sum: ${err.message}` }); continue }
      throw err
    }
    if (declared !== written[f]) issues.push({ line: trailer.line, message: `${t.marker} ${f} sum is ${formatMinor(declared)} but the rows add up to ${formatMinor(written[f])}` })
  }
  return issues
}
