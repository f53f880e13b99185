import t from 'tap'
import { freshDb } from '../../fixtures/support/db.ts'
import { testConfig } from '../../fixtures/support/runtime.ts'
import { startRuntime } from '../runtime.ts'
import { accountCommand } from './accounts.ts'

function capture (t: { capture: Function }, method: 'log' | 'error'): () => string {
  const c = (t as any).capture(console, method)
  return () => c.args().map((a: unknown[]) => a.join(' ')).join('\n')
}

t.test('recon user and recon key: the first owner, a scoped store manager, an integration key used and revoked', async t => {
  const db = await freshDb(t)
  const config = testConfig({ databaseUrl: db.url })
  const out = capture(t as any, 'log')
  const err = capture(t as any, 'error')
  const pw = async () => 'a long pass phrase'
  t.equal(await accountCommand(config, 'user', ['add', 'Amy', '--role', 'owner', '--display-name', '陳美儀 Amy Chan'], pw), 0)
  t.equal(await accountCommand(config, 'user', ['add', 'ken', '--role', 'store_manager', '--stores', 'MK01,TST1'], pw), 0)
  t.equal(await accountCommand(config, 'user', ['add', 'kit', '--role', 'store_manager'], pw), 1)
  t.match(err(), /a store manager is limited to named stores/)
  t.equal(await accountCommand(config, 'user', ['add', 'joe', '--role', 'cashier'], pw), 1)
  t.match(err(), /role "cashier" is not one of owner, finance, store_manager, pos_vendor, auditor/)
  t.equal(await accountCommand(config, 'user', ['add', 'sam', '--role', 'finance'], async () => 'short'), 1)
  t.match(err(), /at least 10 characters/)
  t.equal(await accountCommand(config, 'user', ['add', 'amy', '--role', 'finance'], pw), 1, 'names are unique, whatever the case')
  t.equal(await accountCommand(config, 'user', ['list']), 0)
  t.equal(await accountCommand(config, 'user', ['disable', 'ken']), 0)
  t.equal(await accountCommand(config, 'key', ['add', 'Loyverse till', '--role', 'pos_vendor']), 0)
  const printed = out()
  t.match(printed, /✔ user amy \(owner\) can sign in/)
  t.match(printed, /✔ user ken \(store_manager: MK01, TST1\) can sign in/)
  t.match(printed, /amy\s+owner\s+\*\s+active\s+陳美儀 Amy Chan/)
  t.match(printed, /ken\s+store_manager\s+MK01,TST1\s+active/)
  const key = /\n(rk_[A-Za-z0-9_-]{32})$/.exec(printed)![1]
  const { rows } = await db.query<{ id: number, key_hash: Buffer, prefix: string }>('SELECT id, key_hash, prefix FROM api_keys')
  t.equal(rows.length, 1)
  t.notOk(Buffer.from(rows[0].key_hash).toString('utf8').includes(key), 'the key itself is not stored')
  t.equal(rows[0].prefix, key.slice(0, 7))
  const { rows: users } = await db.query('SELECT username, password_hash, active FROM users ORDER BY username')
  t.match(users, [{ username: 'amy', password_hash: /^\$argon2id\$/, active: true }, { username: 'ken', active: false }])

  const rt = await startRuntime(config, { workers: false })
  t.teardown(() => rt.close())
  const call = () => rt.app!.inject({ method: 'POST', url: '/v1/pos-events', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, payload: '{}\n' })
  t.not((await call()).statusCode, 401, 'the key works')
  t.equal((await rt.app!.inject({ method: 'GET', url: '/v1/sales', headers: { authorization: `Bearer ${key}` } })).statusCode, 403, 'for its role only')
  t.equal(await accountCommand(config, 'key', ['revoke', String(rows[0].id)]), 0)
  t.equal((await call()).statusCode, 401, 'a revoked key stops working at once')
  t.equal(await accountCommand(config, 'key', ['revoke', String(rows[0].id)]), 1)
  const trail = (await db.query<{ action: string, target: string, actor: string }>('SELECT action, target, actor FROM audit_log ORDER BY id')).rows
  t.same(trail.map(a => a.action), ['user.create', 'user.create', 'user.disable', 'api_key.create', 'api_key.revoke'])
  t.ok(trail.every(a => a.actor.startsWith('cli:')))
  t.equal(await accountCommand(config, 'user', ['frobnicate']), null, 'an unknown subcommand is left to the usage message')
  t.equal(await accountCommand(config, 'key', ['add', 'x']), null, 'a key needs a role')
})
