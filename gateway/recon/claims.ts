// Claims on a provider (reconciler/claims.ts says which exceptions they fit and what they ask): opened
// on an open exception, sent, then credited or rejected, each move in the audit trail in the same
// transaction. Crediting one resolves its exception, so its day is reconciled again at once.
import { CLAIM_MOVES, claimable, claimDefaults, type ClaimStatus } from '../../reconciler/claims.ts'
import { audit } from '../auth/audit.ts'
import type { Db, Sql } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import { standingReport } from './days.ts'
import { findException } from './detail.ts'
import { reconcileDay, type RunDeps } from './run.ts'

export interface ClaimRow {
  id: number, business_date: string, exception_key: string, code: string, store_id: string | null, provider: string | null, reference: string | null,
  amount: number, note: string, status: ClaimStatus, opened_by: string, opened_at: Date, sent_at: Date | null, closed_at: Date | null,
  closed_by: string | null, close_note: string | null, credit_source: string | null
}

export const CLAIM_COLUMNS = `id::int, business_date::text, exception_key, code, store_id, provider, reference, amount::float8 AS amount, note, status, opened_by, opened_at,
  sent_at, closed_at, closed_by, close_note, credit_source`

/** Money claimed is at most this (HK$10,000,000.00): a larger figure is a typing slip. */
const MAX_CLAIM = 1_000_000_000

export interface OpenClaimRequest { date: string, key: string, amount?: number, reference?: string | null, note: string, actor: string }

export async function openClaim (db: Db, r: OpenClaimRequest): Promise<ClaimRow> {
  return await db.withTransaction(async c => {
    const found = findException(await standingReport(c, r.date), r.key)
    if (found?.state !== 'open') throw new DomainError('conflict', 'NOT_OPEN', `no open exception ${r.key} on ${r.date}: it was resolved, or the data no longer shows it`)
    const e = found.e
    if (!claimable(e)) throw new DomainError('unprocessable', 'NOT_CLAIMABLE', `a ${e.code} is not claimed from the provider: ${e.code === 'UNEXPECTED_PAYMENT' ? 'money came in, none was taken' : 'link it, write it off or void the sale'}`)
    const defaults = claimDefaults(e)
    const amount = r.amount ?? defaults.amount
    if (!(Number.isInteger(amount) && amount > 0 && amount <= MAX_CLAIM)) throw new DomainError('invalid', 'BAD_AMOUNT', `the amount claimed is whole cents from 1 to ${MAX_CLAIM}`)
    const reference = r.reference === undefined ? defaults.reference : r.reference
    const { rows } = await c.query<ClaimRow>(
      `INSERT INTO claims (business_date, exception_key, code, store_id, provider, reference, amount, note, opened_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING RETURNING ${CLAIM_COLUMNS}`, [r.date, r.key, e.code, e.store_id, e.provider, reference, amount, r.note, r.actor])
    if (!rows.length) throw new DomainError('conflict', 'ALREADY_CLAIMED', `exception ${r.key} is claimed already; follow that claim`)
    await audit(c, { actor: r.actor, action: 'claim.open', target: `day:${r.date}:${r.key}`, reason: r.note, details: { claim: rows[0].id, amount, reference, provider: e.provider, code: e.code } })
    return rows[0]
  })
}

export type ClaimMove = keyof typeof CLAIM_MOVES
export interface MoveClaimRequest { id: number, move: ClaimMove, note: string, actor: string }

// closing a claim keeps who closed it and why ($3, $4); sending one keeps them in the audit trail only
const MOVE_SQL: Record<ClaimMove, string> = {
  send: "status = 'sent', sent_at = now()",
  credit: "status = 'credited', closed_at = now(), closed_by = $3, close_note = $4, credit_source = 'manual'",
  reject: "status = 'rejected', closed_at = now(), closed_by = $3, close_note = $4"
}

/** Sends, credits or rejects a claim; a credited claim's day is reconciled again so its exception shows resolved. */
export async function moveClaim (deps: RunDeps, r: MoveClaimRequest): Promise<ClaimRow> {
  const claim = await deps.db.withTransaction(async c => {
    const { rows } = await c.query<ClaimRow>(
      `UPDATE claims SET ${MOVE_SQL[r.move]} WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${CLAIM_COLUMNS}`,
      [r.id, CLAIM_MOVES[r.move], ...r.move === 'send' ? [] : [r.actor, r.note]])
    if (!rows.length) {
      const { rows: now } = await c.query<{ status: string }>('SELECT status FROM claims WHERE id = $1', [r.id])
      if (!now.length) throw new DomainError('not_found', 'NOT_FOUND', `no claim ${r.id}`)
      throw new DomainError('conflict', 'CLAIM_STATE', `claim ${r.id} is ${now[0].status}; only a claim that is ${CLAIM_MOVES[r.move].join(' or ')} can be ${r.move === 'send' ? 'sent' : r.move === 'credit' ? 'credited' : 'rejected'}`)
    }
    const row = rows[0]
    await audit(c, { actor: r.actor, action: `claim.${r.move}`, target: `day:${row.business_date}:${row.exception_key}`, reason: r.note, details: { claim: row.id, amount: row.amount, provider: row.provider } })
    return row
  })
  if (r.move === 'credit') await rerun(deps, claim.business_date, r.actor)
  return claim
}

async function rerun (deps: RunDeps, date: string, actor: string): Promise<void> {
  const { rows } = await deps.db.query('SELECT 1 FROM recon_days WHERE business_date = $1 AND run_id IS NOT NULL', [date])
  if (rows.length) await reconcileDay({ ...deps, notify: false }, { date, trigger: 'manual', ref: actor })
}

export interface ClaimFilter { status: ClaimStatus | null, stores: readonly string[] | null, limit: number }

/** Claims newest first, in the stores in scope (a chain-wide claim is finance's and the owner's). */
export async function listClaims (sql: Sql, f: ClaimFilter): Promise<ClaimRow[]> {
  const { rows } = await sql.query<ClaimRow>(
    `SELECT ${CLAIM_COLUMNS} FROM claims WHERE ($1::text IS NULL OR status = $1) AND ($2::text[] IS NULL OR store_id = ANY($2::text[]))
      ORDER BY id DESC LIMIT $3`, [f.status, f.stores, f.limit])
  return rows
}

/** The standing claim of each exception of a day (a rejected one stands until another is opened). */
export async function claimsOfDay (sql: Sql, date: string): Promise<Map<string, ClaimRow>> {
  const { rows } = await sql.query<ClaimRow>(`SELECT DISTINCT ON (exception_key) ${CLAIM_COLUMNS} FROM claims WHERE business_date = $1 ORDER BY exception_key, id DESC`, [date])
  return new Map(rows.map(r => [r.exception_key, r]))
}
