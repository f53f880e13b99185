// `npm start`: the gateway with its workers. Without DATABASE_URL it runs on an embedded PostgreSQL
// kept in the data directory (.data/ by default).
import { loadConfig, ConfigError } from './config.ts'
import { startRuntime } from './runtime.ts'

let config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); process.exit(2) }
  throw err
}
const rt = await startRuntime(config, { workers: true, logger: { level: process.env.LOG_LEVEL ?? 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] } })
const app = rt.app!
const log = app.log
await app.listen({ host: config.host, port: config.port })
log.info({ database: rt.embedded ? `embedded PostgreSQL (${rt.embedded.clusterDir})` : 'DATABASE_URL' }, 'database')
if (config.devSecretsFile) log.warn({ file: config.devSecretsFile }, 'development API keys and webhook secrets were generated; set them through RECON_CONFIG or the environment in production')
log.info(`API docs: http://${config.host}:${config.port}/docs`)

let stopping = false
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return
    stopping = true
    log.info({ signal: sig }, 'shutting down: finishing in-flight work')
    rt.close().then(() => process.exit(0), err => { log.error({ err }, 'shutdown failed'); process.exit(1) })
  })
}
