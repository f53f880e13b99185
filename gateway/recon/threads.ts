// Work of the offline run done on other threads while this one reads the POS events: the settlement
// files and the stock movements (settlement-thread.ts, movement-thread.ts). Each of those modules is
// its own thread's entry: started with a job, it answers with progress lines, then its result or its
// failure. Progress lines are kept and told when the result is taken, so the run's log reads in the
// same order as when the files were read one after the other. A bad file is the same InputError, with
// its issues, on this side.
import { getPriority, setPriority } from 'node:os'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { InputError, type InputErrorCode } from '../../connectors/errors.ts'
import type { LineIssue } from '../../connectors/contract.ts'

type Message<T> =
  | { kind: 'progress', message: string }
  | { kind: 'done', value: T }
  | { kind: 'failed', input?: { code: InputErrorCode, message: string, issues: LineIssue[], issueCount: number }, message: string, stack?: string }

export interface Alongside<T> {
  /** The thread's result once it has it; the thread's progress lines are told first. */
  result: (progress: (message: string) => void) => Promise<T>
  /** Stops the thread (the run failed on this side). */
  stop: () => Promise<void>
}

/** Starts `entry` (a module that calls `serveThread` for jobs of `kind`) on a thread of its own. */
export function startAlongside<T> (entry: URL, kind: string, job: object): Alongside<T> {
  const worker = new Worker(entry, { workerData: { reconThread: kind, job } })
  const told: string[] = []
  const outcome = new Promise<T>((resolve, reject) => {
    worker.on('message', (m: Message<T>) => {
      if (m.kind === 'progress') told.push(m.message)
      else if (m.kind === 'done') resolve(m.value)
      else if (m.input) reject(new InputError(m.input.code, m.input.message, m.input.issues, m.input.issueCount))
      else reject(Object.assign(new Error(m.message), { stack: m.stack }))
    })
    worker.on('error', reject)
    // messages sent before the thread ended are delivered first; a rejection after the result changes nothing
    worker.on('exit', code => setImmediate(() => reject(new Error(`the ${kind} thread stopped (exit ${code}) before it gave its result`))))
  })
  outcome.catch(() => {}) // judged when the result is taken, after the POS events
  return {
    result: async progress => {
      try { return await outcome } finally { for (const m of told) progress(m) }
    },
    stop: async () => { await worker.terminate() }
  }
}

/** What a thread's job gives back: its value, and the buffers a postMessage may move instead of copy. */
export interface ThreadResult<T> { value: T, transfer?: ArrayBuffer[] }

/**
 * On a thread started by `startAlongside(…, kind, …)`: runs `work` on its job and answers. Call it at
 * the end of the entry module; it does nothing on the main thread or on a thread of another kind.
 */
export async function serveThread<J, T> (kind: string, work: (job: J, progress: (message: string) => void) => Promise<ThreadResult<T>>): Promise<void> {
  const data = workerData as { reconThread?: string, job: J } | null
  if (isMainThread || data?.reconThread !== kind) return
  const port = parentPort!
  try {
    const { value, transfer } = await work(data.job, message => port.postMessage({ kind: 'progress', message } satisfies Message<T>))
    port.postMessage({ kind: 'done', value } satisfies Message<T>, transfer ?? [])
  } catch (err) {
    const e = err as Error
    const input = err instanceof InputError ? { code: err.code, message: err.message, issues: err.issues, issueCount: err.issueCount } : undefined
    port.postMessage({ kind: 'failed', input, message: e.message, stack: e.stack } satisfies Message<T>)
  }
}

/**
 * Lowers the calling thread's priority `steps` below what it was (its creator's), at most to 19. On
 * Linux a priority is per thread, so only this one yields: where it shares the cores with the main
 * thread and V8's collector threads, the main thread, whose work decides when the run ends, gets more
 * of them. Elsewhere, or where not permitted, the thread keeps its priority.
 */
export function yieldToCreator (steps: number): void {
  try { setPriority(Math.min(19, getPriority() + steps)) } catch { /* not permitted here: as it was */ }
}
