// Stock, purchase orders and the auditor's monthly exports, each limited to the caller's stores.
import type { FastifyInstance } from 'fastify'
import { hktDate } from '../../connectors/_shared/time.ts'
import { requireStores, storeFilter, storeScope } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { latestStockMonth, movementsCsv, stockTakesCsv } from '../ledger/exports.ts'
import { listLocations } from '../ledger/locations.ts'
import { ordersWithLines } from '../replenish/orders.ts'
import { stockWithRules } from '../replenish/thresholds.ts'
import { pageOf, sendPage } from './layout.ts'
import { exportsPage, ordersPage, stockPage } from './pages/stock.ts'

const monthParam = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } as const
const locationParam = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' } as const

export async function stockRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  const locationsInScope = async (scope: readonly string[] | null): Promise<Array<{ id: string, name: string }>> =>
    await listLocations(deps.db, scope, true)

  app.get<{ Querystring: { location?: string } }>('/stock', {
    config: { access: 'inventory:read', page: true }, handlerTimeout: t,
    schema: { hide: true, querystring: { type: 'object', properties: { location: { anyOf: [locationParam, { const: '' }] } } } }
  }, async (req, reply) => {
    const location = req.query.location || undefined
    const locations = storeFilter(req, location)
    const rows = await stockWithRules(deps.db, locations)
    return sendPage(reply, stockPage(pageOf(req), await locationsInScope(storeScope(req)), location ?? null, rows))
  })

  app.get('/orders', { config: { access: 'orders:read', page: true }, handlerTimeout: t, schema: { hide: true } }, async (req, reply) => {
    return sendPage(reply, ordersPage(pageOf(req), await ordersWithLines(deps.db, storeScope(req))))
  })

  app.get<{ Querystring: { month?: string } }>('/exports', {
    config: { access: 'inventory:read', page: true }, handlerTimeout: t,
    schema: { hide: true, querystring: { type: 'object', properties: { month: monthParam } } }
  }, async (req, reply) => {
    // opened without a month: the latest one the ledger has data for, not an empty current month
    const month = req.query.month ?? await latestStockMonth(deps.db) ?? hktDate(new Date()).slice(0, 7)
    return sendPage(reply, exportsPage(pageOf(req), await locationsInScope(storeScope(req)), month))
  })

  const csv = (path: string, name: string, build: typeof movementsCsv) => app.get<{ Querystring: { month: string, location: string } }>(path, {
    config: { access: 'inventory:read', page: true }, handlerTimeout: deps.config.limits.importTimeoutMs,
    schema: { hide: true, querystring: { type: 'object', properties: { month: monthParam, location: locationParam }, required: ['month', 'location'] } }
  }, async (req, reply) => {
    requireStores(req, req.query.location)
    const body = await build(deps.db, req.query.location, req.query.month)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}-${req.query.location}-${req.query.month}.csv"`).send(body)
  })
  csv('/exports/movements.csv', 'inventory-movements', movementsCsv)
  csv('/exports/stock-takes.csv', 'stock-takes', stockTakesCsv)
}
