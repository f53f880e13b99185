// A claim is credited by the file that brings its money: a provider's record naming the claim's
// reference (its transaction id, its original's) or a bank credit whose references or text name it,
// of exactly the amount claimed. Runs inside the import's transaction: the claim is closed, the move
// is in the audit trail and the claim's day is queued to be reconciled again, with the import or not
// at all.
import type { PgBoss } from 'pg-boss'
import { settles, type Credit, type OpenClaim } from '../../reconciler/claims.ts'
import { audit } from '../auth/audit.ts'
import type { TxClient } from '../db/pool.ts'
import { reopenDays } from './queue.ts'

/** A credit with where it came from (a line of the import), for the claim's record. */
export interface SourcedCredit extends Credit { line: number }

const ACTOR = 'system:import'

export async function creditClaims (c: TxClient, boss: PgBoss | undefined, importId: number, credits: readonly SourcedCredit[]): Promise<number> {
  const amounts = [...new Set(credits.filter(x => x.amount > 0).map(x => x.amount))]
  if (amounts.length === 0) return 0
  const { rows: waiting } = await c.query<OpenClaim & { business_date: string, exception_key: string }>(
    `SELECT id::text, provider, reference, amount::float8 AS amount, business_date::text, exception_key FROM claims
      WHERE status IN ('open', 'sent') AND reference IS NOT NULL AND amount = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [amounts])
  const used = new Set<SourcedCredit>()
  const days: string[] = []
  for (const claim of waiting) {
    const credit = credits.find(x => !used.has(x) && settles(claim, x))
    if (!credit) continue
    used.add(credit)
    const note = `credited by line ${credit.line} of import ${importId}`
    await c.query(`UPDATE claims SET status = 'credited', closed_at = now(), closed_by = $2, close_note = $3, credit_source = $4 WHERE id = $1`, [claim.id, ACTOR, note, `import:${importId}:${credit.line}`])
    await audit(c, { actor: ACTOR, action: 'claim.credit', target: `day:${claim.business_date}:${claim.exception_key}`, reason: note, details: { claim: Number(claim.id), amount: claim.amount, import_id: importId, line: credit.line } })
    days.push(claim.business_date)
  }
  if (boss && days.length) await reopenDays(c, boss, days, { trigger: 'import', ref: String(importId) }, { onlyReconciled: true })
  return days.length
}
