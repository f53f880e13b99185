// One reconciliation run of a business day: read a consistent snapshot, match, and persist the
// result. Runs of the same day are serialised by an advisory lock. A run whose report equals the
// standing one records itself as 'unchanged' and writes nothing else, so re-running changes nothing
// twice; a changed report replaces the standing one, keeps each exception's history (first seen,
// last seen, cleared) and sets exactly the verified movements it found.
import { hktDate } from '../../connectors/_shared/time.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import type { ReconException, ReconReport } from '../../reconciler/types.ts'
import type { Config } from '../config.ts'
import type { Db, TxClient } from '../db/pool.ts'
import type { PiiCipher } from '../crypto.ts'
import type { PgBoss } from 'pg-boss'
import { notifyMismatch } from './notify.ts'
import { forwardStanding } from './standing.ts'
import { computeDayInThread, type DayComputed } from './run-thread.ts'

export { reportDigest } from './run-thread.ts'

export type RunTrigger = 'manual' | 'import' | 'pos' | 'schedule'

export interface RunRequest { date: string, trigger: RunTrigger, ref?: string | null, asOf?: string }

export interface RunResult { runId: number, date: string, outcome: 'changed' | 'unchanged', exceptions: number, matches: number, ms: number, report: ReconReport }


const lockKey = (date: string): string => `recon-day:${date}`
/**
 * How long a run waits for another run of its day: a chain's day holds the lock for minutes, longer
 * than the 30 s any other statement may take, and the waiting run must not fail for that.
 */
const LOCK_WAIT_MS = 15 * 60_000

export interface RunDeps {
  db: Db
  cipher: PiiCipher
  config: Pick<Config, 'recon' | 'forwarding'>
  /** Without it nothing is forwarded (an offline or test run). */
  boss?: PgBoss
  /** Send finance's mismatch digest when the report changed (not after a person's own resolution). */
  notify?: boolean
}

/**
 * Runs a day: the day's lock is held here, on the main thread, while a worker thread reads a snapshot
 * and matches it (run-thread.ts); the result is persisted here. The full report is parsed again only
 * when a caller reads `report` (a person's resolution answers with it; the queue's runs never do).
 */
export async function reconcileDay (deps: RunDeps, req: RunRequest): Promise<RunResult> {
  const started = new Date()
  const client = await deps.db.pool.connect()
  try {
    // a session lock, taken before the snapshot: a run that waited still reads everything committed
    await client.query(`SET statement_timeout = ${LOCK_WAIT_MS}`)
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey(req.date)])
    } finally {
      await client.query('RESET statement_timeout') // back to the pool's limit for every later statement
    }
    try {
      const asOf = req.asOf ?? hktDate(new Date())
      const day = await computeDayInThread(deps.cipher, { url: deps.db.url, date: req.date, settings: { ...deps.config.recon, asOf }, generatedAt: started.toISOString() })
      const run = await persist(client, deps, req, asOf, day, started)
      let full: ReconReport | undefined
      return { ...run, date: req.date, exceptions: day.report.exceptions.length, matches: day.matches, ms: Date.now() - started.getTime(), get report () { return (full ??= JSON.parse(day.json) as ReconReport) } }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(req.date)])
    }
  } finally {
    client.release()
  }
}

async function persist (client: TxClient, deps: RunDeps, req: RunRequest, asOf: string, day: DayComputed, started: Date): Promise<{ runId: number, outcome: 'changed' | 'unchanged' }> {
  const { version, digest, report, counts } = day
  await client.query('BEGIN')
  try {
    const { rows: standing } = await client.query('SELECT digest FROM recon_days WHERE business_date = $1 FOR UPDATE', [req.date])
    const outcome = standing[0]?.digest === digest ? 'unchanged' : 'changed'
    const { rows } = await client.query(
      `INSERT INTO recon_runs (business_date, trigger, trigger_ref, as_of, data_version, outcome, digest, sales, payments, matches, exceptions, started_at, report)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [req.date, req.trigger, req.ref ?? null, asOf, version, outcome, digest, counts.sales, counts.payments, day.matches, report.exceptions.length, started,
        outcome === 'changed' ? day.json : null])
    const runId = rows[0].id as number
    // caught up with every arrival this run read; a later one keeps the day re-opened
    await client.query(
      `INSERT INTO recon_days (business_date, data_version, reconciled_version, run_id, digest) VALUES ($1, $2, $2, $3, $4)
       ON CONFLICT (business_date) DO UPDATE SET
         reconciled_version = greatest(recon_days.reconciled_version, $2),
         run_id = CASE WHEN $5 THEN $3 ELSE recon_days.run_id END,
         digest = $4,
         reopened_by = CASE WHEN recon_days.data_version > $2 THEN recon_days.reopened_by END,
         updated_at = now()`,
      [req.date, version, runId, digest, outcome === 'changed'])
    if (outcome === 'changed') {
      await writeResults(client, req.date, runId, report)
      if (deps.boss) {
        if (deps.notify !== false) await notifyMismatch(client, deps.boss, deps.config.forwarding, report, runId)
        await forwardStanding(client, deps.boss, deps.config.forwarding, req.date, report, runId)
      }
    }
    await client.query('COMMIT')
    return { runId, outcome }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}

/** The money an exception is about (the larger side), for sorting and digests; null for stock. */
function amountAtStake (e: ReconException): number | null {
  if (e.expected === null && e.actual === null) return null
  return Math.max(Math.abs(e.expected ?? 0), Math.abs(e.actual ?? 0))
}

async function writeResults (client: TxClient, date: string, runId: number, report: ReconReport): Promise<void> {
  await client.query('DELETE FROM recon_store_days WHERE business_date = $1', [date])
  await client.query(
    `INSERT INTO recon_store_days (business_date, store_id, run_id, status, sales, verified_sales, exceptions, resolved)
     SELECT $1, x.store_id, $2, x.status, x.sales, x.verified_sales, x.exceptions, x.resolved
       FROM jsonb_to_recordset($3::jsonb) AS x(store_id text, status text, sales int, verified_sales int, exceptions jsonb, resolved jsonb)`,
    [date, runId, JSON.stringify(report.stores)])
  const exceptions = report.exceptions.map(e => ({ key: exceptionKey(e), code: e.code, store_id: e.store_id, sale_id: e.sale_id, payment_id: e.payment_id ?? null, amount: amountAtStake(e), body: e }))
  await client.query(
    `INSERT INTO recon_exceptions (business_date, key, code, store_id, sale_id, payment_id, amount, body, first_run_id, last_run_id)
     SELECT $1, x.key, x.code, x.store_id, x.sale_id, x.payment_id, x.amount, x.body, $2, $2
       FROM jsonb_to_recordset($3::jsonb) AS x(key text, code text, store_id text, sale_id text, payment_id text, amount bigint, body jsonb)
     ON CONFLICT (business_date, key) DO UPDATE SET last_run_id = $2, cleared_run_id = NULL, body = EXCLUDED.body, amount = EXCLUDED.amount, store_id = EXCLUDED.store_id`,
    [date, runId, JSON.stringify(exceptions)])
  // explained by the data now: cleared by this run, kept with its history
  await client.query('UPDATE recon_exceptions SET cleared_run_id = $2 WHERE business_date = $1 AND cleared_run_id IS NULL AND last_run_id <> $2', [date, runId])
  const verified = Object.values(report.verified_movements).flat().map(Number)
  await client.query('DELETE FROM movement_verifications WHERE business_date = $1 AND NOT (movement_id = ANY($2::bigint[]))', [date, verified])
  await client.query(
    `INSERT INTO movement_verifications (movement_id, business_date, run_id) SELECT m, $1, $3 FROM unnest($2::bigint[]) AS m
     ON CONFLICT (movement_id) DO NOTHING`, [date, verified, runId])
}
