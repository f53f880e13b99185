// The bank statement files imported or refused lately, for the page finance uploads them on.
import type { Db } from '../db/pool.ts'

export interface BankImportRow {
  id: number, filename: string | null, status: 'imported' | 'refused', format: string | null, entries: number | null,
  duplicates: number | null, accounts: string[], error_code: string | null, message: string | null, first_issue: string | null, at: Date
}

export async function recentBankImports (db: Db, limit = 20): Promise<BankImportRow[]> {
  const { rows } = await db.query<BankImportRow>(
    `SELECT id::int, filename, status, layout AS format, records AS entries, (controls->>'duplicates')::int AS duplicates,
            coalesce(ARRAY(SELECT jsonb_array_elements_text(controls->'accounts')), '{}') AS accounts, error_code, message, issues->0->>'message' AS first_issue, coalesce(finished_at, started_at) AS at
       FROM imports WHERE provider = 'bank' ORDER BY id DESC LIMIT $1`, [limit])
  return rows
}
