// Stock, purchase orders and the auditor's monthly exports, each limited to the caller's stores.
import type { FastifyInstance } from 'fastify'
import { hktDate } from '../../connectors/_shared/time.ts'
import { requireStores, storeFilter, storeScope } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { movementsCsv, stockTakesCsv } from '../ledger/exports.ts'
import { stockLevels } from '../ledger/stock.ts'
import { listOrders } from '../replenish/orders.ts'
import { pageOf, sendPage } from './layout.ts'
import { exportsPage, ordersPage, stockPage, type StockRow } from './pages/stock.ts'

const monthParam = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } as const
const locationParam = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' } as const

export async function stockRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  const locationsInScope = async (scope: readonly string[] | null): Promise<Array<{ id: string, name: string }>> =>
    (await deps.db.query('SELECT id, name FROM locations WHERE active AND ($1::text[] IS NULL OR id = ANY($1)) ORDER BY id', [scope])).rows

  app.get<{ Querystring: { location?: string } }>('/stock', {
    config: { access: 'inventory:read', page: true }, handlerTimeout: t,
    schema: { hide: true, querystring: { type: 'object', properties: { location: { anyOf: [locationParam, { const: '' }] } } } }
  }, async (req, reply) => {
    const location = req.query.location || undefined
    const locations = storeFilter(req, location)
    const levels = await stockLevels(deps.db, { locations })
    const { rows: rules } = await deps.db.query(
      `SELECT t.sku, t.location_id, t.min_level::text, coalesce(e.reorder_point, t.reorder_point)::text AS reorder_point, e.id IS NOT NULL AS episode
         FROM thresholds t LEFT JOIN low_stock_episodes e ON e.sku = t.sku AND e.location_id = t.location_id AND e.closed_at IS NULL
        WHERE ($1::text[] IS NULL OR t.location_id = ANY($1))`, [locations])
    const { rows: names } = await deps.db.query('SELECT sku, name FROM skus WHERE sku = ANY($1::text[])', [[...new Set(levels.map(l => l.sku))]])
    const ruleOf = new Map(rules.map(r => [`${r.sku}|${r.location_id}`, r]))
    const nameOf = new Map(names.map(r => [r.sku, r.name]))
    const rows: StockRow[] = levels.map(l => {
      const rule = ruleOf.get(`${l.sku}|${l.location_id}`)
      const low = rule ? rule.episode || Number(l.on_hand) <= Number(rule.min_level) : false
      return { ...l, name: nameOf.get(l.sku) ?? null, min_level: rule?.min_level ?? null, reorder_point: rule?.reorder_point ?? null, low }
    })
    return sendPage(reply, stockPage(pageOf(req), await locationsInScope(storeScope(req)), location ?? null, rows))
  })

  app.get('/orders', { config: { access: 'orders:read', page: true }, handlerTimeout: t, schema: { hide: true } }, async (req, reply) => {
    const orders = await listOrders(deps.db, null, storeScope(req))
    const { rows: lines } = await deps.db.query('SELECT purchase_order_id, sku, qty::text AS qty FROM purchase_order_lines WHERE purchase_order_id = ANY($1::bigint[]) ORDER BY sku', [orders.map(o => o.id)])
    return sendPage(reply, ordersPage(pageOf(req), orders.map(o => ({ ...o, lines: lines.filter(l => Number(l.purchase_order_id) === o.id) }))))
  })

  app.get<{ Querystring: { month?: string } }>('/exports', {
    config: { access: 'inventory:read', page: true }, handlerTimeout: t,
    schema: { hide: true, querystring: { type: 'object', properties: { month: monthParam } } }
  }, async (req, reply) => sendPage(reply, exportsPage(pageOf(req), await locationsInScope(storeScope(req)), req.query.month ?? hktDate(new Date()).slice(0, 7))))

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
