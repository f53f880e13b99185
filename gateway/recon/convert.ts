// From the connectors' records to the reconciler's input, shared by the settlement import, the
// database loader and the offline CLI: which store and which business day a record belongs to is
// decided here, once, with the store's cut-off.
import type { PaymentRecord, PosEvent } from '../../connectors/contract.ts'
import { addDays, businessDate } from '../../connectors/_shared/time.ts'
import { cardOfRecord } from '../../connectors/_shared/cards.ts'
import { isBusinessDay } from '../../reconciler/calendar.ts'
import type { ReconPayment, ReconSale } from '../../reconciler/types.ts'
import { bySaleKey, placeOfKey } from '../../reconciler/sale-order.ts'
import { storeCutoff, storeResolver, type Config } from '../config.ts'
import { SharedLines, SharedTenders } from './shared-parts.ts'

/** The business day n business days before `day` (where a settlement date points back to). */
export function priorBusinessDay (day: string, n: number, holidays: ReadonlySet<string>): string {
  let d = day
  let left = n
  while (left > 0) {
    d = addDays(d, -1)
    if (isBusinessDay(d, holidays)) left--
  }
  return d
}

export interface DayRules {
  cutoff: (storeId: string | null) => number
  /** A provider's store refs (Octopus Location IDs, …) → our store ids. */
  resolveStore: (provider: string, ref: string) => string
  settlementDays: Record<string, number>
  holidays: ReadonlySet<string>
}

export function dayRules (config: Pick<Config, 'stores' | 'recon'>): DayRules {
  const cutoffs = new Map<string | null, number>()
  // a provider's store refs (Octopus Location IDs, …) map through the aliases configured under its id
  const resolvers = new Map<string, (ref: string) => string>()
  return {
    cutoff: store => {
      let c = cutoffs.get(store)
      if (c === undefined) { c = storeCutoff(config, store); cutoffs.set(store, c) }
      return c
    },
    resolveStore: (provider, ref) => {
      let resolve = resolvers.get(provider)
      if (!resolve) { resolve = storeResolver(config, provider); resolvers.set(provider, resolve) }
      return resolve(ref)
    },
    settlementDays: config.recon.settlementDays,
    holidays: config.recon.holidays
  }
}

/**
 * The business day a provider record is reconciled on: the day of its payment time at its store, or,
 * for a record without one (Antom settlement items), the day its settlement cycle points back to, so
 * that an unmatched one is still reported once.
 */
export function paymentDay (r: Pick<PaymentRecord, 'provider' | 'paidAt' | 'settlementDate'>, storeId: string | null, rules: DayRules): string | null {
  if (r.paidAt) return businessDate(r.paidAt, rules.cutoff(storeId))
  return r.settlementDate ? priorBusinessDay(r.settlementDate, rules.settlementDays[r.provider], rules.holidays) : null
}

export function paymentFromRecord (r: PaymentRecord, id: string, fileKind: 'settlement' | 'transaction', rules: DayRules): ReconPayment {
  const storeId = r.storeId ? rules.resolveStore(r.provider, r.storeId) : null
  const bank = cardOfRecord(r)
  return {
    ...(bank ? { cardBrand: bank.brand, cardLast4: bank.last4 } : {}),
    id, provider: r.provider, fileKind, type: r.type, providerTxnId: r.providerTxnId, merchantRef: r.merchantRef, originalRef: r.originalRef,
    originalProviderTxnId: r.originalProviderTxnId, gross: r.gross, fee: r.fee, net: r.net, paidAt: r.paidAt ? r.paidAt.getTime() : null,
    businessDate: paymentDay(r, storeId, rules), settlementDate: r.settlementDate, batchId: r.batchId, storeId, deviceId: r.deviceId, account: r.account, card: r.cardMasked
  }
}

/**
 * Sales and refunds from POS events, one at a time; voids mark their target whichever order they came
 * in, and the first delivery of a sale wins, as in the database. The sales are kept as they came and
 * sorted by key once all are in, where a later delivery is found next to the first: a map by sale id
 * cost a hash of each new id and a lookup in a table of a million, 0.9 s of a chain day, and the
 * reconciler wants them in key order anyway.
 */
export class SaleCollector {
  readonly #arrived: ReconSale[] = []
  readonly #voided: Array<[string, string]> = []
  readonly #cutoff: (storeId: string | null) => number
  readonly #lines = new SharedLines()
  readonly #tenders = new SharedTenders()
  #byKey: ReconSale[] = []
  /** Events added, voids included. */
  events = 0

  constructor (cutoff: (storeId: string | null) => number) { this.#cutoff = cutoff }

  add (ev: PosEvent): void {
    this.events++
    if (ev.kind === 'void') { this.#voided.push([ev.vendor, ev.saleId]); return }
    this.#arrived.push({
      // joined, not concatenated: a concatenation is a pair of pointers that the sort by key later copies
      // flat, and both stay (32 MB over a chain day's million sales)
      key: [ev.vendor, ev.saleId].join(':'), saleId: ev.saleId, storeId: ev.storeId, terminalId: ev.terminalId, kind: ev.kind,
      refundOf: ev.refundOf ? [ev.vendor, ev.refundOf].join(':') : null, occurredAt: ev.occurredAt.getTime(),
      businessDate: businessDate(ev.occurredAt, this.#cutoff(ev.storeId)), voided: false,
      lines: this.#lines.list(ev.lines),
      tenders: this.#tenders.list(ev.tenders),
      // in the object from the start: attaching a day's movements later would give each sale's object a second block
      movements: undefined
    })
  }

  /** The vendor's sale (once finished). */
  get (vendor: string, saleId: string): ReconSale | undefined { return saleIn(this.#byKey, vendor, saleId) }

  /** Every sale and refund, voids applied: in key order, and as the files listed them (first deliveries only). */
  finish (): { byKey: ReconSale[], inFileOrder: ReconSale[] } {
    const sorted = [...this.#arrived].sort(bySaleKey) // stable: a sale's first delivery stays first
    const later = laterDeliveries(sorted)
    this.#byKey = later.size ? sorted.filter(s => !later.has(s)) : sorted
    for (const [vendor, saleId] of this.#voided) { const s = this.get(vendor, saleId); if (s) s.voided = true }
    return { byKey: this.#byKey, inFileOrder: later.size ? this.#arrived.filter(s => !later.has(s)) : this.#arrived }
  }
}

/** The vendor's sale among sales in key order. */
export function saleIn (byKey: readonly ReconSale[], vendor: string, saleId: string): ReconSale | undefined {
  const at = placeOfKey(byKey, `${vendor}:${saleId}`)
  if (at === -1) return undefined
  // one key for two sales only where a vendor's name holds a ':'; the same sale has the same id
  for (let i = at; i < byKey.length && byKey[i].key === byKey[at].key; i++) if (byKey[i].saleId === saleId) return byKey[i]
  return undefined
}

/** In sales sorted by key (stably), each later delivery of a sale already listed. */
function laterDeliveries (sorted: readonly ReconSale[]): Set<ReconSale> {
  const later = new Set<ReconSale>()
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].key !== sorted[i - 1].key) continue
    for (let k = i - 1; k >= 0 && sorted[k].key === sorted[i].key; k--) {
      if (!later.has(sorted[k]) && sorted[k].saleId === sorted[i].saleId) { later.add(sorted[i]); break }
    }
  }
  return later
}
