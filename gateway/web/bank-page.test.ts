// The bank statements page: a finance person uploads a statement as a form (multipart, CSRF token
// among the fields), in 繁體中文 or English, and sees what it brought or why it was refused.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { csrfOf, signInAs } from '../../fixtures/support/web.ts'
import { en } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

/** A multipart/form-data body as a browser sends it. */
function multipart (fields: Record<string, string>, file: { name: string, content: string }): { payload: Buffer, headers: Record<string, string> } {
  const boundary = '----recon-test-boundary'
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n${file.content}\r\n`)
  return { payload: Buffer.from(parts.join('') + `--${boundary}--\r\n`), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, '\'').replace(/\s+/g, ' ')

t.test('upload a bank statement on the page: imported with its counts, then refused when it does not balance; a form without the token is refused', async t => {
  const rt = await testRuntime(t)
  const app = rt.app!
  const s = await signInAs(app, rt.db, 'finance')
  const page = await app.inject({ method: 'GET', url: '/bank', headers: { cookie: `${s.cookie}; lang=zh-HK` } })
  t.equal(page.statusCode, 200)
  t.match(page.body, zhHK['bank.title'])
  t.match(page.body, 'enctype="multipart/form-data"')
  const mt940 = readFileSync(join(FIXTURES, 'bank/hsbc_mt940_20261124.sta'), 'utf8')

  const forged = multipart({}, { name: 'hsbc.sta', content: mt940 })
  t.equal((await app.inject({ method: 'POST', url: '/bank/statements', ...forged, headers: { ...forged.headers, cookie: s.cookie } })).statusCode, 403, 'no CSRF token: refused')
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM bank_entries')).rows[0].n, 0, 'and nothing stored')

  const good = multipart({ _csrf: csrfOf(page.body) }, { name: 'hsbc.sta', content: mt940 })
  const done = await app.inject({ method: 'POST', url: '/bank/statements', ...good, headers: { ...good.headers, cookie: s.cookie } })
  t.equal(done.statusCode, 303)
  t.match(done.headers.location, /^\/bank\?done=\d+$/)
  const after = await app.inject({ method: 'GET', url: String(done.headers.location), headers: { cookie: `${s.cookie}; lang=en` } })
  t.match(text(after.body), en['bank.done'].replace('{entries}', '4').replace('{accounts}', '004-123456-001').replace('{duplicates}', '0'))
  t.match(after.body, /id="bank-imports"[\s\S]*hsbc\.sta[\s\S]*mt940[\s\S]*004-123456-001/)

  const bad = multipart({ _csrf: csrfOf(page.body) }, { name: 'bad.sta', content: mt940.replace('14661,60', '14661,70') })
  const refused = await app.inject({ method: 'POST', url: '/bank/statements', ...bad, headers: { ...bad.headers, cookie: s.cookie } })
  t.match(refused.headers.location, /refused=\d+/)
  const shown = await app.inject({ method: 'GET', url: String(refused.headers.location), headers: { cookie: `${s.cookie}; lang=zh-HK` } })
  t.match(text(shown.body), zhHK['bank.refusedNote'])
  t.match(shown.body, /bad\.sta[\s\S]*the closing balance says 14661\.70/)
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM bank_entries')).rows[0].n, 4, 'the refused file added nothing')
  const manager = await signInAs(app, rt.db, 'store_manager', ['MK01'])
  t.equal((await app.inject({ method: 'GET', url: '/bank', headers: { cookie: manager.cookie } })).statusCode, 403, 'not a store manager\'s page')
})
