// How work comes back when the process holding it dies (kill -9, a crashed host) or when its
// transaction is cut by a database restart. The same settings in production, the demo and the tests.
//
// pg-boss marks a job `active` when a worker fetches it, in a transaction of its own; only the worker
// moves it on. If the worker is gone the job stays active until something fails it:
// - heartbeat: a worker refreshes each job it holds every HEARTBEAT_SECONDS / 2; the supervisor fails
//   (and so retries) a job not refreshed for HEARTBEAT_SECONDS. pg-boss's minimum is 10 s, and a live
//   worker on a busy machine still beats twice in that time.
// - supervision: every process runs the supervisor every SUPERVISE_SECONDS (pg-boss's lock lets one of
//   them do each pass). Its monitor pass, which fails silent jobs, also counts the queues' jobs, so it is
//   not run more often than needed.
// Worst case from a death to the job being retried: 10 s without a beat + up to 5 s to the next pass +
// the queue's first retry delay (≤ 4 s for the POS and forwarding queues): under 20 s, inside the 30 s
// promised in README. A handler whose transaction a restart cut fails itself when it can reach the
// database again, or stops beating and is failed as above.
// expireInSeconds stays per queue: it bounds a handler that is alive but stuck, whose timer still beats.
import type { ConstructorOptions, PgBoss } from 'pg-boss'

export const HEARTBEAT_SECONDS = 10
export const SUPERVISE_SECONDS = 5

export const SUPERVISION: Partial<ConstructorOptions> = { superviseIntervalSeconds: SUPERVISE_SECONDS, monitorIntervalSeconds: SUPERVISE_SECONDS }

/** Retries that outlast a database restart: a job failed by an outage is not dead-lettered by it. */
export const OUTAGE_RETRIES = { retryLimit: 100, retryDelay: 1, retryBackoff: true, retryDelayMax: 30 } as const

type QueueOptions = Parameters<PgBoss['createQueue']>[1] & object

/**
 * Creates a queue, or brings an existing one to these settings: pg-boss's createQueue leaves a queue
 * that exists untouched, so a gateway upgraded in place would otherwise keep the old retry and
 * heartbeat settings forever. Every queue gets the heartbeat.
 */
export async function ensureQueue (boss: PgBoss, name: string, options: QueueOptions): Promise<void> {
  const settings = { heartbeatSeconds: HEARTBEAT_SECONDS, ...options }
  await boss.createQueue(name, settings)
  const { policy: _policy, partition: _partition, ...updatable } = settings as QueueOptions & { partition?: boolean }
  await boss.updateQueue(name, updatable)
}
