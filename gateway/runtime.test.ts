import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testConfig } from '../fixtures/support/runtime.ts'
import { startRuntime } from './runtime.ts'

t.test('without DATABASE_URL the gateway runs on an embedded PostgreSQL whose data survives a restart', async t => {
  // not t.testdir: its clean-up would run while the server still writes there
  const dir = await mkdtemp(join(tmpdir(), 'recon-runtime-'))
  const config = testConfig({ databaseUrl: null, dataDir: join(dir, 'data') })
  const first = await startRuntime(config, { workers: false })
  let second: Awaited<ReturnType<typeof startRuntime>> | null = null
  t.teardown(async () => {
    await first.close()
    await second?.close()
    await rm(dir, { recursive: true, force: true })
  })
  t.ok(first.embedded, 'embedded server started')
  await first.db.query(`INSERT INTO imports (sha256, bytes, source, status) VALUES ('abc', 1, 'cli', 'imported')`)
  await first.close()
  second = await startRuntime(config, { workers: false })
  t.equal((await second.db.query(`SELECT count(*)::int AS n FROM imports WHERE sha256 = 'abc'`)).rows[0].n, 1)
  t.match((await second.app!.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' })
})
