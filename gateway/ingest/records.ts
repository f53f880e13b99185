// What landed, read back for the API: imports by id, and payment records paged by id. The card stays
// encrypted at rest and is decrypted only here, for a reader allowed to see payments.
import type { Sql } from '../db/pool.ts'
import { CARD_CONTEXT, type PiiCipher } from '../crypto.ts'
import { DomainError } from '../domain-error.ts'

export interface ImportRecord {
  status: string, import_id: number, sha256: string | null, filename: string | null, provider: string | null, layout: string | null, file_kind: string | null,
  encoding: string | null, lines: number | null, records: number | null, batches: number | null, by_type: Record<string, unknown> | null,
  controls: { batchMismatches?: unknown[] } | null, warnings: unknown[], error: string | null, message: string | null, issues: unknown[], issue_count: number,
  started_at: Date, finished_at: Date | null
}

/** An import: its status, counts and (for a refused file) its bad lines; 404 when there is none. */
export async function importRecord (sql: Sql, id: number): Promise<ImportRecord> {
  const { rows } = await sql.query<Omit<ImportRecord, 'import_id' | 'warnings' | 'error' | 'issues' | 'issue_count'> & { id: number, error_code: string | null, issues: unknown[] | null, issue_count: number | null }>(
    `SELECT id, status, sha256, filename, provider, layout, file_kind, encoding, lines, records, batches, by_type, controls,
            error_code, message, issues, issue_count, started_at, finished_at FROM imports WHERE id = $1`, [id])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no import ${id}`)
  const { id: importId, error_code: error, issues, issue_count: issueCount, sha256, ...r } = rows[0]
  return { ...r, import_id: importId, sha256: sha256 || null, warnings: r.controls?.batchMismatches ?? [], error, issues: issues ?? [], issue_count: issueCount ?? 0 }
}

export interface PaymentFilter { date: string | null, provider: string | null, store: string | null, type: string | null, importId: number | null, merchantRef: string | null, after: number, limit: number }

export interface PaymentRecord {
  id: number, import_id: number, line_no: number, provider: string, layout: string, file_kind: string, provider_txn_id: string | null, merchant_ref: string | null,
  original_ref: string | null, original_provider_txn_id: string | null, type: string, gross: number, fee: number, net: number, currency: string, paid_at: Date | null,
  business_date: string | null, settlement_date: string | null, batch_id: string | null, store_id: string | null, device_id: string | null, status: string | null,
  remarks: string | null, flags: string[], card_masked: string | null
}

/** Payment records in id order, after `after`, at most `limit`. */
export async function listPayments (sql: Sql, cipher: PiiCipher, f: PaymentFilter): Promise<PaymentRecord[]> {
  const { rows } = await sql.query<Omit<PaymentRecord, 'card_masked'> & { card_enc: Buffer | null }>(
    `SELECT id, import_id, line_no, provider, layout, file_kind, provider_txn_id, merchant_ref, original_ref, original_provider_txn_id,
            type, gross, fee, net, currency, paid_at, business_date::text, settlement_date::text, batch_id, store_id, device_id,
            card_enc, status, remarks, coalesce(flags, '{}') AS flags
       FROM payments
      WHERE ($1::date IS NULL OR business_date = $1) AND ($2::text IS NULL OR provider = $2) AND ($3::text IS NULL OR store_id = $3)
        AND ($4::text IS NULL OR type = $4) AND ($5::bigint IS NULL OR import_id = $5) AND ($6::text IS NULL OR merchant_ref = $6) AND id > $7
      ORDER BY id LIMIT $8`,
    [f.date, f.provider, f.store, f.type, f.importId, f.merchantRef, f.after, f.limit])
  return rows.map(({ card_enc: enc, ...r }) => ({ ...r, card_masked: enc ? cipher.decryptText(enc, CARD_CONTEXT) : null }))
}
