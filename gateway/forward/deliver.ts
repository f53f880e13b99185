// The delivery workers. Each job names outbox rows of one sink; rows already delivered are skipped, so
// a retried, redelivered or redriven job never sends a row twice from our side, and the key each row
// carries lets the sink drop a repeat we could not rule out (sent, then killed before marking it).
//   ledger: a posting and its rows' "delivered" mark commit together, in one transaction per lane of
//           locations (two lanes post side by side); the jobs complete after;
//   sinks:  one row (HTTP, DingTalk app) or one batch (Jiandaoyun) at a time, marked as it succeeds;
//   robots: everything waiting for a robot goes out as one message, at most 20 a minute per robot.
// Failures: Retry-After is honoured (the rest is rescheduled for then); other errors retry with
// pg-boss's exponential backoff and jitter; a permanent refusal or the last failed attempt marks the
// rows dead (the job goes to the dead-letter queue) and alerts the ops robot.
import type { Job, PgBoss } from 'pg-boss'
import type { Db } from '../db/pool.ts'
import type { Sql } from '../db/pool.ts'
import type { ForwardingConfig } from '../config-forwarding.ts'
import { postMovements, type NewMovement } from '../ledger/chain.ts'
import { robotMessage, type Alert } from '../sinks/alerts.ts'
import { createApproval, sendRobot, sendWorkNotice } from './dingtalk.ts'
import { Defer, Permanent } from '../sinks/http.ts'
import { enqueue, movementEntries, queueOf, QUEUES, schedule, scheduleRows, writeOutbox, type DeliveryJob, type ScheduledJob } from '../outbox/outbox.ts'
import type { WrittenMovement } from '../sales/pos-store.ts'
import { checkLowStock } from '../replenish/low-stock.ts'
import type { OutboxRow } from '../sinks/sinks.ts'
import { SINK_KINDS, sinkName, type SinkKind } from '../sinks/sink-kinds.ts'

export interface ForwardDeps {
  db: Db
  boss: PgBoss
  forwarding: ForwardingConfig
  /** Called in the ledger posting's transaction with what was posted (replenishment checks). */
  afterPosting?: (sql: Sql, posted: NewMovement[]) => Promise<void>
  /** The sink kinds delivery dispatches through (default: the registry's). */
  sinkKinds?: Record<string, SinkKind>
  log?: { warn: (o: object, m: string) => void, info: (o: object, m: string) => void }
  /** Waits (a short while at most) for the live sales' sends in flight: a bulk job calls between them. */
  liveQuiet?: () => Promise<void>
}

/** What sending to a sink needs (sendNow runs outside the workers, and cancels the jobs it did the work of). */
export type SendDeps = Pick<ForwardDeps, 'db' | 'boss' | 'forwarding' | 'sinkKinds'> & { log?: { warn: (o: object, m: string) => void } }

/** Robots answer 130101 past 20 messages a minute; we stop at 19, leaving room for a clock apart. */
export const ROBOT_PER_MINUTE = 19
const ROBOT_GAP_S = 60 / ROBOT_PER_MINUTE

async function pendingRows (sql: Sql, ids: number[]): Promise<OutboxRow[]> {
  const { rows } = await sql.query<OutboxRow>(`SELECT id, key, topic, payload FROM outbox WHERE id = ANY($1::bigint[]) AND status = 'pending' ORDER BY id`, [ids])
  return rows
}

const markDelivered = (sql: Sql, ids: number[]) => sql.query(`UPDATE outbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [ids])

export function toMovement (row: OutboxRow): NewMovement {
  const p = row.payload as { sku: string, location_id: string, qty: string, reason: NewMovement['reason'], occurred_at: string, actor?: string, movement_id: string, source?: string }
  const [sourceType, sourceId] = p.movement_id.split(':')
  return { locationId: p.location_id, sku: p.sku, qty: Number(p.qty), reason: p.reason, sourceType, sourceId, key: row.key, actor: p.actor ?? 'pos', note: p.source ?? null, occurredAt: new Date(p.occurred_at) }
}

/**
 * Posts a batch of outbox rows to the built-in ledger inside the caller's transaction. The rows are marked
 * delivered first, by the one statement that also reads and locks them: the posting commits with the
 * mark or neither does, so the order inside the transaction changes nothing but a round trip.
 */
export async function deliverToLedger (sql: Sql, ids: number[], after?: ForwardDeps['afterPosting']): Promise<number> {
  const { rows } = await sql.query<OutboxRow>(
    `UPDATE outbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL
      WHERE id = ANY($1::bigint[]) AND status = 'pending' RETURNING id, key, topic, payload`, [ids])
  if (rows.length === 0) return 0
  rows.sort((a, b) => Number(a.id) - Number(b.id)) // posted in outbox order, as they were queued
  const movements = rows.map(toMovement)
  // locations a POS names for the first time are registered as stores (a typo shows up in the list), in
  // a fixed order: two sales' transactions naming the same new locations never wait on each other crosswise
  await sql.query(`INSERT INTO locations (id, name, kind) SELECT DISTINCT l, l, 'store' FROM unnest($1::text[]) AS l ORDER BY 1 ON CONFLICT DO NOTHING`, [movements.map(m => m.locationId)])
  const { posted } = await postMovements(sql, movements)
  if (after && posted.length) await after(sql, posted)
  return posted.length
}

/**
 * A POS event's stock movements, in its own transaction: posted to the built-in ledger at once (the
 * rows are written to the outbox and marked delivered by the posting), with the replenishment checks,
 * and queued for every realtime sink. The ledger is in this database, so a job in between would only
 * add its wait: the sale, its posting and its deliveries commit together or not at all.
 * With `sendAfterCommit`, the caller sends the sink rows itself once its transaction has committed
 * (sendNow): their jobs wait backstopSeconds and take over what that did not deliver. Returns the jobs.
 */
export async function forwardPosMovements (sql: Sql, deps: Pick<ForwardDeps, 'boss' | 'forwarding'>, written: readonly WrittenMovement[], sendAfterCommit = false): Promise<ScheduledJob[]> {
  const rows = await writeOutbox(sql, movementEntries(written, deps.forwarding))
  const sinkRows = rows.filter(r => r.sink !== 'ledger')
  const jobs = await scheduleRows(sql, deps.boss, sinkRows, { startAfter: sendAfterCommit ? backstopSeconds(deps.forwarding) : undefined })
  const ledger = rows.filter(r => r.sink === 'ledger').map(r => Number(r.id))
  // last: the locations' chain heads stay locked from here to the commit, as briefly as can be
  if (ledger.length) await deliverToLedger(sql, ledger, (c, posted) => checkLowStock(c, deps, posted))
  return jobs
}

/**
 * How long the jobs of rows sent at once wait before they look: they are there for a process that died
 * after its commit, or a send that failed. Two calls' time limits, so that a slow first send and its job
 * seldom overlap (if they do, the sink drops the repeat by its key), but never past 25 s: a delivery
 * resumes within the 30 s the gateway promises after a crash.
 */
export const backstopSeconds = (f: Pick<ForwardingConfig, 'timeoutMs'>): number => Math.min(Math.ceil(2 * f.timeoutMs / 1000) + 5, 25)

/** Calls to one sink at once in a send right after a commit: a backlog goes out side by side, not in a line. */
const SEND_NOW_PARALLEL = 8

/**
 * Sends the rows of jobs a committed transaction scheduled, right away in this process: each sink's rows
 * in turn, the sinks side by side. A row sent is marked delivered, and once all of a sink's rows are, its
 * jobs are cancelled: nothing is left for them to do, and a queue of due jobs that only find their rows
 * delivered would hold up the ones with work (delayed jobs wake no worker; they wait for its poll).
 * A failure is recorded on the rows and left to their jobs, which retry, defer or dead-letter it as
 * they do any delivery.
 */
export async function sendNow (deps: SendDeps, jobs: readonly ScheduledJob[]): Promise<void> {
  const bySink = new Map<string, ScheduledJob[]>()
  for (const j of jobs) bySink.set(j.sink, [...bySink.get(j.sink) ?? [], j])
  await Promise.all([...bySink].map(async ([sink, sinkJobs]) => {
    const ids = sinkJobs.flatMap(j => j.ids)
    try {
      await sendSinkRows(deps, sink, await pendingRows(deps.db, ids), async done => { await markDelivered(deps.db, done) }, { parallel: SEND_NOW_PARALLEL })
    } catch (err) {
      const message = (err as Error).message.slice(0, 1000)
      await deps.db.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[]) AND status = 'pending'`, [ids, message]).catch(() => {})
      deps.log?.warn({ sink, rows: ids.length, error: message }, 'delivery right after the sale failed; its job takes over')
      return
    }
    // if this fails (the database went away), the jobs run in their time and find their rows delivered
    const done = sinkJobs.flatMap(j => j.id === null ? [] : [j.id])
    if (done.length) await deps.boss.cancel(queueOf(sink), done).catch(() => {})
  }))
}

/**
 * A batch of ledger jobs' rows in at most two lanes of whole locations, each about half the rows: a
 * location's chain head is locked while it posts, so lanes of other locations post side by side on
 * two database backends. Rows of a job without a location (an older job, a redrive) share lane one.
 */
export function ledgerLanes (jobs: readonly DeliveryJob[]): number[][] {
  const seen = new Set<number>()
  const byLocation = new Map<string, number[]>()
  for (const { ids, location = '' } of jobs) {
    let list = byLocation.get(location)
    if (!list) { list = []; byLocation.set(location, list) }
    for (const id of ids) if (!seen.has(id)) { seen.add(id); list.push(id) }
  }
  const lanes: number[][] = [[], []]
  for (const ids of [...byLocation.values()].sort((a, b) => b.length - a.length)) (lanes[0].length <= lanes[1].length ? lanes[0] : lanes[1]).push(...ids)
  return lanes.filter(l => l.length > 0)
}

/**
 * Posts the jobs' rows, each lane in a transaction of its own; the jobs complete once both committed.
 * Neither lane holds its locks while it waits for the other (two processes' lanes could otherwise wait
 * on each other where the database cannot see it). A crash before the jobs complete leaves them to
 * retry, and the rows marked delivered are skipped then, as a redelivered row always is.
 */
async function postInLanes (deps: ForwardDeps, jobs: readonly DeliveryJob[]): Promise<number> {
  const outcomes = await Promise.allSettled(ledgerLanes(jobs).map(ids => deps.db.withTransaction(c => deliverToLedger(c, ids, deps.afterPosting))))
  let posted = 0
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason; else posted += o.value
  return posted
}

/**
 * A bulk job's rows (a run's standings) are marked delivered this many at a time: a mark per row was
 * an UPDATE per call, 100k of them beside the live sales when a day is reconciled. A crash between a
 * call and its mark sends at most this many again, with the keys the sinks drop repeats by.
 */
export const BULK_MARK_ROWS = 100

/**
 * The rows of one sink, in the calls its kind takes (sink-kinds.ts). One call at a time, marked as it
 * succeeds (`markEvery` rows together, each call after `beforeCall`); or `parallel` calls at once, marked together at the end. What
 * succeeded is marked even when a later call failed; the failure is thrown after.
 */
async function sendSinkRows (deps: SendDeps, sink: string, rows: OutboxRow[], done: (ids: number[]) => Promise<void>, { parallel = 1, markEvery = 1, beforeCall }: { parallel?: number, markEvery?: number, beforeCall?: () => Promise<void> } = {}): Promise<void> {
  const f = deps.forwarding
  const out = { allowHosts: f.allowHosts, timeoutMs: f.timeoutMs }
  const target = f.sinks.find(s => sinkName(s) === sink)
  const kind = target ? (deps.sinkKinds ?? SINK_KINDS)[target.kind] : null
  if (!target && !(sink === 'dingtalk-app' && f.app)) throw new Permanent(`no sink ${sink} is configured any more`)
  const calls: OutboxRow[][] = []
  for (let i = 0; i < rows.length; i += kind?.batch ?? 1) calls.push(rows.slice(i, i + (kind?.batch ?? 1)))
  const send = async (batch: OutboxRow[]) => { if (kind && target) await kind.send(out, target, batch); else await sendAppRow(deps, batch[0]) }
  const sent: number[] = []
  if (parallel === 1) {
    try {
      for (const batch of calls) {
        await beforeCall?.()
        await send(batch)
        sent.push(...batch.map(r => r.id))
        if (sent.length >= markEvery) await done(sent.splice(0))
      }
    } finally {
      if (sent.length) await done(sent)
    }
    return
  }
  const failed: unknown[] = []
  let next = 0
  await Promise.all(Array.from({ length: Math.min(parallel, calls.length) }, async () => {
    while (next < calls.length && failed.length === 0) {
      const batch = calls[next++]
      try { await send(batch); sent.push(...batch.map(r => r.id)) } catch (error) { failed.push(error) }
    }
  }))
  if (sent.length) await done(sent)
  if (failed.length) throw failed[0]
}

async function sendAppRow (deps: SendDeps, row: OutboxRow): Promise<void> {
  const f = deps.forwarding
  const out = { allowHosts: f.allowHosts, timeoutMs: f.timeoutMs }
  const p = row.payload as { kind: string, user_ids?: string[], title?: string, text?: string, purchase_order_id?: number, form?: Array<{ name: string, value: string }> }
  if (p.kind === 'work_notice') return await sendWorkNotice(out, f.app!, p.user_ids ?? [], p.title ?? '', p.text ?? '')
  if (p.kind !== 'approval') throw new Permanent(`unknown DingTalk app message ${p.kind}`)
  // DingTalk's create has no idempotency key: an order that already has its instance is not sent again
  const { rows } = await deps.db.query('SELECT approval_instance_id FROM purchase_orders WHERE id = $1', [p.purchase_order_id])
  if (rows[0]?.approval_instance_id) return
  const instanceId = await createApproval(out, f.app!, p.form ?? [])
  await deps.db.query(`UPDATE purchase_orders SET approval_instance_id = $2 WHERE id = $1 AND approval_instance_id IS NULL`, [p.purchase_order_id, instanceId])
}

/**
 * Everything waiting for one robot, as one message, within its rate limit. The robot's advisory lock
 * makes every process send for it in turn, so the count of recent messages cannot be raced.
 */
async function sendRobotRows (deps: ForwardDeps, sink: string, job: DeliveryJob): Promise<'sent' | 'deferred' | 'idle'> {
  const name = sink.slice('robot:'.length)
  const robot = deps.forwarding.robots[name]
  if (!robot) throw new Permanent(`no DingTalk robot ${name} is configured any more`)
  const outcome = await deps.db.withTransaction(async c => {
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [sink])
    const { rows } = await c.query(`SELECT id, key, topic, payload FROM outbox WHERE sink = $1 AND status = 'pending' ORDER BY id LIMIT 500`, [sink])
    if (rows.length === 0) return { state: 'idle' as const }
    const { rows: [recent] } = await c.query(
      `SELECT count(*)::int AS n, extract(epoch FROM clock_timestamp() - min(sent_at)) AS oldest_s, extract(epoch FROM clock_timestamp() - max(sent_at)) AS last_s
         FROM dingtalk_sends WHERE robot = $1 AND sent_at > clock_timestamp() - interval '60 seconds'`, [name])
    // paced, not bursty: at most one message per ROBOT_GAP_S, so a flood of alerts becomes digests a
    // few seconds apart instead of 19 single messages and then a minute's silence
    const wait = recent.n >= ROBOT_PER_MINUTE ? 61 - Number(recent.oldest_s) : recent.n > 0 ? ROBOT_GAP_S - Number(recent.last_s) : 0
    if (wait > 0) return { state: 'deferred' as const, wait }
    const { message, used } = robotMessage(rows.map(r => r.payload as Alert))
    await sendRobot({ allowHosts: deps.forwarding.allowHosts, timeoutMs: deps.forwarding.timeoutMs }, name, robot, message)
    const ids = rows.slice(0, used).map(r => Number(r.id))
    await c.query('INSERT INTO dingtalk_sends (robot, outbox, sent_at) VALUES ($1, $2, clock_timestamp())', [name, ids])
    await markDelivered(c, ids)
    return { state: 'sent' as const, more: used < rows.length || rows.length === 500 }
  })
  if (outcome.state === 'deferred') await schedule(deps.boss, sink, [], { startAfter: Math.max(1, Math.ceil(outcome.wait)), deferrals: job.deferrals ?? 0 })
  // more waiting than one message holds: the next message, within the rate limit
  if (outcome.state === 'sent' && outcome.more) await schedule(deps.boss, sink, [])
  return outcome.state
}

/** Marks rows dead and tells operations, through every ops channel but the one that failed. */
async function bury (deps: ForwardDeps, sink: string, ids: number[], error: string): Promise<void> {
  await deps.db.withTransaction(async c => {
    const { rows } = await c.query(`UPDATE outbox SET status = 'dead', last_error = $3 WHERE (id = ANY($1::bigint[]) OR ($2 AND sink = $4)) AND status = 'pending' RETURNING id`, [ids, sink.startsWith('robot:'), error.slice(0, 1000), sink])
    const ops = deps.forwarding.alerts.ops.filter(target => target !== sink)
    if (ops.length === 0 || rows.length === 0) return
    const alert: Alert = { kind: 'dead_letter', sink, count: rows.length, error: error.slice(0, 300) }
    await enqueue(c, deps.boss, ops.map(target => ({ sink: target, topic: 'alert', key: `dead:${sink}:${rows[0].id}`, payload: alert })))
  })
  deps.log?.warn({ sink, rows: ids.length, error }, 'forwarding dead-lettered')
}

/** Runs one delivery job, turning the outcome into pg-boss's: complete, retry (throw) or dead-letter. */
async function runJob (deps: ForwardDeps, job: Job<DeliveryJob>): Promise<object> {
  const { sink, ids } = job.data
  try {
    if (sink.startsWith('robot:')) return { outcome: await sendRobotRows(deps, sink, job.data) }
    const rows = await pendingRows(deps.db, ids)
    await sendSinkRows(deps, sink, rows, async done => { await markDelivered(deps.db, done) }, job.data.bulk ? { markEvery: BULK_MARK_ROWS, beforeCall: deps.liveQuiet } : {})
    return { delivered: rows.length }
  } catch (err) {
    const e = err as Error
    const left = sink.startsWith('robot:') ? [] : (await pendingRows(deps.db, ids)).map(r => r.id)
    if (err instanceof Defer && (job.data.deferrals ?? 0) < deps.forwarding.maxDeferrals) {
      await schedule(deps.boss, sink, left, { startAfter: Math.max(1, err.seconds), deferrals: (job.data.deferrals ?? 0) + 1, bulk: job.data.bulk })
      return { deferred: err.seconds }
    }
    await deps.db.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [left, e.message.slice(0, 1000)])
    if (err instanceof Permanent || err instanceof Defer || job.retryCount >= deps.forwarding.retryLimit) {
      await bury(deps, sink, left, e.message)
      if (err instanceof Permanent || err instanceof Defer) return { dead: left.length }
    }
    throw err
  }
}

// Deferred deliveries (Retry-After, a robot's pacing) send no NOTIFY when they come due: with NOTIFY on,
// pg-boss's backstop poll would otherwise be 30 s, so every worker polls each second as well.
export async function startForwardWorkers (deps: ForwardDeps): Promise<void> {
  const { boss } = deps
  // several jobs per batch, posted in up to two lanes (postInLanes), and fetching again at once while
  // fetches come back full (a backlog drains continuously instead of one batch per polling interval).
  // 16 jobs (8,000 rows): a burst of 1M posts at 26,000/s against 24,000/s with 8 and 27,900/s with 32;
  // a live sale posting to a location being drained waits for its chain head until the lane commits
  // (a batch of 8,000 takes about 0.3 s at that rate), so larger batches trade its latency for the drain
  await boss.work(QUEUES.ledger, { batchSize: 16, burstWhenBatchFull: true, localConcurrency: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1 }, async (jobs: Array<Job<DeliveryJob>>) => {
    try {
      return { posted: await postInLanes(deps, jobs.map(j => j.data)) }
    } catch (err) {
      // the lanes' transactions are rolled back; a job on its last attempt marks its rows dead
      for (const job of jobs) if (job.retryCount >= deps.forwarding.retryLimit) await bury(deps, 'ledger', job.data.ids, (err as Error).message)
      throw err
    }
  })
  await boss.work(QUEUES.sink, { batchSize: 1, burstWhenBatchFull: true, localConcurrency: 4, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1 }, async ([job]: Array<Job<DeliveryJob>>) => await runJob(deps, job))
  // one bulk job at a time: a reconciled day's 100k standings go out behind the live sales, not beside them
  await boss.work(QUEUES.bulk, { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1 }, async ([job]: Array<Job<DeliveryJob>>) => await runJob(deps, job))
  await boss.work(QUEUES.robot, { batchSize: 1, burstWhenBatchFull: true, localConcurrency: 2, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 1 }, async ([job]: Array<Job<DeliveryJob>>) => await runJob(deps, job))
}
