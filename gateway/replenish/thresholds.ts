// Replenishment thresholds per SKU and location, and the stock view that shows them beside the
// levels (the stock page marks a line low when an alert episode is open or it is at its minimum).
import type { Sql } from '../db/pool.ts'
import { milli, qtyText } from '../ledger/chain.ts'
import { requireLocation } from '../ledger/locations.ts'
import { stockLevels, type StockLevel } from '../ledger/stock.ts'

export interface ThresholdInput { min_level?: number, reorder_point?: number | null, lookback_days?: number, lead_days?: number, safety_days?: number, reorder_qty?: number | null, responsible_mobile?: string | null, responsible_user?: string | null }

export interface ThresholdRow {
  sku: string, location_id: string, min_level: string, reorder_point: string | null, lookback_days: number, lead_days: number, safety_days: number,
  reorder_qty: string | null, responsible_mobile: string | null, responsible_user: string | null, updated_at: Date
}

const COLUMNS = 'sku, location_id, min_level::text, reorder_point::text, lookback_days, lead_days, safety_days, reorder_qty::text, responsible_mobile, responsible_user, updated_at'
const qtyOrNull = (v: number | null | undefined): string | null => v === null || v === undefined ? null : qtyText(milli(v))

/** Sets the threshold of a SKU at a location (defaults: 28 days looked back, 3 days' lead, 2 days' safety). */
export async function setThreshold (sql: Sql, sku: string, location: string, b: ThresholdInput): Promise<ThresholdRow> {
  await requireLocation(sql, location)
  const { rows } = await sql.query<ThresholdRow>(
    `INSERT INTO thresholds (sku, location_id, min_level, reorder_point, lookback_days, lead_days, safety_days, reorder_qty, responsible_mobile, responsible_user)
     VALUES ($1, $2, coalesce($3::numeric, 0), $4::numeric, coalesce($5::int, 28), coalesce($6::int, 3), coalesce($7::int, 2), $8::numeric, $9, $10)
     ON CONFLICT (sku, location_id) DO UPDATE SET min_level = EXCLUDED.min_level, reorder_point = EXCLUDED.reorder_point, lookback_days = EXCLUDED.lookback_days,
       lead_days = EXCLUDED.lead_days, safety_days = EXCLUDED.safety_days, reorder_qty = EXCLUDED.reorder_qty, responsible_mobile = EXCLUDED.responsible_mobile,
       responsible_user = EXCLUDED.responsible_user, updated_at = now()
     RETURNING ${COLUMNS}`,
    [sku, location, qtyOrNull(b.min_level), qtyOrNull(b.reorder_point), b.lookback_days ?? null, b.lead_days ?? null, b.safety_days ?? null, qtyOrNull(b.reorder_qty), b.responsible_mobile ?? null, b.responsible_user ?? null])
  return rows[0]
}

export async function listThresholds (sql: Sql, locations: readonly string[] | null): Promise<ThresholdRow[]> {
  const { rows } = await sql.query<ThresholdRow>(`SELECT ${COLUMNS} FROM thresholds WHERE ($1::text[] IS NULL OR location_id = ANY($1)) ORDER BY location_id, sku`, [locations])
  return rows
}

export interface StockWithRule extends StockLevel { name: string | null, min_level: string | null, reorder_point: string | null, low: boolean }

/** Stock levels with each line's name, threshold and whether it is low. */
export async function stockWithRules (sql: Sql, locations: readonly string[] | null): Promise<StockWithRule[]> {
  const levels = await stockLevels(sql, { locations })
  const { rows: rules } = await sql.query<{ sku: string, location_id: string, min_level: string, reorder_point: string | null, episode: boolean }>(
    `SELECT t.sku, t.location_id, t.min_level::text, coalesce(e.reorder_point, t.reorder_point)::text AS reorder_point, e.id IS NOT NULL AS episode
       FROM thresholds t LEFT JOIN low_stock_episodes e ON e.sku = t.sku AND e.location_id = t.location_id AND e.closed_at IS NULL
      WHERE ($1::text[] IS NULL OR t.location_id = ANY($1))`, [locations])
  const { rows: names } = await sql.query<{ sku: string, name: string }>('SELECT sku, name FROM skus WHERE sku = ANY($1::text[])', [[...new Set(levels.map(l => l.sku))]])
  const ruleOf = new Map(rules.map(r => [`${r.sku}|${r.location_id}`, r]))
  const nameOf = new Map(names.map(r => [r.sku, r.name]))
  return levels.map(l => {
    const rule = ruleOf.get(`${l.sku}|${l.location_id}`)
    const low = rule ? rule.episode || Number(l.on_hand) <= Number(rule.min_level) : false
    return { ...l, name: nameOf.get(l.sku) ?? null, min_level: rule?.min_level ?? null, reorder_point: rule?.reorder_point ?? null, low }
  })
}
