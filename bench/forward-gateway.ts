// The gateway for bench/forward.ts, in a process of its own (the load generator and the doubles must
// not share its event loop): `node bench/forward-gateway.ts <databaseUrl> '<forwarding JSON>'`.
// Prints PORT <n> once listening; SIGTERM stops it.
import { startRuntime } from '../gateway/runtime.ts'
import { forwardingConfig } from '../gateway/config-forwarding.ts'
import { testConfig } from '../fixtures/support/runtime.ts'

const [url, forwarding] = process.argv.slice(2)
const rt = await startRuntime(testConfig({ databaseUrl: url, env: 'development', forwarding: forwardingConfig(JSON.parse(forwarding)) }), { workers: true })
await rt.app!.listen({ host: '127.0.0.1', port: 0 })
const a = rt.app!.server.address()
process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`)
process.on('SIGTERM', () => { rt.close().then(() => process.exit(0)) })
