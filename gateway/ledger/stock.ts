// Reading the ledger: stock on hand per SKU and location, at any instant, split into verified and
// provisional (a POS sale's deduction stays provisional until the reconciler has matched its payment),
// and the movements themselves.
import type { Sql } from '../db/pool.ts'

export interface StockLevel { sku: string, location_id: string, on_hand: string, verified: string, provisional: string }

/** A POS movement is provisional until the reconciler verified it; everything else is verified when posted. */
const PROVISIONAL = `(m.source_type = 'pos' AND NOT EXISTS (SELECT 1 FROM movement_verifications v WHERE v.movement_id = m.source_id::bigint))`

export async function stockLevels (sql: Sql, q: { sku?: string | null, locations?: readonly string[] | null, asOf?: Date | null, skus?: string[] }): Promise<StockLevel[]> {
  const { rows } = await sql.query<StockLevel>(
    `SELECT m.sku, m.location_id, sum(m.qty)::text AS on_hand,
            coalesce(sum(m.qty) FILTER (WHERE NOT ${PROVISIONAL}), 0.000)::text AS verified,
            coalesce(sum(m.qty) FILTER (WHERE ${PROVISIONAL}), 0.000)::text AS provisional
       FROM ledger_movements m
      WHERE ($1::text IS NULL OR m.sku = $1) AND ($2::text[] IS NULL OR m.location_id = ANY($2)) AND ($3::timestamptz IS NULL OR m.occurred_at <= $3)
        AND ($4::text[] IS NULL OR m.sku = ANY($4))
      GROUP BY m.sku, m.location_id ORDER BY m.sku, m.location_id`,
    [q.sku ?? null, q.locations ?? null, q.asOf ?? null, q.skus ?? null])
  return rows
}

/** On hand (as a number of thousandths-exact decimal strings) for the given SKUs at one location. */
export async function onHandAt (sql: Sql, location: string, skus: string[], asOf: Date | null = null): Promise<Map<string, number>> {
  const levels = await stockLevels(sql, { locations: [location], asOf, skus })
  return new Map(levels.map(l => [l.sku, Number(l.on_hand)]))
}

export interface MovementRow {
  id: number, location_id: string, seq: number, sku: string, qty: string, reason: string, source_type: string, source_id: string,
  transfer_id: number | null, actor: string, note: string | null, occurred_at: Date, posted_at: Date, status: 'provisional' | 'verified', hash: string
}

export async function listMovements (sql: Sql, q: { sku?: string, locations?: readonly string[] | null, from?: Date, to?: Date, reason?: string, after?: number, limit: number }): Promise<MovementRow[]> {
  const { rows } = await sql.query<MovementRow>(
    `SELECT m.id, m.location_id, m.seq, m.sku, m.qty::text AS qty, m.reason, m.source_type, m.source_id, m.transfer_id, m.actor, m.note, m.occurred_at, m.posted_at,
            CASE WHEN ${PROVISIONAL} THEN 'provisional' ELSE 'verified' END AS status, encode(m.hash, 'hex') AS hash
       FROM ledger_movements m
      WHERE ($1::text IS NULL OR m.sku = $1) AND ($2::text[] IS NULL OR m.location_id = ANY($2)) AND ($3::timestamptz IS NULL OR m.occurred_at >= $3)
        AND ($4::timestamptz IS NULL OR m.occurred_at < $4) AND ($5::text IS NULL OR m.reason = $5) AND m.id > $6
      ORDER BY m.id LIMIT $7`,
    [q.sku ?? null, q.locations ?? null, q.from ?? null, q.to ?? null, q.reason ?? null, q.after ?? 0, q.limit])
  return rows
}
