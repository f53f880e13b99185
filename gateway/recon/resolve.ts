// What a person does about an exception, each with a reason, recorded with actor and time in the audit
// trail in the same transaction as the change, then the day is reconciled again at once so the report
// and its counts show the result:
//   link      a payment to a sale's tender by hand (the reconciler pairs it before anything else);
//   write-off accept a difference (fee, rounding, goodwill): the exception moves to `resolved`;
//   confirm   a pairing the reconciler only proposed (PROPOSED_MATCH): it is taken in every later run;
//   reject    such a pairing: it is never made again, and the record and the sale are matched anew;
//   void      mark a sale voided: compensating stock movements are posted and forwarded;
//   reopen    undo a link, a write-off or a review (a void is final: the movements it posted stand).
import { randomUUID } from 'node:crypto'
import type { PgBoss } from 'pg-boss'
import type { PosEvent } from '../../connectors/contract.ts'
import { addDays } from '../../connectors/_shared/time.ts'
import { WRITE_OFF_FITS, type WriteOffCategory } from '../../reconciler/types.ts'
import { standingReport } from './days.ts'
import { findException } from './detail.ts'
import { audit } from '../auth/audit.ts'
import { storeCutoff, type Config } from '../config.ts'
import { settlingProviders } from '../config-recon.ts'
import type { TxClient } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import { enqueue, movementEntries } from '../outbox/outbox.ts'
import { applyPosEvent, type WrittenMovement } from '../sales/pos-store.ts'
import type { Sql } from '../db/pool.ts'
import { reconcileDay, type RunDeps, type RunResult } from './run.ts'

export interface ResolveDeps extends RunDeps { boss: PgBoss, config: Pick<Config, 'recon' | 'forwarding' | 'stores'> }

/** Locates a sale in a report: its id and store (and the vendor, when two vendors share an id). */
export interface SaleRef { saleId: string, storeId: string, vendor?: string }


async function findSale (c: TxClient, date: string, ref: SaleRef) {
  const { rows } = await c.query(
    `SELECT s.id, s.vendor, s.sale_id, s.kind, s.store_id, s.terminal_id, s.receipt_no, s.business_date,
            EXISTS (SELECT 1 FROM sale_voids v WHERE v.vendor = s.vendor AND v.sale_id = s.sale_id) AS voided
       FROM sales s WHERE s.sale_id = $1 AND s.store_id = $2 AND s.business_date = $3 AND ($4::text IS NULL OR s.vendor = $4)`,
    [ref.saleId, ref.storeId, date, ref.vendor ?? null])
  if (rows.length === 0) throw new DomainError('not_found', 'NOT_FOUND', `no sale ${ref.saleId} at ${ref.storeId} on ${date}`)
  if (rows.length > 1) throw new DomainError('conflict', 'AMBIGUOUS_SALE', `${rows.length} vendors have a sale ${ref.saleId} at ${ref.storeId}; name the vendor`)
  return { ...rows[0], key: `${rows[0].vendor}:${rows[0].sale_id}` }
}

/**
 * Runs the action in a transaction, then reconciles its day, and any other day it touched that was
 * reconciled before. No mismatch digest is sent for these runs: the person acting is looking at it.
 */
async function act (deps: ResolveDeps, actor: string, fn: (c: TxClient) => Promise<string[]>): Promise<RunResult> {
  const [day, ...others] = await deps.db.withTransaction(fn)
  // the sinks hear of the standing this changed; finance is not sent a digest of its own action
  const run = { db: deps.db, cipher: deps.cipher, config: deps.config, boss: deps.boss, notify: false }
  const result = await reconcileDay(run, { date: day, trigger: 'manual', ref: actor })
  const { rows } = await deps.db.query<{ business_date: string }>('SELECT business_date FROM recon_days WHERE business_date = ANY($1::date[]) AND business_date <> $2 AND run_id IS NOT NULL', [others, day])
  for (const r of rows) await reconcileDay(run, { date: r.business_date, trigger: 'manual', ref: actor })
  return result
}

export interface LinkRequest { date: string, sale: SaleRef, tender: number, paymentId: string, reason: string, actor: string }

export async function linkPayment (deps: ResolveDeps, r: LinkRequest): Promise<RunResult> {
  return await act(deps, r.actor, async c => {
    const sale = await findSale(c, r.date, r.sale)
    if (sale.voided) throw new DomainError('conflict', 'SALE_VOIDED', `sale ${sale.sale_id} is voided; there is nothing to link`)
    const { rows: tenders } = await c.query('SELECT tender_no, method, amount FROM sale_tenders WHERE sale_pk = $1 AND tender_no = $2', [sale.id, r.tender + 1])
    const t = tenders[0]
    if (!t) throw new DomainError('not_found', 'NOT_FOUND', `sale ${sale.sale_id} has no tender ${r.tender}`)
    const providers = settlingProviders(deps.config.recon.providers, t.method)
    if (providers.length === 0) throw new DomainError('unprocessable', 'NOT_LINKABLE', `tender ${r.tender} is paid by ${t.method}; only tenders a settlement provider pays have provider records`)
    const { rows: pays } = await c.query('SELECT id, provider, type, gross, business_date FROM payments WHERE id = $1', [/^\d{1,18}$/.test(r.paymentId) ? r.paymentId : '0'])
    const p = pays[0]
    if (!p) throw new DomainError('not_found', 'NOT_FOUND', `no payment record ${r.paymentId}`)
    if (!providers.includes(p.provider)) throw new DomainError('unprocessable', 'NOT_LINKABLE', `payment ${p.id} is ${p.provider}; the tender is paid through ${providers.join(' or ')}`)
    const wanted = t.amount < 0 ? 'refund' : 'payment'
    if (p.type !== wanted) throw new DomainError('unprocessable', 'NOT_LINKABLE', `payment ${p.id} is a ${p.type}; the tender needs a ${wanted}`)
    if (!p.business_date || p.business_date < addDays(r.date, -1) || p.business_date > addDays(r.date, 1)) {
      throw new DomainError('unprocessable', 'NOT_LINKABLE', `payment ${p.id} is of ${p.business_date ?? 'no business day'}; a link names a payment of the sale's day or the day either side`)
    }
    const { rows } = await c.query(
      `INSERT INTO manual_links (business_date, sale_key, tender_no, payment_id, reason, actor) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING id`, [r.date, sale.key, r.tender + 1, String(p.id), r.reason, r.actor])
    if (!rows.length) throw new DomainError('conflict', 'ALREADY_LINKED', `the tender or payment ${p.id} is already linked by hand; re-open that link first`)
    await audit(c, { actor: r.actor, action: 'payment.link', target: `day:${r.date}:sale:${sale.key}#${r.tender}`, reason: r.reason, details: { payment_id: String(p.id), store_id: sale.store_id, amount: t.amount, gross: p.gross } })
    return [r.date, p.business_date]
  })
}

export interface WriteOffRequest { date: string, key: string, category: WriteOffCategory, reason: string, actor: string }

export async function writeOff (deps: ResolveDeps, r: WriteOffRequest): Promise<RunResult> {
  return await act(deps, r.actor, async c => {
    const report = await standingReport(c, r.date)
    const found = findException(report, r.key)
    if (found?.state !== 'open') throw new DomainError('conflict', 'NOT_OPEN', `no open exception ${r.key} on ${r.date}: it was resolved, or the data no longer shows it`)
    const e = found.e
    if (e.code === 'PENDING_SETTLEMENT') throw new DomainError('unprocessable', 'NOT_DUE', 'a settlement that is not due yet is not a difference; it cannot be written off')
    const fits = WRITE_OFF_FITS[e.code] ?? []
    if (!fits.includes(r.category)) {
      throw new DomainError('unprocessable', 'NOT_WRITABLE', fits.length ? `a ${e.code} is written off as ${fits.join(' or ')}, not ${r.category}` : `a ${e.code} is not written off: link it to its sale or claim it from the provider`)
    }
    const { rows } = await c.query(
      `INSERT INTO exception_resolutions (business_date, exception_key, action, category, reason, actor) VALUES ($1, $2, 'write_off', $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id`, [r.date, r.key, r.category, r.reason, r.actor])
    if (!rows.length) throw new DomainError('conflict', 'NOT_OPEN', `exception ${r.key} is already written off`)
    await audit(c, { actor: r.actor, action: 'exception.write_off', target: `day:${r.date}:${r.key}`, reason: r.reason, details: { category: r.category, code: e.code, store_id: e.store_id, expected: e.expected, actual: e.actual } })
    return [r.date]
  })
}

export interface AssignStoreRequest { date: string, key: string, storeId: string, reason: string, actor: string }

/** Gives a record no store claims to a store (its exception then counts there); a later assignment replaces it. */
export async function assignStore (deps: ResolveDeps, r: AssignStoreRequest): Promise<RunResult> {
  if (!deps.config.stores.some(s => s.id === r.storeId)) throw new DomainError('invalid', 'UNKNOWN_STORE', `no store ${r.storeId} is configured`)
  return await act(deps, r.actor, async c => {
    const found = findException(await standingReport(c, r.date), r.key)
    if (found?.state !== 'open') throw new DomainError('conflict', 'NOT_OPEN', `no open exception ${r.key} on ${r.date}: it was resolved, or the data no longer shows it`)
    const e = found.e
    if (e.store_id !== null || !e.payment_id || !/^\d{1,18}$/.test(e.payment_id)) throw new DomainError('unprocessable', 'NOT_ASSIGNABLE', `exception ${r.key} is not a record without a store`)
    await c.query(
      `INSERT INTO payment_store_assignments (payment_id, store_id, reason, actor) VALUES ($1, $2, $3, $4)
       ON CONFLICT (payment_id) DO UPDATE SET store_id = EXCLUDED.store_id, reason = EXCLUDED.reason, actor = EXCLUDED.actor, at = now()`, [e.payment_id, r.storeId, r.reason, r.actor])
    await audit(c, { actor: r.actor, action: 'payment.assign_store', target: `day:${r.date}:${r.key}`, reason: r.reason, details: { payment_id: e.payment_id, store_id: r.storeId, code: e.code } })
    return [r.date]
  })
}

export interface ReviewRequest { date: string, key: string, decision: 'confirmed' | 'rejected', reason: string, actor: string }

/** Confirms or rejects a proposed pairing, named by its PROPOSED_MATCH exception's key. */
export async function reviewMatch (deps: ResolveDeps, r: ReviewRequest): Promise<RunResult> {
  return await act(deps, r.actor, async c => {
    const found = findException(await standingReport(c, r.date), r.key)
    if (found?.state !== 'open') throw new DomainError('conflict', 'NOT_OPEN', `no open exception ${r.key} on ${r.date}: it was reviewed, or the data no longer shows it`)
    const e = found.e
    if (e.code !== 'PROPOSED_MATCH' || !e.sale_id || !e.store_id || e.tender === null || !e.payment_id) throw new DomainError('unprocessable', 'NOT_PROPOSED', `exception ${r.key} is a ${e.code}; only a proposed match is confirmed or rejected`)
    const sale = await findSale(c, r.date, { saleId: e.sale_id, storeId: e.store_id })
    const { rows } = await c.query(
      `INSERT INTO match_reviews (business_date, exception_key, sale_key, tender_no, payment_id, decision, reason, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING id`, [r.date, r.key, sale.key, e.tender + 1, e.payment_id, r.decision, r.reason, r.actor])
    if (!rows.length) throw new DomainError('conflict', 'NOT_OPEN', `the pairing of ${r.key} is already reviewed`)
    await audit(c, { actor: r.actor, action: r.decision === 'confirmed' ? 'match.confirm' : 'match.reject', target: `day:${r.date}:${r.key}`, reason: r.reason, details: { payment_id: e.payment_id, store_id: e.store_id, score: e.score ?? null } })
    return [r.date]
  })
}

export interface VoidRequest { date: string, sale: SaleRef, reason: string, actor: string }

/** Voids a sale as the till would have: a void event through the same path, movements to the outbox. */
export async function voidSale (deps: ResolveDeps, r: VoidRequest): Promise<RunResult> {
  return await act(deps, r.actor, async c => {
    const sale = await findSale(c, r.date, r.sale)
    if (sale.voided) throw new DomainError('conflict', 'SALE_VOIDED', `sale ${sale.sale_id} is already voided`)
    const ev: PosEvent = {
      vendor: sale.vendor, eventId: `manual-void:${randomUUID()}`, kind: 'void', saleId: sale.sale_id, refundOf: null, storeId: sale.store_id,
      terminalId: sale.terminal_id, receiptNo: sale.receipt_no, occurredAt: new Date(), lines: [], tenders: [], charges: 0, rounding: 0
    }
    const written: WrittenMovement[] = []
    await applyPosEvent(c, ev, storeCutoff(deps.config, sale.store_id), written, r.actor)
    await enqueue(c, deps.boss, movementEntries(written, deps.config.forwarding))
    await audit(c, { actor: r.actor, action: 'sale.void', target: `day:${r.date}:sale:${sale.key}`, reason: r.reason, details: { store_id: sale.store_id, movements: written.map(m => m.id) } })
    return [r.date]
  })
}

export interface ReopenRequest { date: string, key?: string, paymentId?: string, reason: string, actor: string }

/**
 * Undoes a write-off or a review of a proposed match (named by the exception's key) or a hand-made
 * link (named by its payment).
 */
export async function reopen (deps: ResolveDeps, r: ReopenRequest): Promise<RunResult> {
  if (!r.key === !r.paymentId) throw new DomainError('invalid', 'BAD_REQUEST', 'name either the written-off or reviewed exception (key) or the linked payment (payment_id)')
  return await act(deps, r.actor, async c => {
    const undo = 'SET undone_at = now(), undone_by = $3, undo_reason = $4 WHERE business_date = $1 AND undone_at IS NULL'
    const table = r.key?.startsWith('PROPOSED_MATCH|') ? 'match_reviews' : 'exception_resolutions'
    const { rows } = r.key
      ? await c.query(`UPDATE ${table} ${undo} AND exception_key = $2 RETURNING id, business_date`, [r.date, r.key, r.actor, r.reason])
      : await c.query(`UPDATE manual_links ${undo} AND payment_id = $2 RETURNING id, business_date, sale_key, (SELECT business_date FROM payments WHERE id = payment_id::bigint) AS paid_day`, [r.date, r.paymentId, r.actor, r.reason])
    if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', r.key ? `no standing ${table === 'match_reviews' ? 'review' : 'write-off'} of ${r.key} on ${r.date}` : `no standing link of payment ${r.paymentId} on ${r.date}`)
    const target = r.key ? `day:${r.date}:${r.key}` : `day:${r.date}:sale:${rows[0].sale_key}`
    await audit(c, { actor: r.actor, action: r.key ? 'exception.reopen' : 'payment.unlink', target, reason: r.reason, details: r.paymentId ? { payment_id: r.paymentId } : {} })
    return [r.date, ...(rows[0].paid_day ? [rows[0].paid_day] : [])]
  })
}
