// Acting on a day's exceptions over HTTP (the web app's forms post to the same functions):
//   GET  /v1/reconciliations/:date/exceptions/:key   one exception in full, with candidates and actions
//   POST /v1/reconciliations/:date/links             link a payment to a sale's tender by hand
//   POST /v1/reconciliations/:date/write-offs        accept a difference (fee, rounding, goodwill)
//   POST /v1/reconciliations/:date/reviews           confirm or reject a proposed match (PROPOSED_MATCH)
//   POST /v1/reconciliations/:date/voids             mark a sale voided (compensating movements)
//   POST /v1/reconciliations/:date/store-assignments give a record no store claims to a store
//   POST /v1/reconciliations/:date/reopen            undo a link, a write-off or a review
// Each change needs a reason, is written to the audit trail and re-runs the day before answering.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { forStores } from '../../reconciler/report.ts'
import { WRITE_OFF_CATEGORIES } from '../../reconciler/types.ts'
import { requireStores, storeScope } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { exceptionDetail } from '../recon/detail.ts'
import { assignStore, linkPayment, reopen, reviewMatch, voidSale, writeOff, type ResolveDeps } from '../recon/resolve.ts'
import type { RunResult } from '../recon/run.ts'
import { dateParam, errorResponses, reportSchema } from '../schemas.ts'
import { detailSchema } from './resolution-schemas.ts'

const reason = { type: 'string', minLength: 3, maxLength: 500, description: 'why: kept in the audit trail' } as const
const saleRef = { sale_id: { type: 'string', minLength: 1, maxLength: 128 }, store_id: { type: 'string', minLength: 1, maxLength: 64 }, vendor: { type: 'string', maxLength: 64 } } as const
const params = { type: 'object', properties: { date: dateParam }, required: ['date'] } as const
const done = {
  type: 'object',
  properties: { business_date: { type: 'string' }, run_id: { type: 'integer' }, outcome: { type: 'string', enum: ['changed', 'unchanged'] }, stores: reportSchema.properties.stores },
  required: ['business_date', 'run_id', 'outcome', 'stores']
} as const

export function resolveDeps (deps: AppDeps): ResolveDeps {
  return { db: deps.db, cipher: deps.cipher, boss: deps.boss, config: deps.config }
}

/** What an action answers: the day's store summaries as they now stand (the caller's stores only). */
export function afterAction (req: FastifyRequest, run: RunResult) {
  const scope = storeScope(req)
  const report = scope ? forStores(run.report, scope) : run.report
  return { business_date: run.date, run_id: run.runId, outcome: run.outcome, stores: report.stores }
}

export async function resolutionRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  const rd = resolveDeps(deps)
  const change = (summary: string, body: object) => ({
    config: { access: 'exceptions:resolve' as const }, handlerTimeout: t, bodyLimit: 8192,
    schema: { summary, tags: ['reconciliation'], params, body: { type: 'object', additionalProperties: false, ...body }, response: { 200: done, ...errorResponses } }
  })

  app.get<{ Params: { date: string, key: string } }>('/v1/reconciliations/:date/exceptions/:key', {
    config: { access: 'reconciliation:read' }, handlerTimeout: t,
    schema: {
      summary: 'One exception: the sale, its lines and tenders, the payment, scored candidates, movements, history and the actions that fit',
      tags: ['reconciliation'],
      params: { type: 'object', properties: { date: dateParam, key: { type: 'string', maxLength: 400 } }, required: ['date', 'key'] },
      response: { 200: detailSchema, ...errorResponses }
    }
  }, async req => {
    const d = await exceptionDetail(deps.db, req.params.date, req.params.key, deps.config.recon)
    requireStores(req, d.exception.store_id)
    return d
  })

  app.post<{ Params: { date: string }, Body: { sale_id: string, store_id: string, vendor?: string, tender: number, payment_id: string, reason: string } }>('/v1/reconciliations/:date/links',
    change('Link a payment record to a sale\'s tender by hand', { required: ['sale_id', 'store_id', 'tender', 'payment_id', 'reason'], properties: { ...saleRef, tender: { type: 'integer', minimum: 0, maximum: 99 }, payment_id: { type: 'string', pattern: '^[0-9]{1,18}$' }, reason } }),
    async req => {
      const b = req.body
      const run = await linkPayment(rd, { date: req.params.date, sale: { saleId: b.sale_id, storeId: b.store_id, vendor: b.vendor }, tender: b.tender, paymentId: b.payment_id, reason: b.reason, actor: req.principal!.actor })
      return afterAction(req, run)
    })

  app.post<{ Params: { date: string }, Body: { key: string, category: typeof WRITE_OFF_CATEGORIES[number], reason: string } }>('/v1/reconciliations/:date/write-offs',
    change('Accept an exception\'s difference as a write-off', { required: ['key', 'category', 'reason'], properties: { key: { type: 'string', minLength: 1, maxLength: 400 }, category: { type: 'string', enum: [...WRITE_OFF_CATEGORIES] }, reason } }),
    async req => afterAction(req, await writeOff(rd, { date: req.params.date, key: req.body.key, category: req.body.category, reason: req.body.reason, actor: req.principal!.actor })))

  app.post<{ Params: { date: string }, Body: { key: string, decision: 'confirmed' | 'rejected', reason: string } }>('/v1/reconciliations/:date/reviews',
    change('Confirm a proposed match (taken in every later run) or reject it (never proposed again)', { required: ['key', 'decision', 'reason'], properties: { key: { type: 'string', minLength: 1, maxLength: 400, description: 'the PROPOSED_MATCH exception\'s key' }, decision: { type: 'string', enum: ['confirmed', 'rejected'] }, reason } }),
    async req => afterAction(req, await reviewMatch(rd, { date: req.params.date, key: req.body.key, decision: req.body.decision, reason: req.body.reason, actor: req.principal!.actor })))

  app.post<{ Params: { date: string }, Body: { sale_id: string, store_id: string, vendor?: string, reason: string } }>('/v1/reconciliations/:date/voids',
    change('Mark a sale voided: its stock movements are reversed and forwarded', { required: ['sale_id', 'store_id', 'reason'], properties: { ...saleRef, reason } }),
    async req => {
      const b = req.body
      return afterAction(req, await voidSale(rd, { date: req.params.date, sale: { saleId: b.sale_id, storeId: b.store_id, vendor: b.vendor }, reason: b.reason, actor: req.principal!.actor }))
    })

  app.post<{ Params: { date: string }, Body: { key: string, store_id: string, reason: string } }>('/v1/reconciliations/:date/store-assignments',
    change('Give a record no store claims to a store (a later assignment replaces it)', { required: ['key', 'store_id', 'reason'], properties: { key: { type: 'string', minLength: 1, maxLength: 400 }, store_id: { type: 'string', minLength: 1, maxLength: 64 }, reason } }),
    async req => {
      requireStores(req, req.body.store_id)
      return afterAction(req, await assignStore(rd, { date: req.params.date, key: req.body.key, storeId: req.body.store_id, reason: req.body.reason, actor: req.principal!.actor }))
    })

  app.post<{ Params: { date: string }, Body: { key?: string, payment_id?: string, reason: string } }>('/v1/reconciliations/:date/reopen',
    change('Re-open: undo a write-off or a review (key) or a hand-made link (payment_id)', { required: ['reason'], properties: { key: { type: 'string', minLength: 1, maxLength: 400 }, payment_id: { type: 'string', pattern: '^[0-9]{1,18}$' }, reason } }),
    async req => afterAction(req, await reopen(rd, { date: req.params.date, key: req.body.key, paymentId: req.body.payment_id, reason: req.body.reason, actor: req.principal!.actor })))
}
