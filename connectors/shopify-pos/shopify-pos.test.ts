import t from 'tap'
import { builtInConnectors } from '../index.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { shopifyHeaders } from '../../fixtures/support/sign.ts'
import { gatewayMethod, shopifyPos } from './index.ts'

const SECRET = 'shopify-app-secret'
const NOW = new Date('2026-11-20T09:00:00Z')
const load = (f: string) => readFileSync(join(FIXTURES, 'shopify-pos', f))
const order = load('orders-create-pos.json')
const ctx = { eventId: 'w1', receivedAt: NOW, tenderMethods: builtInConnectors().tenderMethods, resolveStore: (s: string) => s === '655441491' ? 'CWB1' : s }
const verify = (headers: Record<string, string>, b: Buffer = order, secrets = [{ secret: SECRET }]) => shopifyPos.verify({ headers, rawBody: b, receivedAt: NOW }, secrets)

t.test('S1: X-Shopify-Hmac-Sha256 over the raw body; X-Shopify-Webhook-Id is the event id', async t => {
  t.same(verify(shopifyHeaders(SECRET, order, 'orders/create', 'wh-1')), { ok: true, eventId: 'wh-1' })
  t.match(verify({ 'x-shopify-topic': 'orders/create' }), { ok: false, reason: /missing X-Shopify-Hmac-Sha256/ })
  t.match(verify(shopifyHeaders('wrong', order, 'orders/create', 'wh-1')), { ok: false, reason: 'no signature matches' })
})

t.test('S2: malformed digests are refused without an exception', async t => {
  for (const sig of ['', 'abc', Buffer.alloc(20).toString('base64'), 'Z'.repeat(44), '*'.repeat(44)]) {
    t.doesNotThrow(() => verify({ 'x-shopify-hmac-sha256': sig }))
    t.equal(verify({ 'x-shopify-hmac-sha256': sig }).ok, false)
  }
})

t.test('S6: an app secret rotated with a not_after stops working after it', async t => {
  const secrets = [{ secret: 'old', notAfter: new Date(NOW.getTime() + 1000) }, { secret: SECRET }]
  const h = shopifyHeaders('old', order, 'orders/create', 'wh-1')
  t.ok(verify(h, order, secrets).ok)
  t.notOk(shopifyPos.verify({ headers: h, rawBody: order, receivedAt: new Date(NOW.getTime() + 5000) }, secrets).ok)
})

t.test('S7: re-serialised JSON fails', async t => {
  const h = shopifyHeaders(SECRET, order, 'orders/create', 'wh-1')
  t.notOk(verify(h, Buffer.from(JSON.stringify(JSON.parse(order.toString())))).ok)
})

t.test('a POS order becomes a sale at its location', async t => {
  const [sale] = shopifyPos.normalize(order, { 'x-shopify-topic': 'orders/create' }, ctx)
  t.match(sale, { vendor: 'shopify-pos', kind: 'sale', saleId: '5402311000001', storeId: 'CWB1', terminalId: '7', receiptNo: '#1001', lines: [{ sku: '10032', qty: 2, unitPrice: 4400, amount: 8800, locationId: 'CWB1' }], tenders: [{ method: 'cash', amount: 8800 }], charges: 0, rounding: 0 })
  t.equal(sale.occurredAt.toISOString(), '2026-11-20T08:45:00.000Z')
})

t.test('online orders and unrelated topics are acknowledged and ignored', async t => {
  t.same(shopifyPos.normalize(load('orders-create-web.json'), { 'x-shopify-topic': 'orders/create' }, ctx), [])
  t.same(shopifyPos.normalize(order, { 'x-shopify-topic': 'products/update' }, ctx), [])
})

t.test('refunds/create returns stock and pays back through the refund transactions', async t => {
  const [refund] = shopifyPos.normalize(load('refunds-create.json'), { 'x-shopify-topic': 'refunds/create' }, ctx)
  t.match(refund, { kind: 'refund', saleId: 'refund-8800001', refundOf: '5402311000001', storeId: 'CWB1', lines: [{ sku: '10032', qty: 1, amount: 4400, restock: true }], tenders: [{ method: 'cash', amount: -4400 }] })
  const noRestock = JSON.parse(load('refunds-create.json').toString())
  noRestock.refund_line_items[0].restock_type = 'no_restock'
  const [r2] = shopifyPos.normalize(Buffer.from(JSON.stringify(noRestock)), { 'x-shopify-topic': 'refunds/create' }, ctx)
  t.equal(r2.lines[0].restock, false)
})

t.test('orders/cancelled voids the order', async t => {
  t.match(shopifyPos.normalize(load('orders-cancelled.json'), { 'x-shopify-topic': 'orders/cancelled' }, ctx), [{ kind: 'void', saleId: '5402311000002', storeId: 'CWB1' }])
})

t.test('gateways map to tender methods', async t => {
  t.equal(gatewayMethod('Octopus (manual)'), 'octopus')
  t.equal(gatewayMethod('WeChat Pay (manual)'), 'wechatpay')
  t.equal(gatewayMethod('PayMe'), 'payme')
  t.equal(gatewayMethod('shopify_payments'), 'card')
  t.equal(gatewayMethod('cash'), 'cash')
  t.equal(gatewayMethod('AlipayHK'), 'alipayhk')
  t.equal(gatewayMethod('gift_card'), 'other', 'a gift card is not a card payment')
})
