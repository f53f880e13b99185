import t from 'tap'
import { join } from 'node:path'
import { testConfig } from '../fixtures/support/runtime.ts'
import { startRuntime } from './runtime.ts'

t.test('without DATABASE_URL the gateway runs on an embedded PostgreSQL whose data survives a restart', async t => {
  const dataDir = join(t.testdir({}), 'data')
  const config = testConfig({ databaseUrl: null, dataDir })
  const first = await startRuntime(config, { workers: false })
  t.teardown(() => first.close())
  t.ok(first.embedded, 'embedded server started')
  await first.db.query(`INSERT INTO imports (sha256, bytes, source, status) VALUES ('abc', 1, 'cli', 'imported')`)
  await first.close()
  const second = await startRuntime(config, { workers: false })
  t.teardown(() => second.close())
  t.equal((await second.db.query(`SELECT count(*)::int AS n FROM imports WHERE sha256 = 'abc'`)).rows[0].n, 1)
  t.match((await second.app!.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' })
})
