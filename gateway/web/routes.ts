// The web app's pages, served by the gateway itself (no CDN, no script): sign-in, the calendar, the
// daily report and its exports. Pages declare the same permissions as the API; a page refused for
// lack of a session redirects to /login, and every error is rendered in the page's language.
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { hktDate } from '../../connectors/_shared/time.ts'
import { forStores } from '../../reconciler/report.ts'
import { storeFilter, storeScope, storesInScope } from '../auth/scope.ts'
import { sessionCookie, signIn, signOut, SESSION_COOKIE } from '../auth/sessions.ts'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { statusOf } from '../errors.ts'
import { cookie } from '../plugins/auth.ts'
import { exceptionsCsv } from '../recon/csv.ts'
import { bridgeCsv } from '../recon/bridge-csv.ts'
import { itemLabel } from './pages/bridge.ts'
import { claimPageRoutes } from './routes-claims.ts'
import { claimsOfDay } from '../recon/claims.ts'
import { lateByStoreDay } from '../recon/late-files.ts'
import { monthData, monthSummary } from '../recon/month.ts'
import { dashboardPage } from './pages/dashboard.ts'
import { dayReport, latestReconciledDay, reconciledDays, storeDays } from '../recon/days.ts'
import { queueRun } from '../recon/queue.ts'
import { dateParam } from '../schemas.ts'
import { LANG_COOKIE, LANGS, registerProviderNames, translator } from './i18n.ts'
import { amountOf, describe } from './pages/describe.ts'
import { pageOf, sendPage } from './layout.ts'
import { errorKey, pageError } from './page-errors.ts'
import { calendarPage, monthDays } from './pages/calendar.ts'
import { UNASSIGNED } from '../../reconciler/report.ts'
import { dayPage } from './pages/day.ts'
import { loginPage } from './pages/login.ts'
import { actionRoutes } from './routes-actions.ts'
import { stockRoutes } from './routes-stock.ts'
import { bankPageRoutes } from './routes-bank.ts'

const CSS = readFileSync(new URL('./assets/app.css', import.meta.url))
const monthParam = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } as const

/** Only a path on this site: never `//host` or a scheme, so sign-in cannot be turned into a redirect elsewhere. */
export function safeNext (next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/'
}

/** The month a page asked for, else the latest one reconciled (else this one), and its first and last day. */
async function monthAsked (deps: AppDeps, asked: string | undefined): Promise<{ month: string, from: string, to: string }> {
  const month = asked ?? (await latestReconciledDay(deps.db, hktDate(new Date())) ?? hktDate(new Date())).slice(0, 7)
  const days = monthDays(month)
  return { month, from: days[0], to: days[days.length - 1] }
}

/** A store the page names must be one the chain has (or the unassigned bucket): else 404, not an empty report. */
function requireKnownStore (deps: AppDeps, store: string | undefined): void {
  if (store !== undefined && store !== UNASSIGNED && !deps.config.stores.some(s => s.id === store)) throw new DomainError('not_found', 'NOT_FOUND', `no store ${store}`)
}

export async function webRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  const secure = deps.config.env === 'production'
  const page = { hide: true }
  registerProviderNames(deps.registry.providers.values())
  app.setErrorHandler(pageError)

  app.get('/assets/app.css', { config: { access: 'public' }, handlerTimeout: 5000, schema: page },
    async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CSS))

  app.get<{ Querystring: { to: string, next?: string } }>('/lang', {
    config: { access: 'public' }, handlerTimeout: 5000,
    schema: { ...page, querystring: { type: 'object', properties: { to: { type: 'string', enum: [...LANGS] }, next: { type: 'string', maxLength: 2000 } }, required: ['to'] } }
  }, async (req, reply) => reply.header('set-cookie', `${LANG_COOKIE}=${req.query.to}; Path=/; Max-Age=31536000; SameSite=Lax${secure ? '; Secure' : ''}`).redirect(safeNext(req.query.next), 303))

  app.get('/', { config: { access: 'public' }, handlerTimeout: 5000, schema: page }, async (_req, reply) => reply.redirect('/calendar', 303))

  app.get<{ Querystring: { next?: string, signed_out?: string } }>('/login', {
    config: { access: 'public', page: true }, handlerTimeout: 5000,
    schema: { ...page, querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 2000 }, signed_out: { type: 'string', maxLength: 1 } } } }
  }, async (req, reply) => sendPage(reply, loginPage(pageOf(req), { next: safeNext(req.query.next), problem: req.query.signed_out ? 'signedOut' : null })))

  app.post<{ Body: { username: string, password: string, next?: string } }>('/login', {
    config: { access: 'public', page: true }, handlerTimeout: t, bodyLimit: 4096,
    schema: { ...page, body: { type: 'object', properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 200 }, next: { type: 'string', maxLength: 2000 } }, required: ['username', 'password'] } }
  }, async (req, reply) => {
    const next = safeNext(req.body.next)
    try {
      const s = await signIn(deps.db, req.body.username, req.body.password, req.ip)
      return reply.header('set-cookie', sessionCookie(s.token, secure)).redirect(next, 303)
    } catch (err) {
      if (!(err instanceof DomainError) || (err.kind !== 'unauthenticated' && err.kind !== 'rate_limited')) throw err
      const locked = err.kind === 'rate_limited'
      if (locked) reply.headers(err.headers)
      const minutes = locked ? Math.ceil(Number(err.headers['retry-after']) / 60) : undefined
      return sendPage(reply, loginPage(pageOf(req), { next, problem: locked ? 'locked' : 'failed', minutes, username: req.body.username }), statusOf(err))
    }
  })

  app.post('/logout', { config: { access: 'public', page: true }, handlerTimeout: t, bodyLimit: 4096, schema: page }, async (req, reply) => {
    const sid = cookie(req, SESSION_COOKIE)
    if (sid) await signOut(deps.db, sid)
    return reply.header('set-cookie', sessionCookie('', secure, 0)).redirect('/login?signed_out=1', 303)
  })

  // the calendar and the month: a page of one month (?month=YYYY-MM), for those who read reports
  const monthPage = {
    config: { access: 'reconciliation:read' as const, page: true }, handlerTimeout: t,
    schema: { ...page, querystring: { type: 'object', properties: { month: monthParam } } }
  }

  app.get<{ Querystring: { month?: string } }>('/calendar', monthPage, async (req, reply) => {
    const { month, from, to } = await monthAsked(deps, req.query.month)
    const scope = storeScope(req)
    const items = await storeDays(deps.db, from, to, scope)
    // records no store could be given: a line of their own for those who see every store
    const unassigned = !scope && items.some(i => i.store_id === UNASSIGNED) ? [{ id: UNASSIGNED, name: '' }] : []
    return sendPage(reply, calendarPage(pageOf(req), month, [...storesInScope(req, deps.config.stores), ...unassigned], { items, reconciled: await reconciledDays(deps.db, from, to), late: await lateByStoreDay(deps.db, from, to) }))
  })

  app.get<{ Querystring: { month?: string } }>('/dashboard', monthPage, async (req, reply) => {
    const { month, from, to } = await monthAsked(deps, req.query.month)
    const scope = storeScope(req)
    const data = await monthData(deps.db, from, to, scope)
    const stores = monthSummary(data.stores, data.open, amountOf, UNASSIGNED).filter(s => !scope || s.store_id !== UNASSIGNED)
    return sendPage(reply, dashboardPage(pageOf(req), month, stores, new Map(deps.config.stores.map(s => [s.id, s.name]))))
  })

  app.get<{ Params: { date: string }, Querystring: { store?: string, print?: string, done?: string, error?: string } }>('/days/:date', {
    config: { access: 'reconciliation:read', page: true }, handlerTimeout: t,
    schema: { ...page, params: { type: 'object', properties: { date: dateParam }, required: ['date'] }, querystring: { type: 'object', properties: { store: { type: 'string', maxLength: 64 }, print: { type: 'string', maxLength: 1 }, done: { type: 'string', maxLength: 32 }, error: { type: 'string', maxLength: 32 } } } }
  }, async (req, reply) => {
    const p = pageOf(req)
    requireKnownStore(deps, req.query.store)
    const stores = storeFilter(req, req.query.store)
    const found = await dayReport(deps.db, req.params.date).catch(err => { if (err instanceof DomainError && err.kind === 'not_found') return null; throw err })
    const report = found && stores ? forStores(found.report, stores) : found?.report ?? null
    const notice = req.query.done === 'run' ? p.t('day.runQueued') : req.query.done ? p.t('action.done') : null
    return sendPage(reply, dayPage(p, {
      date: req.params.date, store: req.query.store ?? null, stores: storesInScope(req, deps.config.stores), report, run: found?.run ?? null, notice, claims: report ? await claimsOfDay(deps.db, req.params.date) : undefined,
      error: req.query.error ? p.t(errorKey(400, req.query.error)) : null, printable: req.query.print === '1'
    }))
  })

  app.get<{ Params: { date: string }, Querystring: { store?: string } }>('/days/:date/report.csv', {
    config: { access: 'reconciliation:read', page: true }, handlerTimeout: t,
    schema: { ...page, params: { type: 'object', properties: { date: dateParam }, required: ['date'] }, querystring: { type: 'object', properties: { store: { type: 'string', maxLength: 64 } } } }
  }, async (req, reply) => {
    requireKnownStore(deps, req.query.store)
    const stores = storeFilter(req, req.query.store)
    const { report } = await dayReport(deps.db, req.params.date)
    const name = `reconciliation-${req.params.date}${req.query.store ? `-${req.query.store}` : ''}.csv`
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(exceptionsCsv(stores ? forStores(report, stores) : report, 'bilingual', { en: e => describe(translator('en'), e), zh: e => describe(translator('zh-HK'), e) }))
  })

  app.get<{ Params: { date: string }, Querystring: { store?: string } }>('/days/:date/bridge.csv', {
    config: { access: 'reconciliation:read', page: true }, handlerTimeout: t,
    schema: { ...page, params: { type: 'object', properties: { date: dateParam }, required: ['date'] }, querystring: { type: 'object', properties: { store: { type: 'string', maxLength: 64 } } } }
  }, async (req, reply) => {
    requireKnownStore(deps, req.query.store)
    const stores = storeFilter(req, req.query.store)
    const { report } = await dayReport(deps.db, req.params.date)
    const [en, zh] = [translator('en'), translator('zh-HK')]
    const name = `bridge-${req.params.date}${req.query.store ? `-${req.query.store}` : ''}.csv`
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(bridgeCsv(stores ? forStores(report, stores) : report, 'bilingual', code => `${itemLabel(en, code)} ${itemLabel(zh, code)}`))
  })

  app.post<{ Params: { date: string } }>('/days/:date/run', {
    config: { access: 'reconciliation:run', page: true }, handlerTimeout: t, bodyLimit: 4096,
    schema: { ...page, params: { type: 'object', properties: { date: dateParam }, required: ['date'] } }
  }, async (req, reply) => {
    await queueRun(deps.boss, { date: req.params.date, trigger: 'manual', ref: req.principal!.actor })
    return reply.redirect(`/days/${req.params.date}?done=run`, 303)
  })

  await actionRoutes(app, deps)
  await stockRoutes(app, deps)
  await bankPageRoutes(app, deps)
  await claimPageRoutes(app, deps)
}
