// GET /v1/sales and GET /v1/payments: what landed, per HKT business day, store and source, paged by id.
import { CARD_CONTEXT } from '../crypto.ts'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { storeFilter } from '../auth/scope.ts'
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
    const { rows } = await deps.db.query(
      `SELECT s.id, s.vendor, s.sale_id, s.kind, s.refund_of, s.store_id, s.terminal_id, s.receipt_no, s.occurred_at,
              s.business_date, s.lines_total, s.tenders_total, s.rounding,
              EXISTS (SELECT 1 FROM sale_voids v WHERE v.vendor = s.vendor AND v.sale_id = s.sale_id) AS voided,
              (SELECT coalesce(json_agg(json_build_object('line_no', l.line_no, 'sku', l.sku, 'qty', l.qty::text, 'unit_price', l.unit_price,
                 'discount', l.discount, 'amount', l.amount, 'location_id', l.location_id) ORDER BY l.line_no), '[]') FROM sale_lines l WHERE l.sale_pk = s.id) AS lines,
              (SELECT coalesce(json_agg(json_build_object('tender_no', t.tender_no, 'method', t.method, 'amount', t.amount, 'reference', t.reference,
                 'provider_txn_id', t.provider_txn_id) ORDER BY t.tender_no), '[]') FROM sale_tenders t WHERE t.sale_pk = s.id) AS tenders
         FROM sales s
        WHERE ($1::date IS NULL OR s.business_date = $1) AND ($2::text[] IS NULL OR s.store_id = ANY($2)) AND ($3::text IS NULL OR s.vendor = $3)
          AND ($4::text IS NULL OR s.kind = $4) AND s.id > $5
        ORDER BY s.id LIMIT $6`,
      [q.date ?? null, storeFilter(req, q.store), q.vendor ?? null, q.kind ?? null, q.after ?? 0, q.limit])
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
    const { rows } = await deps.db.query(
      `SELECT id, import_id, line_no, provider, layout, file_kind, provider_txn_id, merchant_ref, original_ref, original_provider_txn_id,
              type, gross, fee, net, currency, paid_at, business_date::text, settlement_date::text, batch_id, store_id, device_id,
              card_enc, status, remarks, coalesce(flags, '{}') AS flags
         FROM payments
        WHERE ($1::date IS NULL OR business_date = $1) AND ($2::text IS NULL OR provider = $2) AND ($3::text IS NULL OR store_id = $3)
          AND ($4::text IS NULL OR type = $4) AND ($5::bigint IS NULL OR import_id = $5) AND ($6::text IS NULL OR merchant_ref = $6) AND id > $7
        ORDER BY id LIMIT $8`,
      [q.date ?? null, q.provider ?? null, q.store ?? null, q.type ?? null, q.import_id ?? null, q.merchant_ref ?? null, q.after ?? 0, q.limit])
    const items = rows.map(({ card_enc: enc, ...r }) => ({ ...r, card_masked: enc ? deps.cipher.decryptText(enc, CARD_CONTEXT) : null }))
    return page(items, q.limit)
  })
}
