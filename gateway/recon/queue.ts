// When reconciliation runs: after every settlement import (for each business day the file touches),
// after a late POS event for a day already reconciled, and on demand. New data re-opens its day
// (recon_days.data_version grows) and queues a run, in the same transaction as the data itself, so a
// committed import always gets its run and a rolled-back one never does.
import type { Job, PgBoss } from 'pg-boss'
import type { Sql } from '../db/pool.ts'
import { inTransaction } from '../db/boss-sql.ts'
import type { Db } from '../db/pool.ts'
import type { Config } from '../config.ts'
import type { PiiCipher } from '../crypto.ts'
import { reconcileDay, type RunTrigger } from './run.ts'
import { ensureQueue } from '../jobs.ts'
import { watchLateFiles } from './late-files.ts'

export const RECONCILE_QUEUE = 'recon.reconcile'
/**
 * Daily: days still pending settlement, re-opened, or with a payout past its due day and not yet in the
 * bank are run again (a settlement or payout that never comes becomes missing).
 */
export const SWEEP_QUEUE = 'recon.sweep'
const SWEEP_CRON = '30 10 * * *' // 10:30 HKT, after the providers' morning files
/** Every quarter hour: files past their due time (late-files.ts). */
export const LATE_FILES_QUEUE = 'recon.late-files'
const LATE_FILES_CRON = '*/15 * * * *'
const SWEEP_DAYS = 35

export interface ReconcileJob { date: string, trigger: RunTrigger, ref: string | null }

export interface Reason { trigger: RunTrigger, ref: string | null }

/** Creates the queue (idempotent). One queued and one active run per day at most ('stately'). */
export async function ensureReconcileQueue (boss: PgBoss): Promise<void> {
  await ensureQueue(boss, RECONCILE_QUEUE, { policy: 'stately', retryLimit: 5, retryDelay: 15, retryBackoff: true, expireInSeconds: 30 * 60, deleteAfterSeconds: 14 * 86400 })
  await ensureQueue(boss, SWEEP_QUEUE, { policy: 'stately', retryLimit: 3, retryDelay: 60, expireInSeconds: 300 })
  await boss.schedule(SWEEP_QUEUE, SWEEP_CRON, null, { tz: 'Asia/Hong_Kong' })
  await ensureQueue(boss, LATE_FILES_QUEUE, { policy: 'stately', retryLimit: 3, retryDelay: 60, expireInSeconds: 300 })
  await boss.schedule(LATE_FILES_QUEUE, LATE_FILES_CRON, null, { tz: 'Asia/Hong_Kong' })
}

/** Queues a run for every recent day that is pending settlement or re-opened; returns the days. */
export async function sweep (db: Db, boss: PgBoss): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT business_date FROM recon_store_days WHERE status = 'pending' AND business_date >= current_date - $1::int
     UNION SELECT business_date FROM recon_days WHERE data_version > reconciled_version AND business_date >= current_date - $1::int
     UNION SELECT d.business_date FROM recon_days d JOIN recon_runs r ON r.id = d.run_id
      WHERE d.business_date >= current_date - $1::int AND EXISTS (SELECT 1 FROM bank_statements)
        AND jsonb_path_exists(r.report, '$.payouts[*] ? (@.status == "pending" && @.due_by < $today)', jsonb_build_object('today', (now() AT TIME ZONE 'Asia/Hong_Kong')::date::text))
     ORDER BY 1`, [SWEEP_DAYS])
  const days = rows.map(r => String(r.business_date))
  for (const date of days) await queueRun(boss, { date, trigger: 'schedule', ref: null })
  return days
}

/** Queues a run of `date`; a run already waiting for that day absorbs this one (returns null). */
export async function queueRun (boss: PgBoss, job: ReconcileJob, opts: { sql?: Sql, delaySeconds?: number } = {}): Promise<string | null> {
  return await boss.send(RECONCILE_QUEUE, job, { singletonKey: job.date, ...(opts.delaySeconds ? { startAfter: opts.delaySeconds } : {}), ...(opts.sql ? inTransaction(opts.sql) : {}) })
}

/**
 * New data for these business days, inside the caller's transaction: each day's data version grows
 * and a run is queued. With `onlyReconciled`, days never reconciled are left alone (a trading day's
 * POS events do not each trigger a run; the morning's settlement import does).
 */
export async function reopenDays (sql: Sql, boss: PgBoss, days: Iterable<string>, why: Reason, opts: { onlyReconciled?: boolean, delaySeconds?: number } = {}): Promise<string[]> {
  // sorted, so that two transactions touching the same days lock their rows in the same order
  const list = [...new Set(days)].sort()
  if (list.length === 0) return []
  const by = why.ref ? `${why.trigger}:${why.ref}` : why.trigger
  const { rows } = opts.onlyReconciled
    ? await sql.query(
      `UPDATE recon_days SET data_version = data_version + 1, reopened_by = $2, updated_at = now()
        WHERE business_date = ANY($1::date[]) AND run_id IS NOT NULL RETURNING business_date`, [list, by])
    : await sql.query(
      `INSERT INTO recon_days (business_date, reopened_by) SELECT d, $2 FROM unnest($1::date[]) AS d
       ON CONFLICT (business_date) DO UPDATE SET data_version = recon_days.data_version + 1, reopened_by = EXCLUDED.reopened_by, updated_at = now()
       RETURNING business_date`, [list, by])
  const reopened = rows.map(r => String(r.business_date)).sort()
  for (const date of reopened) await queueRun(boss, { date, trigger: why.trigger, ref: why.ref }, { sql, delaySeconds: opts.delaySeconds })
  return reopened
}

export interface ReconWorkerDeps { db: Db, boss: PgBoss, cipher: PiiCipher, config: Pick<Config, 'stores' | 'recon' | 'forwarding'>, log?: { info: (o: object, m: string) => void } }

export async function startReconcileWorker (deps: ReconWorkerDeps): Promise<void> {
  await deps.boss.work(RECONCILE_QUEUE, { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: 2 }, async ([job]: Array<Job<ReconcileJob>>) => {
    const run = await reconcileDay(deps, { date: job.data.date, trigger: job.data.trigger, ref: job.data.ref })
    deps.log?.info({ runId: run.runId, date: run.date, outcome: run.outcome, exceptions: run.exceptions, ms: run.ms }, 'reconciliation run')
    return { runId: run.runId, outcome: run.outcome }
  })
  await deps.boss.work(SWEEP_QUEUE, { pollingIntervalSeconds: 30 }, async () => ({ queued: await sweep(deps.db, deps.boss) }))
  await deps.boss.work(LATE_FILES_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
    const { late, alerted } = await watchLateFiles(deps)
    return { late: late.length, alerted }
  })
}
