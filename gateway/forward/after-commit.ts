// The sends a committed sale owes the realtime sinks, run by its own process in the background, so the
// normalize worker goes on to the next sales instead of waiting for HTTP. A few at a time; past a cap
// (a sink slow or down) rows are left to their delivery jobs, which stand behind every row anyway.
import type { WrittenRow } from '../outbox/outbox.ts'
import { sendNow, type SendDeps } from './deliver.ts'

/** Sends in flight at once, and rows waiting at most, per process. */
const CONCURRENT = 4
const WAITING = 5_000
/** Rows of one sink per send (one call each for the HTTP sink; Jiandaoyun takes its own batches). */
const PER_SEND = 50

export class AfterCommitSender {
  readonly #deps: SendDeps
  readonly #waiting: WrittenRow[] = []
  #running = 0
  #idle: Array<() => void> = []
  /** Rows handed over to their jobs because too many were waiting. */
  skipped = 0

  readonly #cap: number

  constructor (deps: SendDeps, cap = WAITING) { this.#deps = deps; this.#cap = cap }

  /** Queues rows a transaction wrote; call only once it has committed. */
  push (rows: readonly WrittenRow[]): void {
    const room = Math.max(0, this.#cap - this.#waiting.length)
    this.#waiting.push(...rows.slice(0, room))
    this.skipped += Math.max(0, rows.length - room)
    this.#pump()
  }

  /** Resolves once nothing is waiting or being sent (a graceful shutdown waits for it). */
  idle (): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve()
    return new Promise(resolve => this.#idle.push(resolve))
  }

  #pump (): void {
    while (this.#running < CONCURRENT && this.#waiting.length > 0) {
      const sink = this.#waiting[0].sink
      const batch: WrittenRow[] = []
      for (let i = 0; i < this.#waiting.length && batch.length < PER_SEND;) {
        if (this.#waiting[i].sink === sink) batch.push(...this.#waiting.splice(i, 1)); else i++
      }
      this.#running++
      // sendNow records a failure on the rows and never throws: the jobs take over from there
      void sendNow(this.#deps, batch).catch(() => {}).finally(() => {
        this.#running--
        this.#pump()
        if (this.#running === 0 && this.#waiting.length === 0) for (const resolve of this.#idle.splice(0)) resolve()
      })
    }
  }
}
