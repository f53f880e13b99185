// The month's records an auditor asks for (HK Business Registration / profits-tax records): every
// inventory movement of a location with the balance after it, and every stock-take with book and
// counted quantities. Months are HKT calendar months; headers are bilingual; files are UTF-8 CSV with
// a BOM so Excel opens the Chinese intact.
import { hktWallToInstant, formatHkt } from '../../connectors/_shared/time.ts'
import type { Db } from '../db/pool.ts'
import { csvDocument } from '../recon/csv.ts'
import { milli, qtyText } from './chain.ts'

/** The HKT month 'YYYY-MM' as a half-open range of instants. */
export function monthRange (month: string): { from: Date, to: Date } {
  const [y, m] = month.split('-').map(Number)
  return { from: hktWallToInstant(y, m, 1), to: m === 12 ? hktWallToInstant(y + 1, 1, 1) : hktWallToInstant(y, m + 1, 1) }
}

const MOVEMENT_HEADER = ['地點 Location', '序號 Seq', '時間 (HKT) Time', '貨號 SKU', '品名 Name', '數量 Qty', '類別 Reason', '來源 Source', '處理人 Actor', '備註 Note', '結餘 Balance after', '雜湊 Hash']

export async function movementsCsv (db: Db, location: string, month: string): Promise<string> {
  const { from, to } = monthRange(month)
  const { rows: opening } = await db.query<{ sku: string, qty: string }>(
    'SELECT sku, sum(qty)::text AS qty FROM ledger_movements WHERE location_id = $1 AND occurred_at < $2 GROUP BY sku', [location, from])
  const balance = new Map<string, number>(opening.map(r => [r.sku, milli(Number(r.qty))]))
  const { rows } = await db.query<{ seq: number, occurred_at: Date, sku: string, name: string | null, qty: string, reason: string, source: string, actor: string, note: string | null, hash: string }>(
    `SELECT m.seq, m.occurred_at, m.sku, s.name, m.qty::text AS qty, m.reason, m.source_type || ':' || m.source_id AS source, m.actor, m.note, encode(m.hash, 'hex') AS hash
       FROM ledger_movements m LEFT JOIN skus s ON s.sku = m.sku
      WHERE m.location_id = $1 AND m.occurred_at >= $2 AND m.occurred_at < $3 ORDER BY m.occurred_at, m.seq`, [location, from, to])
  const out = rows.map(r => {
    const after = (balance.get(r.sku) ?? 0) + milli(Number(r.qty))
    balance.set(r.sku, after)
    return [location, r.seq, formatHkt(r.occurred_at), r.sku, r.name, r.qty, r.reason, r.source, r.actor, r.note, qtyText(after), r.hash]
  })
  return csvDocument(MOVEMENT_HEADER, out)
}

interface StockTakeCountRow {
  id: number, status: string, opened_at: Date, opened_by: string, closed_at: Date | null, closed_by: string | null, reason: string | null,
  sku: string, counted: string, counted_by: string, counted_at: Date, book: string
}

const STOCK_TAKE_HEADER = ['盤點編號 Stock-take', '地點 Location', '狀態 Status', '開始 (HKT) Opened', '開始人 Opened by', '結算 (HKT) Closed', '結算人 Closed by', '原因 Reason',
  '貨號 SKU', '帳面數量 Book qty', '點算數量 Counted', '差額 Difference', '點算人 Counted by', '點算時間 (HKT) Counted at']

export async function stockTakesCsv (db: Db, location: string, month: string): Promise<string> {
  const { from, to } = monthRange(month)
  const { rows } = await db.query<StockTakeCountRow>(
    `SELECT t.id, t.status, t.opened_at, t.opened_by, t.closed_at, t.closed_by, t.reason, c.sku, c.counted::text AS counted, c.counted_by, c.counted_at,
            (SELECT coalesce(sum(m.qty), 0)::text FROM ledger_movements m WHERE m.location_id = t.location_id AND m.sku = c.sku AND m.occurred_at <= t.as_of) AS book
       FROM stock_takes t JOIN stock_take_counts c ON c.stock_take_id = t.id
      WHERE t.location_id = $1 AND t.opened_at >= $2 AND t.opened_at < $3 ORDER BY t.id, c.sku`, [location, from, to])
  const out = rows.map(r => [r.id, location, r.status, formatHkt(r.opened_at), r.opened_by, r.closed_at ? formatHkt(r.closed_at) : null, r.closed_by, r.reason,
    r.sku, qtyText(milli(Number(r.book))), qtyText(milli(Number(r.counted))), qtyText(milli(Number(r.counted)) - milli(Number(r.book))), r.counted_by, formatHkt(r.counted_at)])
  return csvDocument(STOCK_TAKE_HEADER, out)
}

/**
 * The latest HKT month with stock movements, posted to the ledger or on their way to it (the exports
 * page opens on it), or null.
 */
export async function latestStockMonth (db: Db): Promise<string | null> {
  const { rows } = await db.query<{ month: string | null }>(
    `SELECT to_char(greatest((SELECT max(occurred_at) FROM ledger_movements), (SELECT max(occurred_at) FROM stock_movements)) AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM') AS month`)
  return rows[0]?.month ?? null
}
