// The inventory ledger over HTTP: locations, stock on hand (per SKU, location and instant; verified and
// provisional), movements, transfers and stock-takes. A store manager reads and changes its own stores only.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { requireStores, storeFilter, storeScope } from '../auth/scope.ts'
import { listMovements, stockLevels } from '../ledger/stock.ts'
import { addLocation, listLocations, requireLocations, type LocationKind } from '../ledger/locations.ts'
import { openStockTake, postAndForward, postStockTake, recordCounts, stockTakeView, transfer, type LedgerDeps, type StockTakeView } from '../ledger/operations.ts'
import { checkLowStock } from '../replenish/low-stock.ts'
import { errorResponses, pageQuery } from '../schemas.ts'
import { locationSchema, movementSchema, qtyInput, stockSchema, stockTakeSchema, skuParam } from './inventory-schemas.ts'

const readers = { access: 'inventory:read' } as const
const writers = { access: 'inventory:write' } as const

export function ledgerDeps (deps: AppDeps): LedgerDeps {
  return { boss: deps.boss, forwarding: deps.config.forwarding, afterPosting: (sql, posted) => checkLowStock(sql, { boss: deps.boss, forwarding: deps.config.forwarding }, posted) }
}

export async function inventoryRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs

  app.get('/v1/locations', { config: readers, handlerTimeout: t, schema: { summary: 'Locations: central warehouses, stores, temporary stalls', tags: ['inventory'], response: { 200: { type: 'object', properties: { items: { type: 'array', items: locationSchema } } }, ...errorResponses } } },
    async req => ({ items: await listLocations(deps.db, storeScope(req)) }))

  app.post<{ Body: { id: string, name: string, kind: LocationKind } }>('/v1/locations', {
    config: { access: 'locations:write' }, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      summary: 'Add a location', tags: ['inventory'],
      body: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' }, name: { type: 'string', minLength: 1, maxLength: 100 }, kind: { type: 'string', enum: ['central', 'store', 'temporary'] } }, required: ['id', 'name', 'kind'], additionalProperties: false },
      response: { 201: locationSchema, ...errorResponses }
    }
  }, async (req, reply) => {
    return reply.code(201).send(await addLocation(deps.db, req.body))
  })

  app.get<{ Querystring: { sku?: string, location?: string, as_of?: string } }>('/v1/stock', {
    config: readers, handlerTimeout: t,
    schema: {
      summary: 'Stock on hand per SKU and location, now or as of an instant', tags: ['inventory'],
      description: 'verified + provisional = on_hand; a POS sale is provisional until the reconciler matched its payment.',
      querystring: { type: 'object', properties: { sku: skuParam, location: { type: 'string', maxLength: 32 }, as_of: { type: 'string', format: 'date-time' } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: stockSchema } } }, ...errorResponses }
    }
  }, async req => ({ items: await stockLevels(deps.db, { sku: req.query.sku, locations: storeFilter(req, req.query.location), asOf: req.query.as_of ? new Date(req.query.as_of) : null }) }))

  app.get<{ Querystring: { sku?: string, location?: string, from?: string, to?: string, reason?: string, after?: number, limit: number } }>('/v1/movements', {
    config: readers, handlerTimeout: t,
    schema: {
      summary: 'Ledger movements, oldest first, paged by id', tags: ['inventory'],
      querystring: { type: 'object', properties: { sku: skuParam, location: { type: 'string', maxLength: 32 }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, reason: { type: 'string', maxLength: 20 }, ...pageQuery } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: movementSchema }, next_after: { type: ['integer', 'null'] } } }, ...errorResponses }
    }
  }, async req => {
    const q = req.query
    const items = await listMovements(deps.db, { sku: q.sku, locations: storeFilter(req, q.location), from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, reason: q.reason, after: q.after, limit: q.limit })
    return { items, next_after: items.length === q.limit ? items[items.length - 1].id : null }
  })

  app.post<{ Body: { from: string, to: string, lines: Array<{ sku: string, qty: number }>, note?: string, request_key?: string, allow_negative?: boolean } }>('/v1/transfers', {
    config: writers, handlerTimeout: t, bodyLimit: 256 * 1024,
    schema: {
      summary: 'Move stock between two locations (two linked movements, one transaction)', tags: ['inventory'],
      body: {
        type: 'object', additionalProperties: false, required: ['from', 'to', 'lines'],
        properties: { from: { type: 'string' }, to: { type: 'string' }, note: { type: 'string', maxLength: 500 }, request_key: { type: 'string', maxLength: 100, description: 'the same key again returns the first transfer' }, allow_negative: { type: 'boolean' }, lines: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object', properties: { sku: skuParam, qty: qtyInput }, required: ['sku', 'qty'], additionalProperties: false } } }
      },
      response: { 201: { type: 'object', properties: { transfer_id: { type: 'integer' }, repeated: { type: 'boolean' }, movements: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, location_id: { type: 'string' }, sku: { type: 'string' }, qty: { type: 'number' }, reason: { type: 'string' } } } } } }, ...errorResponses }
    }
  }, async (req, reply) => {
    const b = req.body
    requireStores(req, b.from, b.to)
    const out = await deps.db.withTransaction(c => transfer(c, ledgerDeps(deps), { from: b.from, to: b.to, lines: b.lines, actor: req.principal!.actor, note: b.note, requestKey: b.request_key, allowNegative: b.allow_negative }))
    return reply.code(201).send({ transfer_id: out.transferId, repeated: out.repeated, movements: out.movements.map(m => ({ id: m.id, location_id: m.locationId, sku: m.sku, qty: m.qty, reason: m.reason })) })
  })

  app.post<{ Body: { location_id: string, lines: Array<{ sku: string, qty: number }>, reason: string, request_key?: string } }>('/v1/adjustments', {
    config: writers, handlerTimeout: t, bodyLimit: 256 * 1024,
    schema: {
      summary: 'Correct stock at a location (breakage, shrinkage, a found box): signed quantities, with a reason', tags: ['inventory'],
      body: {
        type: 'object', additionalProperties: false, required: ['location_id', 'lines', 'reason'],
        properties: { location_id: { type: 'string' }, reason: { type: 'string', minLength: 1, maxLength: 500 }, request_key: { type: 'string', maxLength: 100, description: 'the same key again posts nothing' }, lines: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object', required: ['sku', 'qty'], additionalProperties: false, properties: { sku: skuParam, qty: { type: 'number', minimum: -1e9, maximum: 1e9, not: { const: 0 } } } } } }
      },
      response: { 201: { type: 'object', properties: { movements: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, sku: { type: 'string' }, qty: { type: 'number' } } } } } }, ...errorResponses }
    }
  }, async (req, reply) => {
    const b = req.body
    requireStores(req, b.location_id)
    const key = b.request_key ?? randomUUID()
    const posted = await deps.db.withTransaction(async c => {
      await requireLocations(c, [b.location_id])
      return await postAndForward(c, ledgerDeps(deps), b.lines.map(l => ({ locationId: b.location_id, sku: l.sku, qty: l.qty, reason: 'adjustment' as const, sourceType: 'adjustment', sourceId: key, key: `adjustment:${key}:${l.sku}`, actor: req.principal!.actor, note: b.reason, occurredAt: new Date() })))
    })
    return reply.code(201).send({ movements: posted.map(m => ({ id: m.id, sku: m.sku, qty: m.qty })) })
  })

  app.post<{ Body: { location_id: string } }>('/v1/stock-takes', {
    config: writers, handlerTimeout: t, bodyLimit: 4096,
    schema: { summary: 'Open a stock-take at a location (on-hand is compared as of now)', tags: ['inventory'], body: { type: 'object', properties: { location_id: { type: 'string' } }, required: ['location_id'], additionalProperties: false }, response: { 201: stockTakeSchema, ...errorResponses } }
  }, async (req, reply) => {
    requireStores(req, req.body.location_id)
    const id = await deps.db.withTransaction(c => openStockTake(c, req.body.location_id, req.principal!.actor))
    return reply.code(201).send(await stockTake(deps, id, req))
  })

  app.get<{ Params: { id: number } }>('/v1/stock-takes/:id', {
    config: readers, handlerTimeout: t,
    schema: { summary: 'A stock-take with its counts', tags: ['inventory'], params: { type: 'object', properties: { id: { type: 'integer' } } }, response: { 200: stockTakeSchema, ...errorResponses } }
  }, async req => await stockTake(deps, req.params.id, req))

  app.post<{ Params: { id: number }, Body: { counts: Array<{ sku: string, counted: number }> } }>('/v1/stock-takes/:id/counts', {
    config: writers, handlerTimeout: t, bodyLimit: 1024 * 1024,
    schema: {
      summary: 'Record counts (a SKU counted again replaces its count)', tags: ['inventory'], params: { type: 'object', properties: { id: { type: 'integer' } } },
      body: { type: 'object', additionalProperties: false, required: ['counts'], properties: { counts: { type: 'array', minItems: 1, maxItems: 10000, items: { type: 'object', required: ['sku', 'counted'], additionalProperties: false, properties: { sku: skuParam, counted: { type: 'number', minimum: 0 } } } } } },
      response: { 200: stockTakeSchema, ...errorResponses }
    }
  }, async req => {
    await stockTake(deps, req.params.id, req)
    await deps.db.withTransaction(c => recordCounts(c, req.params.id, req.body.counts, req.principal!.actor))
    return await stockTake(deps, req.params.id, req)
  })

  app.post<{ Params: { id: number }, Body: { reason: string } }>('/v1/stock-takes/:id/post', {
    config: writers, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      summary: 'Close the stock-take: each difference is posted as an adjustment with actor and reason', tags: ['inventory'], params: { type: 'object', properties: { id: { type: 'integer' } } },
      body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
      response: { 200: stockTakeSchema, ...errorResponses }
    }
  }, async req => {
    await stockTake(deps, req.params.id, req)
    await deps.db.withTransaction(c => postStockTake(c, ledgerDeps(deps), req.params.id, req.principal!.actor, req.body.reason))
    return await stockTake(deps, req.params.id, req)
  })
}

/** A stock-take, refused (403) when its location is outside the caller's stores. */
async function stockTake (deps: AppDeps, id: number, req: FastifyRequest): Promise<StockTakeView> {
  const view = await stockTakeView(deps.db, id)
  requireStores(req, view.location_id)
  return view
}
