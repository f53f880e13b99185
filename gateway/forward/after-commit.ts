// The sends a committed sale owes the realtime sinks, run by its own process in the background, so the
// normalize worker goes on to the next sales instead of waiting for HTTP. A few at a time; past a cap
// (a sink slow or down) jobs are left to run in their time, as they do for a process that died.
import type { ScheduledJob } from '../outbox/outbox.ts'
import { sendNow, type SendDeps } from './deliver.ts'

/** Sends in flight at once, and jobs waiting at most, per process. */
const CONCURRENT = 4
const WAITING = 2_000
/** Rows of one sink per send, in whole jobs (one call a row for the HTTP sink; Jiandaoyun takes batches). */
const PER_SEND = 50
/** The longest a bulk job's call waits for the live sales' sends: a busy hour still lets it through. */
const QUIET_MAX_MS = 50

export class AfterCommitSender {
  readonly #deps: SendDeps
  readonly #cap: number
  readonly #waiting: ScheduledJob[] = []
  #running = 0
  #idle: Array<() => void> = []
  /** Jobs left to run in their time because too many were waiting. */
  skipped = 0

  constructor (deps: SendDeps, cap = WAITING) { this.#deps = deps; this.#cap = cap }

  /** Queues the jobs a transaction scheduled; call only once it has committed. */
  push (jobs: readonly ScheduledJob[]): void {
    const room = Math.max(0, this.#cap - this.#waiting.length)
    this.#waiting.push(...jobs.slice(0, room))
    this.skipped += Math.max(0, jobs.length - room)
    this.#pump()
  }

  /**
   * Resolves once no live sale's send is waiting or in flight, or after `maxMs`: a bulk job's calls
   * go out between the live sales' sends, not beside them (both share this process's event loop and
   * the sink).
   */
  quiet (maxMs = QUIET_MAX_MS): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve()
    return new Promise(resolve => {
      const done = (): void => { clearTimeout(timer); resolve() }
      const timer = setTimeout(() => {
        const at = this.#idle.indexOf(done)
        if (at !== -1) this.#idle.splice(at, 1)
        resolve()
      }, maxMs)
      this.#idle.push(done)
    })
  }

  /** Resolves once nothing is waiting or being sent (a graceful shutdown waits for it). */
  idle (): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve()
    return new Promise(resolve => this.#idle.push(resolve))
  }

  #pump (): void {
    while (this.#running < CONCURRENT && this.#waiting.length > 0) {
      const batch = this.#takeBatch()
      this.#running++
      // sendNow records a failure on the rows and never throws: the jobs take over from there
      void sendNow(this.#deps, batch).catch(() => {}).finally(() => {
        this.#running--
        this.#pump()
        if (this.#running === 0 && this.#waiting.length === 0) for (const resolve of this.#idle.splice(0)) resolve()
      })
    }
  }

  /** The first waiting job's sink: its jobs in order, whole, up to PER_SEND rows (at least one job). */
  #takeBatch (): ScheduledJob[] {
    const sink = this.#waiting[0].sink
    const batch: ScheduledJob[] = []
    let rows = 0
    for (let i = 0; i < this.#waiting.length && rows < PER_SEND;) {
      const job = this.#waiting[i]
      if (job.sink !== sink || (rows > 0 && rows + job.ids.length > PER_SEND)) { i++; continue }
      batch.push(...this.#waiting.splice(i, 1))
      rows += job.ids.length
    }
    return batch
  }
}
