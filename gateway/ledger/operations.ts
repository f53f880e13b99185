// Stock operations that post to the ledger directly, each in one transaction with everything it
// causes: transfers (two linked movements that commit together), stock-takes (the difference posted as
// adjustments with an actor and a reason), and the forwarding of every posted movement to the
// external sinks plus the replenishment checks, through the outbox.
import type { PgBoss } from 'pg-boss'
import type { Sql } from '../db/pool.ts'
import type { ForwardingConfig } from '../config-forwarding.ts'
import { DomainError } from '../domain-error.ts'
import { enqueue, type OutboxEntry } from '../outbox/outbox.ts'
import { movementSinks } from '../sinks/sink-kinds.ts'
import { milli, postMovements, qtyText, type NewMovement, type Posted } from './chain.ts'
import { requireLocations } from './locations.ts'
import { onHandAt } from './stock.ts'

export interface LedgerDeps { boss: PgBoss, forwarding: Pick<ForwardingConfig, 'sinks'>, afterPosting?: (sql: Sql, posted: NewMovement[]) => Promise<void> }

/**
 * A movement a person or a document posted (a transfer, a count, a receipt, an opening balance) needs
 * no reconciliation: it is verified as posted, and every movement sink hears of it at once, whatever
 * its mode.
 */
export function sinkEntries (posted: readonly Posted[], f: Pick<ForwardingConfig, 'sinks'>): OutboxEntry[] {
  const sinks = movementSinks(f.sinks)
  return posted.flatMap(p => sinks.map(s => ({
    sink: s.name, topic: 'movement', key: `ledger:${p.id}`,
    payload: { movement_id: `ledger:${p.id}`, sku: p.sku, location_id: p.locationId, qty: qtyText(milli(p.qty)), reason: p.reason, occurred_at: p.occurredAt.toISOString(), source: `${p.sourceType}:${p.sourceId}`, actor: p.actor, status: 'verified' }
  })))
}

/** Posts, forwards to the sinks and runs the replenishment checks, all in the caller's transaction. */
export async function postAndForward (sql: Sql, deps: LedgerDeps, movements: NewMovement[]): Promise<Posted[]> {
  const { posted } = await postMovements(sql, movements)
  await enqueue(sql, deps.boss, sinkEntries(posted, deps.forwarding))
  if (deps.afterPosting && posted.length) await deps.afterPosting(sql, posted)
  return posted
}

export interface TransferRequest { from: string, to: string, lines: Array<{ sku: string, qty: number }>, actor: string, note?: string | null, requestKey?: string | null, allowNegative?: boolean }

export async function transfer (sql: Sql, deps: LedgerDeps, t: TransferRequest): Promise<{ transferId: number, movements: Posted[], repeated: boolean }> {
  if (t.from === t.to) throw new DomainError('unprocessable', 'INVALID_TRANSFER', 'a transfer needs two different locations')
  if (new Set(t.lines.map(l => l.sku)).size !== t.lines.length) throw new DomainError('unprocessable', 'INVALID_TRANSFER', 'each SKU once per transfer')
  for (const l of t.lines) { if (!(l.qty > 0)) throw new DomainError('unprocessable', 'INVALID_TRANSFER', `${l.sku}: quantity must be positive`); milli(l.qty) }
  await requireLocations(sql, [t.from, t.to])
  if (t.requestKey) {
    const { rows } = await sql.query('SELECT id FROM transfers WHERE request_key = $1', [t.requestKey])
    if (rows.length) return { transferId: Number(rows[0].id), movements: [], repeated: true }
  }
  if (!t.allowNegative) {
    const have = await onHandAt(sql, t.from, t.lines.map(l => l.sku))
    const short = t.lines.filter(l => (have.get(l.sku) ?? 0) < l.qty)
    if (short.length) throw new DomainError('conflict', 'INSUFFICIENT_STOCK', short.map(l => `${l.sku}: ${have.get(l.sku) ?? 0} on hand at ${t.from}, ${l.qty} asked`).join('; '))
  }
  const { rows: [row] } = await sql.query('INSERT INTO transfers (from_location, to_location, actor, note, request_key) VALUES ($1, $2, $3, $4, $5) RETURNING id', [t.from, t.to, t.actor, t.note ?? null, t.requestKey ?? null])
  const id = Number(row.id)
  const at = new Date()
  const half = (l: { sku: string, qty: number }, out: boolean): NewMovement => ({
    locationId: out ? t.from : t.to, sku: l.sku, qty: out ? -l.qty : l.qty, reason: out ? 'transfer_out' : 'transfer_in', sourceType: 'transfer', sourceId: String(id),
    key: `transfer:${id}:${l.sku}:${out ? 'out' : 'in'}`, transferId: id, actor: t.actor, note: t.note ?? null, occurredAt: at
  })
  const movements = await postAndForward(sql, deps, t.lines.flatMap(l => [half(l, true), half(l, false)]))
  return { transferId: id, movements, repeated: false }
}

export async function openStockTake (sql: Sql, location: string, actor: string): Promise<number> {
  await requireLocations(sql, [location])
  const { rows } = await sql.query(`SELECT id FROM stock_takes WHERE location_id = $1 AND status = 'open'`, [location])
  if (rows.length) throw new DomainError('conflict', 'STOCK_TAKE_OPEN', `stock-take #${rows[0].id} is already open at ${location}`)
  const { rows: [r] } = await sql.query('INSERT INTO stock_takes (location_id, opened_by) VALUES ($1, $2) RETURNING id', [location, actor])
  return Number(r.id)
}

async function openSession (sql: Sql, id: number): Promise<{ location_id: string, as_of: Date }> {
  const { rows } = await sql.query<{ location_id: string, status: string, as_of: Date }>('SELECT location_id, status, as_of FROM stock_takes WHERE id = $1 FOR UPDATE', [id])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no stock-take ${id}`)
  if (rows[0].status !== 'open') throw new DomainError('conflict', 'STOCK_TAKE_CLOSED', `stock-take ${id} is ${rows[0].status}`)
  return rows[0]
}

export async function recordCounts (sql: Sql, id: number, counts: Array<{ sku: string, counted: number }>, actor: string): Promise<void> {
  await openSession(sql, id)
  for (const c of counts) { if (!(c.counted >= 0)) throw new DomainError('unprocessable', 'INVALID_COUNT', `${c.sku}: a count is zero or more`); milli(c.counted) }
  await sql.query(
    `INSERT INTO stock_take_counts (stock_take_id, sku, counted, counted_by) SELECT $1, * , $4 FROM unnest($2::text[], $3::numeric[])
     ON CONFLICT (stock_take_id, sku) DO UPDATE SET counted = EXCLUDED.counted, counted_by = EXCLUDED.counted_by, counted_at = now()`,
    [id, counts.map(c => c.sku), counts.map(c => qtyText(milli(c.counted))), actor])
}

/** Posts counted − expected (as of the session's start) per counted SKU, as stock_take movements. */
export async function postStockTake (sql: Sql, deps: LedgerDeps, id: number, actor: string, reason: string): Promise<Posted[]> {
  const session = await openSession(sql, id)
  const { rows: counts } = await sql.query<{ sku: string, counted: number }>('SELECT sku, counted::float8 AS counted FROM stock_take_counts WHERE stock_take_id = $1 ORDER BY sku', [id])
  if (!counts.length) throw new DomainError('conflict', 'NOTHING_COUNTED', `stock-take ${id} has no counts`)
  const expected = await onHandAt(sql, session.location_id, counts.map(c => c.sku), session.as_of)
  const movements: NewMovement[] = []
  for (const c of counts) {
    const diff = (milli(c.counted) - milli(expected.get(c.sku) ?? 0)) / 1000
    if (diff === 0) continue
    movements.push({ locationId: session.location_id, sku: c.sku, qty: diff, reason: 'stock_take', sourceType: 'stock_take', sourceId: String(id), key: `stock_take:${id}:${c.sku}`, actor, note: reason, occurredAt: new Date() })
  }
  const posted = await postAndForward(sql, deps, movements)
  await sql.query(`UPDATE stock_takes SET status = 'posted', closed_by = $2, closed_at = now(), reason = $3 WHERE id = $1`, [id, actor, reason])
  return posted
}

export interface StockTakeView {
  id: number, location_id: string, status: string, opened_by: string, opened_at: Date, as_of: Date, closed_by: string | null, closed_at: Date | null, reason: string | null,
  counts: Array<{ sku: string, counted: string, counted_by: string, counted_at: Date }>
  adjustments: Array<{ id: number, sku: string, qty: string }>
}

/** A stock-take with its counts and the adjustments it posted; 404 when there is none. */
export async function stockTakeView (sql: Sql, id: number): Promise<StockTakeView> {
  const { rows } = await sql.query<Omit<StockTakeView, 'counts' | 'adjustments'>>('SELECT id, location_id, status, opened_by, opened_at, as_of, closed_by, closed_at, reason FROM stock_takes WHERE id = $1', [id])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no stock-take ${id}`)
  const { rows: counts } = await sql.query<StockTakeView['counts'][number]>('SELECT sku, counted::text AS counted, counted_by, counted_at FROM stock_take_counts WHERE stock_take_id = $1 ORDER BY sku', [id])
  const { rows: adjustments } = await sql.query<StockTakeView['adjustments'][number]>(`SELECT id, sku, qty::text AS qty FROM ledger_movements WHERE source_type = 'stock_take' AND source_id = $1 ORDER BY id`, [String(id)])
  return { ...rows[0], counts, adjustments }
}
