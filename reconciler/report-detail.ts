// The report's two long lists: a line per matched tender, and per store the ids of the movements its
// paid sales verified. A chain day has 700k of one and 1.7M of the other. They are kept here as the
// places of the sales they come from and produced in the report's order when asked for, so that a
// writer can stream them: built, sorted and held whole, they were some 200 MB of objects and strings
// and a comparator sort of 700k matches. reconcile() lists them in the report from here too.
import type { Matching, TenderRef } from './match.ts'
import { forEachMovement, type MovementsOf } from './stock.ts'
import type { ReconMatch } from './types.ts'

/** The report's line for a paired tender. */
function matchOf (t: TenderRef): ReconMatch {
  const pairing = t.pairing!
  const match: ReconMatch = { sale_id: t.sale.saleId, store_id: t.sale.storeId, tender: t.tender.tenderNo - 1, provider: t.provider, provider_txn_id: pairing.payment.providerTxnId, payment_id: pairing.payment.id, by: pairing.by }
  if (pairing.score !== undefined) match.score = pairing.score
  if (pairing.review) match.review = pairing.review
  return match
}

const byText = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0

export class ReportDetail {
  readonly #m: Matching
  readonly #movements: MovementsOf
  /** Places of the day's sales with a paired tender, in canonical (key) order. */
  readonly #matched: number[] = []
  /** Per store, places of its verified sales in canonical order, and how many movement ids they name. */
  readonly #verified = new Map<string, { sales: number[], ids: number }>()
  #matchCount = 0

  constructor (m: Matching, movements: MovementsOf) {
    this.#m = m
    this.#movements = movements
  }

  /** Notes sale i of the day (the report's loop, in canonical order): its paired tenders, and whether its stock is verified. */
  add (i: number, paired: number, verified: boolean, movementIds: number): void {
    const storeId = this.#m.sales[i].storeId
    if (paired > 0) { this.#matched.push(i); this.#matchCount += paired }
    if (!verified) return
    let v = this.#verified.get(storeId)
    if (!v) this.#verified.set(storeId, v = { sales: [], ids: 0 })
    v.sales.push(i)
    v.ids += movementIds
  }

  get matchCount (): number { return this.#matchCount }

  /** The same lists for some stores only (a store manager's report). */
  forStores (storeIds: readonly string[]): ReportDetail {
    const keep = new Set(storeIds)
    const out = new ReportDetail(this.#m, this.#movements)
    for (const i of this.#matched) if (keep.has(this.#m.sales[i].storeId)) { out.#matched.push(i); out.#matchCount += this.#pairedOf(i).length }
    for (const [store, v] of this.#verified) if (keep.has(store)) out.#verified.set(store, v)
    return out
  }

  /**
   * The matches by store, sale id and tender; where those tie (two vendors' sales of one id), in
   * canonical order. Sales of one vendor are in sale id order within a store already (their keys share
   * the vendor's prefix): only a store with several vendors' sales is sorted.
   */
  * matches (): Generator<ReconMatch> {
    const sales = this.#m.sales
    const byStore = new Map<string, number[]>()
    for (const i of this.#matched) {
      const list = byStore.get(sales[i].storeId)
      if (list) list.push(i); else byStore.set(sales[i].storeId, [i])
    }
    for (const store of [...byStore.keys()].sort(byText)) {
      const places = byStore.get(store)!
      if (!inSaleIdOrder(places, this.#m)) places.sort((a, b) => byText(sales[a].saleId, sales[b].saleId)) // stable: canonical order within an id
      for (let k = 0; k < places.length;) {
        let end = k + 1
        while (end < places.length && sales[places[end]].saleId === sales[places[k]].saleId) end++
        const tenders = end === k + 1 ? this.#pairedOf(places[k]) : places.slice(k, end).flatMap(i => this.#pairedOf(i))
        if (tenders.length > 1) tenders.sort((a, b) => a.tender.tenderNo - b.tender.tenderNo)
        for (const t of tenders) yield matchOf(t)
        k = end
      }
    }
  }

  /** The stores with verified sales, in the order an object keeps them as keys (integer-like ids first), as the report lists them. */
  verifiedStores (): string[] {
    return Object.keys(Object.fromEntries([...this.#verified.keys()].sort(byText).map(s => [s, true])))
  }

  /** How many movement ids a store's verified sales name. */
  verifiedCount (storeId: string): number { return this.#verified.get(storeId)?.ids ?? 0 }

  /** A store's verified movement ids, in canonical sale and line order. */
  * verifiedIds (storeId: string): Generator<string> {
    const ids: string[] = []
    for (const i of this.#verified.get(storeId)?.sales ?? []) {
      const sale = this.#m.sales[i]
      forEachMovement(this.#movements(sale), sale, id => { ids.push(id) })
      yield * ids
      ids.length = 0
    }
  }

  /** The verified movement ids as the report holds them. */
  verifiedLists (): Record<string, string[]> {
    return Object.fromEntries(this.verifiedStores().map(s => [s, [...this.verifiedIds(s)]]))
  }

  /** The lists as the report holds them. */
  lists (): { matches: ReconMatch[], verified_movements: Record<string, string[]> } {
    return { matches: [...this.matches()], verified_movements: this.verifiedLists() }
  }

  #pairedOf (i: number): TenderRef[] {
    const m = this.#m
    const out: TenderRef[] = []
    for (let j = m.firstTender[i]; j < m.firstTender[i + 1]; j++) if (m.tenders[j].pairing) out.push(m.tenders[j])
    return out
  }
}

function inSaleIdOrder (places: readonly number[], m: Matching): boolean {
  for (let k = 1; k < places.length; k++) if (m.sales[places[k - 1]].saleId > m.sales[places[k]].saleId) return false
  return true
}
