// The contract §3 report: per store totals, the exceptions, the matches, which sales' stock is now
// verified, and per provider the money accounted for (matched + unmatched + other = all records).
import type { DayContext } from './classify.ts'
import type { PreparedPayments } from './index-payments.ts'
import type { Matching } from './match.ts'
import { EXCEPTION_CODES, type ExceptionCode, type Provider, type ReconException, type ReconInput, type ReconMatch, type ReconReport, type ReconSale, type StoreSummary } from './types.ts'

export const UNASSIGNED = 'UNASSIGNED'
const UNMATCHED_CODES = new Set<ExceptionCode>(['UNEXPECTED_PAYMENT', 'REFUND_WITHOUT_RETURN', 'DUPLICATE_PAYMENT'])

const cmp = (a: string | number | null | undefined, b: string | number | null | undefined): number =>
  a === b ? 0 : a === null || a === undefined ? -1 : b === null || b === undefined ? 1 : a < b ? -1 : 1

function sortExceptions (list: ReconException[]): ReconException[] {
  return list.sort((a, b) => cmp(a.store_id, b.store_id) || EXCEPTION_CODES.indexOf(a.code) - EXCEPTION_CODES.indexOf(b.code) ||
    cmp(a.sale_id, b.sale_id) || cmp(a.tender, b.tender) || cmp(a.line, b.line) || cmp(a.payment_id, b.payment_id) || cmp(a.batch_id, b.batch_id))
}

function summary (storeId: string): StoreSummary {
  return { store_id: storeId, sales: 0, tenders: {}, settled: {}, verified_sales: 0, exceptions: {} }
}

export function buildReport (input: ReconInput, daySales: readonly ReconSale[], m: Matching, prepared: PreparedPayments, exceptions: ReconException[], ctx: DayContext): ReconReport {
  const stores = new Map<string, StoreSummary>()
  const store = (id: string | null): StoreSummary => {
    const k = id ?? UNASSIGNED
    let s = stores.get(k)
    if (!s) { s = summary(k); stores.set(k, s) }
    return s
  }
  const flagged = new Set(exceptions.filter(e => e.sale_id !== null).map(e => `${e.store_id}|${e.sale_id}`))
  const matches: ReconMatch[] = []
  const verified: string[] = []
  const movementKeys = new Map<string, string[]>()
  for (const mv of input.movements ?? []) {
    const k = `${mv.saleKey}#${mv.lineNo}`
    movementKeys.set(k, [...movementKeys.get(k) ?? [], mv.id !== undefined ? String(mv.id) : k])
  }
  for (const sale of daySales) {
    if (sale.voided) continue
    const st = store(sale.storeId)
    if (sale.kind === 'sale') st.sales++
    let paidAll = true
    for (const t of sale.tenders) {
      st.tenders[t.method] = (st.tenders[t.method] ?? 0) + t.amount
      if (t.method !== 'octopus' && t.method !== 'alipayhk') continue
      const pairing = m.byTender.get(`${sale.key}#${t.tenderNo}`)
      if (!pairing) { paidAll = false; continue }
      matches.push({ sale_id: sale.saleId, store_id: sale.storeId, tender: t.tenderNo - 1, provider: t.method, provider_txn_id: pairing.payment.providerTxnId, payment_id: pairing.payment.id, by: pairing.by, ...(pairing.score !== undefined ? { score: pairing.score } : {}) })
    }
    if (!paidAll || flagged.has(`${sale.storeId}|${sale.saleId}`)) continue
    if (sale.kind === 'sale') st.verified_sales++
    for (const line of sale.lines) verified.push(...(input.movements ? movementKeys.get(`${sale.key}#${line.lineNo}`) ?? [] : [`${sale.key}#${line.lineNo}`]))
  }
  const providers: ReconReport['providers'] = {}
  const unmatchedIds = new Set(exceptions.filter(e => UNMATCHED_CODES.has(e.code) && e.payment_id).map(e => e.payment_id!))
  // canonical order, so that object keys (providers, settled) come out the same for any input order
  const payments = [...input.payments].sort((a, b) => cmp(a.id, b.id))
  for (const p of payments) {
    if (p.businessDate !== input.date || prepared.superseded.has(p.id)) continue
    const pr = providers[p.provider] ??= { records: 0, gross: 0, matched_gross: 0, unmatched_gross: 0, other_gross: 0 }
    pr.records++
    pr.gross += p.gross
    if (p.type === 'add_value' || p.type === 'fee' || p.type === 'adjustment') pr.other_gross += p.gross
    else if (unmatchedIds.has(p.id)) pr.unmatched_gross += p.gross
    else if (m.byPayment.has(p.id) || m.linkedCancels.has(p.id) || m.cancelled.has(p.id)) pr.matched_gross += p.gross
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
  return {
    business_date: input.date,
    generated_at: input.generatedAt ?? new Date().toISOString(),
    stores: [...stores.values()].sort((a, b) => cmp(a.store_id, b.store_id)),
    exceptions: sorted,
    matches: matches.sort((a, b) => cmp(a.store_id, b.store_id) || cmp(a.sale_id, b.sale_id) || a.tender - b.tender),
    providers,
    verified_movements: verified.sort()
  }
}
