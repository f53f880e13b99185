// The standing of each POS stock movement, told to the movement sinks (outbox) in the run's
// transaction. A realtime sink got the movement when it was posted (provisional) and now hears each
// change: `movement.verified`, `movement.disputed`, `movement.provisional` (a verification undone),
// `movement.voided` (its sale voided after the fact). A verified-only sink hears `movement` once the
// movement is verified and `movement.reversed` if that is undone. Each change has its own key
// (`pos:<id>#<seq>`), so a retried run or a redelivered job tells it once.
import type { PgBoss } from 'pg-boss'
import type { ReconReport } from '../../reconciler/types.ts'
import type { ForwardingConfig } from '../config-forwarding.ts'
import type { Sql } from '../db/pool.ts'
import { enqueue, movementPayload, type OutboxEntry } from '../outbox/outbox.ts'
import { movementSinks } from '../sinks/sink-kinds.ts'
import type { WrittenMovement } from '../sales/pos-store.ts'

export type Standing = 'provisional' | 'verified' | 'disputed' | 'voided'

/** The day's movements' standing in a report (ids of stock_movements). */
export function standingsOf (report: ReconReport): Map<string, Standing> {
  const out = new Map<string, Standing>()
  for (const ids of Object.values(report.verified_movements)) for (const id of ids) out.set(id, 'verified')
  // a settlement not yet due is no doubt about the sale; any other exception is
  for (const p of report.provisional_movements) out.set(p.movement, p.why.some(c => c !== 'PENDING_SETTLEMENT') ? 'disputed' : 'provisional')
  return out
}

interface Change { id: number, from: Standing, to: Standing, seq: number }

/** The changes between what the sinks were told and what the run found; a movement the run no longer lists was voided. */
async function changesOf (sql: Sql, date: string, report: ReconReport): Promise<Change[]> {
  const next = standingsOf(report)
  const { rows } = await sql.query<{ movement_id: number, status: Standing, seq: number }>('SELECT movement_id, status, seq FROM movement_standing WHERE business_date = $1', [date])
  const told = new Map<string, { status: Standing, seq: number }>(rows.map(r => [String(r.movement_id), { status: r.status, seq: r.seq }]))
  const out: Change[] = []
  for (const [id, to] of next) {
    const was = told.get(id) ?? { status: 'provisional' as const, seq: 0 }
    if (was.status !== to && /^\d+$/.test(id)) out.push({ id: Number(id), from: was.status, to, seq: was.seq + 1 })
  }
  for (const [id, was] of told) if (!next.has(id) && was.status !== 'voided') out.push({ id: Number(id), from: was.status, to: 'voided', seq: was.seq + 1 })
  return out
}

function entriesFor (c: Change, m: WrittenMovement, sinks: ReturnType<typeof movementSinks>, runId: number): OutboxEntry[] {
  const key = `pos:${c.id}#${c.seq}`
  const payload = { ...movementPayload(m, c.to), previous: c.from, sequence: c.seq, run_id: runId }
  return sinks.flatMap((s): OutboxEntry[] => {
    if (s.mode === 'realtime') return [{ sink: s.name, topic: `movement.${c.to}`, key, payload }]
    if (c.to === 'verified') return [{ sink: s.name, topic: 'movement', key, payload }]
    return c.from === 'verified' ? [{ sink: s.name, topic: 'movement.reversed', key, payload }] : []
  })
}

/** Changes written and queued per statement: a chain's day verifies 100k movements or more at once. */
const CHUNK = 5_000

/**
 * Records the day's changes of standing and queues what each movement sink is to hear; returns the
 * changes. In chunks, so that the gateway's event loop serves webhooks between them.
 */
export async function forwardStanding (sql: Sql, boss: PgBoss, f: Pick<ForwardingConfig, 'sinks'>, date: string, report: ReconReport, runId: number): Promise<number> {
  const sinks = movementSinks(f.sinks)
  if (sinks.length === 0) return 0
  const changes = await changesOf(sql, date, report)
  for (let i = 0; i < changes.length; i += CHUNK) await forwardChanges(sql, boss, sinks, date, changes.slice(i, i + CHUNK), runId)
  return changes.length
}

async function forwardChanges (sql: Sql, boss: PgBoss, sinks: ReturnType<typeof movementSinks>, date: string, changes: Change[], runId: number): Promise<void> {
  await sql.query(
    `INSERT INTO movement_standing (movement_id, business_date, status, seq, run_id)
     SELECT m, $1, s, q, $5 FROM unnest($2::bigint[], $3::text[], $4::int[]) AS x(m, s, q)
     ON CONFLICT (movement_id) DO UPDATE SET status = EXCLUDED.status, seq = EXCLUDED.seq, run_id = EXCLUDED.run_id, changed_at = now()`,
    [date, changes.map(c => c.id), changes.map(c => c.to), changes.map(c => c.seq), runId])
  const { rows } = await sql.query<WrittenMovement>(
    `SELECT id, sku, location_id, qty::text AS qty, reason, source_id, source_line, actor, occurred_at FROM stock_movements WHERE id = ANY($1::bigint[])`, [changes.map(c => c.id)])
  const byId = new Map(rows.map(r => [r.id, r]))
  // on the bulk queue: a day's standings wait behind the sales coming in, never the other way round
  await enqueue(sql, boss, changes.flatMap(c => byId.has(c.id) ? entriesFor(c, byId.get(c.id)!, sinks, runId) : []), { bulk: true })
}
