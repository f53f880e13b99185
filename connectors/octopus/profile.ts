// Octopus mapping profiles. Octopus Cards Ltd does not publish its settlement report layout, and every
// acquirer's report differs, so a report is described by a JSON profile (column → canonical field,
// date formats, how to read the sign, the trailer) and read with no code change (contract.md §2).
import type { PaymentType } from '../contract.ts'
import { LEGACY_ENCODINGS, type TextEncodingName } from '../_shared/text.ts'

export const PROFILE_FIELDS = ['settlementDate', 'batchId', 'deviceId', 'storeId', 'paidAt', 'cardMasked', 'type', 'gross', 'fee', 'net', 'merchantRef', 'providerTxnId', 'originalRef', 'remarks'] as const
export type ProfileField = typeof PROFILE_FIELDS[number]
const PAYMENT_TYPES: readonly PaymentType[] = ['payment', 'refund', 'cancel', 'reversal', 'add_value', 'fee', 'adjustment']

export interface MappingProfile {
  id: string
  description?: string
  /** Header names that must all be present for the profile to claim a file. */
  headerMatch: string[]
  columns: Partial<Record<ProfileField, string>>
  /** Token format such as 'yyyy-MM-dd HH:mm:ss' or 'dd/MM/yyyy HH:mm', or 'auto'. Naive times are HKT. */
  timeFormat: string
  dateFormat: string
  /** Provider type text (any case) → canonical type. */
  types: Record<string, PaymentType>
  /** 'type': amounts are unsigned and the type gives the direction; 'number': amounts are signed as written. */
  sign: 'type' | 'number'
  delimiter?: string
  /** Legacy encodings to try when the file is not UTF-8 (default: Big5-HKSCS, then GBK). */
  encodings?: TextEncodingName[]
  /** A trailer row: its first field equals `marker`; the count sits at `countColumn`; sums under their own columns. */
  trailer?: { marker: string, countColumn: number, sums: Array<'gross' | 'fee' | 'net'> } | null
}

export class ProfileError extends Error {
  readonly problems: string[]
  constructor (id: string, problems: string[]) {
    super(`mapping profile ${id}: ${problems.join('; ')}`)
    this.name = 'ProfileError'
    this.problems = problems
  }
}

/** Validates a profile read from JSON, listing every problem. */
export function parseProfile (raw: unknown): MappingProfile {
  const p = raw as Partial<MappingProfile> & Record<string, unknown>
  const problems: string[] = []
  const id = typeof p?.id === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/i.test(p.id) ? p.id : '(no id)'
  if (id === '(no id)') problems.push('"id" must be a short name of letters, digits, ".", "_" or "-"')
  if (!Array.isArray(p?.headerMatch) || p.headerMatch.length === 0 || !p.headerMatch.every(h => typeof h === 'string')) problems.push('"headerMatch" must list at least one header name')
  const columns = (p?.columns ?? {}) as Record<string, unknown>
  for (const [k, v] of Object.entries(columns)) {
    if (!(PROFILE_FIELDS as readonly string[]).includes(k)) problems.push(`unknown column field "${k}" (known: ${PROFILE_FIELDS.join(', ')})`)
    else if (typeof v !== 'string' || v === '') problems.push(`column "${k}" must name a header`)
  }
  for (const need of ['type', 'gross'] as const) if (!columns[need]) problems.push(`column "${need}" is required`)
  if (!columns.paidAt && !columns.settlementDate) problems.push('one of the columns "paidAt" or "settlementDate" is required')
  const types = (p?.types ?? {}) as Record<string, unknown>
  if (Object.keys(types).length === 0) problems.push('"types" must map at least one provider type')
  for (const [k, v] of Object.entries(types)) if (!PAYMENT_TYPES.includes(v as PaymentType)) problems.push(`type "${k}" maps to "${String(v)}", not one of ${PAYMENT_TYPES.join(', ')}`)
  if (p?.sign !== 'type' && p?.sign !== 'number') problems.push('"sign" must be "type" or "number"')
  for (const key of ['timeFormat', 'dateFormat'] as const) {
    const f = p?.[key] ?? 'auto'
    if (typeof f !== 'string' || (f !== 'auto' && !/yyyy/.test(f))) problems.push(`"${key}" must be "auto" or a format with yyyy, MM, dd, HH, mm, ss`)
  }
  if (p?.encodings !== undefined && (!Array.isArray(p.encodings) || !p.encodings.every(e => LEGACY_ENCODINGS.includes(e)))) problems.push(`"encodings" may only list ${LEGACY_ENCODINGS.join(', ')}`)
  if (p?.delimiter !== undefined && (typeof p.delimiter !== 'string' || p.delimiter.length !== 1)) problems.push('"delimiter" must be one character')
  const t = p?.trailer
  if (t !== undefined && t !== null) {
    if (typeof t.marker !== 'string' || !Number.isInteger(t.countColumn) || !Array.isArray(t.sums)) problems.push('"trailer" needs "marker", "countColumn" and "sums"')
    else if (!t.sums.every(s => s === 'gross' || s === 'fee' || s === 'net')) problems.push('"trailer.sums" may only list gross, fee, net')
  }
  if (problems.length) throw new ProfileError(id, problems)
  return {
    id,
    description: typeof p.description === 'string' ? p.description : undefined,
    headerMatch: p.headerMatch as string[],
    columns: columns as MappingProfile['columns'],
    timeFormat: (p.timeFormat as string | undefined) ?? 'auto',
    dateFormat: (p.dateFormat as string | undefined) ?? 'auto',
    types: Object.fromEntries(Object.entries(types).map(([k, v]) => [k.trim().toUpperCase(), v as PaymentType])),
    sign: p.sign as 'type' | 'number',
    delimiter: p.delimiter,
    encodings: p.encodings,
    trailer: t ?? null
  }
}
