// The one database module (node-postgres's project-structure advice): every query goes through here,
// so type parsing, transactions and timing live in one place. Parameters are never logged.
import pg from 'pg'
import { DbHealth, isConnectionError, type HealthLog } from './health.ts'
import { preparingClient, StatementNames } from './statement-cache.ts'

// bigint (int8) columns hold money in cents and counts: return them as JS numbers, refusing any value
// outside the safe-integer range rather than silently losing precision.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} is outside the safe integer range`)
  return n
})
// Business days stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v)

/** A row as the database returns it, until the query names its columns with a row type. */
export type Row = Record<string, unknown>
export interface Rows<R> { rows: R[], rowCount: number | null }
/**
 * Anything that runs SQL and returns rows: the pool, or a client inside a transaction. Domain functions
 * take this, so they run in whichever transaction their caller holds.
 */
export interface Sql { query<R extends object = Row> (text: string, values?: unknown[]): Promise<Rows<R>> }

/** The client a transaction runs on (withTransaction's callback argument). */
export type TxClient = pg.PoolClient

export interface Db extends Sql {
  readonly pool: pg.Pool
  readonly url: string
  /** Whether the database answers, as this process last saw it (an outage is logged once). */
  readonly health: DbHealth
  /** Resolves when the database answers (the readiness probe). */
  ping(): Promise<void>
  /** Runs `fn` in one transaction on one client: COMMIT on success, ROLLBACK on any error. */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>
  /**
   * Runs `fn` in one transaction on a pipelined client, for short hot transactions: BEGIN is sent
   * with `fn`'s first statement, and COMMIT right behind its last when `fn` calls `commit()` as soon
   * as that statement is queued (not awaited). Two statements then wait on two round trips, not four.
   * Only plain queries: no COPY, cursors or streams on this client. `fn` fails only when one of its
   * statements did: once COMMIT is sent, the transaction's fate is the statements'.
   */
  withPipelinedTransaction<T>(fn: (client: pg.PoolClient, commit: () => void) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface DbOptions {
  max?: number
  applicationName?: string
  /** Server-side limit for any one statement, in ms (default 30 s; 0 = none). */
  statementTimeoutMs?: number
  /** Where the start and the end of an outage are logged. */
  log?: HealthLog
  /** Connections of the pipelined pool (withPipelinedTransaction), opened on first use (default 2). */
  pipelinedMax?: number
}

// one set of names for the process: every pool's connections prepare the same statements
const statementNames = new StatementNames()

export function createDb (url: string, options: DbOptions = {}): Db {
  const newPool = (max: number, pipeline: boolean): pg.Pool => {
    const p = new pg.Pool({
      connectionString: url,
      max,
      pipeline,
      Client: preparing,
      application_name: options.applicationName ?? 'recon-gateway',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      // no statement runs unbounded; the settlement import raises its own limit (SET LOCAL)
      statement_timeout: options.statementTimeoutMs ?? 30_000
    } as pg.PoolConfig)
    // A client that loses its connection emits 'error': pg-pool listens only while the client is idle,
    // and an unheard 'error' on a checked-out client (inside a transaction, between its statements) is
    // an uncaught exception that ends the process. Every client gets a listener for its whole life.
    p.on('error', err => { health.failed(err, 'pool') })
    p.on('connect', client => { client.on('error', err => { health.failed(err, 'client') }) })
    return p
  }
  const preparing = preparingClient(statementNames)
  const pool = newPool(options.max ?? 10, false)
  let pipelined: pg.Pool | undefined
  const health = new DbHealth(() => pool.query('SELECT 1'), options.log)
  const seen = async <T>(work: Promise<T>, where: string): Promise<T> => {
    try {
      const out = await work
      health.ok()
      return out
    } catch (err) {
      health.failed(err, where)
      throw err
    }
  }
  return {
    pool,
    url,
    health,
    query: <R extends object>(text: string, values?: unknown[]) => seen(pool.query(text, values) as Promise<Rows<R>>, 'query'),
    ping: async () => { await seen(pool.query('SELECT 1'), 'ping') },
    withTransaction: fn => seen(transaction(pool, fn), 'transaction'),
    withPipelinedTransaction: fn => seen(pipelinedTransaction(pipelined ??= newPool(options.pipelinedMax ?? 2, true), fn), 'transaction'),
    async close () {
      health.stop()
      await Promise.all([pool.end(), pipelined?.end()])
    }
  }
}

/** Runs `body` on a client of `pool`, rolling back on any error (a no-op outside a transaction). */
async function onClient<T> (pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    return await body(client)
  } catch (err) {
    // a client whose connection failed is dropped from the pool, not handed to the next caller
    if (isConnectionError(err)) broken = err as Error
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release(broken)
  }
}

async function transaction<T> (pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return await onClient(pool, async client => {
    await client.query('BEGIN')
    const out = await fn(client)
    await client.query('COMMIT')
    return out
  })
}

async function pipelinedTransaction<T> (pool: pg.Pool, fn: (client: pg.PoolClient, commit: () => void) => Promise<T>): Promise<T> {
  return await onClient(pool, async client => {
    // Each statement's failure is seen when its own promise is awaited; these handlers only keep a
    // rejection that `fn` ends before awaiting from being reported as unhandled.
    const begin = client.query('BEGIN')
    begin.catch(() => {})
    let commit: Promise<pg.QueryResult> | undefined
    const sendCommit = (): void => { commit ??= client.query('COMMIT'); commit.catch(() => {}) }
    const out = await fn(client, sendCommit)
    await begin
    sendCommit()
    // A statement that failed after COMMIT was sent aborts the transaction, and the server answers
    // that COMMIT with ROLLBACK rather than an error: only a COMMIT tag means the rows are stored.
    const done = await commit!
    if (done.command !== 'COMMIT') throw new Error(`the transaction ended with ${done.command}, not COMMIT`)
    return out
  })
}

/** SQLSTATE codes we act on (pg-boss keeps the same kind of table). */
export const PG_ERROR = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  cannotConnectNow: '57P03'
} as const

export function pgCode (err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined
}
