// The store of a provider record no sale claims. A matched record's store is its sale's; for the rest,
// the data names the shop in one of three ways — the account it was booked under (a partner id per
// shop, a sub-merchant), the reader or terminal, the provider's own store code — and each is looked up
// first in what the configuration maps (stores.<id>.aliases.<provider>), then in what the day's matched
// records of the same provider say: when every one booked under that key was one store's, the record is
// that store's too, marked inferred with the evidence. A record nothing attributes stays unassigned.
import type { Matching } from './match.ts'
import type { ReconPayment, ReconSettings } from './types.ts'

export interface StoreOf { storeId: string, inferred: boolean, evidence: string | null }

const KEYS = [['account', 'account'], ['deviceId', 'device'], ['storeId', 'store code']] as const

/** Of one provider: account, device or store code → its value → the stores of its matched records, with counts. */
type Learnt = Map<string, Map<string, Map<string, number>>>

export class StoreAttribution {
  readonly #learnt = new Map<string, Learnt>()
  readonly #aliases: NonNullable<ReconSettings['storeAliases']>
  readonly #stores: ReadonlySet<string>
  readonly #m: Matching
  readonly #payments: readonly ReconPayment[]

  constructor (m: Matching, payments: readonly ReconPayment[], settings: ReconSettings, stores: ReadonlySet<string>) {
    this.#aliases = settings.storeAliases ?? {}
    this.#stores = stores
    this.#m = m
    this.#payments = payments
  }

  /**
   * What the day's matched records of one provider say, built the first time a record of that provider
   * needs it (most days: never; a chain day asks of 5 providers, not of the 300k Octopus records); no
   * key string per record.
   */
  #learn (provider: string): Learnt {
    let learnt = this.#learnt.get(provider)
    if (learnt) return learnt
    learnt = new Map()
    this.#learnt.set(provider, learnt)
    for (const p of this.#payments) {
      if (p.provider !== provider) continue
      const t = this.#m.byPayment.get(p)
      if (!t) continue
      for (const [field, what] of KEYS) {
        const v = p[field]
        if (!v) continue
        let byValue = learnt.get(what)
        if (!byValue) { byValue = new Map(); learnt.set(what, byValue) }
        let counts = byValue.get(v)
        if (!counts) { counts = new Map(); byValue.set(v, counts) }
        counts.set(t.sale.storeId, (counts.get(t.sale.storeId) ?? 0) + 1)
      }
    }
    return learnt
  }

  /** The store an unmatched record belongs to, if anything in the data says. */
  of (p: ReconPayment): StoreOf | null {
    if (p.storeId && this.#stores.has(p.storeId)) return { storeId: p.storeId, inferred: false, evidence: null }
    for (const [field, what] of KEYS) {
      const v = p[field]
      const configured = v ? this.#aliases[p.provider]?.[v] : undefined
      if (configured) return { storeId: configured, inferred: false, evidence: `${what} ${v} is ${configured}'s in the configuration` }
    }
    for (const [field, what] of KEYS) {
      const v = p[field]
      const counts = v ? this.#learn(p.provider).get(what)?.get(v) : undefined
      if (counts?.size === 1) {
        const [[store, n]] = counts
        return { storeId: store, inferred: true, evidence: `${n} matched ${p.provider} record${n > 1 ? 's' : ''} of ${what} ${v} ${n > 1 ? 'were' : 'was'} ${store}'s` }
      }
    }
    return p.storeId ? { storeId: p.storeId, inferred: false, evidence: null } : null
  }
}

