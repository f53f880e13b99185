// Tenders of a method several providers settle (card through Adyen or Stripe, FPS through one bank or
// another): which provider's records to look for each one in.
import type { Provider, ReconPayment, ReconTender } from './types.ts'

/**
 * Which of several providers settling one method (card: Adyen or Stripe) a tender belongs to: the one
 * whose records carry its reference or transaction id; else the one the store's other tenders were
 * found with; else the only one with records at all; else the first registered.
 */
export class SettlerChooser {
  // a reference one provider lists holds that provider, not a set of one (a chain day's card and FPS
  // records list some 200k references)
  readonly #byRef = new Map<string, Provider | Set<Provider>>()
  readonly #present = new Set<Provider>()
  readonly #storeHits = new Map<string, Map<Provider, number>>()
  constructor (payments: readonly ReconPayment[], claimants: ReadonlySet<Provider>) {
    const add = (k: string | null, p: Provider) => {
      if (!k) return
      const listed = this.#byRef.get(k)
      if (listed === undefined) this.#byRef.set(k, p)
      else if (typeof listed !== 'string') listed.add(p)
      else if (listed !== p) this.#byRef.set(k, new Set([listed, p]))
    }
    for (const p of payments) {
      if (!claimants.has(p.provider)) continue
      this.#present.add(p.provider)
      add(p.merchantRef, p.provider)
      add(p.providerTxnId, p.provider)
    }
  }

  #only (list: readonly Provider[], listed: Provider | ReadonlySet<Provider> | undefined): Provider | null {
    if (typeof listed === 'string') return list.includes(listed) ? listed : null
    const hit = listed ? list.filter(p => listed.has(p)) : []
    return hit.length === 1 ? hit[0] : null
  }

  /** By the tender's own reference; null when that does not decide. Tallies the store's evidence. */
  byReference (list: readonly Provider[], tender: ReconTender, storeId?: string): Provider | null {
    const found = (tender.reference ? this.#only(list, this.#byRef.get(tender.reference)) : null) ??
      (tender.providerTxnId ? this.#only(list, this.#byRef.get(tender.providerTxnId)) : null)
    if (found && storeId !== undefined) {
      const hits = this.#storeHits.get(storeId) ?? new Map<Provider, number>()
      hits.set(found, (hits.get(found) ?? 0) + 1)
      this.#storeHits.set(storeId, hits)
    }
    return found
  }

  byStore (list: readonly Provider[], storeId: string): Provider {
    const hits = [...(this.#storeHits.get(storeId) ?? new Map<Provider, number>())].filter(([p]) => list.includes(p)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    return hits[0]?.[0] ?? this.#only(list, this.#present) ?? list[0]
  }
}
