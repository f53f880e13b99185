// The settlement files read on a second thread while this one reads the POS events: the offline run
// uses both cores. The records come back as columns (payment-columns.ts); the thread's progress lines
// are kept and told when its result is taken, so the run's log reads in the same order as before.
// A bad file is the same InputError, with its issues, on this side; the POS events are still read and
// judged first, as when the files were read one after the other.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { InputError, type InputErrorCode } from '../../connectors/errors.ts'
import type { LineIssue } from '../../connectors/contract.ts'
import { registryOf, type Config } from '../config.ts'
import { dayRules } from './convert.ts'
import { fromColumns, toColumns, type PaymentColumns } from './payment-columns.ts'
import { readSettlements, type SettlementsRead } from './read-settlements.ts'

type ThreadConfig = Pick<Config, 'stores' | 'recon' | 'connectors' | 'limits'>
interface Job { settlementThread: true, paths: string[], config: ThreadConfig }
type Message =
  | { kind: 'progress', message: string }
  | { kind: 'done', columns: PaymentColumns, batches: SettlementsRead['batches'], findings: SettlementsRead['findings'] }
  | { kind: 'failed', input?: { code: InputErrorCode, message: string, issues: LineIssue[], issueCount: number }, message: string, stack?: string }

export interface SettlementThread {
  /** The records, once read; the thread's progress lines are told first. */
  result: (progress: (message: string) => void) => Promise<SettlementsRead>
  /** Stops the thread (the run failed on this side). */
  stop: () => Promise<void>
}

export function readSettlementsAlongside (paths: string[], config: ThreadConfig): SettlementThread {
  const job: Job = { settlementThread: true, paths, config: { stores: config.stores, recon: config.recon, connectors: config.connectors, limits: config.limits } }
  const worker = new Worker(new URL(import.meta.url), { workerData: job })
  const told: string[] = []
  const outcome = new Promise<SettlementsRead>((resolve, reject) => {
    worker.on('message', (m: Message) => {
      if (m.kind === 'progress') told.push(m.message)
      else if (m.kind === 'done') resolve({ payments: fromColumns(m.columns), batches: m.batches, findings: m.findings })
      else if (m.input) reject(new InputError(m.input.code, m.input.message, m.input.issues, m.input.issueCount))
      else reject(Object.assign(new Error(m.message), { stack: m.stack }))
    })
    worker.on('error', reject)
    // messages sent before the thread ended are delivered first; a rejection after the result changes nothing
    worker.on('exit', code => setImmediate(() => reject(new Error(`the settlement-file thread stopped (exit ${code}) before it gave its records`))))
  })
  outcome.catch(() => {}) // judged when the result is taken, after the POS events
  return {
    result: async progress => {
      try { return await outcome } finally { for (const m of told) progress(m) }
    },
    stop: async () => { await worker.terminate() }
  }
}

async function runJob (job: Job): Promise<void> {
  const port = parentPort!
  try {
    const read = await readSettlements(job.paths, job.config, registryOf(job.config), dayRules(job.config), message => port.postMessage({ kind: 'progress', message } satisfies Message))
    const { columns, transferables } = toColumns(read.payments)
    port.postMessage({ kind: 'done', columns, batches: read.batches, findings: read.findings } satisfies Message, transferables)
  } catch (err) {
    const e = err as Error
    const input = err instanceof InputError ? { code: err.code, message: err.message, issues: err.issues, issueCount: err.issueCount } : undefined
    port.postMessage({ kind: 'failed', input, message: e.message, stack: e.stack } satisfies Message)
  }
}

if (!isMainThread && (workerData as Job | null)?.settlementThread) await runJob(workerData as Job)
