// Store-days and their standing, for the calendar (API and web page alike).
import type { ReconReport } from '../../reconciler/types.ts'
import type { Db } from '../db/pool.ts'
import type { Sql } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'

export interface StoreDay {
  business_date: string, store_id: string, status: 'balanced' | 'pending' | 'exceptions', sales: number, verified_sales: number,
  exceptions: Record<string, number>, resolved: Record<string, number>, run_id: number, reopened: boolean
}

/** Reconciled store-days from `from` to `to` (inclusive), limited to `stores` when given. */
export async function storeDays (db: Db, from: string, to: string, stores: readonly string[] | null): Promise<StoreDay[]> {
  const { rows } = await db.query<StoreDay>(
    `SELECT s.business_date::text, s.store_id, s.status, s.sales, s.verified_sales, s.exceptions, s.resolved, s.run_id, d.data_version > d.reconciled_version AS reopened
       FROM recon_store_days s JOIN recon_days d USING (business_date)
      WHERE s.business_date BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR s.store_id = ANY($3))
      ORDER BY s.business_date, s.store_id`, [from, to, stores])
  return rows
}

/** The latest reconciled business day on or before `today`, if any. */
/** The days from `from` to `to` with a standing report: a store absent from one had nothing to reconcile. */
export async function reconciledDays (db: Db, from: string, to: string): Promise<Set<string>> {
  const { rows } = await db.query<{ d: string }>('SELECT business_date::text AS d FROM recon_days WHERE run_id IS NOT NULL AND business_date BETWEEN $1 AND $2', [from, to])
  return new Set(rows.map(r => r.d))
}

export async function latestReconciledDay (db: Db, today: string): Promise<string | null> {
  const { rows } = await db.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM recon_days WHERE run_id IS NOT NULL AND business_date <= $1', [today])
  return rows[0]?.d ?? null
}

export interface RunInfo { id: number, trigger: string, as_of: string, finished_at: Date, last_run_at: Date, reopened: boolean, reopened_by: string | null }

/** The standing report of a day and the run that made it; 404 when the day was never reconciled. */
export async function dayReport (db: Db, date: string): Promise<{ report: ReconReport, run: RunInfo }> {
  const { rows } = await db.query<RunInfo & { report: ReconReport }>(
    `SELECT r.report, r.id, r.trigger, r.as_of::text, r.finished_at, d.data_version > d.reconciled_version AS reopened, d.reopened_by,
            (SELECT max(finished_at) FROM recon_runs WHERE business_date = d.business_date) AS last_run_at
       FROM recon_days d JOIN recon_runs r ON r.id = d.run_id WHERE d.business_date = $1`, [date])
  if (!rows.length) throw new DomainError('not_found', 'NOT_RECONCILED', `${date} has not been reconciled yet; POST /v1/reconciliations {"date":"${date}"} to run it`)
  const { report, ...run } = rows[0]
  return { report: upgradeReport(report), run }
}

/** A report stored before resolutions existed reads as one with none. */
export function upgradeReport (r: ReconReport): ReconReport {
  r.resolved ??= []
  for (const s of r.stores) s.resolved ??= {}
  return r
}

/** The standing report of a day; 404 when the day was never reconciled. */
export async function standingReport (sql: Sql, date: string): Promise<ReconReport> {
  const { rows } = await sql.query<{ report: ReconReport }>('SELECT r.report FROM recon_days d JOIN recon_runs r ON r.id = d.run_id WHERE d.business_date = $1', [date])
  if (!rows.length) throw new DomainError('not_found', 'NOT_RECONCILED', `${date} has not been reconciled yet`)
  return upgradeReport(rows[0].report)
}
