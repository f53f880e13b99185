// SWIFT MT940 customer statements, as corporate banking channels (HSBCnet, HSBC Connect) deliver them
// (tenders.md §4). Fields are `:tag:` lines, continued on the lines that follow; a file may hold several
// statements, each optionally wrapped in `{1:…}{2:…}{4:` … `-}` blocks.
//   :20:  transaction reference          :25:  account        :28C: statement / sequence number
//   :60F: / :60M: opening balance        :61:  statement line (one entry)   :86: information to the owner
//   :62F: / :62M: closing balance        :64: / :65: available balances (not checked)
// A balance is `C|D YYMMDD CCY amount` with a decimal comma. A `:61:` line is
//   value date YYMMDD, [entry date MMDD], C | D | RC | RD, [funds code], amount, type (N/F/S + 3),
//   customer reference [// bank reference], then on the next line supplementary details.
// Every statement (and every page of one, :60M:/:62M:) must balance: opening + entries = closing.
import type { LineIssue } from '../contract.ts'
import { parseMinor } from '../_shared/money.ts'
import { balanceIssue, type BankBalance, type BankEntry, type BankStatement } from './statement.ts'

interface Field { tag: string, value: string, line: number }

/** The `:tag:value` fields in order, continuation lines joined with "\n"; block wrappers dropped. */
function fields (text: string): Field[] {
  const out: Field[] = []
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = raw.replace(/^\{[1-3]:[^}]*\}/g, '').replace(/^\{4:/, '').replace(/^-\}?$/, '')
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(line)
    if (m) out.push({ tag: m[1], value: m[2], line: i + 1 })
    else if (line.trim() && out.length) out[out.length - 1].value += '\n' + line
  })
  return out
}

/** YYMMDD → ISO day (years 80–99 are 19xx). */
function day (yymmdd: string): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(yymmdd)
  if (!m) return null
  const y = Number(m[1]) + (Number(m[1]) >= 80 ? 1900 : 2000)
  const d = new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3])))
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null
  return d.toISOString().slice(0, 10)
}

/** An entry date MMDD in the year that puts it nearest its value date (a Dec 31 entry of a Jan 2 value). */
function nearDay (mmdd: string, valueDate: string): string | null {
  const y = Number(valueDate.slice(0, 4))
  const options = [y - 1, y, y + 1].map(yy => day(`${String(yy % 100).padStart(2, '0')}${mmdd}`)).filter((d): d is string => d !== null)
  const v = Date.parse(valueDate)
  return options.sort((a, b) => Math.abs(Date.parse(a) - v) - Math.abs(Date.parse(b) - v))[0] ?? null
}

/** "1234,56" → 123456 cents (MT940 writes a decimal comma, always). */
function amount (text: string): number | null {
  if (!/^\d{1,15},\d{0,2}$/.test(text)) return null
  return parseMinor(text.replace(',', '.'))
}

function balance (f: Field, issues: LineIssue[]): { currency: string, balance: BankBalance } | null {
  const m = /^([CD])(\d{6})([A-Z]{3})(\d+,\d*)$/.exec(f.value.trim())
  const date = m ? day(m[2]) : null
  const value = m ? amount(m[4]) : null
  if (!m || !date || value === null) { issues.push({ line: f.line, column: f.tag, message: `:${f.tag}: "${f.value.trim()}" is not a balance (C|D, YYMMDD, currency, amount with a decimal comma)` }); return null }
  return { currency: m[3], balance: { date, amount: m[1] === 'D' ? -value : value } }
}

const LINE_61 = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d{1,15},\d{0,2})([NFS][A-Z0-9]{3})(.*)$/

function entry (f: Field, currency: string, issues: LineIssue[]): BankEntry | null {
  const [first, ...rest] = f.value.split('\n')
  const m = LINE_61.exec(first.trim())
  const valueDate = m ? day(m[1]) : null
  const value = m ? amount(m[5]) : null
  if (!m || !valueDate || value === null) { issues.push({ line: f.line, column: '61', message: `:61: "${first.trim()}" is not a statement line (value date, D/C mark, amount, type, reference)` }); return null }
  // a credit, or the reversal of a debit, brings money in
  const sign = m[3] === 'C' || m[3] === 'RD' ? 1 : -1
  const [customer, bank] = m[7].split('//')
  const supplementary = rest.join(' ').trim()
  return {
    lineNo: f.line,
    valueDate,
    bookingDate: m[2] ? nearDay(m[2], valueDate) : null,
    amount: sign * value,
    currency,
    type: m[6],
    customerRef: customer && customer !== 'NONREF' ? customer.trim() : null,
    bankRef: bank?.trim() || null,
    narrative: supplementary
  }
}

/** Every statement of an MT940 file, or the lines that make it unreadable (nothing is half-read). */
export function parseMt940 (text: string): { statements: BankStatement[], issues: LineIssue[] } {
  const issues: LineIssue[] = []
  const statements: BankStatement[] = []
  let s: BankStatement | null = null
  let last: BankEntry | null = null
  let before = 0
  const close = (): void => {
    if (!s) return
    // a statement with an unreadable line cannot balance: that line is the problem to name
    const problem = issues.length === before ? balanceIssue(s) : null
    if (problem) issues.push({ line: 0, message: problem })
    statements.push(s)
    s = null
  }
  for (const f of fields(text)) {
    if (f.tag === '20') { close(); s = { account: '', statementId: null, currency: '', opening: null, closing: null, entries: [] }; last = null; before = issues.length; continue }
    if (!s) { issues.push({ line: f.line, column: f.tag, message: `:${f.tag}: before any :20: (a statement starts with its reference)` }); continue }
    if (f.tag === '25') s.account = f.value.trim()
    else if (f.tag === '28C' || f.tag === '28') s.statementId = f.value.trim()
    else if (f.tag === '60F' || f.tag === '60M') {
      const b = balance(f, issues)
      if (b) { s.currency = b.currency; s.opening = b.balance }
    } else if (f.tag === '61') {
      last = entry(f, s.currency, issues)
      if (last) s.entries.push(last)
    } else if (f.tag === '86') {
      // information after a statement line describes that entry; after the closing balance, the statement
      if (last) last.narrative = [last.narrative, f.value.replace(/\n/g, ' ').trim()].filter(Boolean).join(' ')
    } else if (f.tag === '62F' || f.tag === '62M') {
      const b = balance(f, issues)
      if (b) {
        if (s.currency && b.currency !== s.currency) issues.push({ line: f.line, column: f.tag, message: `the closing balance is in ${b.currency}, the opening in ${s.currency}` })
        s.closing = b.balance
      }
      last = null
    }
  }
  close()
  for (const st of statements) if (!st.account) issues.push({ line: 0, message: `statement ${st.statementId ?? ''} has no :25: account`.replace('  ', ' ') })
  if (statements.length === 0 && issues.length === 0) issues.push({ line: 0, message: 'no MT940 statement (:20: … :62F:) in the file' })
  return { statements, issues }
}
