// The gateway for bench/forward.ts, in a process of its own (the load generator and the doubles must
// not share its event loop): `node bench/forward-gateway.ts <databaseUrl> '<forwarding JSON>'`.
// Prints PORT <n> once listening; SIGTERM stops it. With BENCH_GATEWAY_RECONCILE=<date>,<as-of> (and
// the day's stores in BENCH_GATEWAY_STORES) it also reconciles that day again and again, as its own
// reconciliation worker would after each import, printing RECONCILED after each run.
import { startRuntime } from '../gateway/runtime.ts'
import { forwardingConfig } from '../gateway/config-forwarding.ts'
import { reconcileDay } from '../gateway/recon/run.ts'
import { testConfig } from '../fixtures/support/runtime.ts'

const [url, forwarding] = process.argv.slice(2)
const extraStores = JSON.parse(process.env.BENCH_GATEWAY_STORES ?? '[]')
const config = testConfig({ databaseUrl: url, env: 'development', forwarding: forwardingConfig(JSON.parse(forwarding)) })
const rt = await startRuntime({ ...config, stores: [...config.stores, ...extraStores] }, { workers: true })
await rt.app!.listen({ host: '127.0.0.1', port: 0 })
const a = rt.app!.server.address()
process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`)
let stopping = false
process.on('SIGTERM', () => { stopping = true; rt.close().then(() => process.exit(0)) })

const [date, asOf] = (process.env.BENCH_GATEWAY_RECONCILE ?? '').split(',')
if (date) {
  while (!stopping) {
    try {
      await reconcileDay(rt, { date, trigger: 'manual', asOf })
      process.stdout.write('RECONCILED\n')
    } catch (err) {
      // a run of the same day by the gateway's own worker can hold the day's lock past the statement
      // time limit: the worker would retry the run, and so does this loop
      if (!stopping) process.stderr.write(`reconciliation run failed: ${(err as Error).message}\n`)
    }
  }
}
