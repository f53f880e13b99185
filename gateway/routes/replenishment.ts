// Thresholds and purchase orders over HTTP, plus the forwarding's status, dead letters and redrive.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { requireStores, storeFilter, storeScope } from '../auth/scope.ts'
import { listThresholds, setThreshold, type ThresholdInput } from '../replenish/thresholds.ts'
import { decideOrder, getOrder, listOrders, receiveOrder, submitOrder } from '../replenish/orders.ts'
import { deadRows, outboxStatus, redrive } from '../forward/admin.ts'
import { errorResponses } from '../schemas.ts'
import { ledgerDeps } from './inventory.ts'
import { orderSchema, qtyInput, sinkStatusSchema, skuParam, thresholdSchema } from './inventory-schemas.ts'

const idParam = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const
export async function replenishmentRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  // an order is read or changed only by someone whose stores include its location
  const order = async (req: FastifyRequest<{ Params: { id: number } }>) => {
    const o = await getOrder(deps.db, req.params.id)
    requireStores(req, o.location_id)
    return o
  }

  app.put<{ Params: { location: string, sku: string }, Body: ThresholdInput }>('/v1/thresholds/:location/:sku', {
    config: { access: 'inventory:write' }, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      summary: 'Set the minimum and reorder rules of a SKU at a location', tags: ['replenishment'],
      description: 'Without reorder_point, the point is sales velocity over lookback_days × (lead_days + safety_days), never below min_level.',
      params: { type: 'object', properties: { location: { type: 'string' }, sku: skuParam }, required: ['location', 'sku'] },
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          min_level: { type: 'number', minimum: 0 }, reorder_point: { type: ['number', 'null'], minimum: 0 }, lookback_days: { type: 'integer', minimum: 1, maximum: 365 }, lead_days: { type: 'integer', minimum: 0, maximum: 180 },
          safety_days: { type: 'integer', minimum: 0, maximum: 180 }, reorder_qty: { ...qtyInput, type: ['number', 'null'] }, responsible_mobile: { type: ['string', 'null'], pattern: '^\\+?[0-9]{6,15}$' }, responsible_user: { type: ['string', 'null'], maxLength: 64 }
        }
      },
      response: { 200: thresholdSchema, ...errorResponses }
    }
  }, async req => {
    requireStores(req, req.params.location)
    return await setThreshold(deps.db, req.params.sku, req.params.location, req.body)
  })

  app.get<{ Querystring: { location?: string } }>('/v1/thresholds', {
    config: { access: 'inventory:read' }, handlerTimeout: t,
    schema: { summary: 'Thresholds', tags: ['replenishment'], querystring: { type: 'object', properties: { location: { type: 'string' } } }, response: { 200: { type: 'object', properties: { items: { type: 'array', items: thresholdSchema } } }, ...errorResponses } }
  }, async req => ({
    items: await listThresholds(deps.db, storeFilter(req, req.query.location))
  }))

  app.get<{ Querystring: { status?: string } }>('/v1/purchase-orders', {
    config: { access: 'orders:read' }, handlerTimeout: t,
    schema: { summary: 'Purchase orders, newest first', tags: ['replenishment'], querystring: { type: 'object', properties: { status: { type: 'string', enum: ['draft', 'pending_approval', 'approved', 'rejected', 'received', 'cancelled'] } } }, response: { 200: { type: 'object', properties: { items: { type: 'array', items: { ...orderSchema, properties: { ...orderSchema.properties, lines: { type: 'integer' } } } } } }, ...errorResponses } }
  }, async req => ({ items: await listOrders(deps.db, req.query.status ?? null, storeScope(req)) }))

  app.get<{ Params: { id: number } }>('/v1/purchase-orders/:id', { config: { access: 'orders:read' }, handlerTimeout: t, schema: { summary: 'A purchase order and its lines', tags: ['replenishment'], params: idParam, response: { 200: orderSchema, ...errorResponses } } },
    async req => await order(req))

  app.post<{ Params: { id: number } }>('/v1/purchase-orders/:id/submit', {
    config: { access: 'orders:write' }, handlerTimeout: t, bodyLimit: 1024,
    schema: { summary: 'Send a draft order for approval as a DingTalk OA approval', tags: ['replenishment'], params: idParam, response: { 200: orderSchema, ...errorResponses } }
  }, async req => {
    await order(req)
    return await deps.db.withTransaction(c => submitOrder(c, deps, req.params.id, req.principal!.actor, deps.config.forwarding.app !== null))
  })

  app.post<{ Params: { id: number }, Body: { decision: 'approved' | 'rejected' } }>('/v1/purchase-orders/:id/decision', {
    config: { access: 'orders:decide' }, handlerTimeout: t, bodyLimit: 1024,
    schema: { summary: 'Approve or reject an order here instead of in DingTalk', tags: ['replenishment'], params: idParam, body: { type: 'object', properties: { decision: { type: 'string', enum: ['approved', 'rejected'] } }, required: ['decision'], additionalProperties: false }, response: { 200: orderSchema, ...errorResponses } }
  }, async req => await deps.db.withTransaction(c => decideOrder(c, req.params.id, req.body.decision, req.principal!.actor)))

  app.post<{ Params: { id: number }, Body: { lines?: Array<{ sku: string, qty: number }> } }>('/v1/purchase-orders/:id/receive', {
    config: { access: 'orders:write' }, handlerTimeout: t, bodyLimit: 256 * 1024,
    schema: {
      summary: 'Receive an approved order: receipt movements are posted to the ledger', tags: ['replenishment'], params: idParam,
      body: { type: 'object', additionalProperties: false, properties: { lines: { type: 'array', items: { type: 'object', required: ['sku', 'qty'], additionalProperties: false, properties: { sku: skuParam, qty: { type: 'number', minimum: 0 } } } } } },
      response: { 200: orderSchema, ...errorResponses }
    }
  }, async req => {
    await order(req)
    return await deps.db.withTransaction(c => receiveOrder(c, ledgerDeps(deps), req.params.id, req.principal!.actor, req.body?.lines))
  })

  app.get('/v1/outbox', {
    config: { access: 'outbox:read' }, handlerTimeout: t,
    schema: { summary: 'Forwarding per sink: pending, delivered, dead, age of the oldest waiting item', tags: ['forwarding'], response: { 200: { type: 'object', properties: { items: { type: 'array', items: sinkStatusSchema } } }, ...errorResponses } }
  }, async () => ({ items: await outboxStatus(deps.db) }))

  app.get<{ Querystring: { sink?: string } }>('/v1/outbox/dead', {
    config: { access: 'outbox:read' }, handlerTimeout: t,
    schema: {
      summary: 'Dead-lettered deliveries with their last error', tags: ['forwarding'], querystring: { type: 'object', properties: { sink: { type: 'string' } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, sink: { type: 'string' }, topic: { type: 'string' }, key: { type: 'string' }, attempts: { type: 'integer' }, last_error: { type: ['string', 'null'] }, created_at: { type: 'string', format: 'date-time' } } } } } }, ...errorResponses }
    }
  }, async req => ({ items: await deadRows(deps.db, req.query.sink ?? null) }))

  app.post<{ Body: { sink?: string } }>('/v1/outbox/redrive', {
    config: { access: 'outbox:write' }, handlerTimeout: t, bodyLimit: 1024,
    schema: { summary: 'Put dead-lettered deliveries back (nothing is posted twice: keys are kept)', tags: ['forwarding'], body: { type: 'object', properties: { sink: { type: 'string' } }, additionalProperties: false }, response: { 200: { type: 'object', properties: { rows: { type: 'integer' }, sinks: { type: 'array', items: { type: 'string' } } } }, ...errorResponses } }
  }, async req => await redrive(deps.db, deps.boss, req.body?.sink ?? null))
}
