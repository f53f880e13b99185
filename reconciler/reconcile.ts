// reconcile(): one store-day (or all stores of a day) from plain data to the contract §3 report. Pure
// and deterministic: the same input in any order gives the same report (inputs are put in canonical
// order first, and every output list is sorted).
import { placeOf, preparePayments } from './index-payments.ts'
import { chainRefunds, linkCancels, linkVoidRefunds, matchByReference, matchManual, Matching } from './match.ts'
import { matchByAmountTime, reviewKey } from './match-time.ts'
import { StoreAttribution } from './attribute.ts'
import { Disputes, paymentExceptions, tenderExceptions, type DayContext } from './classify.ts'
import { movementsOf, stockExceptions } from './stock.ts'
import { buildReport, UNASSIGNED, type DayReport, type ReportScope } from './report.ts'
import { moneyBridge } from './bridge.ts'
import { bySaleKey } from './sale-order.ts'
import { buildPayouts, payoutReport, type PayoutReport } from './payout-build.ts'
import { matchReceiptsByAmountDay, splitCredits } from './bank-receipts.ts'
import type { Deposit } from './payouts.ts'
import type { ReconException, ReconInput, ReconPayment, ReconReport, ReconSettings, ResolvedException, Resolution } from './types.ts'

/** What identifies an exception across runs (and what a write-off names): its code and the ids that locate it. */
export function exceptionKey (e: ReconException): string {
  // a bank entry is named only where there is one, so the keys of every other exception stay as they were
  return [e.code, e.store_id, e.sale_id, e.tender, e.payment_id, e.batch_id, e.line, ...e.bank_entry ? [e.bank_entry] : []].map(v => v ?? '').join('|')
}

/** Splits the exceptions into open ones and those a person accepted (a pending settlement is never written off). */
function applyResolutions (exceptions: ReconException[], resolutions: readonly Resolution[] | undefined): { open: ReconException[], resolved: ResolvedException[] } {
  if (!resolutions?.length) return { open: exceptions, resolved: [] }
  const byKey = new Map(resolutions.map(r => [r.key, r]))
  const open: ReconException[] = []
  const resolved: ResolvedException[] = []
  for (const e of exceptions) {
    const r = e.code === 'PENDING_SETTLEMENT' ? undefined : byKey.get(exceptionKey(e))
    if (!r) { open.push(e); continue }
    const { key: _key, ...resolution } = r
    resolved.push({ ...e, resolution })
  }
  return { open, resolved }
}

/**
 * Which reader serves which till, for providers matched per device: configured, else learnt from the
 * day's reference matches (per provider: a till may have a reader of each).
 */
function readerMap (m: Matching, s: ReconSettings) {
  const fixed = new Map<string, string>() // `${store}:${terminal}` → device
  for (const [device, till] of Object.entries(s.devices ?? {})) fixed.set(till, device)
  const seen = new Map<string, Map<string, number>>()
  const learn = (): void => {
    for (const t of m.tenders) {
      if (s.providers[t.provider]?.matchScope !== 'device') continue
      const p = m.byTender.get(t)?.payment
      if (!p?.deviceId) continue
      const till = `${t.provider}|${t.sale.storeId}:${t.sale.terminalId ?? ''}`
      const counts = seen.get(till) ?? new Map<string, number>()
      counts.set(p.deviceId, (counts.get(p.deviceId) ?? 0) + 1)
      seen.set(till, counts)
    }
  }
  const deviceOf = (provider: string, storeId: string, terminalId: string | null): string | null => {
    const f = fixed.get(`${storeId}:${terminalId ?? ''}`)
    if (f) return f
    const counts = seen.get(`${provider}|${storeId}:${terminalId ?? ''}`)
    if (!counts) return null
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0]
  }
  return { learn, deviceOf }
}

/**
 * The days each reader of a provider whose readers upload late has records of (a reader has uploaded a
 * day when any of its records for that day is here): per provider and device, not a key joined per
 * record, as a chain day has 300k such records and a few hundred readers.
 */
function uploadedDays (live: readonly ReconPayment[], s: ReconSettings): Map<string, Map<string, Set<string | null>>> {
  const out = new Map<string, Map<string, Set<string | null>>>()
  for (const p of live) {
    if (!p.deviceId || !s.providers[p.provider]?.devicesUploadLate) continue
    let devices = out.get(p.provider)
    if (!devices) { devices = new Map(); out.set(p.provider, devices) }
    const days = devices.get(p.deviceId)
    if (days) days.add(p.businessDate); else devices.set(p.deviceId, new Set([p.businessDate]))
  }
  return out
}

/** The bank's credits split into a receipt provider's records (FPS) and what payouts may claim. */
function bankCredits (input: ReconInput): { receipts: ReconPayment[], rest: Deposit[] } {
  const s = input.settings
  if (!input.payouts) return { receipts: [], rest: [] }
  const payoutNames = Object.fromEntries(Object.entries(s.payouts ?? {}).map(([id, r]) => [id, r.bankNames]))
  return splitCredits(input.date, input.payouts, s.bankReceipts ?? {}, payoutNames, input.sales, new Set(input.payments.map(p => p.provider)))
}

/** The payouts closing on the day against the bank, when the input gives them. */
function dayPayouts (input: ReconInput, deposits: readonly Deposit[]): PayoutReport {
  const s = input.settings
  if (!input.payouts || !s.payouts) return { lines: [], exceptions: [], byGroup: new Map() }
  const list = buildPayouts(input.payouts.records, input.payouts.stated, s.payouts, s.holidays)
  return payoutReport(input.date, list, deposits, { asOf: s.asOf, bankThrough: input.payouts.bankThrough }, s.payouts)
}

/** Pass 1, by reference: tenders to records, refunds to their originals' records, cancels to what they undo. */
function matchReferences (m: Matching, live: readonly ReconPayment[]): void {
  // one index of the records by reference serves the first and the cancels, and is let go after them
  const byRef = matchByReference(m, live)
  chainRefunds(m, live)
  linkCancels(m, live, byRef)
  linkVoidRefunds(m, live)
}

/**
 * How a run reports. `summary`: without the per-match list and the verified movement ids (report.ts).
 * `step`: told as each stage begins, with its name: a chain day's matching takes seconds, and the
 * offline run shows where it is.
 */
export interface ReconcileOptions extends ReportScope { step?: (name: ReconcileStep) => void }
export type ReconcileStep = 'by reference' | 'by amount and time' | 'exceptions' | 'report'

/** The day's report. */
export function reconcile (input: ReconInput, options: ReconcileOptions = {}): ReconReport {
  const stages = reconcileInStages(input, options)
  for (let at = stages.next(); ; at = stages.next()) {
    if (at.done) return at.value.report
    options.step?.(at.value)
  }
}

/**
 * The day's report, a stage at a time: yields each stage's name as it begins and returns the report
 * with its detail (its long lists, to stream). A caller may complete the sales' stock movements when
 * 'exceptions' is yielded, the first stage that reads them: the offline run reads them on a thread
 * while the records are matched.
 */
export function * reconcileInStages (input: ReconInput, options: ReportScope = {}): Generator<ReconcileStep, DayReport, void> {
  const s = input.settings
  const sales = [...input.sales].sort(bySaleKey)
  const bank = bankCredits(input)
  const payments = bank.receipts.length ? [...input.payments, ...bank.receipts] : input.payments
  const prepared = preparePayments(payments)
  const m = new Matching(sales, s.providers, prepared.live, s.tenderProviders, prepared.all.length)
  matchManual(m, prepared.live, input.manualLinks ?? [])
  const reviews = input.matchReviews ?? []
  matchManual(m, prepared.live, reviews.filter(r => r.decision === 'confirmed'), true)
  yield 'by reference'
  matchReferences(m, prepared.live)
  yield 'by amount and time'
  const readers = readerMap(m, s)
  readers.learn()
  const rejected = new Set(reviews.filter(r => r.decision === 'rejected').map(r => reviewKey(r.saleKey, r.tenderNo, r.paymentId)))
  matchByAmountTime(m, prepared.live, s, readers.deviceOf, rejected)
  matchReceiptsByAmountDay(m, bank.receipts)
  readers.learn()

  const uploadedDevices = uploadedDays(prepared.live, s)
  const saleOfPayment: DayContext['saleOfPayment'] = p => {
    const t = m.byPayment.get(p)
    return t ? { saleId: t.sale.saleId, storeId: t.sale.storeId, tender: t.tender.tenderNo - 1 } : null
  }
  const disputes = new Disputes(m, payments, saleOfPayment)
  const storeOf = new Array<string | null | undefined>(prepared.all.length).fill(undefined)
  const attribution = new StoreAttribution(m, payments, s, new Set(sales.map(x => x.storeId)))
  const ctx: DayContext = {
    date: input.date,
    settings: s,
    uploaded: (provider, storeId, terminalId, day) => {
      const device = readers.deviceOf(provider, storeId, terminalId)
      return device !== null && uploadedDevices.get(provider)?.get(device)?.has(day) === true
    },
    // a record's store: its sale's; a chargeback's, the disputed sale's; else the one it names. Asked of
    // each record several times once matching is done, so kept by the record's place when first found.
    storeOfPayment: p => {
      const at = placeOf(p)
      let store = storeOf[at]
      if (store === undefined) storeOf[at] = store = m.byPayment.get(p)?.sale.storeId ?? disputes.saleOf(p)?.storeId ?? attribution.of(p)?.storeId ?? null
      return store
    },
    storeNote: p => {
      if (m.byPayment.has(p) || disputes.saleOf(p)) return {}
      const a = attribution.of(p)
      return a?.inferred ? { store_inferred: true, store_evidence: a.evidence! } : {}
    },
    saleOfPayment,
    disputes
  }
  yield 'exceptions'
  const daySales = sales.filter(x => x.businessDate === input.date)
  const movements = movementsOf(input.movements)
  const found = [
    ...tenderExceptions(m, ctx),
    ...paymentExceptions(m, prepared, payments, ctx),
    ...stockExceptions(daySales, movements),
    ...(input.batchFindings ?? []).map(b => ({
      code: 'BATCH_TOTAL_MISMATCH' as const, store_id: null, sale_id: null, tender: null, provider: b.provider, expected: b.expected, actual: b.actual,
      detail: b.detail, batch_id: b.batchId
    }))
  ]
  const payouts = dayPayouts(input, bank.rest)
  const { open, resolved } = applyResolutions([...found, ...payouts.exceptions], input.resolutions)
  const bridge = moneyBridge({
    date: input.date, m, prepared, ctx, exceptions: [...open, ...resolved], payouts, payoutsKnown: input.payouts !== undefined, stated: input.payouts?.stated ?? [], rules: s.payouts ?? {}, holidays: s.holidays, unassigned: UNASSIGNED
  })
  yield 'report'
  return buildReport(input, m, prepared, { open, resolved }, ctx, movements, { payouts: payouts.lines, bridge }, options)
}
