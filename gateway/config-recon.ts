// Reconciliation settings, read with the rest of the configuration (config.ts). What a provider is and
// how it is matched comes from its descriptor (connectors/contract.ts); the configuration may only
// narrow the numbers: fee bands (chain-wide and per store) and settlement cycles, keyed by provider
// id. A key that names no registered provider stops the start with its path.
import { SHARED_TENDER_METHODS, type ProviderDescriptor } from '../connectors/contract.ts'
import { isFileDue } from '../connectors/registry.ts'
import { HK_HOLIDAYS_DEFAULT } from '../reconciler/calendar.ts'
import type { FeeBand, ProviderRules, ReconSettings } from '../reconciler/types.ts'
import { ConfigError } from './config-error.ts'

/** Reconciliation settings; the run's `asOf` is added per run. */
export type ReconConfig = Omit<ReconSettings, 'asOf'>

export interface FileReconciliation {
  windowMinutes?: number
  roundingCents?: number
  reviewBelow?: number
  feeBands?: Record<string, FeeBand>
  settlementDays?: Record<string, number>
  payoutDays?: Record<string, number>
  fileDue?: Record<string, { days: number, at: string }>
  holidays?: string[]
  replaceHolidays?: boolean
  devices?: Record<string, string>
  tenderProviders?: Record<string, string[]>
}

function rules (d: ProviderDescriptor): ProviderRules {
  return { tenderMethods: d.tenderMethods, matchScope: d.matchScope, devicesUploadLate: d.devicesUploadLate, cashRounding: d.cashRounding }
}

/** The settings with every provider's own defaults and nothing configured. */
export function defaultRecon (providers: Iterable<ProviderDescriptor>): ReconConfig {
  const list = [...providers]
  return {
    providers: Object.fromEntries(list.map(d => [d.id, rules(d)])),
    windowMinutes: 10,
    roundingCents: 5,
    // a pairing whose rival is about as likely scores ≤ 0.5: a person decides it
    reviewBelow: 0.6,
    // fees are read from the files, never computed; the bands only flag drift
    feeBands: Object.fromEntries(list.map(d => [d.id, d.feeBand])),
    settlementDays: Object.fromEntries(list.map(d => [d.id, d.settlementDays])),
    holidays: new Set(HK_HOLIDAYS_DEFAULT),
    payouts: payoutRules(list, {}, {}),
    bankReceipts: Object.fromEntries(list.filter(d => d.bankReceipts?.length).map(d => [d.id, d.bankReceipts!])),
    fileDue: Object.fromEntries(list.filter(d => d.fileDue).map(d => [d.id, d.fileDue!]))
  }
}

/** Each paying-out provider's cycle to the bank: its descriptor's, with the configured days. */
function payoutRules (list: readonly ProviderDescriptor[], settlementDays: Record<string, number>, payoutDays: Record<string, number>): NonNullable<ReconConfig['payouts']> {
  return Object.fromEntries(list.filter(d => d.payout).map(d => [d.id, {
    settlementDays: settlementDays[d.id] ?? d.settlementDays,
    payoutDays: payoutDays[d.id] ?? d.payout!.days,
    bankNames: d.payout!.bankNames
  }]))
}

function band (b: FeeBand, what: string): FeeBand {
  if (!(typeof b?.min === 'number' && typeof b.max === 'number' && b.min >= 0 && b.min <= b.max && b.max < 1)) throw new ConfigError(`${what}: a fee band is { "min": rate, "max": rate } with 0 ≤ min ≤ max < 1`)
  return b
}

/** `values` keyed by provider id, each checked; an unknown provider is refused with its path. */
function perProvider<T> (values: Record<string, T> | undefined, known: ReadonlyMap<string, ProviderDescriptor>, path: string, check: (v: T, where: string) => T): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [id, v] of Object.entries(values ?? {})) {
    if (!known.has(id)) throw new ConfigError(`${path}.${id}: no provider "${id}" is registered (known: ${[...known.keys()].join(', ')})`)
    out[id] = check(v, `${path}.${id}`)
  }
  return out
}

function whole (v: number | undefined, lo: number, hi: number, what: string): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= lo && v <= hi)) throw new ConfigError(`${what} must be a whole number from ${lo} to ${hi}`)
}

const days = (n: number, where: string): number => { whole(n, 0, 30, where); return n }

export function reconConfig (r: FileReconciliation, stores: Record<string, { feeBands?: Record<string, FeeBand>, aliases?: Record<string, string | string[]> }>, providers: ReadonlyMap<string, ProviderDescriptor>): ReconConfig {
  const defaults = defaultRecon(providers.values())
  for (const d of r.holidays ?? []) if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new ConfigError(`reconciliation.holidays: "${d}" is not YYYY-MM-DD`)
  whole(r.windowMinutes, 1, 1440, 'reconciliation.windowMinutes')
  whole(r.roundingCents, 0, 50, 'reconciliation.roundingCents')
  if (r.reviewBelow !== undefined && !(r.reviewBelow >= 0 && r.reviewBelow <= 1)) throw new ConfigError('reconciliation.reviewBelow must be a confidence from 0 (take every pairing) to 1')
  // a stand-alone reader and the till it serves: { "9A1F02": "MK01:T1" }
  for (const [device, till] of Object.entries(r.devices ?? {})) if (!/^[^:]+:[^:]+$/.test(String(till))) throw new ConfigError(`reconciliation.devices.${device}: name the till as "STORE:TERMINAL"`)
  const storeFeeBands: NonNullable<ReconConfig['storeFeeBands']> = {}
  for (const [id, st] of Object.entries(stores)) {
    if (st.feeBands) storeFeeBands[id] = perProvider(st.feeBands, providers, `stores.${id}.feeBands`, band)
  }
  const settlementDays = { ...defaults.settlementDays, ...perProvider(r.settlementDays, providers, 'reconciliation.settlementDays', days) }
  return {
    providers: defaults.providers,
    windowMinutes: r.windowMinutes ?? defaults.windowMinutes,
    roundingCents: r.roundingCents ?? defaults.roundingCents,
    reviewBelow: r.reviewBelow ?? defaults.reviewBelow,
    feeBands: { ...defaults.feeBands, ...perProvider(r.feeBands, providers, 'reconciliation.feeBands', band) },
    storeFeeBands,
    settlementDays,
    bankReceipts: defaults.bankReceipts,
    fileDue: { ...defaults.fileDue, ...perProvider(r.fileDue, providers, 'reconciliation.fileDue', (v, where) => { if (!isFileDue(v)) throw new ConfigError(`${where} is { "days": 0–30, "at": "HH:MM" }`); return v }) },
    payouts: payoutRules([...providers.values()], settlementDays, perProvider(r.payoutDays, providers, 'reconciliation.payoutDays', days)),
    holidays: new Set([...(r.replaceHolidays ? [] : defaults.holidays), ...r.holidays ?? []]),
    devices: r.devices ?? {},
    storeAliases: storeAliases(stores, providers),
    tenderProviders: tenderProviders(r.tenderProviders ?? {}, providers)
  }
}

/** A provider's codes for each store (stores.<id>.aliases.<provider>): code → store. */
function storeAliases (stores: Record<string, { aliases?: Record<string, string | string[]> }>, providers: ReadonlyMap<string, ProviderDescriptor>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const [store, st] of Object.entries(stores)) {
    for (const [provider, codes] of Object.entries(st.aliases ?? {})) {
      if (!providers.has(provider)) continue // a POS vendor's alias
      for (const code of Array.isArray(codes) ? codes : [codes]) {
        const other = out[provider]?.[code]
        if (other && other !== store) throw new ConfigError(`stores.${store}.aliases.${provider}: "${code}" is ${other}'s already`)
        ;(out[provider] ??= {})[code] = store
      }
    }
  }
  return out
}

/** `{ card: ['adyen'] }`: a shared till method and the providers, each settling it, the chain uses. */
function tenderProviders (declared: Record<string, string[]>, providers: ReadonlyMap<string, ProviderDescriptor>): Record<string, string[]> {
  for (const [method, ids] of Object.entries(declared)) {
    const where = `reconciliation.tenderProviders.${method}`
    if (!SHARED_TENDER_METHODS.includes(method)) throw new ConfigError(`${where}: only a method several providers may settle (${SHARED_TENDER_METHODS.join(', ')}) is chosen here`)
    const settling = [...providers.values()].filter(d => d.tenderMethods.includes(method)).map(d => d.id)
    const wrong = ids.filter(id => !settling.includes(id))
    if (wrong.length) throw new ConfigError(`${where}: ${wrong.join(', ')} ${wrong.length > 1 ? 'do' : 'does'} not settle ${method} (those that do: ${settling.join(', ') || 'none'})`)
  }
  return declared
}

/** The providers that settle a tender method: none for cash, one usually, several for card or FPS. */
export function settlingProviders (providers: ReconConfig['providers'], method: string): string[] {
  return Object.entries(providers).filter(([, r]) => r.tenderMethods.includes(method)).map(([id]) => id)
}
