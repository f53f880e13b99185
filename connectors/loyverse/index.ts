// Loyverse receipts webhooks (formats.md §3.6). `X-Loyverse-Signature` is HMAC-SHA1 of the raw body
// with the OAuth client secret; Loyverse's own docs say base64, a community post says hex, so both
// are accepted. There is no event id: the body's SHA-256 is the idempotency key (a retry resends the
// same body) and the receipt number keeps a re-sent receipt from counting twice.
//
// Money is decimal major units as JSON numbers; refunds are separate receipts (receipt_type REFUND,
// refund_for = the original receipt number); `cancelled_at` marks a voided receipt. Loyverse tills
// have no provider reference for e-wallet tenders, so tenders carry none (matching uses amount/time).
import type { PosEvent, TenderMethod } from '../contract.ts'
import { InputError } from '../errors.ts'
import { header, type PosConnector } from '../pos.ts'
import { JsonReader, type Json, type JsonObject } from '../_shared/json-reader.ts'
import { buildPosEvent, type DraftLine, type DraftTender } from '../_shared/pos-event.ts'
import { lineAmount } from '../_shared/money.ts'
import { activeSecrets, bodyId, decodeBase64, decodeHex, hmac, sameDigest } from '../_shared/signature.ts'

export function tenderMethodFromName (name: string, type: string): TenderMethod {
  const n = `${name} ${type}`.toLowerCase()
  if (/octopus|八達通|八达通/.test(n)) return 'octopus'
  if (/alipay|支付寶|支付宝/.test(n)) return 'alipayhk'
  if (/wechat|weixin|微信/.test(n)) return 'wechatpay'
  if (/\bpayme\b/.test(n)) return 'payme'
  if (/\bfps\b|轉數快|转数快/.test(n)) return 'fps'
  if (/^cash|\bcash\b|現金|现金/.test(n)) return 'cash'
  if (/card|visa|master|amex|unionpay|銀聯/.test(n)) return 'card'
  return 'other'
}

function receiptEvents (v: Json, i: number, eventId: string, resolveStore: (s: string) => string, r: JsonReader): PosEvent[] {
  const path = `receipts[${i}]`
  const rc = r.object(v, path) as JsonObject | null
  if (!rc) return []
  const receiptNo = r.string(rc.receipt_number, `${path}.receipt_number`)
  const typeText = r.string(rc.receipt_type, `${path}.receipt_type`)
  if (typeText && typeText !== 'SALE' && typeText !== 'REFUND') r.fail(`${path}.receipt_type`, 'must be SALE or REFUND')
  const kind = typeText === 'REFUND' ? 'refund' : 'sale'
  const refundOf = r.string(rc.refund_for, `${path}.refund_for`, { required: kind === 'refund' })
  const occurredAt = r.time(rc.receipt_date ?? rc.created_at, `${path}.receipt_date`)
  const storeRef = r.string(rc.store_id, `${path}.store_id`)
  const storeId = storeRef ? resolveStore(storeRef) : ''
  const lines = r.array(rc.line_items, `${path}.line_items`).map((l, j): DraftLine | null => {
    const lp = `${path}.line_items[${j}]`
    const li = r.object(l, lp) as JsonObject | null
    if (!li) return null
    const sku = r.string(li.sku ?? li.variant_id ?? li.item_id, `${lp}.sku`, { max: 100 })
    const qty = r.qty(typeof li.quantity === 'number' ? Math.abs(li.quantity) : li.quantity, `${lp}.quantity`)
    const unitPrice = r.money(typeof li.price === 'number' ? Math.abs(li.price) : li.price, `${lp}.price`)
    const discount = r.money(typeof li.total_discount === 'number' ? Math.abs(li.total_discount) : li.total_discount, `${lp}.total_discount`, { required: false }) ?? 0
    if (sku === null || qty === null || unitPrice === null) return null
    return { sku, qty, unitPrice, discount, locationId: storeId }
  })
  const tenders = r.array(rc.payments, `${path}.payments`).map((p, j): DraftTender | null => {
    const pp = `${path}.payments[${j}]`
    const pay = r.object(p, pp) as JsonObject | null
    if (!pay) return null
    const amount = r.money(typeof pay.money_amount === 'number' ? Math.abs(pay.money_amount) : pay.money_amount, `${pp}.money_amount`)
    if (amount === null) return null
    const method = tenderMethodFromName(String(pay.name ?? ''), String(pay.type ?? ''))
    return { method, amount, reference: null, providerTxnId: null }
  })
  // Tax added on top, tips and surcharges are on the bill but move no stock.
  const abs = (x: Json | undefined): Json => typeof x === 'number' ? Math.abs(x) : x ?? 0
  const tip = r.money(abs(rc.tip), `${path}.tip`, { required: false }) ?? 0
  const surcharge = r.money(abs(rc.surcharge), `${path}.surcharge`, { required: false }) ?? 0
  const total = r.money(abs(rc.total_money), `${path}.total_money`, { required: false })
  if (!receiptNo || !occurredAt || !storeRef || r.issues.length) return []
  const linesTotal = lines.reduce((s, l) => s + (l ? lineAmount(l.unitPrice, l.qty, l.discount) : 0), 0)
  // total_money is what the customer paid for the bill; what the lines do not explain is a charge
  // (negative for a bill-level discount).
  const charges = total !== null ? total - linesTotal : tip + surcharge
  const base = { vendor: 'loyverse', eventId, saleId: receiptNo, storeId, terminalId: r.string(rc.pos_device_id, `${path}.pos_device_id`, { required: false }), receiptNo, occurredAt }
  const ev = buildPosEvent({
    ...base,
    kind,
    refundOf: kind === 'refund' ? refundOf : null,
    lines: lines.filter((l): l is DraftLine => l !== null),
    tenders: tenders.filter((t): t is DraftTender => t !== null),
    charges
  }, r, path)
  if (!ev) return []
  const out = [ev]
  if (rc.cancelled_at !== null && rc.cancelled_at !== undefined) {
    const cancelledAt = r.time(rc.cancelled_at, `${path}.cancelled_at`)
    if (cancelledAt) out.push({ ...ev, kind: 'void', occurredAt: cancelledAt, refundOf: null, lines: [], tenders: [], charges: 0, rounding: 0 })
  }
  return out
}

export const loyverse: PosConnector = {
  id: 'loyverse',
  kind: 'pos',
  signatureHeaders: ['x-loyverse-signature'],
  secretFormat: 'opaque',
  verify (req, secrets) {
    const sig = header(req.headers, 'x-loyverse-signature')
    if (!sig) return { ok: false, reason: 'missing X-Loyverse-Signature header' }
    const given = decodeHex(sig.trim(), 20) ?? decodeBase64(sig.trim(), 20)
    if (!given) return { ok: false, reason: 'X-Loyverse-Signature is not a base64 or hex SHA-1 digest' }
    let match = false
    for (const key of activeSecrets(secrets, req.receivedAt)) if (sameDigest(hmac('sha1', key, req.rawBody), given)) match = true
    return match ? { ok: true, eventId: bodyId(req.rawBody) } : { ok: false, reason: 'no signature matches' }
  },
  normalize (rawBody, _headers, ctx) {
    let body: Json
    try { body = JSON.parse(rawBody.toString('utf8')) } catch { throw new InputError('INVALID_PAYLOAD', 'the body is not JSON', [{ line: 0, message: 'the body is not JSON' }]) }
    const r = new JsonReader()
    const root = r.object(body, '$')
    const type = root ? r.string(root.type, 'type', { required: false }) : null
    if (root && type && !type.startsWith('receipts.')) return [] // items/customers/shifts updates are not sales
    const events = root ? r.array(root.receipts, 'receipts').flatMap((rc, i) => receiptEvents(rc, i, ctx.eventId, ctx.resolveStore, r)) : []
    if (r.issues.length) throw new InputError('INVALID_PAYLOAD', `invalid Loyverse receipts webhook: ${r.issues.map(i => `${i.column}: ${i.message}`).join('; ')}`, r.issues)
    return events
  }
}
