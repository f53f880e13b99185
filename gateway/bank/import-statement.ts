// Imports one bank statement file, atomically and once, like a settlement file (ingest/import-file.ts):
//   probe (size cap, SHA-256) → the same bytes imported before? "already imported" → parse it whole:
//   an unreadable line or a statement whose opening + entries ≠ closing refuses the file, recorded with
//   every reason → else, under a lock on the hash, its statements and entries land in one transaction.
// An entry already stored from an overlapping statement (the same account, day, amount, references
// and text, the n-th such in its file) is skipped and counted, never doubled.
import { createHash } from 'node:crypto'
import type { LineIssue } from '../../connectors/contract.ts'
import { InputError } from '../../connectors/errors.ts'
import type { BankEntry, BankStatement } from '../../connectors/bank/statement.ts'
import { parseStatementFile, statementText } from '../../connectors/bank/read.ts'
import { probeFile } from '../../connectors/_shared/settlement-reader.ts'
import type { Config } from '../config.ts'
import { NARRATIVE_CONTEXT, type PiiCipher } from '../crypto.ts'
import type { Db, TxClient } from '../db/pool.ts'
import { importedBefore, lockBytes } from '../ingest/once.ts'
import { reopenDays } from '../recon/queue.ts'
import { creditClaims } from '../recon/claim-credit.ts'
import { addDays } from '../../connectors/_shared/time.ts'
import type { PgBoss } from 'pg-boss'

/** With `boss`, the reconciled days whose payouts the new entries may pay are run again. */
export interface BankImportDeps { db: Db, cipher: PiiCipher, config: Pick<Config, 'limits'>, boss?: PgBoss }

/** Business days before a credit whose payouts it may pay (a weekly payout, a cycle, a holiday). */
const PAYOUT_REACH_DAYS = 14
/** `account`: for a bank export that does not name its account (a CSV download). */
export interface BankImportRequest { path: string, filename: string | null, source: 'upload' | 'cli', account?: string }

export type BankImportOutcome =
  | { status: 'imported', importId: number, sha256: string, filename: string | null, format: string, statements: number, entries: number, duplicates: number, accounts: string[] }
  | { status: 'already_imported', importId: number, sha256: string, filename: string | null }
  | { status: 'refused', importId: number, sha256: string | null, filename: string | null, code: string, message: string, issues: LineIssue[], issueCount: number }

const FILE_KIND = 'bank_statement'

/** What makes two listings the same entry: the account, day, amount, references and text. */
function fingerprint (account: string, e: BankEntry): string {
  return createHash('sha256').update([account, e.valueDate, e.amount, e.currency, e.customerRef ?? '', e.bankRef ?? '', e.narrative].join('\u0000')).digest('hex')
}

async function insertStatement (c: TxClient, cipher: PiiCipher, importId: number, s: BankStatement): Promise<number> {
  const { rows } = await c.query<{ id: number }>(
    `INSERT INTO bank_statements (import_id, account, statement_id, currency, opening_date, opening, closing_date, closing)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [importId, s.account, s.statementId, s.currency, s.opening?.date ?? null, s.opening?.amount ?? null, s.closing?.date ?? null, s.closing?.amount ?? null])
  const statementPk = rows[0].id
  const seen = new Map<string, number>()
  const e = s.entries
  const prints = e.map(x => fingerprint(s.account, x))
  const occurrences = prints.map(p => { const n = (seen.get(p) ?? 0) + 1; seen.set(p, n); return n })
  const { rowCount } = await c.query(
    `INSERT INTO bank_entries (import_id, statement_pk, line_no, account, value_date, booking_date, amount, currency, type, customer_ref, bank_ref, narrative_enc, key_id, fingerprint, occurrence)
     SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::date[], $6::date[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::text[], $14::text[], $15::int[])
     ON CONFLICT (account, fingerprint, occurrence) DO NOTHING`,
    [importId, statementPk, e.map(x => x.lineNo), e.map(() => s.account), e.map(x => x.valueDate), e.map(x => x.bookingDate), e.map(x => x.amount), e.map(x => x.currency),
      e.map(x => x.type), e.map(x => x.customerRef), e.map(x => x.bankRef), e.map(x => x.narrative ? cipher.encrypt(x.narrative, NARRATIVE_CONTEXT) : null),
      e.map(x => x.narrative ? cipher.activeKeyId : null), prints, occurrences])
  return rowCount ?? 0
}

/** The days whose payouts (or unexpected credits) the statements' entries may be: a fortnight before each value day up to it. */
function payoutDays (statements: readonly BankStatement[]): string[] {
  const values = statements.flatMap(s => s.entries.map(e => e.valueDate)).sort()
  if (values.length === 0) return []
  const days: string[] = []
  for (let d = addDays(values[0], -PAYOUT_REACH_DAYS); d <= values.at(-1)!; d = addDays(d, 1)) days.push(d)
  return days
}

export async function importBankStatement (deps: BankImportDeps, req: BankImportRequest): Promise<BankImportOutcome> {
  const { db } = deps
  let sha256: string | null = null
  let bytes = 0
  try {
    const probe = await probeFile(req.path, deps.config.limits.uploadBytes)
    sha256 = probe.sha256
    bytes = probe.bytes
    const prior = await importedBefore(db, sha256)
    if (prior !== null) return { status: 'already_imported', importId: prior, sha256, filename: req.filename }
    const { format, statements } = parseStatementFile(await statementText(req.path, bytes), req.account ?? null)
    return await db.withTransaction(async c => {
      const again = await lockBytes(c, sha256!)
      if (again !== null) return { status: 'already_imported' as const, importId: again, sha256: sha256!, filename: req.filename }
      const { rows } = await c.query<{ id: number }>(
        `INSERT INTO imports (sha256, filename, bytes, source, status, provider, layout, file_kind) VALUES ($1, $2, $3, $4, 'processing', 'bank', $5, $6) RETURNING id`,
        [sha256, req.filename, bytes, req.source, format, FILE_KIND])
      const importId = rows[0].id
      let stored = 0
      for (const s of statements) stored += await insertStatement(c, deps.cipher, importId, s)
      const total = statements.reduce((n, s) => n + s.entries.length, 0)
      const accounts = [...new Set(statements.map(s => s.account))].sort()
      const controls = { statements: statements.length, entries: total, duplicates: total - stored, accounts }
      await c.query(`UPDATE imports SET status = 'imported', records = $2, controls = $3, finished_at = now() WHERE id = $1`, [importId, stored, JSON.stringify(controls)])
      // a credit paying back a claim closes it
      await creditClaims(c, deps.boss, importId, statements.flatMap(s => s.entries.filter(e => e.amount > 0).map(e => ({ provider: null, amount: e.amount, ids: [e.customerRef, e.bankRef], text: e.narrative, line: e.lineNo }))))
      if (deps.boss && stored > 0) await reopenDays(c, deps.boss, payoutDays(statements), { trigger: 'import', ref: String(importId) }, { onlyReconciled: true })
      return { status: 'imported' as const, importId, sha256: sha256!, filename: req.filename, format, statements: statements.length, entries: stored, duplicates: total - stored, accounts }
    })
  } catch (err) {
    if (!(err instanceof InputError)) throw err
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO imports (sha256, filename, bytes, source, status, provider, file_kind, error_code, message, issues, issue_count, finished_at)
       VALUES ($1, $2, $3, $4, 'refused', 'bank', $5, $6, $7, $8, $9, now()) RETURNING id`,
      [sha256 ?? '', req.filename, bytes, req.source, FILE_KIND, err.code, err.message, JSON.stringify(err.issues), err.issueCount])
    return { status: 'refused', importId: rows[0].id, sha256, filename: req.filename, code: err.code, message: err.message, issues: err.issues, issueCount: err.issueCount }
  }
}
