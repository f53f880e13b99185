// Turning the pairing into contract §3 exceptions. Every POS tender of the day and every provider
// record of the day ends up matched or named in an exception; nothing is dropped silently.
import { formatMinor } from '../connectors/_shared/money.ts'
import { addBusinessDays } from './calendar.ts'
import type { Matching, Pairing, TenderRef } from './match.ts'
import type { PreparedPayments } from './index-payments.ts'
import type { Provider, ReconException, ReconPayment, ReconSettings } from './types.ts'

export interface DayContext {
  date: string
  settings: ReconSettings
  /** Whether the provider's reader at this till has uploaded the given day. */
  uploaded: (provider: string, storeId: string, terminalId: string | null, day: string) => boolean
  /** The store a record belongs to (its sale's, else the one its data names: attribute.ts). */
  storeOfPayment: (p: ReconPayment) => string | null
  /** How an unmatched record's store was found, when it was inferred. */
  storeNote: (p: ReconPayment) => Pick<ReconException, 'store_inferred' | 'store_evidence'>
  /** The sale a record was matched to, if any. */
  saleOfPayment: (p: ReconPayment) => { saleId: string, storeId: string, tender: number } | null
  /** Chargebacks and their reversals, with the sales they dispute. */
  disputes: Disputes
}

const base = (code: ReconException['code'], t: TenderRef): ReconException => ({
  code, store_id: t.sale.storeId, sale_id: t.sale.saleId, tender: t.tender.tenderNo - 1, provider: t.provider,
  expected: t.tender.amount, actual: null, detail: '', reference: t.tender.reference
})

/** Exceptions about the day's POS tenders. */
export function tenderExceptions (m: Matching, ctx: DayContext): ReconException[] {
  const out: ReconException[] = []
  const s = ctx.settings
  for (const t of m.tenders) {
    if (t.sale.businessDate !== ctx.date) continue
    const pairing = m.byTender.get(t)
    if (pairing) {
      const p = pairing.payment
      const tolerance = s.providers[t.provider]?.cashRounding ? s.roundingCents : 0
      if (Math.abs(p.gross - t.tender.amount) > tolerance) {
        out.push({ ...base('AMOUNT_MISMATCH', t), actual: p.gross, provider_txn_id: p.providerTxnId, payment_id: p.id, detail: `the ${t.provider} record says ${formatMinor(p.gross)}, the till ${formatMinor(t.tender.amount)}` })
      }
      for (const extra of m.paidTwice.get(t) ?? []) {
        out.push({ ...base('DUPLICATE_PAYMENT', t), actual: extra.gross, provider_txn_id: extra.providerTxnId, payment_id: extra.id, detail: `reference ${t.tender.reference} was paid more than once (also ${p.providerTxnId ?? p.id})` })
      }
      if (pairing.review === 'proposed') out.push(proposed(t, pairing))
      const undone = m.cancelled.get(p)
      if (t.sale.voided && t.dir === 'payment' && !undone) {
        out.push({ ...base('VOID_BUT_SETTLED', t), expected: 0, actual: p.gross, provider_txn_id: p.providerTxnId, payment_id: p.id, detail: `the sale was voided but ${t.provider} settled ${formatMinor(p.gross)} and did not cancel it` })
      }
      if (!t.sale.voided && undone) {
        out.push({ ...base('MISSING_PAYMENT', t), actual: 0, provider_txn_id: p.providerTxnId, payment_id: p.id, detail: `${t.provider} ${undone.type === 'refund' ? 'refunded' : undone.type === 'reversal' ? 'reversed' : 'cancelled'} this payment (${undone.providerTxnId ?? undone.id}) but the sale stands` })
      }
      continue
    }
    const reversal = m.reversedTender.get(t)
    if (reversal) {
      if (!t.sale.voided) out.push({ ...base('MISSING_PAYMENT', t), actual: 0, provider_txn_id: reversal.providerTxnId, payment_id: reversal.id, detail: `${t.provider} ${reversal.type === 'reversal' ? 'reversed' : 'cancelled'} this payment but the sale stands` })
      continue
    }
    if (t.sale.voided) continue // voided before anything was paid: nothing to expect
    const due = addBusinessDays(t.sale.businessDate, s.settlementDays[t.provider], s.holidays)
    if (s.asOf < due) {
      out.push({ ...base('PENDING_SETTLEMENT', t), detail: `${t.provider} settles ${t.sale.businessDate} on ${due}` })
    } else if (s.providers[t.provider]?.devicesUploadLate && !ctx.uploaded(t.provider, t.sale.storeId, t.sale.terminalId, t.sale.businessDate)) {
      out.push({ ...base('PENDING_SETTLEMENT', t), detail: `the ${t.provider} reader of till ${t.sale.terminalId ?? '?'} has not uploaded ${t.sale.businessDate} yet` })
    } else if (t.dir === 'payment') {
      out.push({ ...base('MISSING_PAYMENT', t), detail: `no ${t.provider} record for ${t.tender.reference ? `reference ${t.tender.reference}` : `${formatMinor(t.tender.amount)} within ${s.windowMinutes} min on till ${t.sale.terminalId ?? '?'}`}` })
    } else {
      out.push({ ...base('RETURN_WITHOUT_REFUND', t), detail: `the till refunded ${formatMinor(-t.tender.amount)} by ${t.provider} but no ${t.provider} refund is listed` })
    }
  }
  return out
}

function proposed (t: TenderRef, pairing: Pairing): ReconException {
  const p = pairing.payment
  const after = Math.round((p.paidAt! - t.sale.occurredAt) / 1000)
  const rivals = pairing.alternatives ?? []
  const others = rivals.length === 0 ? 'it lies far from where the reader\'s records lie' : `${rivals.length} other pairing${rivals.length > 1 ? 's are' : ' is'} nearly as likely`
  return {
    ...base('PROPOSED_MATCH', t), actual: p.gross, provider_txn_id: p.providerTxnId, payment_id: p.id, score: pairing.score, alternatives: rivals,
    detail: `the ${t.provider} record of ${formatMinor(p.gross)} ${after >= 0 ? `${after} s after` : `${-after} s before`} the sale is only a likely match (confidence ${pairing.score}): ${others}; confirm or reject it`
  }
}

function bandFor (s: ReconSettings, store: string | null, provider: Provider): { min: number, max: number } {
  return (store ? s.storeFeeBands?.[store]?.[provider] : undefined) ?? s.feeBands[provider]
}

/** Exceptions about the day's provider records. */
export function paymentExceptions (m: Matching, prepared: PreparedPayments, all: readonly ReconPayment[], ctx: DayContext): ReconException[] {
  const out: ReconException[] = []
  const ofRecord = (code: ReconException['code'], p: ReconPayment, detail: string): ReconException => ({
    code, store_id: ctx.storeOfPayment(p), sale_id: null, tender: null, provider: p.provider, expected: null, actual: p.gross, detail,
    reference: p.merchantRef, provider_txn_id: p.providerTxnId, payment_id: p.id, batch_id: p.batchId, ...ctx.storeNote(p)
  })
  const disputes = ctx.disputes
  for (const p of all) {
    if (p.businessDate !== ctx.date || prepared.superseded.has(p.id)) continue
    const firstListing = prepared.duplicates.get(p.id)
    if (firstListing !== undefined) {
      // name the sale the first listing paid, so the duplicate can be found from the sale
      const paid = ctx.saleOfPayment(firstListing)
      out.push({ ...ofRecord('DUPLICATE_PAYMENT', p, `the same ${p.provider} transaction is listed twice (${firstListing.id} and ${p.id})`), duplicate_of: firstListing.id, ...(paid ? { sale_id: paid.saleId, store_id: paid.storeId, tender: paid.tender } : {}) })
      continue
    }
    const matched = m.byPayment.has(p) || m.linkedCancels.has(p) || m.claimed.has(p)
    if (!matched) {
      if (p.type === 'payment' && !m.cancelled.has(p)) out.push(ofRecord('UNEXPECTED_PAYMENT', p, `no sale accounts for this ${p.provider} payment of ${formatMinor(p.gross)}${p.merchantRef ? ` (reference ${p.merchantRef})` : ''}`))
      if (p.type === 'refund') out.push(ofRecord('REFUND_WITHOUT_RETURN', p, `${p.provider} refunded ${formatMinor(-p.gross)}${p.originalRef ? ` of ${p.originalRef}` : ''} but no return was rung up at the till`))
      if (p.type === 'cancel' || p.type === 'reversal') out.push(ofRecord('UNEXPECTED_PAYMENT', p, `a ${p.type} of a payment that is not listed and no sale names`))
    }
    if (p.type === 'chargeback' && !disputes.won(p)) out.push(chargeback(p, disputes, ofRecord))
    if (p.type === 'payment' && p.gross > 0) {
      const store = ctx.storeOfPayment(p)
      const band = bandFor(ctx.settings, store, p.provider)
      // a cent of rounding either way is not a rate problem
      if (p.fee < Math.floor(p.gross * band.min) - 1 || p.fee > Math.ceil(p.gross * band.max) + 1) {
        const paid = ctx.saleOfPayment(p)
        out.push({ ...ofRecord('FEE_OUT_OF_BAND', p, `fee ${formatMinor(p.fee)} is ${(p.fee / p.gross * 100).toFixed(2)}% of ${formatMinor(p.gross)}; the band is ${(band.min * 100).toFixed(2)}–${(band.max * 100).toFixed(2)}%`), expected: null, actual: p.fee, fee_band: { min: band.min, max: band.max }, gross: p.gross, ...(paid ? { sale_id: paid.saleId, tender: paid.tender } : {}) })
      }
    }
  }
  return out
}

/**
 * Chargebacks and the sales they dispute. A chargeback names the disputed payment by our reference or
 * the provider's id; the sale is the tender with that reference, or the one that payment was matched
 * to. A reversal naming the same payment means the dispute was won: the chargeback is closed.
 */
export class Disputes {
  readonly #won = new Set<string>()
  readonly #tenderByRef = new Map<string, TenderRef>()
  readonly #paymentByTxn = new Map<string, ReconPayment>()
  readonly #saleOfPayment: DayContext['saleOfPayment']
  readonly #m: Matching
  readonly #all: readonly ReconPayment[]
  /** The chargebacks and reversals of the input, whose keys alone are indexed (a day has a million tenders). */
  readonly #named: ReadonlySet<ReconPayment>
  #everything = false
  constructor (m: Matching, all: readonly ReconPayment[], saleOfPayment: DayContext['saleOfPayment']) {
    this.#saleOfPayment = saleOfPayment
    this.#m = m
    this.#all = all
    const named = all.filter(p => p.type === 'chargeback' || p.type === 'chargeback_reversal')
    this.#named = new Set(named)
    if (named.length === 0) return
    for (const p of named) if (p.type === 'chargeback_reversal') for (const k of Disputes.keys(p)) this.#won.add(k)
    // the references and provider ids the disputes name, per provider
    const refs = new Map<string, Set<string | null>>()
    const txns = new Map<string, Set<string | null>>()
    const want = (ids: Map<string, Set<string | null>>, provider: string, id: string): void => {
      const set = ids.get(provider)
      if (set) set.add(id); else ids.set(provider, new Set([id]))
    }
    for (const p of named) {
      if (p.originalRef) want(refs, p.provider, p.originalRef)
      if (p.originalProviderTxnId) want(txns, p.provider, p.originalProviderTxnId)
    }
    this.#index(t => refs.get(t.provider)?.has(t.tender.reference) === true, p => txns.get(p.provider)?.has(p.providerTxnId) === true)
  }

  /** Tenders by reference and payments by the provider's id, the later of two with one key standing. */
  #index (tender: (t: TenderRef) => boolean, payment: (p: ReconPayment) => boolean): void {
    for (const t of this.#m.tenders) if (t.tender.reference && tender(t)) this.#tenderByRef.set(`${t.provider}|${t.tender.reference}`, t)
    for (const p of this.#all) if (p.type === 'payment' && p.providerTxnId && payment(p)) this.#paymentByTxn.set(`${p.provider}|${p.providerTxnId}`, p)
  }

  static keys (p: ReconPayment): string[] {
    return [p.originalRef && `${p.provider}|ref|${p.originalRef}`, p.originalProviderTxnId && `${p.provider}|txn|${p.originalProviderTxnId}`].filter((k): k is string => !!k)
  }

  won (p: ReconPayment): boolean { return Disputes.keys(p).some(k => this.#won.has(k)) }

  /** The disputed sale of a chargeback or its reversal, when this day's input knows it. */
  saleOf (p: ReconPayment): { saleId: string, storeId: string, tender: number } | null {
    if (p.type !== 'chargeback' && p.type !== 'chargeback_reversal') return null
    // a dispute the input did not list (none today): every tender and payment, indexed once
    if (this.#named.size > 0 && !this.#named.has(p) && !this.#everything) { this.#everything = true; this.#index(() => true, () => true) }
    const t = p.originalRef ? this.#tenderByRef.get(`${p.provider}|${p.originalRef}`) : undefined
    if (t) return { saleId: t.sale.saleId, storeId: t.sale.storeId, tender: t.tender.tenderNo - 1 }
    const paid = p.originalProviderTxnId ? this.#paymentByTxn.get(`${p.provider}|${p.originalProviderTxnId}`) : undefined
    return paid ? this.#saleOfPayment(paid) : null
  }
}

function chargeback (p: ReconPayment, disputes: Disputes, ofRecord: (code: ReconException['code'], p: ReconPayment, detail: string) => ReconException): ReconException {
  const sale = disputes.saleOf(p)
  const of = p.originalRef ? ` of the payment with reference ${p.originalRef}` : p.originalProviderTxnId ? ` of payment ${p.originalProviderTxnId}` : ''
  const e = ofRecord('CHARGEBACK', p, `${p.provider} took back ${formatMinor(-p.gross)}${of} for a card dispute${p.fee ? ` and charged ${formatMinor(p.fee)}` : ''}`)
  return { ...e, reference: p.originalRef ?? e.reference, ...(sale ? { sale_id: sale.saleId, store_id: sale.storeId, tender: sale.tender } : {}) }
}
