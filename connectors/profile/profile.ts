// Mapping profiles: a settlement layout described as data. Octopus Cards Ltd does not publish its
// report layout, every acquirer's report differs, and wallets (KPay, PayMe, a bank's FPS collection
// file) publish none at all, so a report is described by a JSON profile — which header identifies it,
// column → canonical field, time and date formats and zone, how to read the sign, values' decorations
// to strip, the trailer with its control totals — and read with no code (contract.md §2).
import type { PaymentType } from '../contract.ts'
import { LEGACY_ENCODINGS, type TextEncodingName } from '../_shared/text.ts'

export const PROFILE_FIELDS = ['settlementDate', 'batchId', 'deviceId', 'storeId', 'account', 'paidAt', 'cardMasked', 'type', 'gross', 'fee', 'net', 'currency', 'merchantRef', 'providerTxnId', 'originalRef', 'originalProviderTxnId', 'status', 'remarks'] as const
export type ProfileField = typeof PROFILE_FIELDS[number]
const PAYMENT_TYPES: readonly PaymentType[] = ['payment', 'refund', 'cancel', 'reversal', 'add_value', 'fee', 'adjustment']

export interface MappingProfile {
  id: string
  /** The provider whose files this profile reads (given by where the profile is registered, else here). */
  provider?: string
  description?: string
  /** Header names that must all be present for the profile to claim a file. */
  headerMatch: string[]
  columns: Partial<Record<ProfileField, string>>
  /** Token format such as 'yyyy-MM-dd HH:mm:ss' or 'dd/MM/yyyy HH:mm', or 'auto' (ISO and the usual forms). */
  timeFormat: string
  dateFormat: string
  /** The zone of times written without an offset (default Asia/Hong_Kong). */
  timeZone: string
  /** Provider type text (any case) → canonical type. */
  types: Record<string, PaymentType>
  /** 'type': amounts are unsigned and the type gives the direction; 'number': amounts are signed as written. */
  sign: 'type' | 'number'
  delimiter?: string
  /** Legacy encodings to try when the file is not UTF-8 (default: Big5-HKSCS, then GBK). */
  encodings?: TextEncodingName[]
  /** Taken off the front of every value (WeChat Pay's bills prefix each value with a backtick). */
  valuePrefixes: string[]
  /** The currency of every row when there is no currency column (default HKD). */
  currency: string
  /** Amounts come in steps of this many cents (Octopus: 10); a row off the grid is kept and flagged. */
  amountStepCents: number | null
  /** A trailer row: its first field equals `marker`; the count sits at `countColumn`; sums under their own columns. */
  trailer: { marker: string, countColumn: number, sums: Array<'gross' | 'fee' | 'net'> } | null
}

export class ProfileError extends Error {
  readonly problems: string[]
  constructor (id: string, problems: string[]) {
    super(`mapping profile ${id}: ${problems.join('; ')}`)
    this.name = 'ProfileError'
    this.problems = problems
  }
}

const KNOWN_KEYS = new Set(['id', 'provider', 'description', 'headerMatch', 'columns', 'timeFormat', 'dateFormat', 'timeZone', 'types', 'sign', 'delimiter', 'encodings', 'valuePrefixes', 'currency', 'amountStepCents', 'trailer'])

function validZone (zone: string): boolean {
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true } catch { return false }
}

function checkShape (p: Record<string, unknown>, problems: string[]): void {
  for (const k of Object.keys(p)) if (!KNOWN_KEYS.has(k)) problems.push(`unknown key "${k}"`)
  if (p.provider !== undefined && (typeof p.provider !== 'string' || !/^[a-z0-9-]+$/.test(p.provider))) problems.push('"provider" must be a provider id (lower-case letters, digits, dashes)')
  if (!Array.isArray(p.headerMatch) || p.headerMatch.length === 0 || !p.headerMatch.every(h => typeof h === 'string')) problems.push('"headerMatch" must list at least one header name')
  const columns = (p.columns ?? {}) as Record<string, unknown>
  for (const [k, v] of Object.entries(columns)) {
    if (!(PROFILE_FIELDS as readonly string[]).includes(k)) problems.push(`unknown column field "${k}" (known: ${PROFILE_FIELDS.join(', ')})`)
    else if (typeof v !== 'string' || v === '') problems.push(`column "${k}" must name a header`)
  }
  for (const need of ['type', 'gross'] as const) if (!columns[need]) problems.push(`column "${need}" is required`)
  if (!columns.paidAt && !columns.settlementDate) problems.push('one of the columns "paidAt" or "settlementDate" is required')
  const types = (p.types ?? {}) as Record<string, unknown>
  if (Object.keys(types).length === 0) problems.push('"types" must map at least one provider type')
  for (const [k, v] of Object.entries(types)) if (!PAYMENT_TYPES.includes(v as PaymentType)) problems.push(`type "${k}" maps to "${String(v)}", not one of ${PAYMENT_TYPES.join(', ')}`)
  if (p.sign !== 'type' && p.sign !== 'number') problems.push('"sign" must be "type" or "number"')
  for (const key of ['timeFormat', 'dateFormat'] as const) {
    const f = p[key] ?? 'auto'
    if (typeof f !== 'string' || (f !== 'auto' && !/yyyy/.test(f))) problems.push(`"${key}" must be "auto" or a format with yyyy, MM, dd, HH, mm, ss`)
  }
  if (p.timeZone !== undefined && (typeof p.timeZone !== 'string' || !validZone(p.timeZone))) problems.push('"timeZone" must be an IANA zone such as Asia/Hong_Kong or UTC')
  if (p.timeZone !== undefined && p.timeZone !== 'Asia/Hong_Kong' && (p.timeFormat ?? 'auto') === 'auto') problems.push('a "timeZone" other than Asia/Hong_Kong needs an explicit "timeFormat"')
  if (p.encodings !== undefined && (!Array.isArray(p.encodings) || !p.encodings.every(e => LEGACY_ENCODINGS.includes(e)))) problems.push(`"encodings" may only list ${LEGACY_ENCODINGS.join(', ')}`)
  if (p.delimiter !== undefined && (typeof p.delimiter !== 'string' || p.delimiter.length !== 1)) problems.push('"delimiter" must be one character')
  if (p.valuePrefixes !== undefined && (!Array.isArray(p.valuePrefixes) || !p.valuePrefixes.every(v => typeof v === 'string' && v.length > 0))) problems.push('"valuePrefixes" must list non-empty strings')
  if (p.currency !== undefined && (typeof p.currency !== 'string' || !/^[A-Z]{3}$/.test(p.currency))) problems.push('"currency" must be an ISO 4217 code such as HKD')
  if (p.amountStepCents !== undefined && p.amountStepCents !== null && !(Number.isInteger(p.amountStepCents) && (p.amountStepCents as number) > 1)) problems.push('"amountStepCents" must be a whole number of cents above 1')
  const t = p.trailer as MappingProfile['trailer'] | undefined
  if (t !== undefined && t !== null) {
    if (typeof t.marker !== 'string' || !Number.isInteger(t.countColumn) || !Array.isArray(t.sums)) problems.push('"trailer" needs "marker", "countColumn" and "sums"')
    else if (!t.sums.every(s => s === 'gross' || s === 'fee' || s === 'net')) problems.push('"trailer.sums" may only list gross, fee, net')
  }
}

/** Validates a profile read from JSON, listing every problem. */
export function parseProfile (raw: unknown): MappingProfile {
  const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const problems: string[] = []
  const id = typeof p.id === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/i.test(p.id) ? p.id : '(no id)'
  if (id === '(no id)') problems.push('"id" must be a short name of letters, digits, ".", "_" or "-"')
  checkShape(p, problems)
  if (problems.length) throw new ProfileError(id, problems)
  return {
    id,
    provider: p.provider as string | undefined,
    description: typeof p.description === 'string' ? p.description : undefined,
    headerMatch: p.headerMatch as string[],
    columns: p.columns as MappingProfile['columns'],
    timeFormat: (p.timeFormat as string | undefined) ?? 'auto',
    dateFormat: (p.dateFormat as string | undefined) ?? 'auto',
    timeZone: (p.timeZone as string | undefined) ?? 'Asia/Hong_Kong',
    types: Object.fromEntries(Object.entries(p.types as Record<string, PaymentType>).map(([k, v]) => [k.trim().toUpperCase(), v])),
    sign: p.sign as 'type' | 'number',
    delimiter: p.delimiter as string | undefined,
    encodings: p.encodings as TextEncodingName[] | undefined,
    valuePrefixes: (p.valuePrefixes as string[] | undefined) ?? [],
    currency: (p.currency as string | undefined) ?? 'HKD',
    amountStepCents: (p.amountStepCents as number | null | undefined) ?? null,
    trailer: (p.trailer as MappingProfile['trailer'] | undefined) ?? null
  }
}
