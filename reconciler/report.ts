// The contract §3 report: per store totals, the exceptions, the matches, which sales' stock is now
// verified, and per provider the money accounted for (matched + unmatched + other = all records).
import type { DayContext } from './classify.ts'
import type { PreparedPayments } from './index-payments.ts'
import type { Matching } from './match.ts'
import { countMovements, forEachMovement, type MovementsOf } from './stock.ts'
import type { PayoutLine } from './payout-build.ts'
import type { BridgeRow } from './bridge.ts'
import { ReportDetail } from './report-detail.ts'
import { EXCEPTION_CODES, type ExceptionCode, type Provider, type ReconException, type ReconInput, type ProvisionalMovement, type ReconReport, type ResolvedException, type StoreSummary } from './types.ts'

export const UNASSIGNED = 'UNASSIGNED'
const UNMATCHED_CODES = new Set<ExceptionCode>(['UNEXPECTED_PAYMENT', 'REFUND_WITHOUT_RETURN', 'DUPLICATE_PAYMENT'])

const cmp = (a: string | number | null | undefined, b: string | number | null | undefined): number =>
  a === b ? 0 : a === null || a === undefined ? -1 : b === null || b === undefined ? 1 : a < b ? -1 : 1

function sortExceptions<E extends ReconException> (list: E[]): E[] {
  return list.sort((a, b) => cmp(a.store_id, b.store_id) || EXCEPTION_CODES.indexOf(a.code) - EXCEPTION_CODES.indexOf(b.code) ||
    cmp(a.sale_id, b.sale_id) || cmp(a.tender, b.tender) || cmp(a.line, b.line) ||
    // the provider's own ids before ours: a record's id differs between a file (name:line) and the database
    cmp(a.provider, b.provider) || cmp(a.provider_txn_id, b.provider_txn_id) || cmp(a.reference, b.reference) || cmp(a.payment_id, b.payment_id) || cmp(a.batch_id, b.batch_id))
}

function summary (storeId: string): StoreSummary {
  return { store_id: storeId, status: 'balanced', sales: 0, tenders: {}, settled: {}, verified_sales: 0, verified_movements: 0, provisional_movements: 0, exceptions: {}, resolved: {} }
}

/** A store-day's standing: balanced (nothing open), pending (only settlements not yet due) or exceptions. */
export function storeStatus (exceptions: StoreSummary['exceptions']): StoreSummary['status'] {
  const codes = Object.keys(exceptions)
  if (codes.length === 0) return 'balanced'
  return codes.every(c => c === 'PENDING_SETTLEMENT') ? 'pending' : 'exceptions'
}

/**
 * The exceptions that put a sale's stock deduction in doubt, per sale. A fee out of band or a
 * provider listing a payment twice says nothing about whether the goods left with a paying customer.
 */
const NO_DOUBT = new Set<ExceptionCode>(['FEE_OUT_OF_BAND', 'DUPLICATE_PAYMENT'])
function stockDoubts (exceptions: readonly ReconException[]): Map<string, Map<string | null, Set<ExceptionCode>>> {
  const out = new Map<string, Map<string | null, Set<ExceptionCode>>>() // sale id → store → codes
  for (const e of exceptions) {
    if (e.sale_id === null || NO_DOUBT.has(e.code)) continue
    let byStore = out.get(e.sale_id)
    if (!byStore) { byStore = new Map(); out.set(e.sale_id, byStore) }
    let codes = byStore.get(e.store_id)
    if (!codes) { codes = new Set(); byStore.set(e.store_id, codes) }
    codes.add(e.code)
  }
  return out
}

export interface FoundExceptions { open: ReconException[], resolved: ResolvedException[] }

/**
 * What a report holds. `summary`: every exception and total, but its per-match list and verified
 * movement ids left empty (their counts stay): a chain day has 700k matches and 1.7M verified
 * movements, which the report's detail (report-detail.ts) can still produce, for a writer to stream.
 */
export interface ReportScope { summary?: boolean }

/** The report, and its two long lists as a detail that produces them. */
export interface DayReport { report: ReconReport, detail: ReportDetail }

export function buildReport (input: ReconInput, m: Matching, prepared: PreparedPayments, found: FoundExceptions, ctx: DayContext, movements: MovementsOf, money: { payouts: PayoutLine[], bridge: BridgeRow[] } = { payouts: [], bridge: [] }, scope: ReportScope = {}): DayReport {
  const exceptions = found.open
  const stores = new Map<string, StoreSummary>()
  const store = (id: string | null): StoreSummary => {
    const k = id ?? UNASSIGNED
    let s = stores.get(k)
    if (!s) { s = summary(k); stores.set(k, s) }
    return s
  }
  const doubts = stockDoubts(exceptions)
  const detail = new ReportDetail(m, movements)
  const provisional: ProvisionalMovement[] = []
  for (let i = 0; i < m.sales.length; i++) {
    const sale = m.sales[i]
    if (sale.voided || sale.businessDate !== input.date) continue
    const st = store(sale.storeId)
    if (sale.kind === 'sale') st.sales++
    for (const t of sale.tenders) st.tenders[t.method] = (st.tenders[t.method] ?? 0) + t.amount
    let paired = 0
    for (let j = m.firstTender[i]; j < m.firstTender[i + 1]; j++) if (m.tenders[j].pairing) paired++
    const why = doubts.get(sale.saleId)?.get(sale.storeId)
    const ok = paired === m.firstTender[i + 1] - m.firstTender[i] && !why
    const posted = movements(sale)
    const verified = ok ? countMovements(posted, sale) : 0
    detail.add(i, paired, ok, verified)
    if (ok) {
      if (sale.kind === 'sale') st.verified_sales++
      st.verified_movements += verified
      continue
    }
    forEachMovement(posted, sale, (id, line, sku) => {
      provisional.push({ movement: id, store_id: sale.storeId, sale_id: sale.saleId, line, sku, why: why ? [...why].sort() : [] })
      st.provisional_movements++
    })
  }
  const providers: ReconReport['providers'] = {}
  // a written-off unexpected payment is still money no sale explains: it stays unmatched
  const unmatchedIds = new Set([...exceptions, ...found.resolved].filter(e => UNMATCHED_CODES.has(e.code) && e.payment_id).map(e => e.payment_id!))
  // canonical order, so that object keys (providers, settled) come out the same for any input order
  for (const p of prepared.all) {
    if (p.businessDate !== input.date || prepared.superseded.has(p.id)) continue
    const pr = providers[p.provider] ??= { records: 0, gross: 0, matched_gross: 0, unmatched_gross: 0, other_gross: 0 }
    pr.records++
    pr.gross += p.gross
    if (p.type === 'add_value' || p.type === 'fee' || p.type === 'adjustment') pr.other_gross += p.gross
    else if (unmatchedIds.has(p.id)) pr.unmatched_gross += p.gross
    else if (m.byPayment.has(p) || m.linkedCancels.has(p) || m.cancelled.has(p)) pr.matched_gross += p.gross
    if (p.fileKind !== 'settlement') continue
    const settled = store(ctx.storeOfPayment(p)).settled
    const tot = settled[p.provider as Provider] ??= { gross: 0, fee: 0, net: 0 }
    tot.gross += p.gross; tot.fee += p.fee; tot.net += p.net
  }
  const sorted = sortExceptions(exceptions)
  for (const e of sorted) {
    const st = store(e.store_id)
    st.exceptions[e.code] = (st.exceptions[e.code] ?? 0) + 1
  }
  const resolved = sortExceptions(found.resolved)
  for (const e of resolved) {
    const st = store(e.store_id)
    st.resolved[e.code] = (st.resolved[e.code] ?? 0) + 1
  }
  for (const st of stores.values()) st.status = storeStatus(st.exceptions)
  const report: ReconReport = {
    business_date: input.date,
    generated_at: input.generatedAt ?? new Date().toISOString(),
    stores: [...stores.values()].sort((a, b) => cmp(a.store_id, b.store_id)),
    exceptions: sorted,
    resolved,
    matches: [],
    providers,
    verified_movements: {},
    provisional_movements: provisional.sort((a, b) => cmp(a.store_id, b.store_id) || cmp(a.sale_id, b.sale_id) || a.line - b.line || cmp(a.movement, b.movement)),
    payouts: money.payouts,
    bridge: money.bridge
  }
  if (scope.summary !== true) Object.assign(report, detail.lists())
  return { report, detail }
}

/** The report of one store: its summary, exceptions and matches (records no store claims are left out). */
export function forStore (r: ReconReport, storeId: string): ReconReport {
  return forStores(r, [storeId])
}

/** The report narrowed to some stores (a store manager's view); providers' day totals span every store, so they go. */
export function forStores (r: ReconReport, storeIds: readonly string[]): ReconReport {
  const keep = new Set(storeIds)
  return {
    ...r,
    stores: r.stores.filter(s => keep.has(s.store_id)),
    exceptions: r.exceptions.filter(e => e.store_id !== null && keep.has(e.store_id)),
    resolved: r.resolved.filter(e => e.store_id !== null && keep.has(e.store_id)),
    matches: r.matches.filter(m => keep.has(m.store_id)),
    providers: {},
    verified_movements: Object.fromEntries(Object.entries(r.verified_movements).filter(([id]) => keep.has(id))),
    provisional_movements: r.provisional_movements.filter(p => keep.has(p.store_id)),
    payouts: r.payouts.filter(p => p.store_id !== null && keep.has(p.store_id)),
    bridge: (r.bridge ?? []).filter(b => keep.has(b.store_id))
  }
}
