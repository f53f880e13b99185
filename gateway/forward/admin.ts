// Watching and mending the forwarding: counts per sink and state with the age of the oldest waiting
// row (a throttled or retrying item counts as waiting, so it shows), the dead-lettered rows, and the
// redrive that puts them back (their keys are unchanged, so nothing is posted twice: R4).
import type { PgBoss } from 'pg-boss'
import type { Db } from '../db/pool.ts'
import { QUEUES, schedule, type DeliveryJob } from '../outbox/outbox.ts'

export interface SinkStatus { sink: string, pending: number, delivered: number, dead: number, oldest_pending_seconds: number | null }

export async function outboxStatus (db: Db): Promise<SinkStatus[]> {
  const { rows } = await db.query<SinkStatus>(
    `SELECT sink, count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
            count(*) FILTER (WHERE status = 'dead')::int AS dead,
            extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::int AS oldest_pending_seconds
       FROM outbox GROUP BY sink ORDER BY sink`)
  return rows
}

export interface DeadRow { id: number, sink: string, topic: string, key: string, attempts: number, last_error: string | null, created_at: Date }

export async function deadRows (db: Db, sink: string | null, limit = 100): Promise<DeadRow[]> {
  const { rows } = await db.query<DeadRow>(
    `SELECT id, sink, topic, key, attempts, last_error, created_at FROM outbox WHERE status = 'dead' AND ($1::text IS NULL OR sink = $1) ORDER BY id LIMIT $2`, [sink, limit])
  return rows
}

/** Puts dead rows back to pending with fresh jobs, and clears their dead-letter jobs. */
export async function redrive (db: Db, boss: PgBoss, sink: string | null): Promise<{ rows: number, sinks: string[] }> {
  const { rows } = await db.query<{ id: number, sink: string }>(
    `UPDATE outbox SET status = 'pending', attempts = 0, last_error = NULL WHERE status = 'dead' AND ($1::text IS NULL OR sink = $1) RETURNING id, sink`, [sink])
  const bySink = new Map<string, number[]>()
  for (const r of rows) {
    const list = bySink.get(r.sink)
    if (list) list.push(Number(r.id)); else bySink.set(r.sink, [Number(r.id)])
  }
  for (const [s, ids] of bySink) await schedule(boss, s, ids)
  // the dead-letter jobs of these sinks are done with (fetching takes them all; the others go back)
  for (;;) {
    const jobs = await boss.fetch<DeliveryJob>(QUEUES.dead, { batchSize: 100 })
    if (!jobs || jobs.length === 0) break
    const keep = jobs.filter(j => sink !== null && j.data.sink !== sink)
    for (const j of keep) await boss.send(QUEUES.dead, j.data as object)
    await boss.complete(QUEUES.dead, jobs.map(j => j.id))
    if (keep.length === jobs.length) break
  }
  return { rows: rows.length, sinks: [...bySink.keys()].sort() }
}
