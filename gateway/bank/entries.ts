// Reading stored bank entries (the narrative decrypted for the person allowed to see it).
import { NARRATIVE_CONTEXT, type PiiCipher } from '../crypto.ts'
import type { Db } from '../db/pool.ts'

export interface BankEntryView {
  id: number, account: string, value_date: string, booking_date: string | null, amount: number, currency: string,
  type: string | null, customer_ref: string | null, bank_ref: string | null, narrative: string, import_id: number
}

export interface EntryFilter { account: string | null, from: string | null, to: string | null, importId: number | null, after: number, limit: number }

export async function listBankEntries (db: Db, cipher: PiiCipher, f: EntryFilter): Promise<BankEntryView[]> {
  const { rows } = await db.query<Omit<BankEntryView, 'narrative'> & { narrative_enc: Buffer | null }>(
    `SELECT id::int, account, value_date::text, booking_date::text, amount::float8 AS amount, currency, type, customer_ref, bank_ref, narrative_enc, import_id::int
       FROM bank_entries
      WHERE ($1::text IS NULL OR account = $1) AND ($2::date IS NULL OR value_date >= $2) AND ($3::date IS NULL OR value_date <= $3)
        AND ($4::bigint IS NULL OR import_id = $4) AND id > $5
      ORDER BY id LIMIT $6`, [f.account, f.from, f.to, f.importId, f.after, f.limit])
  return rows.map(({ narrative_enc: enc, ...r }) => ({ ...r, narrative: enc ? cipher.decryptText(enc, NARRATIVE_CONTEXT) : '' }))
}
