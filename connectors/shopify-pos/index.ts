// Shopify POS webhooks (formats.md §3.3). `X-Shopify-Hmac-Sha256` is base64 HMAC-SHA256 of the raw
// body with the app secret; `X-Shopify-Webhook-Id` is the idempotency key; `X-Shopify-Topic` says
// what the body is. Only orders with `source_name: "pos"` are sales of ours — online orders are
// acknowledged and ignored. Topics: orders/create and orders/paid (a sale), refunds/create (a refund
// with its own id, restocking unless `restock_type` is no_restock), orders/cancelled (a void).
// Amounts are decimal strings; ids are numbers.
import type { PosEvent, TenderMethod } from '../contract.ts'
import { InputError } from '../errors.ts'
import { header, type NormalizeContext, type PosConnector } from '../pos.ts'
import { JsonReader, type Json, type JsonObject } from '../_shared/json-reader.ts'
import { buildPosEvent, type DraftLine, type DraftTender } from '../_shared/pos-event.ts'
import { lineAmount } from '../_shared/money.ts'
import { activeSecrets, bodyId, decodeBase64, hmac, sameDigest } from '../_shared/signature.ts'

export function gatewayMethod (gateway: string): TenderMethod {
  const g = gateway.toLowerCase()
  if (g.includes('octopus')) return 'octopus'
  if (g.includes('alipay')) return 'alipayhk'
  if (g.includes('wechat')) return 'wechatpay'
  if (/\bpayme\b/.test(g)) return 'payme' // not shopify_payments
  if (g === 'cash' || g.includes('cash')) return 'cash'
  if (g.includes('fps')) return 'fps'
  if (g.includes('gift')) return 'other'
  if (g.includes('shopify_payments') || g.includes('card')) return 'card'
  return 'other'
}

/** Successful transactions of the given kinds, as tenders (authorization = the provider's id). */
function transactionTenders (list: Json[], kinds: string[], path: string, r: JsonReader): DraftTender[] {
  const out: DraftTender[] = []
  list.forEach((v, i) => {
    const tx = r.object(v, `${path}[${i}]`) as JsonObject | null
    if (!tx || !kinds.includes(String(tx.kind)) || (tx.status !== undefined && tx.status !== 'success')) return
    const amount = r.money(tx.amount, `${path}[${i}].amount`)
    if (amount === null) return
    out.push({ method: gatewayMethod(String(tx.gateway ?? '')), amount, reference: null, providerTxnId: r.string(tx.authorization, `${path}[${i}].authorization`, { required: false }) })
  })
  return out
}

function orderSale (o: JsonObject, eventId: string, ctx: NormalizeContext, r: JsonReader): PosEvent | null {
  const saleId = r.string(o.id, 'id')
  const occurredAt = r.time(o.processed_at ?? o.created_at, 'processed_at')
  const loc = r.string(o.location_id, 'location_id')
  const storeId = loc ? ctx.resolveStore(loc) : ''
  const lines = r.array(o.line_items, 'line_items').map((v, i): DraftLine | null => {
    const li = r.object(v, `line_items[${i}]`) as JsonObject | null
    if (!li) return null
    const sku = r.string(li.sku || li.variant_id, `line_items[${i}].sku`, { max: 100 })
    const qty = r.qty(li.quantity, `line_items[${i}].quantity`)
    const price = r.money(li.price, `line_items[${i}].price`)
    // discount_allocations carry line and order-level discounts spread over the lines
    const allocations = r.array(li.discount_allocations, `line_items[${i}].discount_allocations`, false)
    const discount = allocations.length
      ? allocations.reduce<number>((s, a, j) => s + (r.money((a as JsonObject)?.amount, `line_items[${i}].discount_allocations[${j}].amount`) ?? 0), 0)
      : r.money(li.total_discount, `line_items[${i}].total_discount`, { required: false }) ?? 0
    if (sku === null || qty === null || price === null) return null
    return { sku, qty, unitPrice: price, discount, locationId: storeId }
  })
  const total = r.money(o.total_price, 'total_price')
  let tenders = transactionTenders(r.array(o.transactions, 'transactions', false), ['sale', 'capture'], 'transactions', r)
  if (tenders.length === 0 && total !== null) {
    const gateways = r.array(o.payment_gateway_names, 'payment_gateway_names', false).map(String)
    // Order webhooks carry no per-gateway amounts: one gateway pays it all; several are recorded as 'other'.
    tenders = [{ method: gateways.length === 1 ? gatewayMethod(gateways[0]) : 'other', amount: total, reference: null, providerTxnId: null }]
  }
  if (!saleId || !occurredAt || !loc || total === null || r.issues.length) return null
  const good = lines.filter((l): l is DraftLine => l !== null)
  const linesTotal = good.reduce((s, l) => s + lineAmount(l.unitPrice, l.qty, l.discount), 0)
  return buildPosEvent({
    vendor: 'shopify-pos', eventId, kind: 'sale', saleId, refundOf: null, storeId,
    terminalId: r.string(o.device_id, 'device_id', { required: false }),
    receiptNo: r.string(o.name ?? o.order_number, 'name', { required: false }),
    occurredAt, lines: good, tenders, charges: total - linesTotal
  }, r, '$')
}

function refundEvent (o: JsonObject, eventId: string, ctx: NormalizeContext, r: JsonReader): PosEvent | null {
  const id = r.string(o.id, 'id')
  const orderId = r.string(o.order_id, 'order_id')
  const occurredAt = r.time(o.processed_at ?? o.created_at, 'created_at')
  let storeId = ''
  const lines = r.array(o.refund_line_items, 'refund_line_items').map((v, i): DraftLine | null => {
    const p = `refund_line_items[${i}]`
    const rl = r.object(v, p) as JsonObject | null
    const item = rl ? r.object(rl.line_item, `${p}.line_item`) as JsonObject | null : null
    if (!rl || !item) return null
    const loc = r.string(rl.location_id, `${p}.location_id`, { required: false })
    if (loc && !storeId) storeId = ctx.resolveStore(loc)
    const sku = r.string(item.sku || item.variant_id, `${p}.line_item.sku`, { max: 100 })
    const qty = r.qty(rl.quantity, `${p}.quantity`)
    const price = r.money(item.price, `${p}.line_item.price`)
    const subtotal = r.money(rl.subtotal, `${p}.subtotal`, { required: false })
    if (sku === null || qty === null || price === null) return null
    const gross = lineAmount(price, qty, 0)
    return { sku, qty, unitPrice: price, discount: subtotal !== null ? gross - subtotal : 0, locationId: loc ? ctx.resolveStore(loc) : '', restock: rl.restock_type !== 'no_restock' }
  })
  const tenders = transactionTenders(r.array(o.transactions, 'transactions'), ['refund'], 'transactions', r)
  if (!storeId) r.fail('refund_line_items', 'no line names a location_id; the store of the refund is unknown')
  if (!id || !orderId || !occurredAt || r.issues.length) return null
  const good = lines.filter((l): l is DraftLine => l !== null).map(l => ({ ...l, locationId: l.locationId || storeId }))
  const linesTotal = good.reduce((s, l) => s + lineAmount(l.unitPrice, l.qty, l.discount), 0)
  const paid = tenders.reduce((s, t) => s + t.amount, 0)
  return buildPosEvent({
    vendor: 'shopify-pos', eventId, kind: 'refund', saleId: `refund-${id}`, refundOf: orderId, storeId,
    terminalId: null, receiptNo: null, occurredAt, lines: good, tenders, charges: paid - linesTotal
  }, r, '$')
}

export const shopifyPos: PosConnector = {
  id: 'shopify-pos',
  kind: 'pos',
  signatureHeaders: ['x-shopify-hmac-sha256'],
  secretFormat: 'opaque',
  keepHeaders: ['x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-triggered-at'],
  verify (req, secrets) {
    const sig = header(req.headers, 'x-shopify-hmac-sha256')
    if (!sig) return { ok: false, reason: 'missing X-Shopify-Hmac-Sha256 header' }
    const given = decodeBase64(sig.trim(), 32)
    if (!given) return { ok: false, reason: 'X-Shopify-Hmac-Sha256 is not a base64 SHA-256 digest' }
    let match = false
    for (const key of activeSecrets(secrets, req.receivedAt)) if (sameDigest(hmac('sha256', key, req.rawBody), given)) match = true
    if (!match) return { ok: false, reason: 'no signature matches' }
    const id = header(req.headers, 'x-shopify-webhook-id') ?? header(req.headers, 'x-shopify-event-id')
    return { ok: true, eventId: id && id.length <= 200 ? id : bodyId(req.rawBody) }
  },
  normalize (rawBody, headers, ctx) {
    const topic = header(headers, 'x-shopify-topic') ?? ''
    let body: Json
    try { body = JSON.parse(rawBody.toString('utf8')) } catch { throw new InputError('INVALID_PAYLOAD', 'the body is not JSON', [{ line: 0, message: 'the body is not JSON' }]) }
    const r = new JsonReader()
    const o = r.object(body, '$')
    let events: PosEvent[] = []
    if (o && (topic === 'orders/create' || topic === 'orders/paid')) {
      if (o.source_name !== 'pos') return []
      const ev = orderSale(o, ctx.eventId, ctx, r)
      events = ev ? [ev] : []
    } else if (o && topic === 'orders/cancelled') {
      if (o.source_name !== 'pos') return []
      const saleId = r.string(o.id, 'id')
      const at = r.time(o.cancelled_at ?? o.updated_at, 'cancelled_at')
      const loc = r.string(o.location_id, 'location_id', { required: false })
      if (saleId && at) events = [{ vendor: 'shopify-pos', eventId: ctx.eventId, kind: 'void', saleId, refundOf: null, storeId: loc ? ctx.resolveStore(loc) : '', terminalId: null, receiptNo: null, occurredAt: at, lines: [], tenders: [], charges: 0, rounding: 0 }]
    } else if (o && topic === 'refunds/create') {
      const ev = refundEvent(o, ctx.eventId, ctx, r)
      events = ev ? [ev] : []
    } else if (o) {
      return [] // other topics are acknowledged and ignored
    }
    if (r.issues.length) throw new InputError('INVALID_PAYLOAD', `invalid Shopify ${topic} webhook: ${r.issues.map(i => `${i.column}: ${i.message}`).join('; ')}`, r.issues)
    return events
  }
}
