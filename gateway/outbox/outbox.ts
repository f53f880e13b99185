// The transactional outbox. Whatever must leave the database — a stock movement for the built-in
// ledger and the external sinks, an alert for DingTalk — is written here in the same transaction as
// the change that caused it, with a pg-boss job to deliver it; a rolled-back change sends nothing, a
// committed one is delivered even after a crash. (sink, key) is unique: the same movement is queued
// once per sink however often its event is redelivered. A POS event's rows for the built-in ledger
// get no job: that same transaction posts them (forward/deliver.ts, forwardPosMovements).
import type { PgBoss } from 'pg-boss'
import type { WrittenMovement } from '../sales/pos-store.ts'
import type { Sql } from '../db/pool.ts'
import { inTransaction } from '../db/boss-sql.ts'
import type { ForwardingConfig } from '../config-forwarding.ts'
import { ensureQueue } from '../jobs.ts'
import { movementSinks } from '../sinks/sink-kinds.ts'

export const QUEUES = {
  /** Postings to the built-in ledger (the posting commits with its rows' delivered mark). */
  ledger: 'forward.ledger',
  /** HTTP and Jiandaoyun sinks, DingTalk work notices and approvals. */
  sink: 'forward.sink',
  /**
   * What a reconciliation run tells the sinks about a day's movements (100k at once for a chain), worked
   * one job at a time per process: the day's catch-up never crowds out the sales coming in meanwhile.
   */
  bulk: 'forward.bulk',
  /** DingTalk group robots: one sender per robot at a time (an advisory lock), at most 20 messages a minute. */
  robot: 'forward.robot',
  dead: 'forward.dead'
} as const

export interface OutboxEntry { sink: string, topic: string, key: string, payload: object }
/**
 * `location`: the ledger's rows of one job all post to this location (deliver.ts posts locations side by
 * side). `bulk`: the job is on the bulk queue, and so is its follow-up after a deferral.
 */
export interface DeliveryJob { sink: string, ids: number[], deferrals?: number, location?: string, bulk?: boolean }

const JOB_IDS = 500

/** The queue of a sink's jobs; `bulk` moves an external sink's to the bulk queue (the ledger and robots have one each). */
export function queueOf (sink: string, bulk = false): string {
  if (sink === 'ledger') return QUEUES.ledger
  if (sink.startsWith('robot:')) return QUEUES.robot
  return bulk ? QUEUES.bulk : QUEUES.sink
}

export async function ensureForwardQueues (boss: PgBoss, f: Pick<ForwardingConfig, 'retryLimit' | 'retryDelaySeconds' | 'jobExpireSeconds'>): Promise<void> {
  await ensureQueue(boss, QUEUES.dead, { retentionSeconds: 30 * 86400, deleteAfterSeconds: 30 * 86400 })
  // notify: a new delivery wakes a waiting worker at once rather than at its next poll
  const retry = { retryLimit: f.retryLimit, retryDelay: f.retryDelaySeconds, retryBackoff: true, retryDelayMax: 3600, deadLetter: QUEUES.dead, deleteAfterSeconds: 7 * 86400, notify: true }
  // a worker killed mid-job stops its heartbeat and the job is retried (jobs.ts); expiry bounds a stuck one
  const expireInSeconds = f.jobExpireSeconds
  await ensureQueue(boss, QUEUES.ledger, { ...retry, expireInSeconds })
  await ensureQueue(boss, QUEUES.sink, { ...retry, expireInSeconds })
  await ensureQueue(boss, QUEUES.bulk, { ...retry, expireInSeconds })
  // 'short': at most one waiting job per robot (new alerts ride on it); senders take the robot's lock
  await ensureQueue(boss, QUEUES.robot, { ...retry, policy: 'short', expireInSeconds })
}

/**
 * Writes entries and their delivery jobs in the caller's transaction; a (sink, key) already there is left
 * alone. `bulk`: the external sinks' jobs go to the bulk queue.
 */
export async function enqueue (sql: Sql, boss: PgBoss, entries: readonly OutboxEntry[], opts: { bulk?: boolean } = {}): Promise<number> {
  const rows = await writeOutbox(sql, entries)
  await scheduleRows(sql, boss, rows, opts)
  return rows.length
}

export interface WrittenRow { id: number, sink: string, location: string | null }
/** A delivery job as sent (`id` null when a singleton robot job was already waiting). */
export interface ScheduledJob { id: string | null, sink: string, ids: number[] }

/** Writes entries in the caller's transaction, without delivery jobs; a (sink, key) already there is left alone. */
export async function writeOutbox (sql: Sql, entries: readonly OutboxEntry[]): Promise<WrittenRow[]> {
  if (entries.length === 0) return []
  // one JSON text rather than arrays: pg escapes an array's elements one character at a time in
  // JavaScript, which for a run's 100k standings held the event loop for seconds
  const { rows } = await sql.query<WrittenRow>(
    `INSERT INTO outbox (sink, topic, key, payload) SELECT x.sink, x.topic, x.key, x.payload FROM jsonb_to_recordset($1::jsonb) AS x(sink text, topic text, key text, payload jsonb)
     ON CONFLICT (sink, key) DO NOTHING RETURNING id, sink, CASE WHEN sink = 'ledger' THEN payload->>'location_id' END AS location`,
    [JSON.stringify(entries)])
  return rows
}

/**
 * Delivery jobs for freshly written rows, in the caller's transaction: the ledger's per location, so that
 * one location's postings never wait on another's (deliver.ts); `startAfter` seconds from now, if given;
 * `bulk`: on the bulk queue.
 */
export async function scheduleRows (sql: Sql, boss: PgBoss, rows: readonly WrittenRow[], { startAfter, bulk }: { startAfter?: number, bulk?: boolean } = {}): Promise<ScheduledJob[]> {
  const jobs = new Map<string, { sink: string, location?: string, ids: number[] }>()
  for (const r of rows) {
    const name = r.location === null ? r.sink : `${r.sink}\u0000${r.location}`
    const job = jobs.get(name)
    if (job) job.ids.push(Number(r.id)); else jobs.set(name, { sink: r.sink, ...r.location === null ? {} : { location: r.location }, ids: [Number(r.id)] })
  }
  const sent: ScheduledJob[] = []
  for (const { sink, location, ids } of jobs.values()) sent.push(...await schedule(boss, sink, ids, { sql, location, startAfter, bulk }))
  return sent
}

/** Delivery jobs for outbox rows (robots: one job per robot, which takes everything pending). */
export async function schedule (boss: PgBoss, sink: string, ids: number[], opts: { sql?: Sql, startAfter?: number, deferrals?: number, location?: string, bulk?: boolean } = {}): Promise<ScheduledJob[]> {
  const options = { ...(opts.sql ? inTransaction(opts.sql) : {}), ...(opts.startAfter ? { startAfter: opts.startAfter } : {}) }
  if (queueOf(sink) === QUEUES.robot) {
    return [{ id: await boss.send(QUEUES.robot, { sink, ids: [], deferrals: opts.deferrals ?? 0 }, { ...options, singletonKey: sink }), sink, ids }]
  }
  const queue = queueOf(sink, opts.bulk)
  const extra = { ...opts.location === undefined ? {} : { location: opts.location }, ...queue === QUEUES.bulk ? { bulk: true } : {} }
  const sent: ScheduledJob[] = []
  for (let i = 0; i < ids.length; i += JOB_IDS) {
    const part = ids.slice(i, i + JOB_IDS)
    sent.push({ id: await boss.send(queue, { sink, ids: part, deferrals: opts.deferrals ?? 0, ...extra }, options), sink, ids: part })
  }
  return sent
}

/** A movement as the sinks receive it (the HTTP sink's `data`; Jiandaoyun's fields), with its standing. */
export function movementPayload (m: WrittenMovement, status: string): Record<string, unknown> {
  return { movement_id: `pos:${m.id}`, sku: m.sku, location_id: m.location_id, qty: m.qty, reason: m.reason, occurred_at: m.occurred_at.toISOString(), source: `sale:${m.source_id}#${m.source_line}`, actor: m.actor, status }
}

/**
 * A POS stock movement as it is posted: for the built-in ledger and every realtime sink, at once and
 * provisional. Verified-only sinks hear of it when a reconciliation run verifies it (recon/standing.ts).
 */
export function movementEntries (moves: readonly WrittenMovement[], f: Pick<ForwardingConfig, 'sinks'>): OutboxEntry[] {
  const sinks = ['ledger', ...movementSinks(f.sinks).filter(s => s.mode === 'realtime').map(s => s.name)]
  const out: OutboxEntry[] = []
  for (const m of moves) {
    const payload = movementPayload(m, 'provisional')
    for (const sink of sinks) out.push({ sink, topic: 'movement', key: `pos:${m.id}`, payload })
  }
  return out
}
