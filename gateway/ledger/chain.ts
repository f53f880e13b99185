// Posting to the ledger: movements are appended per location, each carrying the hash of the one
// before it (SHA-256 over the previous hash and the movement's canonical form), so an edit made
// behind the application's back breaks the chain where it was made (reliability L1). The chain head
// of a location is locked while appending: postings to one location serialise, others run in parallel.
import { createHash } from 'node:crypto'
import type { Sql } from '../db/pool.ts'

export const GENESIS = Buffer.alloc(32)

export type LedgerReason = 'sale' | 'return' | 'void' | 'transfer_out' | 'transfer_in' | 'receipt' | 'adjustment' | 'stock_take' | 'opening'

export interface NewMovement {
  locationId: string
  sku: string
  /** Signed quantity: negative takes stock out. At most 3 decimals. */
  qty: number
  reason: LedgerReason
  sourceType: string
  sourceId: string
  /** Posted at most once per key. */
  key: string
  transferId?: number | null
  actor: string
  note?: string | null
  occurredAt: Date
}

export interface Posted extends NewMovement { id: number, seq: number, hash: Buffer }

/** Thousandths, exactly: the canonical form never depends on how a float prints. */
export function milli (qty: number): number {
  const m = Math.round(qty * 1000)
  if (!Number.isSafeInteger(m) || Math.abs(qty * 1000 - m) > 1e-6) throw new RangeError(`quantity ${qty} has more than 3 decimals`)
  return m
}

export function qtyText (m: number): string {
  const sign = m < 0 ? '-' : ''
  const a = Math.abs(m)
  return `${sign}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, '0')}`
}

/** The hash of a movement at position `seq` of its location's chain. */
export function movementHash (prev: Buffer, seq: number, m: NewMovement): Buffer {
  const canonical = [m.locationId, seq, m.sku, qtyText(milli(m.qty)), m.reason, m.sourceType, m.sourceId, m.key, m.transferId ?? '', m.actor, m.note ?? '', m.occurredAt.toISOString()].join('\u001f')
  return createHash('sha256').update(prev).update(canonical).digest()
}

/**
 * Appends movements, inside the caller's transaction. Movements whose key was posted before are
 * skipped (returned in `skipped`); the check runs under the location's lock, so two postings of one
 * key cannot both pass it.
 */
export async function postMovements (sql: Sql, movements: readonly NewMovement[]): Promise<{ posted: Posted[], skipped: string[] }> {
  const byLocation = new Map<string, NewMovement[]>()
  for (const m of movements) {
    milli(m.qty) // refuse a bad quantity before anything is written
    const list = byLocation.get(m.locationId)
    if (list) list.push(m); else byLocation.set(m.locationId, [m])
  }
  const posted: Posted[] = []
  const skipped: string[] = []
  // locations in a fixed order: two postings never wait on each other's heads crosswise
  for (const locationId of [...byLocation.keys()].sort()) {
    const list = byLocation.get(locationId)!
    await sql.query('INSERT INTO ledger_heads (location_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING', [locationId, GENESIS])
    const { rows: [head] } = await sql.query<{ seq: number, hash: Buffer }>('SELECT seq, hash FROM ledger_heads WHERE location_id = $1 FOR UPDATE', [locationId])
    const { rows: done } = await sql.query<{ idempotency_key: string }>('SELECT idempotency_key FROM ledger_movements WHERE idempotency_key = ANY($1::text[])', [list.map(m => m.key)])
    const taken = new Set(done.map(r => r.idempotency_key))
    let seq = head.seq
    let hash: Buffer = head.hash
    const rows: Array<NewMovement & { seq: number, prev: Buffer, hash: Buffer }> = []
    for (const m of list) {
      if (taken.has(m.key)) { skipped.push(m.key); continue }
      taken.add(m.key)
      seq++
      const next = movementHash(hash, seq, m)
      rows.push({ ...m, seq, prev: hash, hash: next })
      hash = next
    }
    if (rows.length === 0) continue
    const { rows: ids } = await sql.query(
      `INSERT INTO ledger_movements (location_id, seq, sku, qty, reason, source_type, source_id, idempotency_key, transfer_id, actor, note, occurred_at, prev_hash, hash)
       SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::timestamptz[], $13::bytea[], $14::bytea[])
       RETURNING id, seq`,
      [locationId, rows.map(r => r.seq), rows.map(r => r.sku), rows.map(r => qtyText(milli(r.qty))), rows.map(r => r.reason), rows.map(r => r.sourceType), rows.map(r => r.sourceId),
        rows.map(r => r.key), rows.map(r => r.transferId ?? null), rows.map(r => r.actor), rows.map(r => r.note ?? null), rows.map(r => r.occurredAt), rows.map(r => r.prev), rows.map(r => r.hash)])
    await sql.query('UPDATE ledger_heads SET seq = $2, hash = $3 WHERE location_id = $1', [locationId, seq, hash])
    const idOf = new Map(ids.map(r => [Number(r.seq), Number(r.id)]))
    for (const r of rows) posted.push({ ...r, id: idOf.get(r.seq)! })
  }
  return { posted, skipped }
}
