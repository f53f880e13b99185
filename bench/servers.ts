// Child processes for the benchmark, so the load generator never shares an event loop with the server:
//   node bench/servers.ts gateway <databaseUrl>   the real gateway app (no workers), on a free port
//   node bench/servers.ts hello                   a fastify hello-world, the baseline
import Fastify from 'fastify'
import { startRuntime } from '../gateway/runtime.ts'
import { testConfig } from '../fixtures/support/runtime.ts'

const [kind, url] = process.argv.slice(2)
if (kind === 'hello') {
  const app = Fastify()
  app.post('/hello', async () => ({ hello: 'world' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const a = app.server.address()
  process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`)
} else {
  const rt = await startRuntime(testConfig({ databaseUrl: url, env: 'development' }), { workers: process.argv.includes('--workers') })
  await rt.app!.listen({ host: '127.0.0.1', port: 0 })
  const a = rt.app!.server.address()
  process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`)
  process.on('SIGTERM', () => { rt.close().then(() => process.exit(0)) })
}
