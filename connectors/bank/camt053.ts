// ISO 20022 camt.053 bank-to-customer statements (versions .001.02 to .001.13), as corporate channels
// deliver them (tenders.md §4). Per `<Stmt>`: the account (`Acct/Id/IBAN` or `Othr/Id`), the booked
// opening (`OPBD`, else `PRCD`) and closing (`CLBD`) balances, and each `<Ntry>`: `Amt` with `Ccy`,
// `CdtDbtInd` (CRDT in, DBIT out: the direction of the entry itself, also for a reversal, `RvslInd`),
// `Sts` (only BOOK entries are on the statement's balance; pending ones are left out), `BookgDt` and
// `ValDt`, `AcctSvcrRef`, the bank transaction code, and the texts (`AddtlNtryInf`, remittance
// `Ustrd`, the counterparty's name) where payout and trace ids are found.
// A document with a DOCTYPE is refused: statements never need one, and entities are how XML bombs work.
import { createRequire } from 'node:module'
import type { XMLParser } from 'fast-xml-parser'
import type { LineIssue } from '../contract.ts'
import { MoneyFormatError, parseMinor } from '../_shared/money.ts'
import { balanceIssue, type BankBalance, type BankEntry, type BankStatement } from './statement.ts'

type Node = Record<string, unknown>
// Made for the first statement read, from the package's one-file CommonJS build: its ES modules are some
// 40 files, which every run and the gateway loaded at start-up for a format most banks' files are not in.
let made: XMLParser | undefined
function xmlParser (): XMLParser {
  if (made === undefined) {
    const { XMLParser: Parser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser')
    made = new Parser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, trimValues: true, isArray: name => ['Stmt', 'Bal', 'Ntry', 'TxDtls', 'Ustrd'].includes(name) })
  }
  return made
}

const list = (v: unknown): Node[] => Array.isArray(v) ? v as Node[] : v === undefined ? [] : [v as Node]
const node = (v: unknown): Node | undefined => v && typeof v === 'object' ? v as Node : undefined
/** The text at a path of child names, or '' (a leaf may carry attributes: its text is `#text`). */
function text (n: Node | undefined, ...path: string[]): string {
  let cur: unknown = n
  for (const p of path) cur = node(cur)?.[p]
  if (cur && typeof cur === 'object') cur = (cur as Node)['#text']
  return cur === undefined || cur === null ? '' : String(cur).trim()
}
/** A date element (`<Dt>` or `<DtTm>`) as an ISO day. */
const isoDay = (n: Node | undefined): string | null => (text(n, 'Dt') || text(n, 'DtTm')).slice(0, 10) || null

function money (n: Node | undefined, where: string, issues: LineIssue[]): { amount: number, currency: string } | null {
  const amt = node(n?.Amt)
  const raw = text(amt)
  try {
    if (!/^\d{1,15}(\.\d{1,2})?$/.test(raw)) throw new MoneyFormatError(raw, 'not an amount with a decimal point')
    const value = parseMinor(raw)
    const sign = text(n, 'CdtDbtInd')
    if (sign !== 'CRDT' && sign !== 'DBIT') { issues.push({ line: 0, message: `${where}: CdtDbtInd "${sign}" is neither CRDT nor DBIT` }); return null }
    return { amount: sign === 'DBIT' ? -value : value, currency: String(amt?.['@Ccy'] ?? '') }
  } catch (err) {
    if (!(err instanceof MoneyFormatError)) throw err
    issues.push({ line: 0, message: `${where}: Amt "${raw}" is not an amount` })
    return null
  }
}

function balanceOf (bals: Node[], codes: string[], where: string, issues: LineIssue[]): BankBalance | null {
  for (const code of codes) {
    const b = bals.find(x => text(x, 'Tp', 'CdOrPrtry', 'Cd') === code)
    if (!b) continue
    const m = money(b, `${where} balance ${code}`, issues)
    const date = isoDay(node(b.Dt))
    return m && date ? { date, amount: m.amount } : null
  }
  return null
}

/** The joined texts of an entry and its transactions: where a payout id or an FPS payer's note is. */
function narrativeOf (e: Node): string {
  const parts = [text(e, 'AddtlNtryInf')]
  for (const tx of list(node(e.NtryDtls)?.TxDtls)) {
    parts.push(...list(node(tx.RmtInf)?.Ustrd).map(u => String(typeof u === 'object' ? (u as Node)['#text'] ?? '' : u).trim()))
    parts.push(text(tx, 'RltdPties', 'Dbtr', 'Nm') || text(tx, 'RltdPties', 'Dbtr', 'Pty', 'Nm'), text(tx, 'AddtlTxInf'))
  }
  return parts.filter(Boolean).join(' ')
}

function typeOf (e: Node): string | null {
  const domain = node(node(e.BkTxCd)?.Domn)
  const family = node(domain?.Fmly)
  const iso = [text(domain, 'Cd'), text(family, 'Cd'), text(family, 'SubFmlyCd')].filter(Boolean).join('-')
  return iso || text(e, 'BkTxCd', 'Prtry', 'Cd') || null
}

function entryOf (e: Node, lineNo: number, fallbackCcy: string, where: string, issues: LineIssue[]): BankEntry | null {
  const m = money(e, where, issues)
  const valueDate = isoDay(node(e.ValDt)) ?? isoDay(node(e.BookgDt))
  if (!valueDate) issues.push({ line: lineNo, message: `${where}: no ValDt or BookgDt` })
  if (!m || !valueDate) return null
  const txs = list(node(e.NtryDtls)?.TxDtls)
  const endToEnd = txs.map(tx => text(tx, 'Refs', 'EndToEndId')).find(r => r && r !== 'NOTPROVIDED') ?? null
  return {
    lineNo,
    valueDate,
    bookingDate: isoDay(node(e.BookgDt)),
    amount: m.amount,
    currency: m.currency || fallbackCcy,
    type: typeOf(e),
    customerRef: endToEnd,
    bankRef: text(e, 'AcctSvcrRef') || txs.map(tx => text(tx, 'Refs', 'AcctSvcrRef')).find(Boolean) || text(e, 'NtryRef') || null,
    narrative: narrativeOf(e)
  }
}

/** 1-based line of each `<Ntry>` start tag (with or without a namespace prefix), in document order. */
function entryLines (xml: string): number[] {
  const out: number[] = []
  let line = 1
  let from = 0
  for (const m of xml.matchAll(/<(?:\w+:)?Ntry[\s>]/g)) {
    for (let i = from; i < m.index; i++) if (xml.charCodeAt(i) === 10) line++
    from = m.index
    out.push(line)
  }
  return out
}

export function parseCamt053 (xml: string): { statements: BankStatement[], issues: LineIssue[] } {
  const issues: LineIssue[] = []
  if (/<!DOCTYPE/i.test(xml)) return { statements: [], issues: [{ line: 0, message: 'a camt.053 document with a DOCTYPE is refused (entities are not needed and not expanded)' }] }
  let doc: Node
  try { doc = xmlParser().parse(xml, true) as Node } catch (err) {
    return { statements: [], issues: [{ line: Number((err as { err?: { line?: number } }).err?.line ?? 0), message: `not well-formed XML: ${(err as Error).message.split('\n')[0]}` }] }
  }
  const root = node(node(doc.Document)?.BkToCstmrStmt)
  if (!root) return { statements: [], issues: [{ line: 0, message: 'no BkToCstmrStmt: not a camt.053 statement' }] }
  const lines = entryLines(xml)
  let n = 0
  const statements: BankStatement[] = []
  for (const [si, st] of list(root.Stmt).entries()) {
    const acct = node(st.Acct)
    const account = text(acct, 'Id', 'IBAN') || text(acct, 'Id', 'Othr', 'Id')
    const id = text(st, 'Id') || null
    const where = `statement ${id ?? si + 1}`
    if (!account) issues.push({ line: 0, message: `${where}: no account (Acct/Id/IBAN or Othr/Id)` })
    const bals = list(st.Bal)
    const currency = text(acct, 'Ccy') || String(node(node(bals[0])?.Amt)?.['@Ccy'] ?? '')
    const entries: BankEntry[] = []
    const before = issues.length
    for (const e of list(st.Ntry)) {
      const line = lines[n++] ?? 0
      const status = text(e, 'Sts', 'Cd') || text(e, 'Sts')
      if (status && status !== 'BOOK') continue // pending or information only: not on the booked balance
      const entry = entryOf(e, line, currency, `${where}, entry at line ${line}`, issues)
      if (entry) entries.push(entry)
    }
    const s: BankStatement = { account, statementId: id, currency, opening: balanceOf(bals, ['OPBD', 'PRCD'], where, issues), closing: balanceOf(bals, ['CLBD'], where, issues), entries }
    // a statement with an unreadable entry cannot balance: that entry is the problem to name
    const problem = issues.length === before ? balanceIssue(s) : null
    if (problem) issues.push({ line: 0, message: problem })
    statements.push(s)
  }
  if (statements.length === 0 && issues.length === 0) issues.push({ line: 0, message: 'the camt.053 document holds no Stmt' })
  return { statements, issues }
}
