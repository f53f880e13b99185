// `recon audit verify`: walks every location's chain in order and reports the first broken link — a
// gap in the sequence, a row whose prev_hash is not its predecessor's hash, a row whose content no
// longer hashes to its stored hash, or a head that does not match the last row (L1).
import type { Db } from '../db/pool.ts'
import { GENESIS, movementHash, type LedgerReason } from './chain.ts'

export interface BrokenLink { locationId: string, seq: number, id: number | null, problem: string }
export interface AuditResult { locations: number, movements: number, broken: BrokenLink | null }

const BATCH = 10_000

interface ChainRow {
  id: number, location_id: string, seq: number, sku: string, qty: number, reason: LedgerReason, source_type: string, source_id: string, idempotency_key: string,
  transfer_id: number | null, actor: string, note: string | null, occurred_at: Date, prev_hash: Buffer, hash: Buffer
}

export async function verifyLedger (db: Db, progress: (locationId: string, movements: number) => void = () => {}): Promise<AuditResult> {
  const { rows: heads } = await db.query<{ location_id: string, seq: number, hash: Buffer }>('SELECT location_id, seq, hash FROM ledger_heads ORDER BY location_id')
  let movements = 0
  for (const head of heads) {
    let prev: Buffer = GENESIS
    let seq = 0
    for (;;) {
      const { rows } = await db.query<ChainRow>(
        `SELECT id, location_id, seq, sku, qty::float8 AS qty, reason, source_type, source_id, idempotency_key, transfer_id, actor, note, occurred_at, prev_hash, hash
           FROM ledger_movements WHERE location_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [head.location_id, seq, BATCH])
      for (const r of rows) {
        const at = { locationId: head.location_id, seq: r.seq, id: r.id }
        if (r.seq !== seq + 1) return { locations: heads.length, movements, broken: { ...at, seq: seq + 1, id: null, problem: `movement ${seq + 1} is missing (the next is ${r.seq})` } }
        if (!prev.equals(r.prev_hash)) return { locations: heads.length, movements, broken: { ...at, problem: 'prev_hash is not the hash of the movement before it' } }
        const expected = movementHash(prev, at.seq, {
          locationId: r.location_id, sku: r.sku, qty: r.qty, reason: r.reason, sourceType: r.source_type, sourceId: r.source_id, key: r.idempotency_key,
          transferId: r.transfer_id, actor: r.actor, note: r.note, occurredAt: r.occurred_at
        })
        if (!expected.equals(r.hash)) return { locations: heads.length, movements, broken: { ...at, problem: 'its content no longer matches its hash (edited after posting)' } }
        prev = r.hash
        seq = at.seq
        movements++
      }
      progress(head.location_id, movements)
      if (rows.length < BATCH) break
    }
    if (seq !== head.seq || !prev.equals(head.hash)) {
      return { locations: heads.length, movements, broken: { locationId: head.location_id, seq: head.seq, id: null, problem: `the chain ends at ${seq} but its head says ${head.seq}` } }
    }
  }
  return { locations: heads.length, movements, broken: null }
}
