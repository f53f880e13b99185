// Whether PostgreSQL can be reached, as this process last saw it. A restart or a network cut shows up
// as dozens of errors at once (every pooled client, every pg-boss loop, every request): they are told
// apart from query errors here, logged once when the outage starts and once when it ends, and while
// it lasts a probe asks every second, so the "back" line comes without waiting for traffic. Requests
// that meet an outage answer 503 with Retry-After (errors.ts), never 500.

export interface HealthLog { warn (o: object, m: string): void, info (o: object, m: string): void }

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash recovery,
// "cannot connect now"), 53300 (too many connections); node's socket errors; node-postgres's own
// messages for a connection that ended or could not be had in time.
const CONNECTION_SQLSTATE = /^(08...|57P0[1-4]|53300)$/
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
const CONNECTION_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|server closed the connection|the database system is (starting up|shutting down|in recovery mode)/i

/** True when `err` says the database could not be reached, rather than that a statement failed. */
export function isConnectionError (err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false
  const e = err as { code?: unknown, message?: unknown, errors?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  if (CONNECTION_SQLSTATE.test(code) || SOCKET_CODES.has(code)) return true
  if (typeof e.message === 'string' && CONNECTION_MESSAGE.test(e.message)) return true
  // AggregateError from a connect() that tried several addresses (localhost as ::1 and 127.0.0.1)
  return Array.isArray(e.errors) && e.errors.some(isConnectionError)
}

export class DbHealth {
  #downSince: number | null = null
  #probe: NodeJS.Timeout | null = null
  readonly #ping: () => Promise<unknown>
  readonly #log: HealthLog | undefined

  constructor (ping: () => Promise<unknown>, log?: HealthLog) {
    this.#ping = ping
    this.#log = log
  }

  get up (): boolean { return this.#downSince === null }

  /** Records a failure; true when it was a connection failure (already logged: callers stay quiet). */
  failed (err: unknown, where: string): boolean {
    if (!isConnectionError(err)) return false
    if (this.#downSince !== null) return true
    this.#downSince = Date.now()
    this.#log?.warn({ where, reason: (err as Error).message }, 'database unreachable: requests answer 503 and work waits until it is back')
    this.#probe = setInterval(() => { this.#ping().then(() => this.ok(), () => {}) }, 1000)
    this.#probe.unref()
    return true
  }

  ok (): void {
    if (this.#downSince === null) return
    const seconds = Math.round((Date.now() - this.#downSince) / 100) / 10
    this.#downSince = null
    this.stop()
    this.#log?.info({ seconds }, 'database reachable again')
  }

  stop (): void {
    if (this.#probe) clearInterval(this.#probe)
    this.#probe = null
  }
}
