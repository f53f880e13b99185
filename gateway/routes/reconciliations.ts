// Reconciliation over HTTP:
//   POST /v1/reconciliations            queue a run of a business day (a pg-boss job; 202)
//   GET  /v1/reconciliations/:date      the standing report of the day (contract §3), JSON or CSV
//   GET  /v1/reconciliations?from=&to=  per store and day: status, sales, exceptions (a calendar)
import type { FastifyInstance } from 'fastify'
import { forStore } from '../../reconciler/report.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import type { AppDeps } from '../deps.ts'
import { HttpError } from '../errors.ts'
import { exceptionsCsv } from '../recon/csv.ts'
import { queueRun } from '../recon/queue.ts'
import { dateParam, errorResponses, reportSchema, storeDayStatus } from '../schemas.ts'
import { addDays, hktDate } from '../../connectors/_shared/time.ts'

const MAX_RANGE_DAYS = 93
const access = { access: ['finance', 'admin'] as Array<'finance' | 'admin'> }

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
          exceptions: { type: 'object', additionalProperties: { type: 'integer' } }, run_id: { type: 'integer' }, reopened: { type: 'boolean' }
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
    config: access,
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
    if (date > hktDate(new Date())) throw new HttpError(422, 'INVALID_DATE', `${date} is after today (HKT)`)
    const jobId = await queueRun(deps.boss, { date, trigger: 'manual', ref: req.role ?? null })
    return reply.code(202).send({ business_date: date, job_id: jobId, report_url: reportUrl(date, store) })
  })

  app.get<{ Params: { date: string }, Querystring: { store?: string, format: 'json' | 'csv' } }>('/v1/reconciliations/:date', {
    config: access,
    handlerTimeout: timeout,
    schema: {
      summary: 'The reconciliation report of a business day',
      description: 'Contract §3: per store totals, every exception with the ids that locate it, the matches, verified and provisional stock movements. `format=csv` gives the exceptions as CSV (UTF-8 with BOM).',
      tags: ['reconciliation'],
      params: { type: 'object', properties: { date: dateParam }, required: ['date'] },
      querystring: { type: 'object', properties: { store: { type: 'string', maxLength: 64 }, format: { type: 'string', enum: ['json', 'csv'], default: 'json' } } },
      response: { 200: reportSchema, ...errorResponses }
    }
  }, async (req, reply) => {
    const { date } = req.params
    const { rows } = await deps.db.query(
      `SELECT r.report, r.id, r.trigger, r.as_of::text, r.finished_at, d.data_version > d.reconciled_version AS reopened, d.reopened_by,
              (SELECT max(finished_at) FROM recon_runs WHERE business_date = d.business_date) AS last_run_at
         FROM recon_days d JOIN recon_runs r ON r.id = d.run_id WHERE d.business_date = $1`, [date])
    if (!rows.length) throw new HttpError(404, 'NOT_RECONCILED', `${date} has not been reconciled yet; POST /v1/reconciliations {"date":"${date}"} to run it`)
    const r = rows[0]
    let report = r.report as ReconReport
    if (req.query.store) report = forStore(report, req.query.store)
    if (req.query.format === 'csv') {
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="reconciliation-${date}${req.query.store ? `-${req.query.store}` : ''}.csv"`).send(exceptionsCsv(report))
    }
    return { ...report, run: { id: r.id, trigger: r.trigger, as_of: r.as_of, finished_at: r.finished_at, last_run_at: r.last_run_at, reopened: r.reopened, reopened_by: r.reopened_by } }
  })

  app.get<{ Querystring: { from: string, to: string, store?: string } }>('/v1/reconciliations', {
    config: access,
    handlerTimeout: timeout,
    schema: {
      summary: 'Store-days and their reconciliation status, for a range of business days',
      tags: ['reconciliation'],
      querystring: { type: 'object', properties: { from: dateParam, to: dateParam, store: { type: 'string', maxLength: 64 } }, required: ['from', 'to'] },
      response: { 200: calendar, ...errorResponses }
    }
  }, async req => {
    const { from, to, store } = req.query
    if (to < from || to > addDays(from, MAX_RANGE_DAYS)) throw new HttpError(400, 'BAD_REQUEST', `give a range of at most ${MAX_RANGE_DAYS} days with from ≤ to`)
    const { rows } = await deps.db.query(
      `SELECT s.business_date::text, s.store_id, s.status, s.sales, s.verified_sales, s.exceptions, s.run_id, d.data_version > d.reconciled_version AS reopened
         FROM recon_store_days s JOIN recon_days d USING (business_date)
        WHERE s.business_date BETWEEN $1 AND $2 AND ($3::text IS NULL OR s.store_id = $3)
        ORDER BY s.business_date, s.store_id`, [from, to, store ?? null])
    return { items: rows }
  })
}
