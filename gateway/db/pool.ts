// The one database module (node-postgres's project-structure advice): every query goes through here,
// so type parsing, transactions and timing live in one place. Parameters are never logged.
import pg from 'pg'

// bigint (int8) columns hold money in cents and counts: return them as JS numbers, refusing any value
// outside the safe-integer range rather than silently losing precision.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} is outside the safe integer range`)
  return n
})
// Business days stay 'YYYY-MM-DD' strings: a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v)

/** The client a transaction runs on (withTransaction's callback argument). */
export type TxClient = pg.PoolClient

export interface Db {
  readonly pool: pg.Pool
  readonly url: string
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>
  /** Runs `fn` in one transaction on one client: COMMIT on success, ROLLBACK on any error. */
  withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface DbOptions {
  max?: number
  applicationName?: string
  /** Server-side limit for any one statement, in ms (default 30 s; 0 = none). */
  statementTimeoutMs?: number
}

export function createDb (url: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'recon-gateway',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // no statement runs unbounded; the settlement import raises its own limit (SET LOCAL)
    statement_timeout: options.statementTimeoutMs ?? 30_000
  })
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => {})
  return {
    pool,
    url,
    query: (text, values) => pool.query(text, values as unknown[]),
    async withTransaction (fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const out = await fn(client)
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
    close: () => pool.end()
  }
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
