// The money bridge of a day, per store and provider: what the tills took → what the provider settled
// (gross) → its fees → net → what it paid out → what reached the bank. Each step's difference is cut
// into items, every tender and record counted once: a sale's tender with no record, a record with no
// sale, a rounding, a payout not yet in the bank. An item is named by the exception that reports it,
// or by a reason that needs no action (a rounding, a sale paid on another day, an add-value); an item
// neither names is unexplained. The items of a step add up to its difference, to the cent.
import type { DayContext } from './classify.ts'
import type { PreparedPayments } from './index-payments.ts'
import type { Matching, TenderRef } from './match.ts'
import { payoutGroupOf, type PayoutReport, type PayoutRule, type PayoutState, type StatedPayout } from './payout-build.ts'
import type { ExceptionCode, Minor, Provider, ReconException, ReconPayment } from './types.ts'

/** Reasons a difference needs no action. */
export const BRIDGE_REASONS = ['ROUNDING', 'OTHER_DAY', 'LISTED_NOT_SETTLED', 'OTHER_RECORDS', 'CANCELLED', 'NOT_PAID_OUT', 'AWAITING_BANK'] as const
export type BridgeReason = typeof BRIDGE_REASONS[number]

export interface BridgeItem { code: ExceptionCode | BridgeReason, amount: Minor, count: number }
export interface BridgeStep { difference: Minor, explained: BridgeItem[], unexplained: Minor }
export interface BridgeRow {
  store_id: string
  provider: Provider
  till: Minor
  gross: Minor
  fee: Minor
  net: Minor
  paid_out: Minor
  in_bank: Minor
  /** gross − till */
  settled: BridgeStep
  /** paid_out − net */
  payout: BridgeStep
  /** in_bank − paid_out */
  bank: BridgeStep
}

type StepName = 'settled' | 'payout' | 'bank'
type Code = BridgeItem['code'] | 'UNEXPLAINED'

// a tender's own exceptions, in the order that names it best; and a record's
const TENDER_CODES: ExceptionCode[] = ['AMOUNT_MISMATCH', 'MISSING_PAYMENT', 'PENDING_SETTLEMENT', 'RETURN_WITHOUT_REFUND', 'PROPOSED_MATCH']
const RECORD_CODES: ExceptionCode[] = ['DUPLICATE_PAYMENT', 'VOID_BUT_SETTLED', 'CHARGEBACK', 'REFUND_WITHOUT_RETURN', 'UNEXPECTED_PAYMENT']
const OTHER_TYPES = new Set(['add_value', 'fee', 'adjustment'])

export interface BridgeInput {
  date: string
  m: Matching
  prepared: PreparedPayments
  ctx: Pick<DayContext, 'storeOfPayment'>
  exceptions: readonly ReconException[]
  payouts: Pick<PayoutReport, 'byGroup'>
  /** Whether the providers' payouts were given (else every record awaits the bank). */
  payoutsKnown: boolean
  stated: readonly StatedPayout[]
  rules: Readonly<Record<Provider, PayoutRule | undefined>>
  holidays: ReadonlySet<string>
  unassigned: string
}

type Row = BridgeRow & { items: Record<StepName, Map<Code, BridgeItem>> }

class Rows {
  // store → provider → row: looked up for every tender and record of a large day, without building a key
  readonly #rows = new Map<string, Map<Provider, Row>>()
  row (store: string, provider: Provider): Row {
    let byProvider = this.#rows.get(store)
    if (!byProvider) { byProvider = new Map(); this.#rows.set(store, byProvider) }
    let r = byProvider.get(provider)
    if (!r) {
      const step = (): BridgeStep => ({ difference: 0, explained: [], unexplained: 0 })
      r = { store_id: store, provider, till: 0, gross: 0, fee: 0, net: 0, paid_out: 0, in_bank: 0, settled: step(), payout: step(), bank: step(), items: { settled: new Map(), payout: new Map(), bank: new Map() } }
      byProvider.set(provider, r)
    }
    return r
  }

  add (store: string, provider: Provider, step: StepName, code: Code, amount: Minor): void {
    if (amount === 0) return
    const items = this.row(store, provider).items[step]
    const it = items.get(code) ?? { code: code as BridgeItem['code'], amount: 0, count: 0 }
    it.amount += amount
    it.count++
    items.set(code, it)
  }

  finish (): BridgeRow[] {
    const out: BridgeRow[] = []
    for (const { items, ...r } of [...this.#rows.values()].flatMap(m => [...m.values()])) {
      for (const step of ['settled', 'payout', 'bank'] as const) {
        const list = [...items[step].values()]
        r[step] = {
          difference: list.reduce((s, i) => s + i.amount, 0),
          explained: list.filter(i => i.code !== 'UNEXPLAINED' as Code).sort((a, b) => a.code < b.code ? -1 : 1),
          unexplained: list.filter(i => i.code === 'UNEXPLAINED' as Code).reduce((s, i) => s + i.amount, 0)
        }
      }
      out.push(r)
    }
    return out.sort((a, b) => a.store_id < b.store_id ? -1 : a.store_id > b.store_id ? 1 : a.provider < b.provider ? -1 : 1)
  }
}

function exceptionIndex (exceptions: readonly ReconException[]) {
  const byTender = new Map<string, ExceptionCode>()
  const byPayment = new Map<string, ExceptionCode>()
  const rank = (list: ExceptionCode[], c: ExceptionCode | undefined): number => c === undefined ? Infinity : list.indexOf(c)
  for (const e of exceptions) {
    if (e.sale_id !== null && e.tender !== null && TENDER_CODES.includes(e.code)) {
      const k = `${e.store_id}|${e.sale_id}|${e.tender}`
      if (rank(TENDER_CODES, e.code) < rank(TENDER_CODES, byTender.get(k))) byTender.set(k, e.code)
    }
    if (e.payment_id && RECORD_CODES.includes(e.code) && rank(RECORD_CODES, e.code) < rank(RECORD_CODES, byPayment.get(e.payment_id))) byPayment.set(e.payment_id, e.code)
  }
  return {
    tender: (t: TenderRef): ExceptionCode | undefined => byTender.get(`${t.sale.storeId}|${t.sale.saleId}|${t.tender.tenderNo - 1}`),
    payment: (id: string): ExceptionCode | undefined => byPayment.get(id),
    batch: new Set(exceptions.filter(e => e.code === 'BATCH_TOTAL_MISMATCH').map(e => `${e.provider}|${e.batch_id}`))
  }
}

export function moneyBridge (b: BridgeInput): BridgeRow[] {
  const rows = new Rows()
  const payouts = new PayoutOf(b)
  const codes = exceptionIndex(b.exceptions)
  const counted = (p: ReconPayment): boolean => p.fileKind === 'settlement' && p.businessDate === b.date && !b.prepared.superseded.has(p.id)
  const storeOf = (p: ReconPayment): string => b.ctx.storeOfPayment(p) ?? b.unassigned
  // a record its own day's tender at its store paid is that tender's item (a rounding, a mismatch), not its own
  const pairedHere = (p: ReconPayment, store: string): boolean => {
    const t = b.m.byPayment.get(p)
    return t !== undefined && t.sale.businessDate === b.date && !t.sale.voided && t.provider === p.provider && t.sale.storeId === store
  }
  for (const t of b.m.tenders) {
    if (t.sale.businessDate !== b.date || t.sale.voided || t.provider === '') continue
    const store = t.sale.storeId
    rows.row(store, t.provider).till += t.tender.amount
    const p = b.m.byTender.get(t)?.payment
    if (!p) { rows.add(store, t.provider, 'settled', codes.tender(t) ?? 'UNEXPLAINED', -t.tender.amount); continue }
    if (counted(p) && p.provider === t.provider && storeOf(p) === store) {
      // most records pay their tender to the cent: only a difference is looked up (a key per tender otherwise)
      const difference = p.gross - t.tender.amount
      if (difference !== 0) rows.add(store, t.provider, 'settled', codes.tender(t) === 'AMOUNT_MISMATCH' ? 'AMOUNT_MISMATCH' : 'ROUNDING', difference)
    } else rows.add(store, t.provider, 'settled', p.fileKind === 'transaction' ? 'LISTED_NOT_SETTLED' : 'OTHER_DAY', -t.tender.amount)
  }
  for (const p of b.prepared.all) {
    if (!counted(p)) continue
    const store = storeOf(p)
    const r = rows.row(store, p.provider)
    r.gross += p.gross
    r.fee += p.fee
    r.net += p.net
    if (!pairedHere(p, store)) rows.add(store, p.provider, 'settled', recordReason(p, b.m, codes.payment(p.id)), p.gross)
    followToBank(rows, b, payouts, p, store)
  }
  payoutDifferences(rows, b, codes.batch)
  return rows.finish()
}

function recordReason (p: ReconPayment, m: Matching, code: ExceptionCode | undefined): Code {
  if (code) return code
  if (OTHER_TYPES.has(p.type)) return 'OTHER_RECORDS'
  if (p.type === 'chargeback' || p.type === 'chargeback_reversal') return 'CHARGEBACK'
  // a sale voided at the till: its payment and the provider's cancel of it take each other out
  const paid = m.byPayment.get(p)
  if (paid) return paid.sale.voided ? 'CANCELLED' : 'OTHER_DAY'
  if (m.cancelled.has(p) || m.linkedCancels.has(p)) return 'CANCELLED'
  return 'UNEXPLAINED'
}

/**
 * Where each record's payout stands: records of one provider, batch, settlement and business day share
 * it, so it is looked up once per such group (a large day has millions of records and few groups).
 */
class PayoutOf {
  readonly #known = new Map<string, Map<string | null, Map<string | null, Map<string, PayoutState | undefined>>>>()
  readonly #b: BridgeInput
  constructor (b: BridgeInput) { this.#b = b }
  of (p: ReconPayment & { businessDate: string }, rule: PayoutRule): PayoutState | undefined {
    const byBatch = this.#known.get(p.provider) ?? this.#known.set(p.provider, new Map()).get(p.provider)!
    const bySettled = byBatch.get(p.batchId) ?? byBatch.set(p.batchId, new Map()).get(p.batchId)!
    const byDay = bySettled.get(p.settlementDate) ?? bySettled.set(p.settlementDate, new Map()).get(p.settlementDate)!
    if (!byDay.has(p.businessDate)) byDay.set(p.businessDate, this.#b.payouts.byGroup.get(payoutGroupOf(p, this.#b.stated, rule, this.#b.holidays).key))
    return byDay.get(p.businessDate)
  }
}

/** A record's net into its payout, and its payout into the bank (a provider that pays nothing out is the bank's own). */
function followToBank (rows: Rows, b: BridgeInput, payouts: PayoutOf, p: ReconPayment, store: string): void {
  const r = rows.row(store, p.provider)
  const rule = b.rules[p.provider]
  if (!rule) { r.paid_out += p.net; r.in_bank += p.net; return }
  // without the providers' payouts (an offline run with no statement) nothing says where the money is yet
  if (!b.payoutsKnown) { r.paid_out += p.net; rows.add(store, p.provider, 'bank', 'AWAITING_BANK', -p.net); return }
  const state = payouts.of(p as ReconPayment & { businessDate: string }, rule)
  if (!state) { rows.add(store, p.provider, 'payout', 'NOT_PAID_OUT', -p.net); return }
  r.paid_out += p.net
  if (state.status === 'in_bank' || state.status === 'amount_mismatch') r.in_bank += p.net
  else rows.add(store, p.provider, 'bank', state.status === 'missing' ? 'PAYOUT_MISSING' : 'AWAITING_BANK', -p.net)
}

/** On a payout's close day, on its store's row: a stated total unlike its records', and a credit of another amount. */
function payoutDifferences (rows: Rows, b: BridgeInput, misstated: ReadonlySet<string>): void {
  for (const { payout: p, status, credited } of b.payouts.byGroup.values()) {
    if (p.closeDay !== b.date) continue
    const store = p.storeId ?? b.unassigned
    const stated = p.amount - p.rowsNet
    if (stated === 0 && status !== 'amount_mismatch') continue
    const r = rows.row(store, p.provider)
    if (stated !== 0) {
      r.paid_out += stated
      rows.add(store, p.provider, 'payout', misstated.has(`${p.provider}|${p.batchId}`) ? 'BATCH_TOTAL_MISMATCH' : 'UNEXPLAINED', stated)
    }
    if (status === 'in_bank') r.in_bank += stated
    else if (status === 'amount_mismatch') {
      r.in_bank += stated + (credited! - p.amount)
      rows.add(store, p.provider, 'bank', 'PAYOUT_AMOUNT_MISMATCH', credited! - p.amount)
    } else rows.add(store, p.provider, 'bank', status === 'missing' ? 'PAYOUT_MISSING' : 'AWAITING_BANK', -stated)
  }
}
