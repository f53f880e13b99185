// `npm start`: the gateway with its workers. Without DATABASE_URL it runs on an embedded PostgreSQL
// kept in the data directory (.data/ by default).
//
// It keeps running through database faults: a database not up yet is waited for, an outage is logged
// once and answered 503 (gateway/db/health.ts), and work resumes when it returns. SIGTERM or SIGINT
// stops it gracefully: no new requests, those in flight and the running jobs get
// limits.shutdownTimeoutMs (RECON_SHUTDOWN_TIMEOUT_MS) to finish, then it exits 0 (1 if the deadline
// cut work short; that work is retried by another gateway or at the next start). A second signal exits
// at once.
import { pino } from 'pino'
import { hktDate } from '../connectors/_shared/time.ts'
import { calendarEndWarning } from '../reconciler/calendar.ts'
import { redactPaths } from './app.ts'
import { loadConfig, ConfigError, registryOf } from './config.ts'
import { isConnectionError } from './db/health.ts'
import { startRuntime } from './runtime.ts'

let config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); process.exit(2) }
  throw err
}
// one logger for the HTTP app, the workers and the database's health watch
const log = pino({ level: config.logLevel, redact: redactPaths(registryOf(config).pos.values()) })
const rt = await startRuntime(config, { workers: true, log, loggerInstance: log, waitForDatabase: true })
await rt.app!.listen({ host: config.host, port: config.port })
log.info({ database: rt.embedded ? `embedded PostgreSQL (${rt.embedded.clusterDir})` : 'DATABASE_URL' }, 'database')
log.info({ posVendors: config.posVendors }, config.posVendors.length ? 'POS webhooks taken from the enabled vendors' : 'no POS vendor enabled: set RECON_POS_VENDORS and their secrets to take webhooks')
if (config.devSecretsFile) log.warn({ file: config.devSecretsFile }, 'development API keys and webhook secrets were generated; set them through RECON_CONFIG or the environment in production')
const calendar = calendarEndWarning(config.recon.holidays, hktDate(new Date()))
if (calendar) log.warn({ holidays: 'reconciliation.holidays' }, calendar)
log.info(`API docs: ${rt.app!.listeningOrigin}/docs`)

// A lost connection surfacing where nobody awaits it must not end the process: the database's health
// watch has logged the outage and the work is retried. Anything else is a bug: log it and exit, so
// the supervisor restarts a clean process.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    if (isConnectionError(err)) { rt.db.health.failed(err, event); return }
    log.fatal({ err }, event)
    process.exit(1)
  })
}

const EXIT_ON_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const
let stopping = false
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) {
      log.warn({ signal: sig }, 'second signal: exiting now; running jobs will be retried')
      process.exit(EXIT_ON_SIGNAL[sig])
    }
    stopping = true
    const timeoutMs = config.limits.shutdownTimeoutMs
    log.info({ signal: sig, timeoutMs }, 'shutting down: finishing in-flight requests and jobs')
    const started = Date.now()
    rt.close({ timeoutMs }).then(({ finished }) => {
      if (finished) log.info({ ms: Date.now() - started }, 'stopped')
      else log.warn({ ms: Date.now() - started }, 'stopped at the deadline: unfinished jobs were handed back to the queue')
      process.exit(finished ? 0 : 1)
    }, err => { log.error({ err }, 'shutdown failed'); process.exit(1) })
  })
}
