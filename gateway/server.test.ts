import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { LedgerSinkDouble } from '../fixtures/doubles/ledger-sink.ts'
import { freshDb } from '../fixtures/support/db.ts'
import { SINK_SECRET } from '../fixtures/support/forwarding.ts'
import { startGateway, writeGatewayConfig, type GatewayProcess } from '../fixtures/support/gateway-process.ts'
import { eventually, SECRETS } from '../fixtures/support/runtime.ts'
import { saleEvent } from '../fixtures/support/sales.ts'
import { standardHeaders } from '../fixtures/support/sign.ts'
import { ROOT } from '../fixtures/support/test-pg.ts'

/**
 * A gateway process forwarding to an external ledger that holds every request until released: a sale's
 * send right after its commit is held inside the normalize job's handler, while its delivery job waits
 * as the backstop.
 */
async function gatewayWithHeldSink (t: Test, env: Record<string, string> = {}) {
  const db = await freshDb(t)
  const sink = await new LedgerSinkDouble(SINK_SECRET).listen()
  t.teardown(() => sink.close())
  sink.server.fault = { mode: 'hold' }
  const dir = t.testdir({})
  const config = writeGatewayConfig(dir, { forwarding: { allowHosts: ['127.0.0.1'], timeoutMs: 60_000, sinks: [{ id: 'erp', kind: 'http', url: sink.url, secret: SINK_SECRET }] } })
  const gw = await startGateway({ databaseUrl: db.url, config, dataDir: dir, env })
  t.teardown(() => { if (gw.child.exitCode === null) gw.child.kill('SIGKILL') })
  return { db, sink, gw }
}

async function postSale (gw: GatewayProcess, i: number): Promise<number> {
  const body = saleEvent(i, { prefix: 'STOP' })
  const res = await fetch(`${gw.url}/v1/webhooks/pos-canonical`, { method: 'POST', headers: standardHeaders(SECRETS['pos-canonical'], `evt_STOP${i}`, body), body })
  return res.status
}

/** A webhook whose headers the server has read (it answered 100 Continue) and whose body is still to come. */
async function halfSentWebhook (gw: GatewayProcess, i: number): Promise<{ finish: () => Promise<string> }> {
  const body = saleEvent(i, { prefix: 'STOP' })
  const headers = { ...standardHeaders(SECRETS['pos-canonical'], `evt_STOP${i}`, body), 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' }
  const socket: Socket = connect(gw.port, '127.0.0.1')
  let data = ''
  socket.on('data', d => { data += String(d) })
  socket.write(`POST /v1/webhooks/pos-canonical HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`)
  await eventually(async () => data.startsWith('HTTP/1.1 100 Continue'), 30_000)
  return {
    finish: async () => {
      // written without ending our side: Node drops a request whose client half-closes before the answer
      // (http's allowHalfOpen is off), which no real HTTP client does. Connection: close ends it after the answer.
      const closed = new Promise(resolve => socket.once('close', resolve))
      socket.write(body)
      await closed
      return data
    }
  }
}

const refused = async (gw: GatewayProcess): Promise<boolean> => {
  try { await fetch(`${gw.url}/healthz`); return false } catch { return true }
}

t.test('C9: SIGTERM lets the request and the job in flight finish, takes no new connection, then exits 0', async t => {
  const { db, sink, gw } = await gatewayWithHeldSink(t)
  t.equal(await postSale(gw, 1), 202)
  await eventually(async () => sink.server.held === 1, 30_000) // the sale's job is in flight, its send held
  const upload = await halfSentWebhook(gw, 2)
  const started = Date.now()
  gw.child.kill('SIGTERM')
  await gw.logged(/^shutting down/)
  await eventually(() => refused(gw), 30_000)
  t.pass('new connections are refused')
  const answer = await upload.finish()

  t.match(answer, /\r\n\r\nHTTP\/1\.1 202 Accepted/, 'the request in flight when the signal came is stored and acknowledged')
  t.equal(gw.child.exitCode, null, 'still running: the forwarding job has not finished')
  sink.server.release()
  t.equal(await gw.exited, 0)
  t.comment(`stopped ${Date.now() - started} ms after SIGTERM`)
  t.ok(sink.applied.some(a => /-STOP1#/.test(String(a.data.source))), 'the held delivery completed before the exit')
  const applied = new Set(sink.applied.map(a => a.key))
  const { rows: outbox } = await db.query<{ key: string, status: string }>(`SELECT key, status FROM outbox WHERE sink = 'http:erp' ORDER BY id`)
  // the second sale may or may not have been normalised before the workers stopped fetching: either way
  // what was sent is marked, and what was not waits
  t.ok(outbox.every(r => (r.status === 'delivered') === applied.has(r.key)), `what the sink has is marked delivered, the rest waits for its job (${outbox.map(r => r.status).join(', ')})`)
  t.same((await db.query(`SELECT event_id FROM inbox_events ORDER BY id`)).rows.map(r => r.event_id), ['evt_STOP1', 'evt_STOP2'], 'both acknowledged deliveries are stored')
  t.match(gw.lines.find(l => l.msg === 'stopped'), { ms: Number })
})

t.test('a second signal exits at once; the delivery it was sending is left to its job, for another gateway', async t => {
  const { db, sink, gw } = await gatewayWithHeldSink(t)
  t.equal(await postSale(gw, 1), 202)
  await eventually(async () => sink.server.held === 1, 30_000)
  gw.child.kill('SIGTERM')
  await gw.logged(/^shutting down/)
  gw.child.kill('SIGTERM')
  t.equal(await gw.exited, 143)
  t.equal(sink.applied.length, 0)
  t.same((await db.query(`SELECT status FROM outbox WHERE sink = 'http:erp'`)).rows, [{ status: 'pending' }])
  t.same((await db.query(`SELECT state FROM pgboss.job WHERE name = 'forward.sink'`)).rows, [{ state: 'created' }], 'its job waits in the queue for any gateway')
})

t.test('at the shutdown deadline the process exits 1; the delivery it was sending is left to its job', async t => {
  const { db, sink, gw } = await gatewayWithHeldSink(t, { RECON_SHUTDOWN_TIMEOUT_MS: '2000' })
  t.equal(await postSale(gw, 1), 202)
  await eventually(async () => sink.server.held === 1, 30_000)
  const started = Date.now()
  gw.child.kill('SIGTERM')
  t.equal(await gw.exited, 1)
  t.ok(Date.now() - started >= 2000, 'it waited for the deadline')
  await gw.logged(/^stopped at the deadline/)
  t.same((await db.query(`SELECT status FROM outbox WHERE sink = 'http:erp'`)).rows, [{ status: 'pending' }])
  t.same((await db.query(`SELECT state FROM pgboss.job WHERE name IN ('pos.normalize', 'forward.sink') ORDER BY name`)).rows, [{ state: 'created' }, { state: 'completed' }], 'its delivery job waits in the queue; the sale was committed with its own')
})

t.test('at start the gateway warns when its public-holiday calendar ends within 90 days', async t => {
  const db = await freshDb(t)
  const dir = t.testdir({})
  // a calendar that ended with 2026: every start from October 2026 on must warn
  const config = writeGatewayConfig(dir, { reconciliation: { holidays: ['2026-12-25'], replaceHolidays: true } })
  const gw = await startGateway({ databaseUrl: db.url, config, dataDir: dir })
  t.teardown(() => { if (gw.child.exitCode === null) gw.child.kill('SIGKILL') })
  const line = await gw.logged(/public-holiday calendar/)
  t.match(line, { level: 40, msg: /2026-12-31.*reconciliation\.holidays/ })
  gw.child.kill('SIGTERM')
  t.equal(await gw.exited, 0)
})

t.test('a misspelt configuration key stops the start with exit code 2, naming its path', async t => {
  const dir = t.testdir({ 'recon.json': JSON.stringify({ stores: { MK01: { name: 'Mong Kok', cutof: '04:00' } } }) })
  const child = spawn(process.execPath, [join(ROOT, 'gateway/server.ts')], { cwd: ROOT, env: { ...process.env, RECON_CONFIG: join(dir, 'recon.json'), RECON_DATA_DIR: dir, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', d => { stderr += String(d) })
  const code = await new Promise(resolve => child.once('exit', resolve))
  t.equal(code, 2)
  t.match(stderr, /configuration error: RECON_CONFIG .*recon\.json: \/stores\/MK01: unknown key "cutof"/)
})
