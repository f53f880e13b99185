// Canonical POS events (contract.md §1) into PosEvents. Amounts are decimal strings in HKD; refunds
// carry positive amounts and take their sign from the type; a void names the sale (or refund) it
// reverses. Optional `charges` (service charge, tip, tax on top) is our compatible extension.
import type { PosEvent } from '../contract.ts'
import { InputError } from '../errors.ts'
import { JsonReader, type Json, type JsonObject } from '../_shared/json-reader.ts'
import { buildPosEvent, type DraftLine, type DraftTender } from '../_shared/pos-event.ts'
import { cardBrand, type CardDetails } from '../_shared/cards.ts'

const KINDS = { 'sale.completed': 'sale', 'sale.refunded': 'refund', 'sale.voided': 'void' } as const

export interface CanonicalContext {
  resolveStore: (ref: string) => string
  /** The tender methods the gateway knows (the registry's: base methods and every provider's). */
  tenderMethods: ReadonlySet<string>
}

/** Normalises one parsed canonical event; `line` is its NDJSON line (0 for a webhook). */
export function normalizeCanonical (value: Json, ctx: CanonicalContext, line = 0): PosEvent {
  const r = new JsonReader(line)
  const event = readEvent(value, ctx, r)
  if (!event) throw new InputError('INVALID_PAYLOAD', `invalid canonical POS event: ${r.issues.map(i => `${i.column}: ${i.message}`).join('; ')}`, r.issues)
  return event
}

function readEvent (value: Json, ctx: CanonicalContext, r: JsonReader): PosEvent | null {
  const ev = r.object(value, '$')
  if (!ev) return null
  const id = r.string(ev.id, 'id')
  const typeText = r.string(ev.type, 'type')
  const kind = typeText ? KINDS[typeText as keyof typeof KINDS] : undefined
  if (typeText && !kind) r.fail('type', `must be one of ${Object.keys(KINDS).join(', ')}`)
  const occurredAt = r.time(ev.occurred_at, 'occurred_at')
  const data = r.object(ev.data, 'data')
  if (!data) return null
  const saleId = r.string(data.sale_id, 'data.sale_id')
  const storeRef = r.string(data.store_id, 'data.store_id', { required: kind !== 'void' })
  const storeId = storeRef ? ctx.resolveStore(storeRef) : ''
  const refundOf = r.string(data.refund_of, 'data.refund_of', { required: kind === 'refund' })
  const lines = kind === 'void' ? [] : r.array(data.lines, 'data.lines').map((l, i) => readLine(l, `data.lines[${i}]`, storeId, r))
  const tenders = kind === 'void' ? [] : r.array(data.tenders, 'data.tenders').map((t, i) => readTender(t, `data.tenders[${i}]`, r, ctx.tenderMethods))
  const charges = kind === 'void' ? 0 : r.money(data.charges, 'data.charges', { required: false }) ?? 0
  if (!id || !kind || !occurredAt || !saleId || (kind !== 'void' && !storeRef) || r.issues.length) return null
  return buildPosEvent({
    vendor: 'pos-canonical',
    eventId: id,
    kind,
    saleId,
    refundOf: kind === 'refund' ? refundOf : null,
    storeId,
    terminalId: r.string(data.terminal_id, 'data.terminal_id', { required: false }),
    receiptNo: r.string(data.receipt_no, 'data.receipt_no', { required: false }),
    occurredAt,
    lines: lines.filter((l): l is DraftLine => l !== null),
    tenders: tenders.filter((t): t is DraftTender => t !== null),
    charges
  }, r)
}

function readLine (v: Json, path: string, storeId: string, r: JsonReader): DraftLine | null {
  const l = r.object(v, path) as JsonObject | null
  if (!l) return null
  const sku = r.string(l.sku, `${path}.sku`, { max: 100 })
  const qty = r.qty(l.qty, `${path}.qty`)
  const unitPrice = r.money(l.unit_price, `${path}.unit_price`)
  const discount = r.money(l.discount, `${path}.discount`, { required: false }) ?? 0
  const locationId = r.string(l.location_id, `${path}.location_id`, { required: false }) ?? storeId
  if (sku === null || qty === null || unitPrice === null) return null
  return { sku, qty, unitPrice, discount, locationId }
}

function readTender (v: Json, path: string, r: JsonReader, methods: ReadonlySet<string>): DraftTender | null {
  const t = r.object(v, path) as JsonObject | null
  if (!t) return null
  const method = r.string(t.method, `${path}.method`)
  if (method && !methods.has(method)) r.fail(`${path}.method`, `must be one of ${[...methods].join(', ')}`)
  const amount = r.money(t.amount, `${path}.amount`)
  const reference = r.string(t.reference, `${path}.reference`, { required: false })
  const providerTxnId = r.string(t.provider_txn_id, `${path}.provider_txn_id`, { required: false })
  const card = t.card === undefined || t.card === null ? null : readCard(t.card, `${path}.card`, r)
  if (card && method !== 'card') r.fail(`${path}.card`, 'only a card tender carries card details')
  if (!method || !methods.has(method) || amount === null) return null
  return card ? { method, amount, reference, providerTxnId, card } : { method, amount, reference, providerTxnId }
}

/** `{ brand, last4, auth_code }`, each optional: never more of a card than its last four digits. */
function readCard (v: Json, path: string, r: JsonReader): CardDetails | null {
  const c = r.object(v, path) as JsonObject | null
  if (!c) return null
  for (const k of Object.keys(c)) if (!['brand', 'last4', 'auth_code'].includes(k)) r.fail(`${path}.${k}`, 'is not a card detail (brand, last4, auth_code)')
  const brand = r.string(c.brand, `${path}.brand`, { required: false, max: 32 })
  const last4 = r.string(c.last4, `${path}.last4`, { required: false, max: 32 })
  if (last4 !== null && !/^\d{4}$/.test(last4)) r.fail(`${path}.last4`, 'the last four digits of the card, and nothing more')
  const authCode = r.string(c.auth_code, `${path}.auth_code`, { required: false, max: 32 })
  if (authCode !== null && !/^[A-Za-z0-9]{1,12}$/.test(authCode)) r.fail(`${path}.auth_code`, 'an authorisation code is 1 to 12 letters or digits')
  return { brand: cardBrand(brand), last4, authCode }
}
