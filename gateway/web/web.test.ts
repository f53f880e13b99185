import t, { type Test } from 'tap'
import { join } from 'node:path'
import { generateDay } from '../../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements, settlementFiles } from '../../fixtures/support/day-db.ts'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { addUser, csrfOf, form, PASSWORD, signInAs } from '../../fixtures/support/web.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import { LOGIN_LIMIT } from '../auth/sessions.ts'
import { reconcileDay } from '../recon/run.ts'
import { en } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

const DATE = '2026-11-20'

async function site (t: Test, reconcile = true) {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 2, sales: 200, seed: 5, date: DATE, anomalies: 1 }, dir)
  const rt = await testRuntime(t, { config: { stores: generatedStores(truth) } })
  await ingestPos(rt, dir)
  await ingestSettlements(rt, settlementFiles(dir))
  if (reconcile) await reconcileDay(rt, { date: DATE, trigger: 'manual', asOf: '2026-11-27' })
  const app = rt.app!
  const get = (url: string, cookie = '', lang = 'en') => app.inject({ method: 'GET', url, headers: { cookie: `${cookie}; lang=${lang}` } })
  return { rt, app, get }
}

/** The visible text of a page: tags, scripts and entities gone. */
const text = (page: string): string => page.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ')

t.test('sign-in: pages redirect to it, a wrong password is refused in the page\'s language, the session cookie is HttpOnly and SameSite', async t => {
  const { rt, app, get } = await site(t, false)
  const anon = await get('/calendar?month=2026-11')
  t.equal(anon.statusCode, 303)
  t.equal(anon.headers.location, '/login?next=%2Fcalendar%3Fmonth%3D2026-11')
  t.equal((await app.inject({ method: 'GET', url: '/v1/sales' })).statusCode, 401, 'the API answers 401, it does not redirect')
  const name = await addUser(rt.db, 'finance')
  const wrong = await app.inject({ method: 'POST', url: '/login', ...form({ username: name, password: 'not the password', next: '/calendar' }), headers: { ...form({}).headers, cookie: 'lang=zh-HK' } })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.body, zhHK['login.failed'])
  t.notOk(wrong.headers['set-cookie'])
  const ok = await app.inject({ method: 'POST', url: '/login', ...form({ username: name.toUpperCase(), password: PASSWORD, next: '/calendar?month=2026-11' }) })
  t.equal(ok.statusCode, 303)
  t.equal(ok.headers.location, '/calendar?month=2026-11')
  const cookie = String(ok.headers['set-cookie'])
  t.match(cookie, /^sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/)
  const { rows } = await rt.db.query<{ token_hash: Buffer }>('SELECT token_hash FROM sessions')
  t.notOk(rows.some(r => cookie.includes(Buffer.from(r.token_hash).toString('base64url'))), 'only a hash of the token is stored')
  const cal = await get('/calendar?month=2026-11', cookie.split(';')[0])
  t.equal(cal.statusCode, 200)
  t.match(cal.body, 'S01')
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const res = await app.inject({ method: 'POST', url: '/login', ...form({ username: name, password: PASSWORD, next }) })
    t.equal(res.headers.location, '/', `next=${next} stays on this site`)
  }
  const out = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: cookie.split(';')[0] } })
  t.equal(out.headers.location, '/login?signed_out=1')
  t.equal((await get('/calendar', cookie.split(';')[0])).statusCode, 303, 'the session is gone')
})

t.test('failed sign-ins are limited: after the limit even the right password waits, with Retry-After', async t => {
  const { rt, app } = await site(t, false)
  const name = await addUser(rt.db, 'owner')
  for (let i = 0; i < LOGIN_LIMIT.failures; i++) t.equal((await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: name, password: `guess-${i}-xxxx` } })).statusCode, 401)
  const locked = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: name, password: PASSWORD } })
  t.equal(locked.statusCode, 429)
  t.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= LOGIN_LIMIT.windowMinutes * 60)
  t.match(locked.json(), { error: 'TOO_MANY_ATTEMPTS' })
  const page = await app.inject({ method: 'POST', url: '/login', ...form({ username: name, password: PASSWORD }) })
  t.equal(page.statusCode, 429)
  t.match(text(page.body), /Too many failed sign-ins|登入失敗次數太多/)
  const other = await addUser(rt.db, 'finance')
  t.equal((await app.inject({ method: 'POST', url: '/v1/sessions', payload: { username: other, password: PASSWORD } })).statusCode, 201, 'another account is not locked out')
})

t.test('every label comes from the catalogue of the chosen language: no English on a 繁中 page and no Chinese labels on an English one', async t => {
  const { rt, get } = await site(t)
  const s = await signInAs(rt.app!, rt.db, 'owner')
  const report: ReconReport = (await rt.app!.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: { cookie: s.cookie } })).json()
  const key = encodeURIComponent(exceptionKey(report.exceptions.find(e => e.code === 'MISSING_PAYMENT')!))
  const pages = ['/calendar?month=2026-11', `/days/${DATE}`, `/days/${DATE}/exceptions/${key}`, '/stock', '/orders', '/exports?month=2026-11', '/login']
  // catalogue texts that could give a language away (short or shared ones like "AlipayHK" or "—" say nothing)
  const zhValues: string[] = Object.values(zhHK)
  const english = Object.values(en).map(v => v.split('{')[0].trim()).filter(v => /[a-z]{4,}/.test(v) && v.length > 6 && !zhValues.some(z => z.includes(v)))
  const chinese = (Object.values(zhHK) as string[]).filter(v => /[\u4e00-\u9fff]{2,}/.test(v)).map(v => v.split('{')[0].trim()).filter(v => v.length > 2)
  for (const url of pages) {
    const zh = await get(url, s.cookie, 'zh-HK')
    const enPage = await get(url, s.cookie, 'en')
    t.equal(zh.statusCode, 200, url)
    t.match(zh.body, '<html lang="zh-HK">')
    const zhText = text(zh.body)
    const enText = text(enPage.body)
    t.same(english.filter(e => zhText.includes(e)), [], `${url}: no English label on the 繁中 page`)
    t.same(chinese.filter(c => enText.includes(c)), [], `${url}: no Chinese label on the English page`)
  }
  const day = (await get(`/days/${DATE}`, s.cookie, 'zh-HK')).body
  t.match(day, /HK\$\d{1,3}(,\d{3})*\.\d\d/, 'money as HK$1,234.50')
  t.match(text(day), zhHK['code.MISSING_PAYMENT'])
})

t.test('the language switch sets a cookie and returns to the same page; Accept-Language chooses before it is set', async t => {
  const { app } = await site(t, false)
  const sw = await app.inject({ method: 'GET', url: '/lang?to=en&next=%2Fdays%2F2026-11-20%3Fstore%3DS01' })
  t.equal(sw.statusCode, 303)
  t.equal(sw.headers.location, '/days/2026-11-20?store=S01')
  t.match(String(sw.headers['set-cookie']), /^lang=en; Path=\/; Max-Age=31536000; SameSite=Lax/)
  t.match((await app.inject({ method: 'GET', url: '/login', headers: { 'accept-language': 'en-GB,en;q=0.8' } })).body, '<html lang="en">')
  t.match((await app.inject({ method: 'GET', url: '/login', headers: { 'accept-language': 'zh-HK,zh;q=0.9' } })).body, '<html lang="zh-HK">')
  t.equal((await app.inject({ method: 'GET', url: '/lang?to=fr' })).statusCode, 400)
})

t.test('a write-off from the exception page: needs the form\'s CSRF token, then the report and the counts change at once', async t => {
  const { rt, app, get } = await site(t)
  const s = await signInAs(app, rt.db, 'finance')
  const report: ReconReport = (await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: { cookie: s.cookie } })).json()
  const target = report.exceptions.find(e => e.code === 'AMOUNT_MISMATCH')!
  const url = `/days/${DATE}/exceptions/${encodeURIComponent(exceptionKey(target))}`
  const page = await get(url, s.cookie)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'data-action="write-off"')
  // the categories that fit an amount mismatch, none chosen for the person
  t.match(page.body, /<select name="category" required><option value="">[^<]*<\/option><option value="rounding">[^<]*<\/option><option value="goodwill">[^<]*<\/option><option value="fee">/)
  t.notMatch(page.body, /<option[^>]*selected[^>]*value="(fee|rounding|goodwill)"/)
  const fields = { key: exceptionKey(target), category: 'rounding', reason: 'till rounded the wrong way' }
  const forged = await app.inject({ method: 'POST', url: `/days/${DATE}/actions/write-off`, ...form(fields), headers: { ...form({}).headers, cookie: `${s.cookie}; lang=en` } })
  t.equal(forged.statusCode, 403)
  t.match(text(forged.body), en['error.CSRF'])
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM exception_resolutions')).rows[0].n, 0, 'nothing written without the token')
  const short = await app.inject({ method: 'POST', url: `/days/${DATE}/actions/write-off`, ...form({ ...fields, reason: ' a ', _csrf: csrfOf(page.body) }), headers: { ...form({}).headers, cookie: s.cookie } })
  t.equal(short.statusCode, 303)
  t.match(short.headers.location, /error=REASON_REQUIRED/)
  const done = await app.inject({ method: 'POST', url: `/days/${DATE}/actions/write-off`, ...form({ ...fields, _csrf: csrfOf(page.body) }), headers: { ...form({}).headers, cookie: s.cookie } })
  t.equal(done.statusCode, 303)
  t.equal(done.headers.location, `/days/${DATE}?store=${target.store_id}&done=write-off`)
  const after = await get(done.headers.location!, s.cookie)
  t.match(text(after.body), en['action.done'])
  t.match(after.body, /id="resolved-exceptions"[\s\S]*till rounded the wrong way/)
  const again = await app.inject({ method: 'POST', url: `/days/${DATE}/actions/write-off`, ...form({ ...fields, _csrf: csrfOf(page.body) }), headers: { ...form({}).headers, cookie: s.cookie } })
  t.match(again.headers.location, /error=NOT_OPEN/, 'a second write-off of the same exception is refused')
  const back = await get(again.headers.location!, s.cookie)
  t.match(text(back.body), en['error.NOT_OPEN'])
})

t.test('the day\'s CSV: UTF-8 with BOM, bilingual headers, one row per exception; the printable page has no navigation or forms', async t => {
  const { rt, get } = await site(t)
  const s = await signInAs(rt.app!, rt.db, 'auditor')
  const csv = await get(`/days/${DATE}/report.csv?store=S02`, s.cookie)
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(csv.headers['content-disposition'], `attachment; filename="reconciliation-${DATE}-S02.csv"`)
  t.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf')
  const lines = csv.body.replace(/^\ufeff/, '').trim().split('\r\n')
  t.match(lines[0], /^營業日 Business day,店舖 Store,類別 Type,/)
  const report: ReconReport = (await rt.app!.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}?store=S02`, headers: { cookie: s.cookie } })).json()
  t.equal(lines.length - 1, report.exceptions.length + report.resolved.length)
  t.ok(lines.slice(1).every(l => l.startsWith(`${DATE},S02,`)))
  // for people, the description in both languages, with HK$ (the API's CSV keeps the engine's detail)
  t.match(lines[0], /,說明 Detail,說明（中文） Description \(Chinese\),/)
  const missing = report.exceptions.find(e => e.code === 'MISSING_PAYMENT')
  t.ok(missing, 'the generated store has a missing payment to describe')
  const line = lines.find(l => l.includes(`,${missing!.sale_id},`))!
  t.match(line, /No .* record for HK\$[0-9,.]+\./)
  t.match(line, /找不到 .* 的 HK\$[0-9,.]+ 付款記錄。/)
  const print = await get(`/days/${DATE}?print=1`, s.cookie)
  t.match(print.body, '<body class="print">')
  t.notMatch(print.body, /<form/)
})

t.test('a store manager sees their store only: the calendar, the day and the CSV; another store is refused', async t => {
  const { rt, get } = await site(t)
  const s = await signInAs(rt.app!, rt.db, 'store_manager', ['S01'])
  const cal = await get('/calendar?month=2026-11', s.cookie)
  t.match(cal.body, 'data-store="S01"')
  t.notMatch(cal.body, 'data-store="S02"')
  const day = await get(`/days/${DATE}`, s.cookie)
  t.match(day.body, 'data-store="S01"')
  t.notMatch(day.body, /data-store="(S02|UNASSIGNED)"/)
  t.notMatch(day.body, 'S02-T', 'no sale of the other store is listed')
  const other = await get(`/days/${DATE}?store=S02`, s.cookie, 'zh-HK')
  t.equal(other.statusCode, 403)
  t.match(text(other.body), zhHK['error.outOfScope'])
  t.equal((await get(`/days/${DATE}/report.csv?store=S02`, s.cookie)).statusCode, 403)
  t.equal((await get('/exports/movements.csv?month=2026-11&location=S02', s.cookie)).statusCode, 403)
  t.notMatch((await get(`/days/${DATE}`, s.cookie)).body, 'action="/days/2026-11-20/run"', 'no button for what the role may not do')
})

t.test('a day page or CSV for a store the chain does not have is 404 in the page\'s language, not an empty report titled with it', async t => {
  const { rt, app, get } = await site(t)
  const s = await signInAs(app, rt.db, 'finance')
  const page = await get(`/days/${DATE}?store=XXX1`, s.cookie, 'zh-HK')
  t.equal(page.statusCode, 404)
  t.match(text(page.body), zhHK['error.notFound'])
  t.notMatch(page.body, 'XXX1</h1>')
  t.equal((await get(`/days/${DATE}/report.csv?store=XXX1`, s.cookie)).statusCode, 404)
  t.equal((await get(`/days/${DATE}?store=S01`, s.cookie)).statusCode, 200, 'a store of the chain still opens')
})

t.test('the auditor exports page opens on the latest month the ledger has data for, not an empty current month', async t => {
  const { rt, app, get } = await site(t)
  const s = await signInAs(app, rt.db, 'auditor')
  const page = await get('/exports', s.cookie)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'name="month" value="2026-11"')
  t.match(await get('/exports?month=2026-10', s.cookie), { body: /name="month" value="2026-10"/ }, 'a month asked for is kept')
})

t.test('the day page lists each exception with its reference, the clue finance searches the provider\'s portal for', async t => {
  const { rt, app, get } = await site(t)
  const s = await signInAs(app, rt.db, 'finance')
  const report: ReconReport = (await app.inject({ method: 'GET', url: `/v1/reconciliations/${DATE}`, headers: { cookie: s.cookie } })).json()
  const withRef = report.exceptions.find(e => e.code === 'MISSING_PAYMENT' && e.reference)!
  const page = await get(`/days/${DATE}`, s.cookie)
  const row = page.body.split('<tr').find(r => r.includes(`>${withRef.sale_id}<`) && r.includes('data-code="MISSING_PAYMENT"'))
  t.ok(row, 'the exception has its row')
  t.match(row, `>${withRef.reference}</td>`)
})
