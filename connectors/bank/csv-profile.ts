// Business-banking CSV (or Excel) transaction downloads, read through a mapping profile: the layouts
// of HSBC HK, Hang Seng and BOCHK exports are not published, so each shipped profile is our reading
// of them and a shop whose export differs copies one and renames the columns (README: Bank statements).
// A profile names the header columns that identify it, the date format, and either one signed amount
// column or a credit and a debit column. With a running balance column every row is checked against
// the one before it (in either order: banks list newest first or oldest first); the first and last
// balances then become the statement's opening and closing.
import { parse as parseCsv } from 'csv-parse/sync'
import type { LineIssue } from '../contract.ts'
import { normaliseHeader } from '../_shared/fields.ts'
import { sniffDelimiter } from '../_shared/header.ts'
import { formatMinor, MoneyFormatError, parseMinor } from '../_shared/money.ts'
import { compileDateFormat, TimeFormatError } from '../_shared/time.ts'
import { balanceIssue, type BankEntry, type BankStatement } from './statement.ts'

export interface BankProfile {
  id: string
  description: string
  /** Header names that must all be present for the profile to apply. */
  headerMatch: string[]
  columns: {
    valueDate: string, bookingDate?: string, amount?: string, credit?: string, debit?: string,
    balance?: string, narrative: string[], reference?: string, bankReference?: string, currency?: string, account?: string
  }
  dateFormat: string
  /** The account's currency when the file has no currency column. */
  currency: string
  /** Where the account number is when no column holds it: a pattern over the lines above the header. */
  accountPattern?: string
}

const KEYS = ['id', 'description', 'headerMatch', 'columns', 'dateFormat', 'currency', 'accountPattern']
const COLUMN_KEYS = ['valueDate', 'bookingDate', 'amount', 'credit', 'debit', 'balance', 'narrative', 'reference', 'bankReference', 'currency', 'account']

/** Checks a profile's shape, naming every problem; unknown keys are refused. */
export function parseBankProfile (raw: unknown, where = 'bank profile'): BankProfile {
  const p = raw as BankProfile
  const problems: string[] = []
  if (!p || typeof p !== 'object') throw new Error(`${where}: not an object`)
  for (const k of Object.keys(p)) if (!KEYS.includes(k)) problems.push(`unknown key "${k}"`)
  for (const k of Object.keys(p.columns ?? {})) if (!COLUMN_KEYS.includes(k)) problems.push(`unknown column key "${k}"`)
  if (typeof p.id !== 'string' || !p.id) problems.push('"id" is required')
  if (!Array.isArray(p.headerMatch) || p.headerMatch.length === 0) problems.push('"headerMatch" lists the header names that identify the file')
  if (!p.columns?.valueDate) problems.push('"columns.valueDate" is required')
  if (!Array.isArray(p.columns?.narrative)) problems.push('"columns.narrative" lists the text columns')
  const split = p.columns?.credit !== undefined || p.columns?.debit !== undefined
  if (p.columns?.amount ? split : !(p.columns?.credit && p.columns?.debit)) problems.push('give either "columns.amount" (signed) or both "columns.credit" and "columns.debit"')
  if (!/^[A-Z]{3}$/.test(p.currency ?? '')) problems.push('"currency" is the account\'s ISO code, e.g. "HKD"')
  if (!p.dateFormat) problems.push('"dateFormat" is required, e.g. "dd/MM/yyyy"')
  if (problems.length) throw new Error(`${where} ${p.id ?? ''}: ${problems.join('; ')}`)
  return p
}

/** The header line (within the first 30) a profile recognises, with the rows below it. */
function findHeader (lines: string[], profiles: readonly BankProfile[]): { index: number, profile: BankProfile, delimiter: string } | null {
  for (let i = 0; i < Math.min(lines.length, 30); i++) {
    const delimiter = sniffDelimiter(lines[i])
    const names = new Set(lines[i].split(delimiter).map(n => normaliseHeader(n.replace(/^"|"$/g, ''))))
    const profile = profiles.find(p => p.headerMatch.every(h => names.has(normaliseHeader(h))))
    if (profile) return { index: i, profile, delimiter }
  }
  return null
}

function amountOf (text: string): number {
  // "1,234.56", "(25.00)" (a debit in brackets), "-25.00", "25.00 DR"
  const t = text.replace(/,/g, '').trim()
  const negative = /^\(.*\)$/.test(t) || /\s*DR$/i.test(t)
  const v = parseMinor(t.replace(/^\(|\)$/g, '').replace(/\s*(DR|CR)$/i, ''))
  return negative ? -v : v
}

/** One file's entries as one statement of its account, or the lines that make it unreadable. */
export function readBankCsv (text: string, profiles: readonly BankProfile[], account: string | null): { profile: BankProfile | null, statements: BankStatement[], issues: LineIssue[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const found = findHeader(lines, profiles)
  if (!found) return { profile: null, statements: [], issues: [{ line: 0, message: `no header of a known bank export (${profiles.map(p => p.id).join(', ')}) in the first 30 lines` }] }
  const { index, profile: p, delimiter } = found
  const records = parseCsv(lines.slice(index).join('\n'), { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][]
  const header = records[0].map(normaliseHeader)
  const col = (name?: string): number => name ? header.indexOf(normaliseHeader(name)) : -1
  const c = { value: col(p.columns.valueDate), booking: col(p.columns.bookingDate), amount: col(p.columns.amount), credit: col(p.columns.credit), debit: col(p.columns.debit), balance: col(p.columns.balance), ref: col(p.columns.reference), bankRef: col(p.columns.bankReference), ccy: col(p.columns.currency), account: col(p.columns.account) }
  const texts = p.columns.narrative.map(col).filter(i => i >= 0)
  const asWritten = compileDateFormat(p.dateFormat)
  // an Excel download's date cell arrives as the wall time it shows (xlsx.ts), whatever the profile says
  const date = (v: string): string => /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(v) ? v.slice(0, 10) : asWritten(v)
  const issues: LineIssue[] = []
  const preamble = lines.slice(0, index).join('\n')
  let acct = account ?? (p.accountPattern ? new RegExp(p.accountPattern).exec(preamble)?.[1] ?? null : null)
  const rows: Array<{ entry: BankEntry, balance: number | null }> = []
  records.slice(1).forEach((r, k) => {
    const line = index + k + 2
    const cell = (i: number): string => i >= 0 ? (r[i] ?? '').trim() : ''
    if (r.every(v => !v.trim())) return
    try {
      const amount = c.amount >= 0 ? amountOf(cell(c.amount)) : (cell(c.credit) ? amountOf(cell(c.credit)) : 0) - (cell(c.debit) ? Math.abs(amountOf(cell(c.debit))) : 0)
      const valueDate = date(cell(c.value))
      acct ??= cell(c.account) || null
      rows.push({
        entry: { lineNo: line, valueDate, bookingDate: cell(c.booking) ? date(cell(c.booking)) : null, amount, currency: cell(c.ccy) || p.currency, type: null, customerRef: cell(c.ref) || null, bankRef: cell(c.bankRef) || null, narrative: texts.map(cell).filter(Boolean).join(' ') },
        balance: cell(c.balance) ? amountOf(cell(c.balance)) : null
      })
    } catch (err) {
      if (!(err instanceof MoneyFormatError || err instanceof TimeFormatError)) throw err
      issues.push({ line, message: err.message })
    }
  })
  if (!acct) issues.push({ line: 0, message: `the ${p.id} export does not name its account: give it (?account= or --account)` })
  if (issues.length) return { profile: p, statements: [], issues }
  return { profile: p, ...withBalances(rows, acct!, p) }
}

/** The statement, in date order, checked row by row against its running balance when there is one. */
function withBalances (rows: Array<{ entry: BankEntry, balance: number | null }>, account: string, p: BankProfile): { statements: BankStatement[], issues: LineIssue[] } {
  // newest first when the dates fall (or, on one day, when the balances only add up that way)
  const falls = rows.length > 1 && (rows[0].entry.valueDate > rows[rows.length - 1].entry.valueDate ||
    (rows[0].entry.valueDate === rows[rows.length - 1].entry.valueDate && rows[0].balance !== null && rows[1].balance !== null && rows[0].balance - rows[0].entry.amount === rows[1].balance))
  const ordered = falls ? [...rows].reverse() : rows
  const issues: LineIssue[] = []
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1].balance
    const cur = ordered[i]
    if (prev !== null && cur.balance !== null && prev + cur.entry.amount !== cur.balance) {
      issues.push({ line: cur.entry.lineNo, message: `the balance ${formatMinor(cur.balance)} is not the previous ${formatMinor(prev)} plus ${formatMinor(cur.entry.amount)}` })
    }
  }
  const first = ordered[0]
  const last = ordered[ordered.length - 1]
  const s: BankStatement = {
    account, statementId: null, currency: first?.entry.currency ?? p.currency,
    opening: first?.balance != null ? { date: first.entry.valueDate, amount: first.balance - first.entry.amount } : null,
    closing: last?.balance != null ? { date: last.entry.valueDate, amount: last.balance } : null,
    entries: ordered.map(r => r.entry)
  }
  const problem = issues.length ? null : balanceIssue(s)
  return { statements: [s], issues: problem ? [{ line: 0, message: problem }] : issues }
}
