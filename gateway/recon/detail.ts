// One exception in full, for the person deciding what to do about it: the sale with its lines and
// tenders, the payment record, the candidates a link could pair (scored), the stock movements, what
// has been done about it so far, and which actions fit.
import { addDays } from '../../connectors/_shared/time.ts'
import { rankCandidates, type Candidate, type Side } from '../../reconciler/candidates.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import { WRITE_OFF_FITS, type ReconException, type ReconReport, type ResolvedException } from '../../reconciler/types.ts'
import { auditTrail, type AuditRow } from '../auth/audit.ts'
import { settlingProviders, type ReconConfig } from '../config-recon.ts'
import type { Db } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import { standingReport } from './days.ts'
import { claimsOfDay, type ClaimRow } from './claims.ts'
import { claimable, claimDefaults } from '../../reconciler/claims.ts'

export type Action = 'link' | 'write_off' | 'void' | 'reopen' | 'confirm' | 'reject' | 'claim' | 'assign_store'

export interface ExceptionDetail {
  business_date: string
  key: string
  state: 'open' | 'resolved'
  exception: ReconException | ResolvedException
  sale: SaleView | null
  payment: PaymentView | null
  /** A duplicate listing's first: the same transaction as the provider listed it before. */
  first_listing: PaymentView | null
  /** For a tender without its record: the records that could pay it; for a record no sale explains: the unpaid tenders. */
  candidates: Array<Candidate & { payment?: PaymentView, sale_id?: string, tender?: number }>
  movements: Array<{ id: number, sku: string, location_id: string, qty: string, reason: string, actor: string, occurred_at: Date, verified: boolean }>
  links: Array<{ tender: number, payment_id: string, reason: string, actor: string, at: Date }>
  /** The claim on the provider standing for it (the latest, a rejected one included), and what a new one would ask. */
  claim: ClaimRow | null
  claim_defaults: { amount: number, reference: string | null } | null
  trail: AuditRow[]
  actions: Action[]
}

export interface SaleView {
  vendor: string, sale_id: string, kind: string, store_id: string, terminal_id: string | null, receipt_no: string | null, occurred_at: Date, voided: boolean
  lines: Array<{ line_no: number, sku: string, qty: string, amount: number }>
  tenders: Array<{ tender: number, method: string, amount: number, reference: string | null, card_brand: string | null, card_last4: string | null, auth_code: string | null }>
}
/** A payment record as a person checks it: its amounts, ids, and the file (import) and line it came from. */
export interface PaymentView { id: string, provider: string, type: string, gross: number, fee: number, net: number, paid_at: Date | null, business_date: string | null, provider_txn_id: string | null, merchant_ref: string | null, device_id: string | null, store_id: string | null, filename: string | null, line_no: number }

const PAYMENT_COLUMNS = 'id::text, provider, type, gross, fee, net, paid_at, business_date::text, provider_txn_id, merchant_ref, device_id, store_id, (SELECT filename FROM imports i WHERE i.id = import_id) AS filename, line_no'
const LINKABLE = new Set(['MISSING_PAYMENT', 'AMOUNT_MISMATCH', 'UNEXPECTED_PAYMENT'])
const VOIDABLE = new Set(['MISSING_PAYMENT', 'RETURN_WITHOUT_REFUND'])

export function findException (report: ReconReport, key: string): { e: ReconException | ResolvedException, state: 'open' | 'resolved' } | null {
  const open = report.exceptions.find(x => exceptionKey(x) === key)
  if (open) return { e: open, state: 'open' }
  const done = report.resolved.find(x => exceptionKey(x) === key)
  return done ? { e: done, state: 'resolved' } : null
}

async function saleView (db: Db, date: string, saleId: string, storeId: string): Promise<SaleView | null> {
  const { rows } = await db.query<Omit<SaleView, 'lines' | 'tenders'> & { id: number }>(
    `SELECT s.id, s.vendor, s.sale_id, s.kind, s.store_id, s.terminal_id, s.receipt_no, s.occurred_at,
            EXISTS (SELECT 1 FROM sale_voids v WHERE v.vendor = s.vendor AND v.sale_id = s.sale_id) AS voided
       FROM sales s WHERE s.sale_id = $1 AND s.store_id = $2 AND s.business_date = $3 ORDER BY s.id LIMIT 1`, [saleId, storeId, date])
  if (!rows.length) return null
  const { id, ...s } = rows[0]
  const { rows: lines } = await db.query<SaleView['lines'][number]>('SELECT line_no, sku, qty::text AS qty, amount FROM sale_lines WHERE sale_pk = $1 ORDER BY line_no', [id])
  const { rows: tenders } = await db.query<SaleView['tenders'][number]>('SELECT tender_no - 1 AS tender, method, amount, reference, card_brand, card_last4, auth_code FROM sale_tenders WHERE sale_pk = $1 ORDER BY tender_no', [id])
  return { ...s, lines, tenders }
}

/** Payment ids the standing reports of the day and its neighbours have matched. */
async function matchedNearby (db: Db, date: string): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT m->>'payment_id' AS id FROM recon_days d JOIN recon_runs r ON r.id = d.run_id, jsonb_array_elements(r.report->'matches') m
      WHERE d.business_date BETWEEN $1::date - 1 AND $1::date + 1`, [date])
  return new Set(rows.map(r => r.id))
}

async function paymentCandidates (db: Db, date: string, sale: SaleView, tender: number, recon: Pick<ReconConfig, 'windowMinutes' | 'providers'>): Promise<ExceptionDetail['candidates']> {
  const t = sale.tenders.find(x => x.tender === tender)
  const providers = t ? settlingProviders(recon.providers, t.method) : []
  if (!t || providers.length === 0) return []
  const taken = await matchedNearby(db, date)
  const { rows } = await db.query<PaymentView>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE provider = ANY($1::text[]) AND type = $2 AND business_date BETWEEN $3::date AND $4::date`,
    [providers, t.amount < 0 ? 'refund' : 'payment', addDays(date, -1), addDays(date, 1)])
  const free: PaymentView[] = rows.filter(p => !taken.has(p.id))
  // every record of a provider that settles the tender's method is a candidate (card: any acquirer)
  const target: Side = { id: 'tender', provider: providers[0], amount: t.amount, at: sale.occurred_at.getTime(), reference: t.reference }
  const sides: Side[] = free.map(p => ({ id: p.id, provider: providers[0], amount: p.gross, at: p.paid_at ? p.paid_at.getTime() : null, reference: p.merchant_ref }))
  const byId = new Map(free.map(p => [p.id, p]))
  return rankCandidates(target, sides, recon.windowMinutes).map(c => ({ ...c, payment: byId.get(c.id)! }))
}

async function tenderCandidates (db: Db, report: ReconReport, payment: PaymentView, windowMinutes: number): Promise<ExceptionDetail['candidates']> {
  const unpaid = report.exceptions.filter(e => e.code === 'MISSING_PAYMENT' && e.provider === payment.provider && e.sale_id && e.tender !== null && !e.payment_id)
  if (!unpaid.length) return []
  const { rows } = await db.query<{ sale_id: string, store_id: string, occurred_at: Date }>('SELECT sale_id, store_id, occurred_at FROM sales WHERE business_date = $1 AND sale_id = ANY($2::text[])', [report.business_date, unpaid.map(e => e.sale_id)])
  const at = new Map(rows.map(r => [`${r.store_id}|${r.sale_id}`, r.occurred_at.getTime()]))
  const sides: Side[] = unpaid.map(e => ({ id: `${e.store_id}|${e.sale_id}|${e.tender}`, provider: e.provider!, amount: e.expected ?? 0, at: at.get(`${e.store_id}|${e.sale_id}`) ?? null, reference: e.reference ?? null }))
  const target: Side = { id: payment.id, provider: payment.provider as Side['provider'], amount: payment.gross, at: payment.paid_at ? payment.paid_at.getTime() : null, reference: payment.merchant_ref }
  return rankCandidates(target, sides, windowMinutes).map(c => {
    const [, saleId, tender] = c.id.split('|')
    return { ...c, sale_id: saleId, tender: Number(tender) }
  })
}

function actionsFor (e: ReconException, state: 'open' | 'resolved', sale: SaleView | null, manualLink: boolean, claim: ClaimRow | null): Action[] {
  const out: Action[] = []
  if (state === 'resolved' || manualLink) out.push('reopen')
  if (state === 'resolved') return out
  // a proposal is not a difference: a person says whether the pairing is right
  if (e.code === 'PROPOSED_MATCH') return ['confirm', 'reject']
  if (LINKABLE.has(e.code) && !manualLink) out.push('link')
  if (WRITE_OFF_FITS[e.code]?.length) out.push('write_off')
  // a record no store claims is given to one
  if (e.store_id === null && e.payment_id && /^\d{1,18}$/.test(e.payment_id)) out.push('assign_store')
  // money the provider owes is claimed back; a standing claim is followed, not doubled
  if (claimable(e) && (claim === null || claim.status === 'rejected')) out.push('claim')
  // voiding fits a sale nobody paid for, or a return nobody refunded; not a provider's own problem
  if (sale && !sale.voided && VOIDABLE.has(e.code)) out.push('void')
  return out
}

export async function exceptionDetail (db: Db, date: string, key: string, recon: Pick<ReconConfig, 'windowMinutes' | 'providers'>): Promise<ExceptionDetail> {
  const report = await standingReport(db, date)
  const found = findException(report, key)
  if (!found) throw new DomainError('not_found', 'NOT_FOUND', `no exception ${key} in the report of ${date}`)
  const { e, state } = found
  const sale = e.sale_id && e.store_id ? await saleView(db, date, e.sale_id, e.store_id) : null
  const { rows: pays } = e.payment_id && /^\d{1,18}$/.test(e.payment_id) ? await db.query<PaymentView>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1`, [e.payment_id]) : { rows: [] }
  const payment: PaymentView | null = pays[0] ?? null
  const { rows: firsts } = e.duplicate_of && /^\d{1,18}$/.test(e.duplicate_of) ? await db.query<PaymentView>(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1`, [e.duplicate_of]) : { rows: [] }
  const saleKey = sale ? `${sale.vendor}:${sale.sale_id}` : null
  const { rows: links } = saleKey ? await db.query<ExceptionDetail['links'][number]>('SELECT tender_no - 1 AS tender, payment_id, reason, actor, at FROM manual_links WHERE sale_key = $1 AND undone_at IS NULL ORDER BY tender_no', [saleKey]) : { rows: [] }
  const { rows: movements } = saleKey
    ? await db.query<ExceptionDetail['movements'][number]>(
      `SELECT m.id, m.sku, m.location_id, m.qty::text AS qty, m.reason, m.actor, m.occurred_at, EXISTS (SELECT 1 FROM movement_verifications v WHERE v.movement_id = m.id) AS verified
         FROM stock_movements m WHERE m.source_type = 'sale' AND m.source_id = $1 ORDER BY m.id`, [saleKey])
    : { rows: [] }
  const manualLink = links.some(l => l.tender === e.tender)
  let candidates: ExceptionDetail['candidates'] = []
  if (state === 'open' && LINKABLE.has(e.code) && !manualLink) {
    if (sale && e.tender !== null && e.code !== 'UNEXPECTED_PAYMENT') candidates = await paymentCandidates(db, date, sale, e.tender, recon)
    else if (payment && e.code === 'UNEXPECTED_PAYMENT') candidates = await tenderCandidates(db, report, payment, recon.windowMinutes)
  }
  const trail = (await auditTrail(db, `day:${date}:`)).filter(a => a.target === `day:${date}:${key}` || (saleKey !== null && a.target.startsWith(`day:${date}:sale:${saleKey}`)))
  const claim = (await claimsOfDay(db, date)).get(key) ?? null
  return {
    business_date: date, key, state, exception: e, sale, payment, first_listing: firsts[0] ?? null, candidates, movements, links, trail, claim, claim_defaults: claimable(e) ? claimDefaults(e) : null,
    actions: actionsFor(e, state, sale, manualLink, claim)
  }
}
