// An exception's page and the forms on it. The forms call the same functions as the API; a refused
// action comes back to the page with the reason in the page's language, nothing changed.
import type { FastifyInstance } from 'fastify'
import { WRITE_OFF_CATEGORIES, type WriteOffCategory } from '../../reconciler/types.ts'
import { requireStores, storesInScope } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { exceptionDetail, findException } from '../recon/detail.ts'
import { standingReport } from '../recon/days.ts'
import { assignStore, linkPayment, reopen, reviewMatch, voidSale, writeOff } from '../recon/resolve.ts'
import { resolveDeps } from '../routes/resolutions.ts'
import { dateParam } from '../schemas.ts'
import { qs } from './html.ts'
import { pageOf, sendPage } from './layout.ts'
import { exceptionPage } from './pages/exception.ts'
import { errorKey } from './page-errors.ts'
import { openClaim } from '../recon/claims.ts'

/** HK$ as typed ("843.88") in cents; anything else is refused with the page's message. */
function claimAmount (text: string | undefined): number {
  if (!text || !/^\d{1,8}(\.\d{1,2})?$/.test(text.trim())) throw new DomainError('invalid', 'BAD_AMOUNT', 'the amount is HK$ with at most two decimals')
  const [whole, cents = ''] = text.trim().split('.')
  return Number(whole) * 100 + Number(cents.padEnd(2, '0'))
}

const ACTIONS = ['link', 'write-off', 'void', 'reopen', 'confirm', 'reject', 'claim', 'assign-store'] as const

interface ActionBody { key: string, reason: string, category?: string, payment_id?: string, sale_id?: string, tender?: string, vendor?: string, amount?: string, claim_reference?: string, store_id?: string }

export async function actionRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  const rd = resolveDeps(deps)
  const keyUrl = (date: string, key: string): string => `/days/${date}/exceptions/${encodeURIComponent(key)}`

  app.get<{ Params: { date: string, key: string }, Querystring: { done?: string, error?: string } }>('/days/:date/exceptions/:key', {
    config: { access: 'reconciliation:read', page: true }, handlerTimeout: t,
    schema: {
      hide: true,
      params: { type: 'object', properties: { date: dateParam, key: { type: 'string', maxLength: 400 } }, required: ['date', 'key'] },
      querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 32 }, error: { type: 'string', maxLength: 32 } } }
    }
  }, async (req, reply) => {
    const d = await exceptionDetail(deps.db, req.params.date, req.params.key, deps.config.recon)
    requireStores(req, d.exception.store_id)
    const p = pageOf(req)
    return sendPage(reply, exceptionPage(p, d, { notice: req.query.done ? p.t('action.done') : null, error: req.query.error ? p.t(errorKey(400, req.query.error)) : null }, storesInScope(req, deps.config.stores)))
  })

  app.post<{ Params: { date: string, action: typeof ACTIONS[number] }, Body: ActionBody }>('/days/:date/actions/:action', {
    config: { access: 'exceptions:resolve', page: true }, handlerTimeout: t, bodyLimit: 8192,
    schema: {
      hide: true,
      params: { type: 'object', properties: { date: dateParam, action: { type: 'string', enum: [...ACTIONS] } }, required: ['date', 'action'] },
      body: {
        type: 'object',
        properties: {
          _csrf: { type: 'string', maxLength: 100 }, key: { type: 'string', maxLength: 400 }, reason: { type: 'string', maxLength: 500 }, category: { type: 'string', enum: [...WRITE_OFF_CATEGORIES] },
          payment_id: { type: 'string', maxLength: 20 }, sale_id: { type: 'string', maxLength: 128 }, tender: { type: 'string', pattern: '^[0-9]{1,2}$' }, vendor: { type: 'string', maxLength: 64 },
          amount: { type: 'string', maxLength: 16 }, claim_reference: { type: 'string', maxLength: 128 }, store_id: { type: 'string', maxLength: 64 }
        },
        required: ['reason']
      }
    }
  }, async (req, reply) => {
    const { date, action } = req.params
    const b = req.body
    const back = b.key ? keyUrl(date, b.key) : `/days/${date}`
    const actor = req.principal!.actor
    const reason = b.reason.trim()
    try {
      if (reason.length < 3) throw new DomainError('invalid', 'REASON_REQUIRED', 'a reason of at least 3 characters')
      if (action === 'reopen') {
        await reopen(rd, { date, key: b.payment_id ? undefined : b.key, paymentId: b.payment_id, reason, actor })
        return reply.redirect(`/days/${date}${qs({ done: 'reopen' })}`, 303)
      }
      if (action === 'claim') {
        await openClaim(deps.db, { date, key: b.key ?? '', amount: claimAmount(b.amount), reference: b.claim_reference?.trim() || null, note: reason, actor })
        return reply.redirect(`${back}${qs({ done: 'claim' })}`, 303)
      }
      const found = findException(await standingReport(deps.db, date), b.key ?? '')
      if (!found || found.state !== 'open') throw new DomainError('conflict', 'NOT_OPEN', 'no such open exception')
      const e = found.e
      if (action === 'assign-store') {
        requireStores(req, b.store_id ?? null)
        await assignStore(rd, { date, key: b.key, storeId: b.store_id ?? '', reason, actor })
        return reply.redirect(`/days/${date}${qs({ store: b.store_id, done: action })}`, 303)
      }
      if (action === 'write-off') await writeOff(rd, { date, key: b.key, category: (b.category ?? '') as WriteOffCategory, reason, actor })
      if (action === 'confirm' || action === 'reject') await reviewMatch(rd, { date, key: b.key ?? '', decision: action === 'confirm' ? 'confirmed' : 'rejected', reason, actor })
      if (action === 'void') await voidSale(rd, { date, sale: { saleId: e.sale_id ?? '', storeId: e.store_id ?? '', vendor: b.vendor }, reason, actor })
      if (action === 'link') {
        // from a tender's page the form names the payment; from a payment's page, the sale and tender
        const sale = b.sale_id ? { saleId: b.sale_id, storeId: e.store_id ?? '' } : { saleId: e.sale_id ?? '', storeId: e.store_id ?? '' }
        const tender = b.tender !== undefined ? Number(b.tender) : e.tender ?? -1
        await linkPayment(rd, { date, sale, tender, paymentId: b.payment_id ?? e.payment_id ?? '', reason, actor })
      }
      return reply.redirect(`/days/${date}${qs({ store: e.store_id, done: action })}`, 303)
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      return reply.redirect(`${back}${qs({ error: err.code })}`, 303)
    }
  })
}
