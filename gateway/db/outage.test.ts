import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { eventually, MemoryLog, SECRETS, testConfig } from '../../fixtures/support/runtime.ts'
import { saleEvent } from '../../fixtures/support/sales.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import { startRuntime, type Runtime } from '../runtime.ts'
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.ts'
import { isConnectionError } from './health.ts'

const post = (rt: Runtime, i: number) => {
  const body = saleEvent(i, { prefix: 'OUT' })
  return rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], `evt_OUT${i}`, body), payload: body })
}
const OCTOPUS = readFileSync(join(FIXTURES, 'octopus/octopus_settlement_20261121.csv'))
const count = async (rt: Runtime, sql: string): Promise<number> => (await rt.db.query<{ n: number }>(sql)).rows[0].n

t.test('PostgreSQL stopped with -m immediate and started again: 503 with Retry-After while it is away, one log line each way, work resumes with no restart', async t => {
  // a cluster of its own: the shared test server must not be restarted under the other test files
  const dir = await mkdtemp(join(tmpdir(), 'recon-outage-'))
  let pg: EmbeddedServer = await startEmbeddedPostgres({ dataDir: dir })
  const log = new MemoryLog()
  const rt = await startRuntime(testConfig({ databaseUrl: pg.url }), { workers: true, log, boss: { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 } })
  t.teardown(async () => { await rt.close({ timeoutMs: 5000 }); await pg.stop(); await rm(dir, { recursive: true, force: true }) })

  t.equal((await post(rt, 1)).statusCode, 202)
  await eventually(async () => await count(rt, `SELECT count(*)::int AS n FROM sales`) === 1)

  await pg.crash()
  const refused = await Promise.all([2, 3, 4, 5, 6].map(i => post(rt, i)))
  for (const res of refused) {
    t.equal(res.statusCode, 503, 'never a 500, never a 2xx for something not stored')
    t.equal(res.headers['retry-after'], '5')
    t.equal(res.json().error, 'UNAVAILABLE')
  }
  const upload = () => rt.app!.inject({ method: 'POST', url: '/v1/settlements?filename=octopus_settlement_20261121.csv', headers: { authorization: 'Bearer finance-key-0123456789', 'content-type': 'text/csv' }, payload: OCTOPUS })
  const refusedUpload = await upload()
  t.equal(refusedUpload.statusCode, 503, 'a settlement upload too')
  t.equal(refusedUpload.headers['retry-after'], '5')
  const ready = await rt.app!.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.match(ready.json(), { status: 'not ready', checks: { database: 'unreachable' } })
  const page = await rt.app!.inject({ method: 'GET', url: '/calendar', headers: { accept: 'text/html', authorization: 'Bearer finance-key-0123456789', cookie: 'lang=en' } })
  t.equal(page.statusCode, 503, 'a page answers 503 too')
  t.match(page.body, 'its database is restarting')
  const unreachable = () => log.lines.filter(l => l.includes('database unreachable')).length
  t.equal(unreachable(), 1, 'the outage is logged once, not once per request or per pool client')

  pg = await startEmbeddedPostgres({ dataDir: dir, port: pg.port })
  // the POS vendor retries; the gateway, never restarted, stores them once the database answers
  for (const i of [2, 3, 4, 5, 6]) await eventually(async () => (await post(rt, i)).statusCode === 202, 30_000)
  await eventually(async () => (await rt.app!.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, 30_000)
  await eventually(async () => await count(rt, `SELECT count(*)::int AS n FROM sales`) === 6, 30_000)
  t.equal((await upload()).statusCode, 201, 'the upload sent again is imported')
  t.equal(await count(rt, `SELECT count(*)::int AS n FROM imports`), 1, 'once: the refused attempt left nothing behind')
  t.equal(await count(rt, `SELECT count(*)::int AS n FROM inbox_events WHERE status <> 'processed'`), 0, 'every stored delivery was processed')
  t.equal(await count(rt, `SELECT count(*)::int AS n FROM inbox_events`), 6, 'nothing was stored for the refused attempts')
  t.equal(unreachable(), 1)
  t.equal(log.lines.filter(l => l.includes('database reachable again')).length, 1)
})

t.test('connection failures are told apart from statement errors', async t => {
  for (const err of [{ code: 'ECONNREFUSED' }, { code: '57P01', message: 'terminating connection due to administrator command' }, { code: '57P03' }, { code: '08006' },
    new Error('Connection terminated unexpectedly'), new Error('timeout exceeded when trying to connect'), { errors: [{ code: 'ECONNREFUSED' }] }]) {
    t.ok(isConnectionError(err), JSON.stringify(err) || String(err))
  }
  for (const err of [{ code: '23505' }, { code: '57014', message: 'canceling statement due to statement timeout' }, new Error('syntax error'), null, 'x']) {
    t.notOk(isConnectionError(err), JSON.stringify(err))
  }
})
