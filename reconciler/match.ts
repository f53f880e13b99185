// Pairing POS tenders with provider records.
//   pass 1, by reference: the tender's reference ↔ Partner_transaction_id / transactionRequestId /
//     Octopus reference no., or the provider id the till kept; refunds chained to their original
//     through original_partner_transaction_ID / originalTransactionId; cancels and reversals linked to
//     the payment they undo;
//   pass 2, by amount and time, for tenders and records that carry no reference (match-time.ts).
import type { ManualLink, MatchAlternative, Provider, ReconPayment, ReconSale, ReconSettings, ReconTender } from './types.ts'
import { directionOf, placeOf, type Direction } from './index-payments.ts'
import { SettlerChooser } from './settlers.ts'
import { placeOfKey } from './sale-order.ts'
import { SHARED_TENDER_METHODS } from '../connectors/contract.ts'

export interface TenderRef {
  sale: ReconSale, tender: ReconTender, provider: Provider, dir: Direction
  /** Its pairing, once it has one (read through Matching.byTender). */
  pairing: Pairing | undefined
}
export interface Pairing {
  payment: ReconPayment
  /** amount_date: a bank's own credit (an FPS receipt), the only one of its amount on the sale's day. */
  by: 'manual' | 'reference' | 'amount_time' | 'amount_date'
  /** amount_time: the pairing's confidence (confidence.ts). */
  score?: number
  /** proposed: too unsure to take without a person (its rivals are the alternatives); confirmed: a person said so. */
  review?: 'proposed' | 'confirmed'
  alternatives?: MatchAlternative[]
}

/** What names a tender across runs (a manual link's sale key and tender number): built when asked, not kept a million times. */
export const tenderKey = (t: TenderRef): string => `${t.sale.key}#${t.tender.tenderNo}`

const CLAIMED = 1
const LINKED_CANCEL = 2

export class Matching {
  /** The non-cash tenders of `sales`, sale by sale and in tender order within a sale. */
  readonly tenders: TenderRef[]
  /** In key order when built by reconcile (chainRefunds finds an original by halving). */
  readonly sales: readonly ReconSale[]
  /**
   * Where sale i's tenders start in `tenders` (they run to firstTender[i + 1]): positions, not a Map
   * keyed by sale, which cost 1.4 s over a chain day's million sales to fill and read.
   */
  readonly firstTender: Uint32Array
  /** Each tender's pairing, kept on the tender: a million lookups in a Map cost more than its field. */
  readonly byTender = {
    get: (t: TenderRef): Pairing | undefined => t.pairing,
    has: (t: TenderRef): boolean => t.pairing !== undefined,
    set: (t: TenderRef, p: Pairing): void => { t.pairing = p }
  }
  /** Each record's tender, by the record's place (index-payments.ts placeOf). */
  readonly #tenderOf: Array<TenderRef | undefined>
  /** Per record, by its place: CLAIMED, LINKED_CANCEL. */
  readonly #marks: Uint8Array
  /** The tender a record paid. */
  readonly byPayment = {
    get: (p: ReconPayment): TenderRef | undefined => this.#tenderOf[placeOf(p)],
    has: (p: ReconPayment): boolean => this.#tenderOf[placeOf(p)] !== undefined
  }

  /** A tender whose reference was paid more than once: the extra records. */
  readonly paidTwice = new Map<TenderRef, ReconPayment[]>()
  /** The cancel or reversal that undid a payment, by the payment's place. */
  readonly #undoneBy: Array<ReconPayment | undefined>
  /** A payment → the cancel or reversal that undid it. Kept by place: a key per record's id cost a hash of 700k ids. */
  readonly cancelled = {
    get: (p: ReconPayment): ReconPayment | undefined => this.#undoneBy[placeOf(p)],
    has: (p: ReconPayment): boolean => this.#undoneBy[placeOf(p)] !== undefined,
    set: (p: ReconPayment, undo: ReconPayment): void => { this.#undoneBy[placeOf(p)] = undo }
  }
  /** A cancel or reversal naming a tender's reference when no payment for it is listed. */
  readonly reversedTender = new Map<TenderRef, ReconPayment>()
  /** Cancels and reversals linked to what they undo. */
  readonly linkedCancels = this.#markSet(LINKED_CANCEL)
  /** Records set aside: the extra payments of a tender paid twice. */
  readonly claimed = this.#markSet(CLAIMED)

  /** The providers that settle each tender method. */
  readonly settlers: ReadonlyMap<string, readonly Provider[]>

  /** `places`: how many records the run's preparePayments numbered (`all.length`); `payments` may be fewer (the live ones). */
  constructor (sales: readonly ReconSale[], providers: ReconSettings['providers'], payments: readonly ReconPayment[] = [], declared: ReconSettings['tenderProviders'] = {}, places = payments.length) {
    this.#tenderOf = new Array<TenderRef | undefined>(places).fill(undefined)
    this.#marks = new Uint8Array(places)
    this.#undoneBy = new Array<ReconPayment | undefined>(places).fill(undefined)
    this.tenders = []
    this.sales = sales
    this.firstTender = new Uint32Array(sales.length + 1)
    this.settlers = settlersOf(providers, payments, declared)
    const settlers = this.settlers
    const shared = [...settlers.values()].filter(l => l.length > 1)
    const chooser = shared.length ? new SettlerChooser(payments, new Set(shared.flat())) : null
    for (let i = 0; i < sales.length; i++) {
      const sale = sales[i]
      this.firstTender[i] = this.tenders.length
      for (const tender of sale.tenders) {
        const list = settlers.get(tender.method)
        if (!list) continue
        const provider = list.length === 1 ? list[0] : chooser!.byReference(list, tender, sale.storeId)
        const ref: TenderRef = { sale, tender, provider: provider ?? '', dir: tender.amount < 0 ? 'refund' : 'payment', pairing: undefined }
        this.tenders.push(ref)
      }
    }
    this.firstTender[sales.length] = this.tenders.length
    // the rest of a shared method's tenders: the acquirer the store's other tenders went through
    if (chooser) for (const t of this.tenders) if (t.provider === '') t.provider = chooser.byStore(settlers.get(t.tender.method)!, t.sale.storeId)
  }

  /** Sale i's non-cash tenders, in tender order. */
  tendersOf (i: number): TenderRef[] { return this.tenders.slice(this.firstTender[i], this.firstTender[i + 1]) }

  pair (t: TenderRef, p: ReconPayment, by: Pairing['by'], review?: 'confirmed'): void {
    this.byTender.set(t, review ? { payment: p, by, review } : { payment: p, by })
    this.#tenderOf[placeOf(p)] = t
  }

  isFree (p: ReconPayment): boolean { const at = placeOf(p); return this.#tenderOf[at] === undefined && this.#marks[at] === 0 }

  #markSet (mark: number): { add: (p: ReconPayment) => void, has: (p: ReconPayment) => boolean } {
    return { add: p => { this.#marks[placeOf(p)] |= mark }, has: p => (this.#marks[placeOf(p)] & mark) !== 0 }
  }
}

/**
 * The providers that settle each tender method in this run. Only tenders one settles have records to
 * match; a shared method (card, fps) is settled by the providers the settings name for it, else by
 * those with records in the input.
 */
function settlersOf (providers: ReconSettings['providers'], payments: readonly ReconPayment[], declared: NonNullable<ReconSettings['tenderProviders']>): Map<string, Provider[]> {
  const settlers = new Map<string, Provider[]>()
  for (const [id, rules] of Object.entries(providers)) {
    for (const method of rules.tenderMethods) { const l = settlers.get(method); if (l) l.push(id); else settlers.set(method, [id]) }
  }
  let present: Set<Provider> | null = null
  for (const method of SHARED_TENDER_METHODS) {
    const list = settlers.get(method)
    if (!list) continue
    present ??= new Set(payments.map(p => p.provider))
    const used = list.filter(declared[method] ? p => declared[method].includes(p) : p => present!.has(p))
    if (used.length) settlers.set(method, used); else settlers.delete(method)
  }
  return settlers
}

export function group<T> (items: Iterable<T>, key: (x: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const x of items) {
    const k = key(x)
    if (k === null) continue
    const list = m.get(k)
    if (list) list.push(x); else m.set(k, [x])
  }
  return m
}

/**
 * Records by provider, direction and an id, without building a key string per record; an id listed once
 * holds its record itself, not a list of one (700k lists fewer to make and collect on a chain day).
 */
export class RefIndex {
  readonly #maps = new Map<string, Map<string, Map<string, ReconPayment | ReconPayment[]>>>()
  add (provider: string, dir: string, id: string, p: ReconPayment): void {
    let byDir = this.#maps.get(provider)
    if (!byDir) { byDir = new Map(); this.#maps.set(provider, byDir) }
    let m = byDir.get(dir)
    if (!m) { m = new Map(); byDir.set(dir, m) }
    const listed = m.get(id)
    if (listed === undefined) m.set(id, p)
    else if (Array.isArray(listed)) listed.push(p)
    else m.set(id, [listed, p])
  }

  /** The record listed under the id, or the records when there are several. */
  get (provider: string, dir: string, id: string): ReconPayment | ReconPayment[] | undefined { return this.#maps.get(provider)?.get(dir)?.get(id) }

  first (provider: string, dir: string, id: string): ReconPayment | undefined {
    const listed = this.get(provider, dir, id)
    return Array.isArray(listed) ? listed[0] : listed
  }
}

/**
 * Pass 0: the links a person made by hand, and the proposed pairings a person confirmed. A link whose
 * tender or payment is not in the input, or whose provider or direction does not fit the tender,
 * pairs nothing (the API refuses such links).
 */
export function matchManual (m: Matching, live: readonly ReconPayment[], links: readonly ManualLink[], confirmed = false): void {
  if (links.length === 0) return
  const tenders = new Map(m.tenders.map(t => [tenderKey(t), t]))
  const payments = new Map(live.map(p => [p.id, p]))
  for (const link of [...links].sort((a, b) => a.paymentId < b.paymentId ? -1 : a.paymentId > b.paymentId ? 1 : 0)) {
    const t = tenders.get(`${link.saleKey}#${link.tenderNo}`)
    const p = payments.get(link.paymentId)
    if (!t || !p || m.byTender.has(t) || !m.isFree(p) || directionOf(p) !== t.dir) continue
    if (p.provider !== t.provider) {
      // a method several providers settle: the person's link says which one this tender went through
      if (!m.settlers.get(t.tender.method)?.includes(p.provider)) continue
      t.provider = p.provider
    }
    if (confirmed) m.pair(t, p, 'amount_time', 'confirmed'); else m.pair(t, p, 'manual')
  }
}

/**
 * Pass 1: references. `live` must be in canonical order (preparePayments). Returns the records by
 * provider, direction and reference, for linkCancels.
 */
export function matchByReference (m: Matching, live: readonly ReconPayment[]): RefIndex {
  const byRef = new RefIndex()
  for (const p of live) {
    const dir = directionOf(p)
    if (dir && p.merchantRef) byRef.add(p.provider, dir, p.merchantRef, p)
  }
  // few tills keep the provider's id: that index is built only when one does
  let byTxn: RefIndex | null = null
  const txnIndex = (): RefIndex => {
    if (byTxn) return byTxn
    byTxn = new RefIndex()
    for (const p of live) {
      const dir = directionOf(p)
      if (dir && p.providerTxnId) byTxn.add(p.provider, dir, p.providerTxnId, p)
    }
    return byTxn
  }
  for (const t of m.tenders) {
    let found = t.tender.reference ? byRef.get(t.provider, t.dir, t.tender.reference) : undefined
    if (!found && t.tender.providerTxnId) found = txnIndex().get(t.provider, t.dir, t.tender.providerTxnId)
    if (!found) continue
    if (!Array.isArray(found)) { if (m.isFree(found)) m.pair(t, found, 'reference'); continue }
    const free = found.filter(p => m.isFree(p))
    if (free.length === 0) continue
    m.pair(t, free[0], 'reference')
    if (free.length > 1) {
      m.paidTwice.set(t, free.slice(1))
      for (const extra of free.slice(1)) m.claimed.add(extra)
    }
  }
  return byRef
}

/**
 * Refunds whose record does not carry the refund's own reference: chained to the original sale's
 * payment through original_partner_transaction_ID / originalTransactionId (or, in-store layout C, the
 * Alipay id the refund shares with its payment). `m.sales` must be in key order (reconcile sorts them).
 */
export function chainRefunds (m: Matching, live: readonly ReconPayment[]): void {
  const refunds = live.filter(p => p.type === 'refund' && m.isFree(p))
  if (refunds.length === 0) return
  const byOrigRef = group(refunds, p => p.originalRef ? `${p.provider}|${p.originalRef}` : null)
  const byOrigTxn = group(refunds, p => {
    const id = p.originalProviderTxnId ?? p.providerTxnId
    return id ? `${p.provider}|${id}` : null
  })
  for (const t of m.tenders) {
    if (t.dir !== 'refund' || m.byTender.has(t) || !t.sale.refundOf) continue
    // a chain day's refunds name some 10k originals among a million sales: found by halving, not a pass
    const original = placeOfKey(m.sales, t.sale.refundOf)
    if (original === -1) continue
    const candidates: ReconPayment[] = []
    for (const ot of m.tendersOf(original)) {
      if (ot.provider !== t.provider) continue
      if (ot.tender.reference) candidates.push(...byOrigRef.get(`${t.provider}|${ot.tender.reference}`) ?? [])
      const paid = m.byTender.get(ot)?.payment.providerTxnId ?? ot.tender.providerTxnId
      if (paid) candidates.push(...byOrigTxn.get(`${t.provider}|${paid}`) ?? [])
    }
    const best = candidates.filter(p => m.isFree(p))
      .sort((a, b) => Math.abs(a.gross - t.tender.amount) - Math.abs(b.gross - t.tender.amount) || (a.id < b.id ? -1 : 1))[0]
    if (best) m.pair(t, best, 'reference')
  }
}

/**
 * Cancels and reversals: linked to the payment they undo, or to the tender they name. `byRef`: the
 * records by reference, as matchByReference indexed them.
 */
export function linkCancels (m: Matching, live: readonly ReconPayment[], byRef: RefIndex): void {
  const cancels = live.filter(p => p.type === 'cancel' || p.type === 'reversal')
  if (cancels.length === 0) return
  // index only the provider ids the cancels name, not every record of the day
  const wantTxn = new Set<string>()
  for (const c of cancels) if (c.originalProviderTxnId) wantTxn.add(c.originalProviderTxnId)
  const byTxn = new RefIndex()
  if (wantTxn.size) for (const p of live) if (p.type === 'payment' && p.providerTxnId && wantTxn.has(p.providerTxnId)) byTxn.add(p.provider, 'payment', p.providerTxnId, p)
  // the tenders by reference only when a cancel undoes no listed payment (a pass over a million tenders)
  let tenderByRef: Map<string, TenderRef> | null = null
  const tenderOf = (provider: string, reference: string): TenderRef | undefined => {
    if (!tenderByRef) {
      const wanted = new Set(cancels.map(c => c.merchantRef))
      tenderByRef = new Map()
      for (const t of m.tenders) if (t.dir === 'payment' && t.tender.reference && wanted.has(t.tender.reference)) tenderByRef.set(`${t.provider}|${t.tender.reference}`, t)
    }
    return tenderByRef.get(`${provider}|${reference}`)
  }
  for (const c of cancels) {
    const target = (c.originalProviderTxnId ? byTxn.first(c.provider, 'payment', c.originalProviderTxnId) : undefined) ??
      (c.merchantRef ? byRef.first(c.provider, 'payment', c.merchantRef) : undefined) ??
      (c.originalRef ? byRef.first(c.provider, 'payment', c.originalRef) : undefined)
    if (target && !m.cancelled.has(target)) {
      m.cancelled.set(target, c)
      m.linkedCancels.add(c)
      continue
    }
    const t = c.merchantRef ? tenderOf(c.provider, c.merchantRef) : undefined
    if (t && !m.byTender.has(t)) {
      m.reversedTender.set(t, c)
      m.linkedCancels.add(c)
    }
  }
}

/**
 * A voided sale whose payment the provider refunded (rather than cancelled): that refund undoes the
 * payment and is not a refund without a return.
 */
export function linkVoidRefunds (m: Matching, live: readonly ReconPayment[]): void {
  const refunds = live.filter(p => p.type === 'refund' && m.isFree(p))
  if (refunds.length === 0) return
  for (const t of m.tenders) {
    const paid = m.byTender.get(t)?.payment
    if (!t.sale.voided || t.dir !== 'payment' || !paid || m.cancelled.has(paid)) continue
    const undo = refunds.find(r => m.isFree(r) && r.provider === t.provider &&
      ((t.tender.reference !== null && r.originalRef === t.tender.reference) || (paid.providerTxnId !== null && (r.originalProviderTxnId ?? r.providerTxnId) === paid.providerTxnId)))
    if (undo) { m.cancelled.set(paid, undo); m.linkedCancels.add(undo) }
  }
}
