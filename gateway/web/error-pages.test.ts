import t from 'tap'
import { connect } from 'node:net'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { addUser, form, PASSWORD } from '../../fixtures/support/web.ts'
import { en } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

/** One raw HTTP exchange: the request as bytes (inject would skip Node's parser, where 431 is decided). */
async function rawRequest (port: number, request: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.on('data', d => { data += d.toString('utf8') })
    socket.on('close', () => resolve(data))
    socket.on('error', reject)
  })
}

t.test('a malformed lang cookie (%E0%A4%A) is ignored: sign-in and signed-in pages still answer, in the Accept-Language language', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const login = await app.inject({ method: 'GET', url: '/login', headers: { ...BROWSER, cookie: 'lang=%E0%A4%A', 'accept-language': 'en-GB' } })
  t.equal(login.statusCode, 200)
  t.match(login.body, en['login.title'])
  const name = await addUser(rt.db, 'finance')
  const signedIn = await app.inject({ method: 'POST', url: '/login', ...form({ username: name, password: PASSWORD, next: '/calendar?month=2026-11' }) })
  const sid = String(signedIn.headers['set-cookie']).split(';')[0]
  const cal = await app.inject({ method: 'GET', url: '/calendar?month=2026-11', headers: { ...BROWSER, cookie: `lang=%E0%A4%A; ${sid}; junk=%zz` } })
  t.equal(cal.statusCode, 200, 'the session cookie next to the bad ones still signs in')
  t.match(cal.body, zhHK['nav.calendar'], 'no usable choice and no Accept-Language: Traditional Chinese')
})

t.test('an unknown address is a styled page for a browser (in its language) and JSON for the API', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const page = await app.inject({ method: 'GET', url: '/no/such/page', headers: { ...BROWSER, cookie: 'lang=zh-HK' } })
  t.equal(page.statusCode, 404)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, zhHK['error.notFound'])
  t.match(page.body, '<link rel="stylesheet" href="/assets/app.css">')
  const api = await app.inject({ method: 'GET', url: '/v1/no-such-thing', headers: { accept: 'application/json' } })
  t.equal(api.statusCode, 404)
  t.same(api.json(), { error: 'NOT_FOUND', message: 'no such address' })
})

t.test('a malformed address (FST_ERR_BAD_URL) is a styled 400 page for a browser, JSON otherwise', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const page = await app.inject({ method: 'GET', url: '/days/%E0%A4%A', headers: { ...BROWSER, cookie: 'lang=en' } })
  t.equal(page.statusCode, 400)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, en['error.badUrl'])
  const api = await app.inject({ method: 'GET', url: '/v1/reconciliations/%E0%A4%A' })
  t.equal(api.statusCode, 400)
  t.equal(api.json().error, 'FST_ERR_BAD_URL')
})

t.test('a form post over its body limit is a styled 413 page that changed nothing', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const res = await app.inject({ method: 'POST', url: '/login', headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', cookie: 'lang=en' }, payload: `username=x&password=${'a'.repeat(10_000)}` })
  t.equal(res.statusCode, 413)
  t.match(res.headers['content-type'], /^text\/html/)
  t.match(res.body, en['error.tooLarge'])
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM login_attempts')).rows[0].n, 0, 'no sign-in attempt was recorded')
})

t.test('headers too large (431) answer a browser with a page in both languages and an API client with JSON', async t => {
  const rt = await testRuntime(t)
  await rt.app!.listen({ port: 0, host: '127.0.0.1' })
  const port = (rt.app!.server.address() as { port: number }).port
  const big = `Cookie: lang=en; pad=${'x'.repeat(20_000)}\r\n`
  const page = await rawRequest(port, `GET /calendar HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n${big}\r\n`)
  t.match(page, /^HTTP\/1\.1 431 /)
  t.match(page, /Content-Type: text\/html/)
  t.match(page, zhHK['error.headersTooLarge'])
  t.match(page, en['error.headersTooLarge'].replace(/'/g, '&#39;'))
  const api = await rawRequest(port, `GET /v1/sales HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n${big}\r\n`)
  t.match(api, /^HTTP\/1\.1 431 /)
  t.match(api, /Content-Type: application\/json/)
})
