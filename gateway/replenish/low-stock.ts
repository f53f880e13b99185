// Replenishment, checked in the transaction of every posting that touches a SKU at a location with a
// threshold. The reorder point is the configured one, or sales velocity × (lead time + safety days)
// over the look-back window, and never below the minimum. Crossing it opens an episode — one alert to
// the responsible person (with @) and a line on the supplier's draft purchase order — and no new alert
// comes until the stock is back above the point, which closes the episode.
import type { PgBoss } from 'pg-boss'
import type { Sql } from '../db/pool.ts'
import type { ForwardingConfig } from '../config-forwarding.ts'
import { enqueue, type OutboxEntry } from '../outbox/outbox.ts'
import type { LowStockAlert } from '../sinks/alerts.ts'
import { milli, qtyText, type NewMovement } from '../ledger/chain.ts'

export interface Threshold { sku: string, location_id: string, min_level: number, reorder_point: number | null, lookback_days: number, lead_days: number, safety_days: number, reorder_qty: number | null, responsible_mobile: string | null, responsible_user: string | null, name: string | null, supplier: string | null }

/** Rounds up to the next thousandth, the ledger's unit. */
const up = (q: number): number => Math.ceil(Math.round(q * 1e6) / 1000) / 1000

/** The point at which to reorder, and how much (to cover another lead time plus safety). */
export function reorderPlan (t: Pick<Threshold, 'min_level' | 'reorder_point' | 'lead_days' | 'safety_days' | 'lookback_days' | 'reorder_qty'>, soldInLookback: number, onHand: number): { point: number, orderQty: number } {
  const daily = Math.max(0, soldInLookback) / t.lookback_days
  const point = Math.max(t.min_level, t.reorder_point ?? up(daily * (t.lead_days + t.safety_days)))
  const target = point + up(daily * (t.lead_days + t.safety_days))
  const orderQty = t.reorder_qty ?? Math.max(1, up(target - onHand))
  return { point, orderQty }
}

export interface ReplenishDeps { boss: PgBoss, forwarding: Pick<ForwardingConfig, 'alerts' | 'app'> }

export async function checkLowStock (sql: Sql, deps: ReplenishDeps, posted: readonly NewMovement[]): Promise<void> {
  const pairs = [...new Map(posted.map(m => [`${m.sku}\u0000${m.locationId}`, m])).values()]
  const { rows: thresholds } = await sql.query<Threshold>(
    `SELECT t.sku, t.location_id, t.min_level::float8 AS min_level, t.reorder_point::float8 AS reorder_point, t.lookback_days, t.lead_days, t.safety_days,
            t.reorder_qty::float8 AS reorder_qty, t.responsible_mobile, t.responsible_user, s.name, s.supplier
       FROM thresholds t LEFT JOIN skus s ON s.sku = t.sku
      WHERE (t.sku, t.location_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [pairs.map(p => p.sku), pairs.map(p => p.locationId)])
  for (const t of thresholds) await checkOne(sql, deps, t)
}

async function checkOne (sql: Sql, deps: ReplenishDeps, t: Threshold): Promise<void> {
  const { rows: [s] } = await sql.query<{ on_hand: number, sold: number }>(
    `SELECT coalesce(sum(qty), 0)::float8 AS on_hand,
            coalesce(-sum(qty) FILTER (WHERE reason IN ('sale', 'return', 'void') AND occurred_at > now() - make_interval(days => $3)), 0)::float8 AS sold
       FROM ledger_movements WHERE sku = $1 AND location_id = $2`, [t.sku, t.location_id, t.lookback_days])
  const plan = reorderPlan(t, s.sold, s.on_hand)
  const { rows: open } = await sql.query<{ id: number }>('SELECT id FROM low_stock_episodes WHERE sku = $1 AND location_id = $2 AND closed_at IS NULL FOR UPDATE', [t.sku, t.location_id])
  if (s.on_hand > plan.point) {
    if (open.length) await sql.query('UPDATE low_stock_episodes SET closed_at = now() WHERE id = $1', [open[0].id])
    return
  }
  if (open.length) return // this episode was alerted already
  const { rows: [episode] } = await sql.query<{ id: number }>(
    'INSERT INTO low_stock_episodes (sku, location_id, on_hand, reorder_point) VALUES ($1, $2, $3, $4) RETURNING id', [t.sku, t.location_id, qtyText(milli(s.on_hand)), qtyText(milli(plan.point))])
  const poId = t.supplier ? await addToDraft(sql, t.supplier, t.location_id, t.sku, plan.orderQty) : null
  const alert: LowStockAlert = {
    kind: 'low_stock', sku: t.sku, name: t.name, location_id: t.location_id, on_hand: qtyText(milli(s.on_hand)), reorder_point: qtyText(milli(plan.point)),
    supplier: t.supplier, purchase_order_id: poId, mobiles: t.responsible_mobile ? [t.responsible_mobile] : [], user_ids: t.responsible_user ? [t.responsible_user] : []
  }
  const entries: OutboxEntry[] = deps.forwarding.alerts.lowStock.map(sink => ({ sink, topic: 'alert', key: `low_stock:${episode.id}`, payload: alert }))
  // the responsible person also gets it as a work notice (the episode number keeps DingTalk from
  // taking a later, identical-looking notice for a repeat of this one)
  if (t.responsible_user && deps.forwarding.app) {
    const text = `#### 低庫存 Low stock #${episode.id}\n**${t.sku}**${t.name ? ` ${t.name}` : ''} @ ${t.location_id}: ${alert.on_hand} on hand, reorder at ${alert.reorder_point}${poId ? `; draft PO #${poId}` : ''}`
    entries.push({ sink: 'dingtalk-app', topic: 'notice', key: `low_stock:${episode.id}`, payload: { kind: 'work_notice', user_ids: [t.responsible_user], title: '低庫存 Low stock', text } })
  }
  await enqueue(sql, deps.boss, entries)
}

/** The supplier's draft order for the location, with the SKU on it (the larger quantity wins). */
export async function addToDraft (sql: Sql, supplier: string, location: string, sku: string, qty: number): Promise<number> {
  await sql.query(`INSERT INTO purchase_orders (supplier, location_id) VALUES ($1, $2) ON CONFLICT (supplier, location_id) WHERE status = 'draft' DO NOTHING`, [supplier, location])
  const { rows: [po] } = await sql.query(`SELECT id FROM purchase_orders WHERE supplier = $1 AND location_id = $2 AND status = 'draft'`, [supplier, location])
  await sql.query(
    `INSERT INTO purchase_order_lines (purchase_order_id, sku, qty) VALUES ($1, $2, $3)
     ON CONFLICT (purchase_order_id, sku) DO UPDATE SET qty = greatest(purchase_order_lines.qty, EXCLUDED.qty)`, [po.id, sku, qtyText(milli(qty))])
  return Number(po.id)
}
