// The same bytes are imported once, whatever kind of file they are (settlement, bank statement): the
// SHA-256 is looked up cheaply first, then again under an advisory lock on it, so two uploads of one
// file racing each other import it once.
import type { Sql, TxClient } from '../db/pool.ts'

/** The import that already brought these bytes, if any. */
export async function importedBefore (sql: Sql, sha256: string): Promise<number | null> {
  const { rows } = await sql.query<{ id: number }>(`SELECT id FROM imports WHERE sha256 = $1 AND status = 'imported'`, [sha256])
  return rows.length ? rows[0].id : null
}

/** Takes the lock on the bytes for the transaction; then, the import that brought them meanwhile, if any. */
export async function lockBytes (c: TxClient, sha256: string): Promise<number | null> {
  await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [sha256])
  return await importedBefore(c, sha256)
}
