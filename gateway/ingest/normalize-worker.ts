// The pg-boss worker that turns stored webhook deliveries into sales, tenders and movements, and posts
// the movements to the built-in ledger (forward/deliver.ts, forwardPosMovements). It runs
// as a transactional worker: its writes commit together with the job's completion, so a crash at any
// point either leaves the job to be retried with nothing written, or has done both (pg-boss
// `work(…, { transactional: true })`; a plain handler double-wrote in our experiment).
import type { Db as BossDb, Job, PgBoss } from 'pg-boss'
import { sqlOf } from '../db/boss-sql.ts'
import type { Registry } from '../../connectors/registry.ts'
import { InputError } from '../../connectors/errors.ts'
import { INBOX_BODY_CONTEXT, type PiiCipher } from '../crypto.ts'
import { storeCutoff, storeResolver, type Config } from '../config.ts'
import { applyPosEvent, type WrittenMovement } from '../sales/pos-store.ts'
import type { Sql } from '../db/pool.ts'
import { forwardPosMovements } from '../forward/deliver.ts'
import { businessDate } from '../../connectors/_shared/time.ts'
import { reopenDays } from '../recon/queue.ts'
import { NORMALIZE_QUEUE } from './inbox.ts'
import { ensureQueue, OUTAGE_RETRIES } from '../jobs.ts'

export interface WorkerDeps { boss: PgBoss, registry: Registry, cipher: PiiCipher, config: Pick<Config, 'stores' | 'forwarding'>, log?: { warn: (o: object, m: string) => void } }


/** Normalises and applies a set of inbox rows inside `sql`'s transaction. */
export async function processInbox (sql: Sql, ids: number[], deps: WorkerDeps): Promise<{ processed: number, rejected: number }> {
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
  await forwardPosMovements(sql, { boss: deps.boss, forwarding: deps.config.forwarding }, written)
  return { processed, rejected }
}

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

export async function startNormalizeWorker (deps: WorkerDeps): Promise<void> {
  const { boss } = deps
  const handler = async (jobs: Array<Job<{ ids: number[] }>>, tx: BossDb) => {
    const sql = sqlOf(tx)
    return await processInbox(sql, jobs.flatMap(j => j.data.ids), deps)
  }
  await boss.work(NORMALIZE_QUEUE, { transactional: true, batchSize: 16, burstWhenBatchFull: true, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 2, localConcurrency: 2 }, handler)
}
