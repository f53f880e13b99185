// Wires the process: a database (DATABASE_URL, or the embedded one in the data directory), migrations,
// pg-boss, the connectors, the workers and the HTTP app. Used by `npm start`, `npm run demo`, the CLI
// and the tests, so all of them run the same code.
import { PgBoss } from 'pg-boss'
import pg from 'pg'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { registryOf, type Config } from './config.ts'
import { PiiCipher } from './crypto.ts'
import type { AppDeps } from './deps.ts'
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.ts'
import { migrate } from './db/migrate.ts'
import { createDb } from './db/pool.ts'
import { InboxWriter } from './ingest/inbox.ts'
import { ensureNormalizeQueue, startNormalizeWorker } from './ingest/normalize-worker.ts'
import { AfterCommitSender } from './forward/after-commit.ts'
import { ensureReconcileQueue, startReconcileWorker } from './recon/queue.ts'
import { ensureForwardQueues } from './outbox/outbox.ts'
import { startForwardWorkers } from './forward/deliver.ts'
import { checkLowStock } from './replenish/low-stock.ts'
import { isConnectionError } from './db/health.ts'
import { SUPERVISION } from './jobs.ts'
import { startDingTalkStream, type StreamClient } from './forward/dingtalk-stream.ts'
import { ensureRetentionQueue, startRetentionWorker } from './retention/purge.ts'
import type { ConstructorOptions } from 'pg-boss'

export interface Logger { info (o: object | string, m?: string): void, warn (o: object | string, m?: string): void, error (o: object | string, m?: string): void }

export interface RuntimeOptions {
  /** Start the pg-boss workers in this process. */
  workers?: boolean
  /** Build the HTTP app (not listening). */
  http?: boolean
  logger?: boolean | object
  log?: Logger
  /** pg-boss settings for tests (e.g. a short supervision interval to notice a killed worker soon). */
  boss?: Partial<ConstructorOptions>
  /** The HTTP app logs through this logger (the server's), instead of building one from `logger`. */
  loggerInstance?: FastifyBaseLogger
  /** Wait (logging once) for a database that is not up yet instead of failing: the server's start. */
  waitForDatabase?: boolean
}

export interface Runtime extends AppDeps {
  app: FastifyInstance | null
  embedded: EmbeddedServer | null
  databaseUrl: string
  /**
   * Stops taking requests, lets those in flight and the running jobs finish within `timeoutMs`, then
   * closes the database. Jobs still running at the deadline are handed back to the queue (retried by
   * another gateway, or this one when it starts again). `finished`: nothing was cut short.
   */
  close (opts?: { timeoutMs?: number }): Promise<{ finished: boolean }>
}

const silent: Logger = { info () {}, warn () {}, error () {} }
const APP_DATABASE = 'recon'

/** The embedded server's application database, created on first start. */
async function embeddedDatabase (config: Config, log: Logger): Promise<{ url: string, server: EmbeddedServer }> {
  const server = await startEmbeddedPostgres({ dataDir: config.dataDir, log: line => { if (/ERROR|FATAL|PANIC|initialising|not reachable/.test(line)) log.info({ postgres: line }, 'embedded postgres') } })
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [APP_DATABASE])
    if (!rows.length) await admin.query(`CREATE DATABASE ${APP_DATABASE}`)
  } finally {
    await admin.end()
  }
  const u = new URL(server.url)
  u.pathname = `/${APP_DATABASE}`
  return { url: u.toString(), server }
}

/** The stores and the configured locations exist as ledger locations (new ones are added, none changed). */
async function registerLocations (db: AppDeps['db'], config: Config): Promise<void> {
  const all = [...config.stores.map(s => ({ id: s.id, name: s.name, kind: 'store' })), ...config.locations]
  if (all.length === 0) return
  await db.query('INSERT INTO locations (id, name, kind) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (id) DO NOTHING',
    [all.map(l => l.id), all.map(l => l.name), all.map(l => l.kind)])
}

/** Waits for `work`, or calls `cut` once `ms` have passed and waits for the work to end then. */
async function settleWithin (work: Promise<unknown>, ms: number, cut: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>(resolve => { timer = setTimeout(() => resolve('late'), ms) })
  if (await Promise.race([work, late]) === 'late') cut()
  clearTimeout(timer)
  await work
}

/** Runs `attempt` until the database answers, logging the wait once; other errors end the start. */
async function untilReachable<T> (attempt: () => Promise<T>, log: Logger): Promise<T> {
  let waiting = false
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await attempt()
    } catch (err) {
      if (!isConnectionError(err)) throw err
      if (!waiting) log.warn({ reason: (err as Error).message }, 'waiting for the database')
      waiting = true
      await new Promise(resolve => setTimeout(resolve, delay))
    }
  }
}

export async function startRuntime (config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? silent
  let embedded: EmbeddedServer | null = null
  let url = config.databaseUrl
  if (!url) {
    const e = await embeddedDatabase(config, log)
    embedded = e.server
    url = e.url
  }
  try {
    const applied = await (opts.waitForDatabase ? untilReachable(() => migrate(url!), log) : migrate(url))
    if (applied.length) log.info({ applied }, 'database migrated')
    const db = createDb(url, { max: 20, log })
    const { rows } = await db.query<{ synchronous_commit: string }>('SHOW synchronous_commit')
    if (rows[0].synchronous_commit === 'off') {
      // a 2xx to a POS vendor promises the delivery is stored; asynchronous commit can lose it
      if (config.env === 'production') throw new Error('synchronous_commit is off: acknowledged webhooks could be lost in a crash; turn it on')
      log.warn({ synchronous_commit: 'off' }, 'synchronous_commit is off (acceptable only for tests)')
    }
    // max 10: fetches, completions, heartbeats and the supervisor (the workers' own transactions are
    // on the application's pool)
    const boss = new PgBoss({ connectionString: url, max: 10, useListenNotify: true, application_name: 'recon-jobs', ...SUPERVISION, ...opts.boss })
    // pg-boss's loops recover by themselves; an outage is logged once by the database's health watch
    boss.on('error', err => { if (!db.health.failed(err, 'jobs')) log.error({ err }, 'job queue error') })
    await boss.start()
    await ensureNormalizeQueue(boss)
    await ensureReconcileQueue(boss)
    await ensureForwardQueues(boss, config.forwarding)
    await ensureRetentionQueue(boss)
    await registerLocations(db, config)
    const registry = registryOf(config)
    const cipher = new PiiCipher(config.piiKeys)
    const inbox = new InboxWriter(db, boss)
    const deps: AppDeps = { config, db, boss, registry, cipher, inbox }
    // DingTalk's Stream connection, opened with the workers when the app takes events that way
    let stream: StreamClient | null = null
    const sender = opts.workers ? new AfterCommitSender({ db, boss, forwarding: config.forwarding, log }) : null
    if (opts.workers) {
      await startNormalizeWorker({ ...deps, log, sender: sender! })
      await startReconcileWorker({ ...deps, log })
      await startRetentionWorker({ db, boss, settings: config.retention, log })
      const f = config.forwarding
      if (f.app?.stream) stream = startDingTalkStream({ app: f.app, db, allowHosts: f.allowHosts, timeoutMs: f.timeoutMs, log })
      await startForwardWorkers({ db, boss, forwarding: config.forwarding, log, liveQuiet: () => sender!.quiet(), afterPosting: (sql, posted) => checkLowStock(sql, { boss, forwarding: config.forwarding }, posted) })
    }
    const app = opts.http === false ? null : await buildApp(deps, { logger: opts.logger, loggerInstance: opts.loggerInstance })
    let closed = false
    return {
      ...deps,
      app,
      embedded,
      databaseUrl: url,
      async close ({ timeoutMs = config.limits.shutdownTimeoutMs } = {}) {
        if (closed) return { finished: true }
        closed = true
        const until = Date.now() + timeoutMs
        const left = (): number => Math.max(1000, until - Date.now())
        // fastify stops listening, answers 503 on kept-alive connections and waits for requests in flight
        if (app) await settleWithin(app.close(), left(), () => app.server.closeAllConnections())
        await stream?.stop()
        await boss.stop({ graceful: true, timeout: left(), close: true })
        // sales committed by now are sent their sinks' rows (past the deadline their jobs do it)
        // whether the sends finished comes from the race itself: a timer may fire a millisecond before
        // Date.now() reaches `until`, which read alone would call a cut-short send finished
        const sent = !sender || await Promise.race([sender.idle().then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), left()).unref())])
        const finished = sent && Date.now() <= until
        await db.close()
        await embedded?.stop()
        return { finished }
      }
    }
  } catch (err) {
    await embedded?.stop()
    throw err
  }
}
