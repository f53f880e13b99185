// A day's sale lines, stock movements and unreferenced tenders repeat: a chain's million sales sell a few
// thousand SKUs, one to three at a time, so its 1.7M lines (and as many movements) are some 20,000
// distinct ones, and its cash and reader tenders without a reference (two in five) differ only in
// amount. The offline run keeps one object for each distinct one, and one list for each sale of a single
// line or such tender, shared by every sale that has it: the reconciler only reads them
// (reconciler/properties.test.ts runs it on frozen ones). On a chain day the lines and movements alone
// are 250–290 MB less at the peak. Not frozen here: frozen objects and lists beside the unfrozen lists of several lines made the
// matching's reads slower.
import type { ReconLine, ReconMovement, ReconTender } from '../../reconciler/types.ts'

interface Shared<T> { item: T, alone: readonly T[] | null }

/** The same number, -0 told apart from 0 (as Object.is, without its call per comparison). */
const same = (a: number, b: number): boolean => a === b && (a !== 0 || 1 / a === 1 / b)

/** `[item]`, shared by every list of that one item. */
function aloneOf<T> (e: Shared<T>): T[] {
  return (e.alone ??= [e.item]) as T[]
}

export class SharedLines {
  // by SKU: a SKU has a few distinct lines (its line numbers and quantities), scanned in turn
  readonly #bySku = new Map<string, Array<Shared<ReconLine>>>()

  /** A sale's lines: the shared objects, in a list of their own (or the shared list of a single line). */
  list (lines: ReadonlyArray<{ lineNo: number, sku: string, qty: number, restock: boolean }>): ReconLine[] {
    if (lines.length === 1) { const l = lines[0]; return aloneOf(this.#entry(l.lineNo, l.sku, l.qty, l.restock)) }
    const out = new Array<ReconLine>(lines.length)
    for (let i = 0; i < lines.length; i++) { const l = lines[i]; out[i] = this.#entry(l.lineNo, l.sku, l.qty, l.restock).item }
    return out
  }

  #entry (lineNo: number, sku: string, qty: number, restock: boolean): Shared<ReconLine> {
    let list = this.#bySku.get(sku)
    if (list === undefined) this.#bySku.set(sku, list = [])
    for (let i = 0; i < list.length; i++) {
      const l = list[i].item
      if (same(l.lineNo, lineNo) && same(l.qty, qty) && l.restock === restock) return list[i]
    }
    const e: Shared<ReconLine> = { item: { lineNo, sku, qty, restock }, alone: null }
    list.push(e)
    return e
  }
}

/** Movements by their SKU's index in the day's list of SKUs (movement-thread.ts). */
export class SharedMovements {
  readonly #bySku: Array<Array<Shared<ReconMovement>>> = []

  movement (lineNo: number, skuIndex: number, sku: string, qty: number): ReconMovement {
    return this.#entry(lineNo, skuIndex, sku, qty).item
  }

  /** The shared list of that one movement. */
  alone (lineNo: number, skuIndex: number, sku: string, qty: number): ReconMovement[] {
    return aloneOf(this.#entry(lineNo, skuIndex, sku, qty))
  }

  #entry (lineNo: number, skuIndex: number, sku: string, qty: number): Shared<ReconMovement> {
    const list = this.#bySku[skuIndex] ??= []
    for (let i = 0; i < list.length; i++) {
      const m = list[i].item
      if (same(m.lineNo, lineNo) && same(m.qty, qty)) return list[i]
    }
    const e: Shared<ReconMovement> = { item: { lineNo, sku, qty }, alone: null }
    list.push(e)
    return e
  }
}

/**
 * Tenders: one object per tender number, method and amount for those the till sent no reference, no
 * provider id and no card for (cash, a reader's tap); the others are each sale's own.
 */
export class SharedTenders {
  readonly #byAmount = new Map<number, Array<Shared<ReconTender>>>()

  /** A sale's tenders: the event's own list, which this takes over (its unreferenced tenders replaced by the shared ones). */
  list (tenders: ReconTender[]): ReconTender[] {
    if (tenders.length === 1) { const e = this.#entry(tenders[0]); return e ? aloneOf(e) : tenders }
    for (let i = 0; i < tenders.length; i++) tenders[i] = this.#entry(tenders[i])?.item ?? tenders[i]
    return tenders
  }

  #entry (t: ReconTender): Shared<ReconTender> | null {
    if (t.reference !== null || t.providerTxnId !== null || t.card != null) return null
    let list = this.#byAmount.get(t.amount)
    if (list === undefined) this.#byAmount.set(t.amount, list = [])
    for (let i = 0; i < list.length; i++) {
      const u = list[i].item
      if (u.tenderNo === t.tenderNo && u.method === t.method && same(u.amount, t.amount) && ('card' in u) === ('card' in t)) return list[i]
    }
    const e: Shared<ReconTender> = { item: t, alone: null }
    list.push(e)
    return e
  }
}
