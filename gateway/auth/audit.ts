// The audit trail: who did what to which record, when and why. Append-only (the database refuses
// UPDATE, DELETE and TRUNCATE on it); written in the same transaction as the change it records.
import type { Sql } from '../db/pool.ts'

export interface AuditEntry { actor: string, action: string, target: string, reason?: string | null, details?: Record<string, unknown> }

export async function audit (sql: Sql, e: AuditEntry): Promise<void> {
  await sql.query('INSERT INTO audit_log (actor, action, target, reason, details) VALUES ($1, $2, $3, $4, $5)',
    [e.actor, e.action, e.target, e.reason ?? null, JSON.stringify(e.details ?? {})])
}

export interface AuditRow { id: number, at: Date, actor: string, action: string, target: string, reason: string | null, details: Record<string, unknown> }

/** Entries whose target starts with `prefix` (a day, a sale), newest first. */
export async function auditTrail (sql: Sql, prefix: string | null, limit = 200): Promise<AuditRow[]> {
  const { rows } = await sql.query<AuditRow>(
    `SELECT id, at, actor, action, target, reason, details FROM audit_log
      WHERE ($1::text IS NULL OR starts_with(target, $1)) ORDER BY id DESC LIMIT $2`, [prefix, limit])
  return rows
}
