// Writes canonical POS events. Every write is keyed by a business id, so a repeated, late or
// out-of-order event changes nothing twice: a sale or refund is inserted once per (vendor, sale id);
// its provisional stock movements once per (sale, line, reason); a void is remembered even when it
// arrives before its sale, and reverses the sale's movements with compensating ones whenever both are
// known. Nothing is updated or deleted.
import type { PosEvent } from '../../connectors/contract.ts'
import { businessDate } from '../../connectors/_shared/time.ts'
import type { Sql } from '../db/pool.ts'

export type ApplyOutcome = 'created' | 'duplicate' | 'voided' | 'void_recorded' | 'void_duplicate'

/** A stock movement as written, for forwarding to the ledger and the sinks. */
export interface WrittenMovement { id: number, sku: string, location_id: string, qty: string, reason: string, source_id: string, source_line: number, actor: string, occurred_at: Date }
const RETURNING = 'RETURNING id, sku, location_id, qty::text AS qty, reason, source_id, source_line, actor, occurred_at'

/** Applies one event; the movements it wrote (none for a repeat) are added to `written`. */
/** `actor`: who the movements are recorded against (the vendor's till, unless a person voided the sale by hand). */
export async function applyPosEvent (sql: Sql, ev: PosEvent, cutoffMinutes: number, written: WrittenMovement[] = [], actor = `pos:${ev.vendor}`): Promise<ApplyOutcome> {
  return ev.kind === 'void' ? applyVoid(sql, ev, written, actor) : applySale(sql, ev, cutoffMinutes, written)
}

async function applySale (sql: Sql, ev: PosEvent, cutoffMinutes: number, written: WrittenMovement[]): Promise<ApplyOutcome> {
  const day = businessDate(ev.occurredAt, cutoffMinutes)
  const linesTotal = (ev.kind === 'refund' ? -1 : 1) * ev.lines.reduce((s, l) => s + l.amount, 0) || 0
  const tendersTotal = ev.tenders.reduce((s, t) => s + t.amount, 0)
  const { rows } = await sql.query(
    `INSERT INTO sales (vendor, sale_id, kind, refund_of, store_id, terminal_id, receipt_no, occurred_at, business_date, lines_total, tenders_total, rounding, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (vendor, sale_id) DO NOTHING RETURNING id`,
    [ev.vendor, ev.saleId, ev.kind, ev.refundOf, ev.storeId, ev.terminalId, ev.receiptNo, ev.occurredAt, day, linesTotal, tendersTotal, tendersTotal - linesTotal, ev.eventId])
  if (rows.length === 0) return 'duplicate'
  const salePk = rows[0].id as number
  const l = ev.lines
  await sql.query(
    `INSERT INTO sale_lines (sale_pk, line_no, sku, qty, unit_price, discount, amount, location_id, restock)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::numeric[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::boolean[])`,
    [salePk, l.map(x => x.lineNo), l.map(x => x.sku), l.map(x => x.qty), l.map(x => x.unitPrice), l.map(x => x.discount), l.map(x => x.amount), l.map(x => x.locationId), l.map(x => x.restock)])
  const t = ev.tenders
  await sql.query(
    `INSERT INTO sale_tenders (sale_pk, tender_no, method, amount, reference, provider_txn_id, card_brand, card_last4, auth_code)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
    [salePk, t.map(x => x.tenderNo), t.map(x => x.method), t.map(x => x.amount), t.map(x => x.reference), t.map(x => x.providerTxnId),
      t.map(x => x.card?.brand ?? null), t.map(x => x.card?.last4 ?? null), t.map(x => x.card?.authCode ?? null)])
  // A sale takes stock off the shelf; a refund puts returned goods back unless they are not restocked.
  const moving = l.filter(x => ev.kind === 'sale' || x.restock)
  const sign = ev.kind === 'sale' ? -1 : 1
  const { rows: moved } = await sql.query<WrittenMovement>(
    `INSERT INTO stock_movements (sku, location_id, qty, reason, source_type, source_id, source_line, actor, occurred_at, business_date)
     SELECT sku, loc, qty, $4, 'sale', $1, line, $5, $2, $3 FROM unnest($6::text[], $7::text[], $8::numeric[], $9::int[]) AS m(sku, loc, qty, line)
     ON CONFLICT (source_type, source_id, source_line, reason) DO NOTHING ${RETURNING}`,
    [sourceId(ev), ev.occurredAt, day, ev.kind === 'sale' ? 'sale' : 'return', `pos:${ev.vendor}`,
      moving.map(x => x.sku), moving.map(x => x.locationId), moving.map(x => sign * x.qty), moving.map(x => x.lineNo)])
  written.push(...moved)
  // The void may have come first.
  const { rows: voids } = await sql.query<{ event_id: string, occurred_at: Date }>('SELECT event_id, occurred_at FROM sale_voids WHERE vendor = $1 AND sale_id = $2', [ev.vendor, ev.saleId])
  if (voids.length) await reverseMovements(sql, ev.vendor, ev.saleId, voids[0].occurred_at, written)
  return 'created'
}

async function applyVoid (sql: Sql, ev: PosEvent, written: WrittenMovement[], actor: string): Promise<ApplyOutcome> {
  const { rows } = await sql.query(
    `INSERT INTO sale_voids (vendor, sale_id, event_id, occurred_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (vendor, sale_id) DO NOTHING RETURNING sale_id`,
    [ev.vendor, ev.saleId, ev.eventId, ev.occurredAt])
  if (rows.length === 0) return 'void_duplicate'
  const reversed = await reverseMovements(sql, ev.vendor, ev.saleId, ev.occurredAt, written, actor)
  return reversed ? 'voided' : 'void_recorded'
}

/** Posts a compensating 'void' movement for each sale/return movement of the record. */
async function reverseMovements (sql: Sql, vendor: string, saleId: string, at: Date, written: WrittenMovement[], actor = `pos:${vendor}`): Promise<boolean> {
  const { rows } = await sql.query<WrittenMovement>(
    `INSERT INTO stock_movements (sku, location_id, qty, reason, source_type, source_id, source_line, actor, occurred_at, business_date)
     SELECT sku, location_id, -qty, 'void', source_type, source_id, source_line, $2, $3, business_date
       FROM stock_movements WHERE source_type = 'sale' AND source_id = $1 AND reason IN ('sale', 'return')
     ON CONFLICT (source_type, source_id, source_line, reason) DO NOTHING
     ${RETURNING}`,
    [`${vendor}:${saleId}`, actor, at])
  written.push(...rows)
  const { rows: exists } = await sql.query('SELECT 1 FROM sales WHERE vendor = $1 AND sale_id = $2', [vendor, saleId])
  return exists.length > 0 || rows.length > 0
}

export function sourceId (ev: Pick<PosEvent, 'vendor' | 'saleId'>): string {
  return `${ev.vendor}:${ev.saleId}`
}
