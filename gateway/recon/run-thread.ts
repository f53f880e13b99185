// A day's reconciliation read and matched on a worker thread of its own, with its own connection: a
// chain's day is seconds of matching and a report of hundreds of megabytes, and on the gateway's main
// thread that would hold up every webhook and posting meanwhile. The main thread keeps the day's lock
// and persists what comes back: the report as JSON text (stored as it is), and the report without its
// match list for the summaries, exceptions and standings it writes.
import { createHash } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { getPriority, setPriority } from 'node:os'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { reconcile } from '../../reconciler/reconcile.ts'
import type { ReconReport, ReconSettings } from '../../reconciler/types.ts'
import { createDb } from '../db/pool.ts'
import { PiiCipher } from '../crypto.ts'
import { loadDayInput } from './load.ts'

/** The report's content, without the moment it was generated. */
export function reportDigest (r: ReconReport): string {
  return createHash('sha256').update(JSON.stringify({ ...r, generated_at: null })).digest('hex')
}

export interface DayRequest { url: string, date: string, settings: ReconSettings, generatedAt: string }

export interface DayComputed {
  /** The day's data version the snapshot read. */
  version: number
  digest: string
  /** The whole report, as stored. */
  json: string
  /** The report with an empty match list (the list is in `json`). */
  report: ReconReport
  matches: number
  counts: { sales: number, payments: number }
}

interface Job extends DayRequest { id: number, keys: Array<{ id: string, key: KeyObject }> }
type Message = { id: number, kind: 'done', day: DayComputed } | { id: number, kind: 'failed', message: string, code?: string, stack?: string }
interface Waiting { resolve: (day: DayComputed) => void, reject: (err: Error) => void }

/**
 * The thread, started at the first run and kept: its modules load once. It keeps the process alive only
 * while a run is in it; it opens a connection for each run and closes it after.
 */
let thread: { worker: Worker, waiting: Map<number, Waiting> } | null = null
let nextId = 0

function reconThread (): NonNullable<typeof thread> {
  if (thread) return thread
  const worker = new Worker(new URL(import.meta.url), { workerData: { reconThread: true } })
  const waiting = new Map<number, Waiting>()
  const current = { worker, waiting }
  worker.on('message', (m: Message) => {
    const w = waiting.get(m.id)
    waiting.delete(m.id)
    if (waiting.size === 0) worker.unref()
    if (m.kind === 'done') w?.resolve(m.day)
    else w?.reject(Object.assign(new Error(m.message), { code: m.code, stack: m.stack }))
  })
  const fail = (err: Error) => {
    if (thread === current) thread = null
    for (const w of waiting.values()) w.reject(err)
    waiting.clear()
  }
  worker.on('error', fail)
  worker.on('exit', code => fail(new Error(`the reconciliation thread stopped (exit ${code}) before it gave its report`)))
  thread = current
  return current
}

/** Reads and reconciles the day on the reconciliation thread; rejects with its error (a database's code kept). */
export async function computeDayInThread (cipher: PiiCipher, req: DayRequest): Promise<DayComputed> {
  const { worker, waiting } = reconThread()
  const id = ++nextId
  const done = new Promise<DayComputed>((resolve, reject) => waiting.set(id, { resolve, reject }))
  worker.ref()
  worker.postMessage({ ...req, id, keys: cipher.keyObjects() } satisfies Job)
  return await done
}

/** In the thread: a consistent snapshot (repeatable read), matched; the database's connection closed after. */
async function computeDay (job: Job): Promise<DayComputed> {
  const db = createDb(job.url, { max: 1, applicationName: 'recon-run' })
  try {
    const client = await db.pool.connect()
    let version: number
    let input
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      await client.query('SET LOCAL statement_timeout = 300000')
      const { rows } = await client.query('SELECT data_version FROM recon_days WHERE business_date = $1', [job.date])
      version = rows[0]?.data_version ?? 0
      input = await loadDayInput(client, job.date, job.settings, new PiiCipher(job.keys))
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    const report = reconcile({ ...input, generatedAt: job.generatedAt })
    const counts = { sales: input.sales.filter(s => s.businessDate === job.date).length, payments: input.payments.filter(p => p.businessDate === job.date).length }
    return { version, digest: reportDigest(report), json: JSON.stringify(report), report: { ...report, matches: [] }, matches: report.matches.length, counts }
  } finally {
    await db.close()
  }
}

/**
 * Batch work yields to the gateway's own: on Linux a priority is per thread, and this one runs at nice
 * 10, as `recon reconcile` does (cli/main.ts), so webhooks and postings on the main thread come first.
 */
const THREAD_NICE = 10

if (!isMainThread && (workerData as { reconThread?: boolean } | null)?.reconThread) {
  try { setPriority(Math.max(getPriority(), THREAD_NICE)) } catch { /* not permitted here: normal priority */ }
  const port = parentPort!
  port.on('message', (job: Job) => {
    computeDay(job).then(day => port.postMessage({ id: job.id, kind: 'done', day } satisfies Message), (err: Error & { code?: unknown }) =>
      port.postMessage({ id: job.id, kind: 'failed', message: err.message, code: typeof err.code === 'string' ? err.code : undefined, stack: err.stack } satisfies Message))
  })
}
