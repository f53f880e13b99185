// The connector registry: an explicit list (no autoloading), each id once. Settlement connectors bring
// their provider's descriptor, so the set of providers and of the tender methods they settle is read
// here, never written out elsewhere.
import { BASE_TENDER_METHODS, SHARED_TENDER_METHODS, type ProviderDescriptor } from './contract.ts'
import type { PosConnector } from './pos.ts'
import type { SettlementConnector } from './settlement.ts'

export type Connector = PosConnector | SettlementConnector

export interface Registry {
  pos: Map<string, PosConnector>
  settlement: Map<string, SettlementConnector>
  ids: string[]
  /** Every registered provider, by id. */
  providers: Map<string, ProviderDescriptor>
  /** The tender methods a till may send: the base ones and every provider's. */
  tenderMethods: ReadonlySet<string>
  /** Which provider settles a tender method (base methods: none; shared ones: see settlersOf). */
  providerOfMethod: ReadonlyMap<string, string>
  /** Every provider that settles a tender method, shared ones (card, fps) included. */
  settlersOf: ReadonlyMap<string, readonly string[]>
}

const ID = /^[a-z0-9-]+$/

function checkDescriptor (d: ProviderDescriptor, methods: Map<string, string>, settlers: Map<string, string[]>): void {
  if (!d.names?.en || !d.names['zh-HK']) throw new Error(`provider "${d.id}" needs display names in en and zh-HK`)
  if (!['merchant', 'store', 'device'].includes(d.matchScope)) throw new Error(`provider "${d.id}": matchScope must be merchant, store or device`)
  if (!(d.feeBand.min >= 0 && d.feeBand.min <= d.feeBand.max && d.feeBand.max < 1)) throw new Error(`provider "${d.id}": feeBand must have 0 ≤ min ≤ max < 1`)
  if (!(Number.isInteger(d.settlementDays) && d.settlementDays >= 0 && d.settlementDays <= 30)) throw new Error(`provider "${d.id}": settlementDays must be a whole number from 0 to 30`)
  if (d.tenderMethods.length === 0) throw new Error(`provider "${d.id}" settles no tender method`)
  for (const m of d.tenderMethods) {
    if (!ID.test(m)) throw new Error(`provider "${d.id}": tender method "${m}" must be lower-case letters, digits and dashes`)
    const list = settlers.get(m)
    if (list) list.push(d.id); else settlers.set(m, [d.id])
    if (SHARED_TENDER_METHODS.includes(m)) continue
    if (BASE_TENDER_METHODS.includes(m)) throw new Error(`provider "${d.id}": "${m}" is a till method no provider file settles`)
    const other = methods.get(m)
    if (other) throw new Error(`tender method "${m}" is settled by both "${other}" and "${d.id}"`)
    methods.set(m, d.id)
  }
}

export function createRegistry (connectors: readonly Connector[]): Registry {
  const pos = new Map<string, PosConnector>()
  const settlement = new Map<string, SettlementConnector>()
  const providers = new Map<string, ProviderDescriptor>()
  const providerOfMethod = new Map<string, string>()
  const settlersOf = new Map<string, string[]>()
  const seen = new Set<string>()
  for (const c of connectors) {
    if (!c.id || !ID.test(c.id)) throw new Error(`connector id "${c.id}" must be lower-case letters, digits and dashes`)
    if (seen.has(c.id)) throw new Error(`connector "${c.id}" is registered twice`)
    seen.add(c.id)
    if (c.kind === 'pos') { pos.set(c.id, c); continue }
    if (c.descriptor.id !== c.id) throw new Error(`connector "${c.id}" describes provider "${c.descriptor.id}"`)
    checkDescriptor(c.descriptor, providerOfMethod, settlersOf)
    settlement.set(c.id, c)
    providers.set(c.id, c.descriptor)
  }
  const tenderMethods = new Set([...BASE_TENDER_METHODS, ...providerOfMethod.keys()])
  return { pos, settlement, ids: [...seen], providers, tenderMethods, providerOfMethod, settlersOf }
}

const DESCRIPTOR_KEYS = new Set(['names', 'tenderMethods', 'matchScope', 'devicesUploadLate', 'cashRounding', 'feeBand', 'settlementDays', 'payout', 'bankReceipts', 'fileDue'])

/**
 * A provider described in configuration (JSON), for a provider no connector ships: its shape checked
 * here, its sense by the registry. Defaults: it settles the tender method of its own id, readers do
 * not upload late, no cash rounding, T+1.
 */
/** { days: 0–30, at: "HH:MM" }: when a provider's file of a trade day is due. */
export function isFileDue (v: unknown): v is { days: number, at: string } {
  const d = v as { days?: unknown, at?: unknown } | null
  return typeof d === 'object' && d !== null && Number.isInteger(d.days) && (d.days as number) >= 0 && (d.days as number) <= 30 &&
    typeof d.at === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(d.at) && Object.keys(d).length === 2
}

export function parseDescriptor (id: string, raw: unknown): ProviderDescriptor {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const problems: string[] = []
  if (!ID.test(id)) problems.push('the provider id must be lower-case letters, digits and dashes')
  for (const k of Object.keys(r)) if (!DESCRIPTOR_KEYS.has(k)) problems.push(`unknown key "${k}"`)
  const names = r.names as Record<string, unknown> | undefined
  if (typeof names?.en !== 'string' || typeof names['zh-HK'] !== 'string') problems.push('"names" needs "en" and "zh-HK"')
  if (r.tenderMethods !== undefined && !(Array.isArray(r.tenderMethods) && r.tenderMethods.every(m => typeof m === 'string'))) problems.push('"tenderMethods" must list method names')
  const band = r.feeBand as { min?: unknown, max?: unknown } | undefined
  if (typeof band?.min !== 'number' || typeof band.max !== 'number') problems.push('"feeBand" needs numeric "min" and "max" rates')
  for (const k of ['devicesUploadLate', 'cashRounding'] as const) if (r[k] !== undefined && typeof r[k] !== 'boolean') problems.push(`"${k}" must be true or false`)
  const payout = r.payout as { days?: unknown, bankNames?: unknown } | undefined
  if (payout !== undefined && !(Number.isInteger(payout?.days) && (payout.days as number) >= 0 && (payout.days as number) <= 30 &&
    Array.isArray(payout.bankNames) && payout.bankNames.every(n => typeof n === 'string' && n.trim().length >= 3) && Object.keys(payout).length === 2)) {
    problems.push('"payout" is { "days": 0–30 business days to the bank, "bankNames": [words of 3 or more characters its credits carry] }')
  }
  if (r.bankReceipts !== undefined && !(Array.isArray(r.bankReceipts) && r.bankReceipts.every(n => typeof n === 'string' && n.trim().length >= 3))) problems.push('"bankReceipts" lists words of 3 or more characters its payments carry in the bank\'s text')
  if (r.fileDue !== undefined && !isFileDue(r.fileDue)) problems.push('"fileDue" is { "days": 0–30 business days after the trade day, "at": "HH:MM" (HKT) }')
  if (problems.length) throw new Error(`provider ${id}: ${problems.join('; ')}`)
  return {
    id,
    names: { en: names!.en as string, 'zh-HK': names!['zh-HK'] as string },
    tenderMethods: (r.tenderMethods as string[] | undefined) ?? [id],
    matchScope: (r.matchScope as ProviderDescriptor['matchScope'] | undefined) ?? 'store',
    devicesUploadLate: (r.devicesUploadLate as boolean | undefined) ?? false,
    cashRounding: (r.cashRounding as boolean | undefined) ?? false,
    feeBand: { min: band!.min as number, max: band!.max as number },
    settlementDays: (r.settlementDays as number | undefined) ?? 1,
    ...(r.payout !== undefined ? { payout: r.payout as NonNullable<ProviderDescriptor['payout']> } : {}),
    ...(r.bankReceipts !== undefined ? { bankReceipts: r.bankReceipts as string[] } : {}),
    ...(r.fileDue !== undefined ? { fileDue: r.fileDue as NonNullable<ProviderDescriptor['fileDue']> } : {})
  }
}
