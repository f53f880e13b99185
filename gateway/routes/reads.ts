// GET /v1/sales and GET /v1/payments: what landed, per HKT business day, store and source, paged by id.
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { storeFilter } from '../auth/scope.ts'
import { listPayments } from '../ingest/records.ts'
import { listSales } from '../sales/sales-read.ts'
import { dateParam, errorResponses, pageQuery, paymentSchema, saleSchema } from '../schemas.ts'

interface Page { limit: number, after?: number }

function page<T extends { id: number }> (rows: T[], limit: number): { items: T[], next_after: number | null } {
  return { items: rows, next_after: rows.length === limit ? rows[rows.length - 1].id : null }
}

const pageOf = (item: object) => ({ type: 'object', properties: { items: { type: 'array', items: item }, next_after: { type: ['integer', 'null'] } }, required: ['items', 'next_after'] })

export async function readRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: Page & { date?: string, store?: string, vendor?: string, kind?: string } }>('/v1/sales', {
    config: { access: 'sales:read' },
    handlerTimeout: deps.config.limits.routeTimeoutMs,
    schema: {
      summary: 'Sales and refunds, with their lines and tenders',
      tags: ['sales'],
      querystring: { type: 'object', properties: { date: dateParam, store: { type: 'string', maxLength: 64 }, vendor: { type: 'string', maxLength: 64 }, kind: { type: 'string', enum: ['sale', 'refund'] }, ...pageQuery } },
      response: { 200: pageOf(saleSchema), ...errorResponses }
    }
  }, async req => {
    const q = req.query
    const rows = await listSales(deps.db, { date: q.date ?? null, stores: storeFilter(req, q.store), vendor: q.vendor ?? null, kind: q.kind ?? null, after: q.after ?? 0, limit: q.limit })
    return page(rows, q.limit)
  })

  app.get<{ Querystring: Page & { date?: string, provider?: string, store?: string, type?: string, import_id?: number, merchant_ref?: string } }>('/v1/payments', {
    config: { access: 'payments:read' },
    handlerTimeout: deps.config.limits.routeTimeoutMs,
    schema: {
      summary: 'Payment records from imported settlement files',
      tags: ['settlements'],
      querystring: {
        type: 'object',
        properties: {
          date: dateParam, provider: { type: 'string', enum: [...deps.registry.providers.keys()] }, store: { type: 'string', maxLength: 64 },
          type: { type: 'string', enum: ['payment', 'refund', 'cancel', 'reversal', 'add_value', 'fee', 'adjustment'] },
          import_id: { type: 'integer', minimum: 1 }, merchant_ref: { type: 'string', maxLength: 200 }, ...pageQuery
        }
      },
      response: { 200: pageOf(paymentSchema), ...errorResponses }
    }
  }, async req => {
    const q = req.query
    const items = await listPayments(deps.db, deps.cipher, { date: q.date ?? null, provider: q.provider ?? null, store: q.store ?? null, type: q.type ?? null, importId: q.import_id ?? null, merchantRef: q.merchant_ref ?? null, after: q.after ?? 0, limit: q.limit })
    return page(items, q.limit)
  })
}
