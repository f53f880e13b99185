// The pg-boss worker that turns stored webhook deliveries into sales, tenders and movements, and posts
// the movements to the built-in ledger (forward/deliver.ts, forwardPosMovements). Its writes commit
// together with the jobs' completion, in one transaction, so a crash at any point either leaves the
// jobs to be retried with nothing written, or has done both (a handler whose jobs completed apart from
// its writes double-wrote in our experiment). The transaction is the handler's own rather than pg-boss's
// transactional mode, so that after its commit the sinks are sent their rows at once (sendNow).
import type { Job, PgBoss } from 'pg-boss'
import { inTransaction } from '../db/boss-sql.ts'
import type { Registry } from '../../connectors/registry.ts'
import { InputError } from '../../connectors/errors.ts'
import { INBOX_BODY_CONTEXT, type PiiCipher } from '../crypto.ts'
import { storeCutoff, storeResolver, type Config } from '../config.ts'
import { applyPosEvent, type WrittenMovement } from '../sales/pos-store.ts'
import type { Db, Sql } from '../db/pool.ts'
import { forwardPosMovements, sendNow } from '../forward/deliver.ts'
import type { AfterCommitSender } from '../forward/after-commit.ts'
import type { ScheduledJob } from '../outbox/outbox.ts'
import { businessDate } from '../../connectors/_shared/time.ts'
import { reopenDays } from '../recon/queue.ts'
import { NORMALIZE_QUEUE } from './inbox.ts'
import { ensureQueue, OUTAGE_RETRIES } from '../jobs.ts'

export interface WorkerDeps { boss: PgBoss, registry: Registry, cipher: PiiCipher, config: Pick<Config, 'stores' | 'forwarding'>, log?: { warn: (o: object, m: string) => void } }


/**
 * Normalises and applies a set of inbox rows inside `sql`'s transaction. With `sendAfterCommit`, the
 * sinks' delivery jobs are added to it, for the caller to send their rows once it has committed (sendNow).
 */
export async function processInbox (sql: Sql, ids: number[], deps: WorkerDeps, sendAfterCommit?: ScheduledJob[]): Promise<{ processed: number, rejected: number }> {
  // FOR UPDATE: a redelivered job waits for a running one instead of working the same rows twice.
  const { rows } = await sql.query<{ id: number, connector: string, event_id: string, body_enc: Buffer, headers: Record<string, string | string[] | undefined>, received_at: Date }>(
    `SELECT id, connector, event_id, body_enc, headers, received_at FROM inbox_events
      WHERE id = ANY($1::bigint[]) AND status = 'pending' ORDER BY id FOR UPDATE`, [ids])
  let processed = 0
  let rejected = 0
  const days = new Set<string>()
  const voids: Array<[string, string]> = []
  const written: WrittenMovement[] = []
  for (const row of rows) {
    const connector = deps.registry.pos.get(row.connector)
    let status = 'processed'
    let error: string | null = null
    try {
      if (!connector) throw new InputError('INVALID_PAYLOAD', `connector ${row.connector} is no longer registered`)
      const body = deps.cipher.decrypt(row.body_enc, INBOX_BODY_CONTEXT)
      const events = connector.normalize(body, row.headers, { eventId: row.event_id, receivedAt: row.received_at, resolveStore: storeResolver(deps.config, row.connector), tenderMethods: deps.registry.tenderMethods })
      for (const ev of events) {
        const cutoff = storeCutoff(deps.config, ev.storeId)
        await applyPosEvent(sql, ev, cutoff, written)
        days.add(businessDate(ev.occurredAt, cutoff))
        if (ev.kind === 'void') voids.push([ev.vendor, ev.saleId])
      }
      if (events.length === 0) status = 'ignored'
    } catch (err) {
      // Input that cannot be normalised is kept and marked, never retried forever.
      if (!(err instanceof InputError)) throw err
      status = 'rejected'
      error = err.message.slice(0, 2000)
      deps.log?.warn({ inboxId: row.id, connector: row.connector, code: err.code }, 'webhook delivery rejected in normalisation')
    }
    await sql.query('UPDATE inbox_events SET status = $2, error = $3, processed_at = now() WHERE id = $1', [row.id, status, error])
    if (status === 'rejected') rejected++; else processed++
  }
  await reopenLateDays(sql, deps.boss, days, voids)
  // the movements are posted to the built-in ledger and queued for the sinks, committed with the sale
  const sinkJobs = await forwardPosMovements(sql, { boss: deps.boss, forwarding: deps.config.forwarding }, written, sendAfterCommit !== undefined)
  sendAfterCommit?.push(...sinkJobs)
  return { processed, rejected }
}

/**
 * Normalises inbox rows in a transaction of its own, which also runs `inTransaction` (the worker
 * completes its jobs there), and then has the sinks sent their rows at once: a sale reaches them
 * without waiting for a delivery job to be fetched. What that send did not deliver, the rows' jobs do.
 */
export async function normalizeAndSend (deps: NormalizeDeps, ids: number[], inTransaction?: (sql: Sql) => Promise<unknown>): Promise<{ processed: number, rejected: number }> {
  const toSend: ScheduledJob[] = []
  const result = await deps.db.withTransaction(async c => {
    const done = await processInbox(c, ids, deps, toSend)
    await inTransaction?.(c)
    return done
  })
  if (deps.sender) deps.sender.push(toSend)
  else await sendNow({ db: deps.db, boss: deps.boss, forwarding: deps.config.forwarding, log: deps.log }, toSend)
  return result
}

/** The worker's: the sends go to `sender`, in the background; without one, they are awaited. */
export type NormalizeDeps = WorkerDeps & { db: Db, sender?: AfterCommitSender }

/**
 * A late sale, refund or void for a day already reconciled re-opens that day (a void, the day of the
 * sale it voids). The run waits 30 s, so a till's offline backlog arriving in a burst is one run.
 */
async function reopenLateDays (sql: Sql, boss: PgBoss, days: Set<string>, voids: Array<[string, string]>): Promise<void> {
  if (voids.length) {
    const { rows } = await sql.query<{ business_date: string }>(
      'SELECT business_date FROM sales WHERE (vendor, sale_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))', [voids.map(v => v[0]), voids.map(v => v[1])])
    for (const r of rows) days.add(r.business_date)
  }
  await reopenDays(sql, boss, days, { trigger: 'pos', ref: null }, { onlyReconciled: true, delaySeconds: 30 })
}

/** Creates the queue (idempotent); senders need it to exist even in a process that runs no worker. */
export async function ensureNormalizeQueue (boss: PgBoss): Promise<void> {
  // Retried through any database outage (OUTAGE_RETRIES), kept queued for 30 days rather than pg-boss's
  // 14 (its retention deletes jobs still waiting): an acknowledged delivery is never given up on.
  await ensureQueue(boss, NORMALIZE_QUEUE, { ...OUTAGE_RETRIES, expireInSeconds: 300, retentionSeconds: 30 * 86400, deleteAfterSeconds: 7 * 86400, notify: true })
}

export async function startNormalizeWorker (deps: NormalizeDeps): Promise<void> {
  const { boss } = deps
  // the jobs complete inside the sale's transaction (fenced to the attempt fetched, as pg-boss's
  // transactional workers do), so the handler can send the sinks their rows after the commit
  const handler = async (jobs: Array<Job<{ ids: number[] }>>) =>
    await normalizeAndSend(deps, jobs.flatMap(j => j.data.ids), async sql => await boss.complete(NORMALIZE_QUEUE, jobs, null, inTransaction(sql)))
  await boss.work(NORMALIZE_QUEUE, { batchSize: 16, burstWhenBatchFull: true, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 2, localConcurrency: 2 }, handler)
}
