// What each provider pays out, from its settlement records and the batch totals it stated, and what the
// day's report says about it. Pure: the gateway (or the offline CLI) gives the records' sums.
//   - records naming a batch (AlipayHK's settle batch, Adyen's batch number, Stripe's payout id) are
//     one payout per batch; a batch the provider stated (a settle-batch file, WeChat Pay's settlement
//     query) pays its stated net, which is what the bank must show, whatever its rows add up to;
//   - records of a provider that names no batch are one payout per settlement day (Octopus, KPay);
//     WeChat Pay's bill rows belong to the stated batch whose trade days cover them;
//   - a payout is reported on its close day, the last business day of the records it pays; it is due
//     in the bank within the provider's payout days (HK business days) after it settled.
import { formatMinor } from '../connectors/_shared/money.ts'
import { addBusinessDays } from './calendar.ts'
import { matchPayouts, payerOf, type Deposit, type Payout, type PayoutClock, type PayoutFindings } from './payouts.ts'
import type { Minor, Provider, ReconException, ReconPayment } from './types.ts'

/** The settlement records of one provider, batch, settlement day, business day and store, summed. */
export interface PayoutRecords {
  provider: Provider
  batchId: string | null
  settlementDate: string | null
  businessDate: string
  storeId: string | null
  net: Minor
}

/** The settlement records summed as the gateway's query sums them (for the offline reconciliation). */
export function payoutRecordsOf (payments: readonly ReconPayment[]): PayoutRecords[] {
  const sums = new Map<string, PayoutRecords>()
  for (const p of payments) {
    if (p.fileKind !== 'settlement' || p.businessDate === null) continue
    const k = [p.provider, p.batchId, p.settlementDate, p.businessDate, p.storeId].join('\u0000')
    const r = sums.get(k)
    if (r) r.net += p.net
    else sums.set(k, { provider: p.provider, batchId: p.batchId, settlementDate: p.settlementDate, businessDate: p.businessDate, storeId: p.storeId, net: p.net })
  }
  return [...sums.values()]
}

/** A batch total the provider stated; `settledOn` is its HKT settlement day when it gives one. */
export interface StatedPayout { provider: Provider, batchId: string, net: Minor, settledOn: string | null, covers: { from: string, to: string } | null }

/** How a provider pays out: T+n to settlement, then n business days to the bank's value day; the names its credits carry. */
export interface PayoutRule { settlementDays: number, payoutDays: number, bankNames: readonly string[] }

/** A batch id this long is taken as a reference in a bank's narrative; shorter ones (Adyen's batch 12) occur by chance. */
const MIN_REFERENCE = 6

interface Group { key: string, provider: Provider, batchId: string | null, net: Minor, rowsNet: Minor, days: Set<string>, settled: string | null, stores: Set<string | null> }

const max = (a: string | null, b: string | null): string | null => a === null ? b : b === null ? a : a > b ? a : b

type RecordKeys = Pick<PayoutRecords, 'provider' | 'batchId' | 'settlementDate' | 'businessDate'>

/**
 * Which payout a record belongs to: its batch; else the stated batch whose trade days cover it; else
 * its provider's payout of its settlement day (stated, or its business day plus the provider's cycle).
 */
export function payoutGroupOf (r: RecordKeys, stated: readonly StatedPayout[], rule: PayoutRule, holidays: ReadonlySet<string>): { key: string, batchId: string | null, settled: string | null } {
  const cover = r.batchId === null ? stated.find(b => b.covers !== null && b.provider === r.provider && r.businessDate >= b.covers.from && r.businessDate <= b.covers.to) : undefined
  const batchId = cover?.batchId ?? r.batchId
  const settled = r.settlementDate ?? (batchId === null ? addBusinessDays(r.businessDate, rule.settlementDays, holidays) : null)
  return { key: batchId !== null ? `b|${r.provider}|${batchId}` : `d|${r.provider}|${settled}`, batchId, settled }
}

export function buildPayouts (records: readonly PayoutRecords[], stated: readonly StatedPayout[], rules: Readonly<Record<Provider, PayoutRule | undefined>>, holidays: ReadonlySet<string>): Payout[] {
  const groups = new Map<string, Group>()
  const groupOf = (key: string, provider: Provider, batchId: string | null): Group => {
    let g = groups.get(key)
    if (!g) { g = { key, provider, batchId, net: 0, rowsNet: 0, days: new Set(), settled: null, stores: new Set() }; groups.set(key, g) }
    return g
  }
  for (const r of records) {
    const rule = rules[r.provider]
    if (!rule) continue
    const at = payoutGroupOf(r, stated, rule, holidays)
    const g = groupOf(at.key, r.provider, at.batchId)
    g.net += r.net
    g.rowsNet += r.net
    g.days.add(r.businessDate)
    g.settled = max(g.settled, at.settled)
    g.stores.add(r.storeId)
  }
  for (const b of stated) {
    if (!rules[b.provider]) continue
    const g = groupOf(`b|${b.provider}|${b.batchId}`, b.provider, b.batchId)
    g.net = b.net // what the provider says it pays is what the bank must show
    if (b.covers) g.days.add(b.covers.to)
    g.settled = b.settledOn ?? g.settled
  }
  const out: Payout[] = []
  for (const g of groups.values()) {
    const rule = rules[g.provider]!
    const closeDay = [...g.days].sort().at(-1) ?? g.settled
    // a batch that nets to nothing or less pays nothing: the provider carries it to the next one
    if (g.net <= 0 || closeDay === null || closeDay === undefined) continue
    const settlementDate = g.settled ?? addBusinessDays(closeDay, rule.settlementDays, holidays)
    const stores = [...g.stores]
    out.push({
      group: g.key,
      rowsNet: g.rowsNet,
      provider: g.provider,
      batchId: g.batchId,
      key: g.batchId ?? `${g.provider}:${settlementDate}`,
      reference: g.batchId !== null && g.batchId.length >= MIN_REFERENCE ? g.batchId : null,
      amount: g.net,
      settlementDate,
      dueBy: addBusinessDays(settlementDate, rule.payoutDays, holidays),
      closeDay,
      storeId: stores.length === 1 ? stores[0] : null
    })
  }
  // two providers may number their batches alike (Adyen's batch 1, another's payout 1): their exceptions must not share a key
  const seen = new Map<string, number>()
  for (const p of out) seen.set(p.key, (seen.get(p.key) ?? 0) + 1)
  for (const p of out) if (seen.get(p.key)! > 1) p.key = `${p.provider}:${p.key}`
  return out.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : a.provider < b.provider ? -1 : 1)
}

/** A payout as the day's report lists it: where its money is. */
export interface PayoutLine {
  provider: Provider
  payout: string
  batch_id: string | null
  store_id: string | null
  amount: Minor
  settlement_date: string
  due_by: string
  /**
   * in_bank: credited in full; amount_mismatch: credited another amount; missing: past due, the bank's
   * statements reach its due day and show no credit; pending: not yet due, or no statement reaches that day yet.
   */
  status: 'in_bank' | 'amount_mismatch' | 'missing' | 'pending'
  bank?: { entry: string, account: string, value_date: string, amount: Minor, by: 'reference' | 'amount_date' }
}

/** Where a payout's money is, for every payout of the window (the bridge follows each record to its payout). */
export interface PayoutState { payout: Payout, status: PayoutLine['status'], credited: Minor | null }

export interface PayoutReport { lines: PayoutLine[], exceptions: ReconException[], byGroup: Map<string, PayoutState> }

const base = (code: ReconException['code'], p: Payout, expected: Minor | null, actual: Minor | null, detail: string): ReconException =>
  ({ code, store_id: p.storeId, sale_id: null, tender: null, provider: p.provider, expected, actual, detail, batch_id: p.key })

/**
 * The day's payouts (closing on `date`) against the bank's credits, and the credits of `date` that name
 * a provider but that no payout claims. `payouts` and `deposits` may span more days than `date`: a
 * credit is claimed once across all of them.
 */
export function payoutReport (date: string, payouts: readonly Payout[], deposits: readonly Deposit[], clock: PayoutClock, rules: Readonly<Record<Provider, PayoutRule | undefined>>): PayoutReport {
  const names: Record<string, readonly string[]> = {}
  for (const [id, r] of Object.entries(rules)) if (r?.bankNames.length) names[id] = r.bankNames
  const f: PayoutFindings = matchPayouts(payouts, deposits, clock, names)
  const lines: PayoutLine[] = []
  const exceptions: ReconException[] = []
  const line = (p: Payout, status: PayoutLine['status'], m?: { deposit: Deposit, by: 'reference' | 'amount_date' }): PayoutLine => ({
    provider: p.provider, payout: p.key, batch_id: p.batchId, store_id: p.storeId, amount: p.amount, settlement_date: p.settlementDate, due_by: p.dueBy, status,
    ...(m ? { bank: { entry: m.deposit.id, account: m.deposit.account, value_date: m.deposit.valueDate, amount: m.deposit.amount, by: m.by } } : {})
  })
  const byGroup = new Map<string, PayoutState>()
  for (const m of f.matched) byGroup.set(m.payout.group, { payout: m.payout, status: 'in_bank', credited: m.deposit.amount })
  for (const m of f.mismatched) byGroup.set(m.payout.group, { payout: m.payout, status: 'amount_mismatch', credited: m.deposit.amount })
  for (const p of f.missing) byGroup.set(p.group, { payout: p, status: 'missing', credited: null })
  for (const p of f.pending) byGroup.set(p.group, { payout: p, status: 'pending', credited: null })
  const today = (p: Payout): boolean => p.closeDay === date
  for (const m of f.matched.filter(x => today(x.payout))) lines.push(line(m.payout, 'in_bank', m))
  for (const m of f.mismatched.filter(x => today(x.payout))) {
    lines.push(line(m.payout, 'amount_mismatch', m))
    exceptions.push({
      ...base('PAYOUT_AMOUNT_MISMATCH', m.payout, m.payout.amount, m.deposit.amount,
        `${m.payout.provider} payout ${m.payout.key} of ${formatMinor(m.payout.amount)} reached the bank as ${formatMinor(m.deposit.amount)} on ${m.deposit.valueDate}`),
      bank_entry: m.deposit.id,
      value_date: m.deposit.valueDate
    })
  }
  for (const p of f.missing.filter(today)) {
    lines.push(line(p, 'missing'))
    exceptions.push({ ...base('PAYOUT_MISSING', p, p.amount, 0, `${p.provider} payout ${p.key} of ${formatMinor(p.amount)}, settled ${p.settlementDate}, had not reached the bank by ${p.dueBy}`), due_by: p.dueBy })
  }
  for (const p of f.pending.filter(today)) lines.push(line(p, 'pending'))
  for (const d of f.unexpected.filter(x => x.valueDate === date)) {
    const provider = payerOf(d.text, names)
    exceptions.push({
      code: 'UNEXPECTED_DEPOSIT', store_id: null, sale_id: null, tender: null, provider, expected: null, actual: d.amount,
      detail: `a credit of ${formatMinor(d.amount)} on ${d.valueDate} names ${provider} but no payout of it is known`, bank_entry: d.id, value_date: d.valueDate
    })
  }
  lines.sort((a, b) => a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.payout < b.payout ? -1 : 1)
  return { lines, exceptions, byGroup }
}
