import t from 'tap'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'

t.test('owners manage people and keys over the API; nothing secret ever comes back', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const call = (method: 'GET' | 'POST', url: string, payload?: object, role: 'admin' | 'finance' = 'admin') => app.inject({ method, url, headers: auth(role), ...(payload ? { payload } : {}) })
  const made = await call('POST', '/v1/users', { username: 'Ken', display_name: '黃店長 Ken', password: 'a long pass phrase', role: 'store_manager', stores: ['MK01'] })
  t.equal(made.statusCode, 201, made.body)
  t.same(Object.keys(made.json()).sort(), ['active', 'created_at', 'display_name', 'id', 'role', 'stores', 'username'])
  t.match(made.json(), { username: 'ken', role: 'store_manager', stores: ['MK01'], active: true })
  t.match((await call('POST', '/v1/users', { username: 'ken', password: 'a long pass phrase', role: 'finance' })).json(), { error: 'USER_EXISTS' })
  t.match((await call('POST', '/v1/users', { username: 'kit', password: 'a long pass phrase', role: 'store_manager', stores: ['NOWHERE'] })).json(), { error: 'UNKNOWN_STORE', message: /no store NOWHERE/ })
  t.match((await call('POST', '/v1/users', { username: 'fay', password: 'a long pass phrase', role: 'finance', stores: ['MK01'] })).json(), { error: 'STORES_NOT_ALLOWED' })
  t.equal((await call('POST', '/v1/users', { username: 'sam', password: 'short', role: 'finance' })).statusCode, 400)
  t.equal((await call('POST', '/v1/users', { username: 'sam', password: 'a long pass phrase', role: 'finance' }, 'finance')).statusCode, 403, 'finance does not manage accounts')
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM users')).rows[0].n, 1, 'the refused requests wrote nothing')

  const key = await call('POST', '/v1/api-keys', { name: 'Shopify POS', role: 'pos_vendor' })
  t.equal(key.statusCode, 201)
  const secret: string = key.json().key
  t.match(secret, /^rk_[A-Za-z0-9_-]{32}$/)
  const listed = (await call('GET', '/v1/api-keys')).json().items
  t.match(listed, [{ name: 'Shopify POS', role: 'pos_vendor', prefix: secret.slice(0, 7), revoked_at: null }])
  t.notOk(JSON.stringify(listed).includes(secret.slice(7)), 'a listed key never shows the key')
  t.notOk('key_hash' in listed[0])
  const use = () => app.inject({ method: 'GET', url: '/v1/sales', headers: { authorization: `Bearer ${secret}` } })
  t.equal((await use()).statusCode, 403, 'the key works, for its role')
  t.equal((await call('POST', `/v1/api-keys/${key.json().id}/revoke`)).statusCode, 200)
  t.equal((await use()).statusCode, 401, 'revoked: refused at once')
  const trail = (await call('GET', '/v1/audit?target=')).json().items.map((a: { action: string }) => a.action)
  t.same(trail, ['api_key.revoke', 'api_key.create', 'user.create'])
})

t.test('a session changes nothing without its CSRF token; a new password or disabling the account ends it', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  await app.inject({ method: 'POST', url: '/v1/users', headers: auth('admin'), payload: { username: 'amy', password: 'a long pass phrase', role: 'finance' } })
  const signIn = async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'amy', password: 'a long pass phrase' } })
    t.equal(res.statusCode, 201)
    return { cookie: String(res.headers['set-cookie']).split(';')[0], csrf: res.json().csrf as string }
  }
  const s = await signIn()
  const run = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/v1/reconciliations', headers, payload: { date: '2026-11-20' } })
  t.match((await run({ cookie: s.cookie })).json(), { error: 'CSRF' })
  t.equal((await run({ cookie: s.cookie, 'x-csrf-token': 'x'.repeat(s.csrf.length) })).statusCode, 403)
  t.equal((await rt.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'recon.reconcile'`)).rows[0].n, 0, 'no run was queued')
  t.equal((await run({ cookie: s.cookie, 'x-csrf-token': s.csrf })).statusCode, 202)
  t.equal((await app.inject({ method: 'GET', url: '/v1/sales', headers: { cookie: s.cookie } })).statusCode, 200, 'reading needs no token')
  await app.inject({ method: 'POST', url: '/v1/users/amy/password', headers: auth('admin'), payload: { password: 'another long phrase' } })
  t.equal((await app.inject({ method: 'GET', url: '/v1/sales', headers: { cookie: s.cookie } })).statusCode, 401, 'a new password ends the session')
  t.equal((await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'amy', password: 'a long pass phrase' } })).statusCode, 401, 'the old password no longer works')
  const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'amy', password: 'another long phrase' } })
  const cookie = String(res.headers['set-cookie']).split(';')[0]
  await app.inject({ method: 'POST', url: '/v1/users/amy/disable', headers: auth('admin') })
  t.equal((await app.inject({ method: 'GET', url: '/v1/sales', headers: { cookie } })).statusCode, 401, 'a disabled account is signed out')
  t.equal((await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: 'amy', password: 'another long phrase' } })).statusCode, 401)
  const out = await app.inject({ method: 'DELETE', url: '/v1/sessions', headers: { cookie } })
  t.match(String(out.headers['set-cookie']), /^sid=; .*Max-Age=0/)
})
