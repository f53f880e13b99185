// Reconciliation over HTTP:
//   POST /v1/reconciliations            queue a run of a business day (a pg-boss job; 202)
//   GET  /v1/reconciliations/:date      the standing report of the day (contract §3), JSON or CSV
//   GET  /v1/reconciliations?from=&to=  per store and day: status, sales, exceptions (a calendar)
import type { FastifyInstance } from 'fastify'
import { forStores } from '../../reconciler/report.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'
import { storeFilter } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { exceptionsCsv } from '../recon/csv.ts'
import { bridgeCsv } from '../recon/bridge-csv.ts'
import { queueRun } from '../recon/queue.ts'
import { dayReport, storeDays } from '../recon/days.ts'
import { dateParam, errorResponses, reportSchema, storeDayStatus } from '../schemas.ts'
import { addDays, hktDate } from '../../connectors/_shared/time.ts'

const MAX_RANGE_DAYS = 93

const queued = {
  type: 'object',
  properties: {
    business_date: { type: 'string' },
    job_id: { type: ['string', 'null'], description: 'null when a run of the day was already waiting: that run will see the same data' },
    report_url: { type: 'string' }
  },
  required: ['business_date', 'job_id', 'report_url']
} as const

const calendar = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          business_date: { type: 'string' }, store_id: { type: 'string' }, status: storeDayStatus, sales: { type: 'integer' }, verified_sales: { type: 'integer' },
          exceptions: { type: 'object', additionalProperties: { type: 'integer' } }, resolved: { type: 'object', additionalProperties: { type: 'integer' } }, run_id: { type: 'integer' }, reopened: { type: 'boolean' }
        }
      }
    }
  },
  required: ['items']
} as const

function reportUrl (date: string, store?: string): string {
  return `/v1/reconciliations/${date}${store ? `?store=${encodeURIComponent(store)}` : ''}`
}

export async function reconciliationRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const timeout = deps.config.limits.routeTimeoutMs

  app.post<{ Body: { date: string, store?: string } }>('/v1/reconciliations', {
    config: { access: 'reconciliation:run' },
    handlerTimeout: timeout,
    bodyLimit: 4096,
    schema: {
      summary: 'Reconcile a business day (queued)',
      description: 'A run covers every store of the day (an AlipayHK record names its store only once matched); `store` only narrows the report URL returned. Re-running on the same data changes nothing.',
      tags: ['reconciliation'],
      body: { type: 'object', properties: { date: dateParam, store: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['date'], additionalProperties: false },
      response: { 202: queued, ...errorResponses }
    }
  }, async (req, reply) => {
    const { date, store } = req.body
    if (date > hktDate(new Date())) throw new DomainError('unprocessable', 'INVALID_DATE', `${date} is after today (HKT)`)
    const jobId = await queueRun(deps.boss, { date, trigger: 'manual', ref: req.principal!.actor })
    return reply.code(202).send({ business_date: date, job_id: jobId, report_url: reportUrl(date, store) })
  })

  app.get<{ Params: { date: string }, Querystring: { store?: string, format: 'json' | 'csv' | 'bridge-csv' } }>('/v1/reconciliations/:date', {
    config: { access: 'reconciliation:read' },
    handlerTimeout: timeout,
    schema: {
      summary: 'The reconciliation report of a business day',
      description: 'Contract §3: per store totals, every exception with the ids that locate it, the matches, verified and provisional stock movements. `format=csv` gives the exceptions as CSV (UTF-8 with BOM); `format=bridge-csv` the money bridge, a row per store and provider with each step\'s difference and its items, and the signed totals.',
      tags: ['reconciliation'],
      params: { type: 'object', properties: { date: dateParam }, required: ['date'] },
      querystring: { type: 'object', properties: { store: { type: 'string', maxLength: 64 }, format: { type: 'string', enum: ['json', 'csv', 'bridge-csv'], default: 'json' } } },
      response: { 200: reportSchema, ...errorResponses }
    }
  }, async (req, reply) => {
    const { date } = req.params
    const { report: standing, run } = await dayReport(deps.db, date)
    const stores = storeFilter(req, req.query.store)
    const report = stores ? forStores(standing, stores) : standing
    if (req.query.format === 'bridge-csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="bridge-${date}${req.query.store ? `-${req.query.store}` : ''}.csv"`).send(bridgeCsv(report))
    }
    if (req.query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="reconciliation-${date}${req.query.store ? `-${req.query.store}` : ''}.csv"`).send(exceptionsCsv(report))
    }
    // each exception with its key, so a client can act on it without computing one
    return { ...report, exceptions: report.exceptions.map(e => ({ ...e, key: exceptionKey(e) })), resolved: report.resolved.map(e => ({ ...e, key: exceptionKey(e) })), run }
  })

  app.get<{ Querystring: { from: string, to: string, store?: string } }>('/v1/reconciliations', {
    config: { access: 'reconciliation:read' },
    handlerTimeout: timeout,
    schema: {
      summary: 'Store-days and their reconciliation status, for a range of business days',
      tags: ['reconciliation'],
      querystring: { type: 'object', properties: { from: dateParam, to: dateParam, store: { type: 'string', maxLength: 64 } }, required: ['from', 'to'] },
      response: { 200: calendar, ...errorResponses }
    }
  }, async req => {
    const { from, to, store } = req.query
    if (to < from || to > addDays(from, MAX_RANGE_DAYS)) throw new DomainError('invalid', 'BAD_REQUEST', `give a range of at most ${MAX_RANGE_DAYS} days with from ≤ to`)
    return { items: await storeDays(deps.db, from, to, storeFilter(req, store)) }
  })
}
