// A bank statement file read whole into one form, whatever the bank wrote: MT940, camt.053, or a
// business-banking export (CSV or Excel) one of the bank profiles recognises. Shared by the import
// (gateway/bank) and the offline reconciliation.
import { readFile } from 'node:fs/promises'
import { InputError } from '../errors.ts'
import { isZip, xlsxAsCsv } from '../_shared/xlsx.ts'
import { parseMt940 } from './mt940.ts'
import { parseCamt053 } from './camt053.ts'
import { readBankCsv } from './csv-profile.ts'
import { BANK_PROFILES } from './profiles.ts'
import type { BankStatement } from './statement.ts'

/**
 * The file's statements in one form, or a refusal naming what is wrong: MT940, camt.053, else a
 * business-banking export one of the bank profiles recognises (its account given when it names none).
 */
export function parseStatementFile (text: string, account: string | null = null): { format: string, statements: BankStatement[] } {
  const head = text.replace(/^\uFEFF/, '').slice(0, 4096)
  const kind = /(^|\n)\s*(\{1:|:20:)/.test(head) ? 'mt940' : /^\s*<(\?xml|(\w+:)?Document)\b/.test(head) ? 'camt.053' : 'export'
  const csv = kind === 'export' ? readBankCsv(text, BANK_PROFILES, account) : null
  const read = csv ?? (kind === 'mt940' ? parseMt940(text) : parseCamt053(text))
  const format = csv ? csv.profile?.id ?? null : kind
  if (!format) throw new InputError('UNKNOWN_LAYOUT', `not a bank statement we read: MT940, ISO 20022 camt.053, or a business-banking export (${BANK_PROFILES.map(p => p.id).join(', ')})`, read.issues)
  if (read.issues.length) throw new InputError('INVALID_ROWS', `${read.issues.length} problem(s) in the statement; nothing was imported`, read.issues)
  return { format, statements: read.statements }
}

/** The file as text: an Excel download is read as the CSV of its first sheet (xlsx.ts). */
export async function statementText (path: string, bytes: number): Promise<string> {
  if (!await isZip(path)) return await readFile(path, 'utf8')
  const sheet = await xlsxAsCsv(path, bytes)
  try { return await readFile(sheet.path, 'utf8') } finally { await sheet.cleanup() }
}
