// Sales and refunds read back for the API, each with its lines and tenders, paged by id.
import type { Sql } from '../db/pool.ts'

export interface SaleFilter { date: string | null, stores: readonly string[] | null, vendor: string | null, kind: string | null, after: number, limit: number }

export interface SaleRecord {
  id: number, vendor: string, sale_id: string, kind: 'sale' | 'refund', refund_of: string | null, store_id: string, terminal_id: string | null, receipt_no: string | null,
  occurred_at: Date, business_date: string, lines_total: number, tenders_total: number, rounding: number, voided: boolean,
  lines: Array<{ line_no: number, sku: string, qty: string, unit_price: number, discount: number, amount: number, location_id: string }>,
  tenders: Array<{ tender_no: number, method: string, amount: number, reference: string | null, provider_txn_id: string | null }>
}

/** Sales in id order, after `after`, at most `limit`. */
export async function listSales (sql: Sql, f: SaleFilter): Promise<SaleRecord[]> {
  const { rows } = await sql.query<SaleRecord>(
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
    [f.date, f.stores, f.vendor, f.kind, f.after, f.limit])
  return rows
}
