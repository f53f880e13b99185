// Tenders the bank itself records (an FPS payment at the till arrives as one credit in seconds): where
// no provider file lists them, the bank's credits are their records. A credit whose text names such a
// provider (its descriptor's bankReceipts) becomes one of its payments, dated by its value day, with no
// time (only where no file of that provider is loaded: its records are there already). It pays a tender whose reference it carries (the remittance text of a QR that held it), else
// the one tender of its amount on its value day (or the evening before) when that is the only pairing.
import { addDays } from '../connectors/_shared/time.ts'
import type { Matching, TenderRef } from './match.ts'
import { payerOf, type Deposit } from './payouts.ts'
import type { PayoutInput, Provider, ReconPayment, ReconSale } from './types.ts'

const TOKEN = /[^A-Za-z0-9_-]+/

/**
 * The credits of the day and its neighbours that are a receipt provider's records, and the rest (what
 * payouts may claim). The longest name a text carries decides: "FPS CREDIT OCTOPUS CARDS LTD" is
 * Octopus paying out through FPS, not a till's FPS payment.
 */
export function splitCredits (date: string, input: PayoutInput, receiptNames: Readonly<Record<Provider, readonly string[]>>, payoutNames: Readonly<Record<Provider, readonly string[]>>, sales: readonly ReconSale[], filed: ReadonlySet<Provider>): { receipts: ReconPayment[], rest: Deposit[] } {
  const receiptProviders = new Set(Object.keys(receiptNames))
  // judged only once the statements reach the next day: a sale's FPS credit has come by then
  const judged = receiptProviders.size > 0 && input.bankThrough !== null && input.bankThrough >= addDays(date, 1)
  const names = { ...payoutNames, ...receiptNames }
  // every tender's reference, gathered the first time a credit needs it (most days none: FPS has its own file)
  let references: Set<string> | null = null
  const referenceIn = (text: string): string | null => {
    references ??= new Set(sales.flatMap(s => s.tenders.map(t => t.reference).filter((r): r is string => r !== null)))
    return text.split(TOKEN).find(tok => references!.has(tok)) ?? null
  }
  const receipts: ReconPayment[] = []
  const rest: Deposit[] = []
  for (const d of input.deposits) {
    const provider = payerOf(d.text, names)
    if (provider === null || !receiptProviders.has(provider)) { rest.push(d); continue }
    // a provider whose own file is here has its records already: its credits are not read twice
    if (!judged || filed.has(provider) || d.valueDate < addDays(date, -1) || d.valueDate > addDays(date, 1)) continue
    const ref = referenceIn(d.text)
    receipts.push({
      id: `bank-${d.id}`, provider, fileKind: 'settlement', type: 'payment', providerTxnId: `bank-${d.id}`, merchantRef: ref, originalRef: null, originalProviderTxnId: null,
      gross: d.amount, fee: 0, net: d.amount, paidAt: null, businessDate: d.valueDate, settlementDate: d.valueDate, batchId: null, storeId: null, deviceId: null, account: d.account
    })
  }
  return { receipts, rest }
}

/**
 * After the reference pass: a receipt and a tender that are each other's only candidate by amount and
 * day. The tenders are looked up by provider and amount (a day has a million; its receipts, thousands).
 */
export function matchReceiptsByAmountDay (m: Matching, receipts: readonly ReconPayment[]): void {
  const free = receipts.filter(p => m.isFree(p))
  if (free.length === 0) return
  const fits = (t: TenderRef, p: ReconPayment): boolean => t.provider === p.provider && t.dir === 'payment' && !m.byTender.has(t) && !t.sale.voided &&
    t.tender.amount === p.gross && (t.sale.businessDate === p.businessDate || addDays(t.sale.businessDate, 1) === p.businessDate)
  const providers = new Set(free.map(p => p.provider))
  const byAmount = byProviderAndAmount(m.tenders.filter(t => t.dir === 'payment' && providers.has(t.provider)), t => t.provider, t => t.tender.amount)
  const freeByAmount = byProviderAndAmount(free, p => p.provider, p => p.gross)
  for (const p of free) {
    const tenders = (byAmount.get(p.provider)?.get(p.gross) ?? []).filter(t => fits(t, p))
    if (tenders.length !== 1) continue
    const rivals = freeByAmount.get(p.provider)!.get(p.gross)!.filter(q => q !== p && m.isFree(q) && fits(tenders[0], q))
    if (rivals.length === 0) m.pair(tenders[0], p, 'amount_date')
  }
}

/** Items by provider and then amount, each list in the items' order. */
function byProviderAndAmount<T> (items: readonly T[], provider: (x: T) => string, amount: (x: T) => number): Map<string, Map<number, T[]>> {
  const out = new Map<string, Map<number, T[]>>()
  for (const x of items) {
    let byAmount = out.get(provider(x))
    if (!byAmount) { byAmount = new Map(); out.set(provider(x), byAmount) }
    const list = byAmount.get(amount(x))
    if (list) list.push(x); else byAmount.set(amount(x), [x])
  }
  return out
}
