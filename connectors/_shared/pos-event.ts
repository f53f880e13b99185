// Builds a canonical PosEvent from what a POS connector read, applying the rules every vendor shares:
// refunds are signed negative, line amounts are qty × price − discount, and tenders must pay the lines
// plus charges to the cent — except that a cash or Octopus tender may round the total by at most ±5
// cents (HK's smallest coin is 10 cents; Octopus works in 10-cent steps), which is kept as rounding.
import type { CardDetails, PosEvent, PosEventKind, SaleLine, Tender, TenderMethod } from '../contract.ts'
import type { JsonReader } from './json-reader.ts'
import { formatMinor, lineAmount, type Minor } from './money.ts'

export const MAX_ROUNDING = 5

export interface DraftLine {
  sku: string
  qty: number
  unitPrice: Minor
  discount: Minor
  /** The vendor's own line total, when it sends one (checked against qty × price − discount). */
  amount?: Minor
  locationId: string
  restock?: boolean
}

export interface DraftTender { method: TenderMethod, amount: Minor, reference: string | null, providerTxnId: string | null, card?: CardDetails | null }

export interface DraftEvent {
  vendor: string
  eventId: string
  kind: PosEventKind
  saleId: string
  refundOf: string | null
  storeId: string
  terminalId: string | null
  receiptNo: string | null
  occurredAt: Date
  lines: DraftLine[]
  /** Magnitudes (positive); the direction comes from `kind`. */
  tenders: DraftTender[]
  /** Non-stock amounts on the bill as a magnitude like the tenders (negative for a bill-level discount). */
  charges?: Minor
}

/** Validates totals and signs; records problems on `r` and returns null when there are any. */
export function buildPosEvent (d: DraftEvent, r: JsonReader, path = 'data'): PosEvent | null {
  const sign = d.kind === 'refund' ? -1 : 1
  const lines: SaleLine[] = d.lines.map((l, i) => {
    const computed = lineAmount(l.unitPrice, l.qty, l.discount)
    if (computed < 0) r.fail(`${path}.lines[${i}].discount`, 'discount is larger than the line')
    if (l.amount !== undefined && l.amount !== computed) {
      r.fail(`${path}.lines[${i}]`, `line total ${formatMinor(l.amount)} ≠ qty × unit price − discount = ${formatMinor(computed)}`)
    }
    return { lineNo: i + 1, sku: l.sku, qty: l.qty, unitPrice: l.unitPrice, discount: l.discount, amount: computed, locationId: l.locationId, restock: l.restock ?? true }
  })
  // two literals rather than a spread: a million sales' tenders are built here, and a spread copies through an object of its own
  const tenders: Tender[] = d.tenders.map((t, i) => t.card
    ? { tenderNo: i + 1, method: t.method, amount: sign * t.amount || 0, reference: t.reference, providerTxnId: t.providerTxnId, card: t.card }
    : { tenderNo: i + 1, method: t.method, amount: sign * t.amount || 0, reference: t.reference, providerTxnId: t.providerTxnId })
  const linesTotal = lines.reduce((s, l) => s + l.amount, 0)
  const tendersTotal = d.tenders.reduce((s, t) => s + t.amount, 0)
  const charges = d.charges ?? 0
  const diff = tendersTotal - linesTotal - charges
  if (d.kind !== 'void') {
    if (lines.length === 0) r.fail(`${path}.lines`, 'a sale or refund needs at least one line')
    if (d.tenders.length === 0) r.fail(`${path}.tenders`, 'a sale or refund needs at least one tender')
    const mayRound = d.tenders.some(t => t.method === 'cash' || t.method === 'octopus')
    if (diff !== 0 && !(mayRound && Math.abs(diff) <= MAX_ROUNDING)) {
      r.fail(`${path}.tenders`, `tenders total ${formatMinor(tendersTotal)} does not pay lines ${formatMinor(linesTotal)}${charges ? ` + charges ${formatMinor(charges)}` : ''}` +
        (mayRound ? ` (cash/Octopus rounding is at most ±${formatMinor(MAX_ROUNDING)})` : ''))
    }
  }
  if (r.issues.length) return null
  return {
    vendor: d.vendor,
    eventId: d.eventId,
    kind: d.kind,
    saleId: d.saleId,
    refundOf: d.refundOf,
    storeId: d.storeId,
    terminalId: d.terminalId,
    receiptNo: d.receiptNo,
    occurredAt: d.occurredAt,
    lines: d.kind === 'void' ? [] : lines,
    tenders: d.kind === 'void' ? [] : tenders,
    charges: d.kind === 'void' ? 0 : sign * charges || 0,
    rounding: d.kind === 'void' ? 0 : sign * diff || 0
  }
}
