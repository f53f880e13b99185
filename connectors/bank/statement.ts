// A bank account statement in one form, whatever the bank wrote (MT940, camt.053, a business-banking
// CSV through a mapping profile): where each provider's payout must arrive. Amounts are signed minor
// units as money moves into the account (a credit is positive); days are the bank's ISO dates.
import { formatMinor, type Minor } from '../_shared/money.ts'

export interface BankBalance { date: string, amount: Minor }

export interface BankEntry {
  /** 1-based line of the file where the entry starts (for refusals). */
  lineNo: number
  valueDate: string
  bookingDate: string | null
  /** Signed: a credit (money in) is positive, a debit negative; a reversal flips its entry's sign. */
  amount: Minor
  currency: string
  /** The bank's transaction type code (MT940 `NTRF`, camt `PMNT-RCDT-…`), when given. */
  type: string | null
  /** The reference the payer or the account owner gave (MT940 `:61:` customer reference, camt EndToEndId). */
  customerRef: string | null
  /** The bank's own reference for the entry. */
  bankRef: string | null
  /** Free text about the entry (MT940 `:86:`, camt AddtlNtryInf / remittance info): where trace ids hide. */
  narrative: string
}

export interface BankStatement {
  account: string
  /** The statement's number or id, when the format has one. */
  statementId: string | null
  currency: string
  opening: BankBalance | null
  closing: BankBalance | null
  entries: BankEntry[]
}

/** The statement's balance problem, if any: opening + movements must equal closing, to the cent. */
export function balanceIssue (s: BankStatement): string | null {
  if (!s.opening || !s.closing) return null
  const moved = s.entries.reduce((sum, e) => sum + e.amount, 0)
  if (s.opening.amount + moved === s.closing.amount) return null
  const f = formatMinor
  const which = s.statementId ? `statement ${s.statementId} of ${s.account}` : `the statement of ${s.account}`
  return `${which}: opening ${f(s.opening.amount)} + movements ${f(moved)} = ${f(s.opening.amount + moved)}, but the closing balance says ${f(s.closing.amount)}`
}
