import t from 'tap'
import { builtInConnectors } from '../index.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { loyverseHeaders } from '../../fixtures/support/sign.ts'
import { loyverse, tenderMethodFromName } from './index.ts'

const SECRET = 'loyverse-client-secret'
const NOW = new Date('2026-11-20T13:00:00Z')
const body = readFileSync(join(FIXTURES, 'loyverse/receipts-2026-11-20.json'))
const ctx = { eventId: 'e', receivedAt: NOW, tenderMethods: builtInConnectors().tenderMethods, resolveStore: (s: string) => s === '8f7c5d4e-0000-4000-8000-000000000001' ? 'TST1' : s }
const verify = (headers: Record<string, string>, b: Buffer = body, secrets = [{ secret: SECRET }]) => loyverse.verify({ headers, rawBody: b, receivedAt: NOW }, secrets)

t.test('S1: HMAC-SHA1 signatures in base64 and in hex are both accepted; the body hash is the event id', async t => {
  const b64 = verify(loyverseHeaders(SECRET, body, 'base64'))
  const hex = verify(loyverseHeaders(SECRET, body, 'hex'))
  t.ok(b64.ok && hex.ok)
  t.match(b64, { eventId: /^sha256:[0-9a-f]{64}$/ })
  t.same(b64, hex, 'same id either way')
  t.match(verify({}), { ok: false, reason: /missing X-Loyverse-Signature/ })
  t.match(verify(loyverseHeaders('other-secret', body)), { ok: false, reason: 'no signature matches' })
})

t.test('S2: wrong-length, non-base64 and empty signatures are refused without an exception', async t => {
  for (const sig of ['', 'abc', 'A'.repeat(27) + '=', 'z'.repeat(40), Buffer.alloc(32).toString('base64'), '%%%%']) {
    t.doesNotThrow(() => verify({ 'x-loyverse-signature': sig }))
    t.equal(verify({ 'x-loyverse-signature': sig }).ok, false, `refused "${sig.slice(0, 10)}"`)
  }
})

t.test('S6: a rotated client secret keeps working until its not_after', async t => {
  const secrets = [{ secret: 'old', notAfter: new Date(NOW.getTime() + 1000) }, { secret: SECRET }]
  t.ok(verify(loyverseHeaders('old', body), body, secrets).ok)
  t.notOk(loyverse.verify({ headers: loyverseHeaders('old', body), rawBody: body, receivedAt: new Date(NOW.getTime() + 2000) }, secrets).ok)
})

t.test('S7: a single changed byte fails', async t => {
  const h = loyverseHeaders(SECRET, body)
  const changed = Buffer.from(body)
  changed[10] = changed[10] === 0x20 ? 0x0a : 0x20
  t.notOk(verify(h, changed).ok)
})

t.test('receipts become sales with tenders mapped by name, tips as charges', async t => {
  const events = loyverse.normalize(body, {}, ctx)
  t.equal(events.length, 2)
  t.match(events[0], { vendor: 'loyverse', kind: 'sale', saleId: '1-1001', storeId: 'TST1', terminalId: 'd1f0c0de-0000-4000-8000-000000000001', lines: [{ sku: '70001', qty: 1, unitPrice: 4230, amount: 4230, locationId: 'TST1' }], tenders: [{ method: 'octopus', amount: 4230, reference: null }] })
  t.equal(events[0].occurredAt.toISOString(), '2026-11-20T12:15:00.000Z')
  t.match(events[1], { saleId: '1-1002', lines: [{ qty: 4, unitPrice: 2300, discount: 200, amount: 9000 }], tenders: [{ method: 'cash', amount: 9800 }], charges: 800, rounding: 0 })
})

t.test('a refund receipt links to its sale; a cancelled receipt also voids', async t => {
  const refund = loyverse.normalize(readFileSync(join(FIXTURES, 'loyverse/refund-2026-11-20.json')), {}, ctx)
  t.match(refund, [{ kind: 'refund', saleId: '1-1003', refundOf: '1-1002', tenders: [{ amount: -2300 }] }])
  const cancelled = JSON.parse(body.toString())
  cancelled.receipts = [{ ...cancelled.receipts[0], cancelled_at: '2026-11-20T12:20:00.000Z' }]
  const evs = loyverse.normalize(Buffer.from(JSON.stringify(cancelled)), {}, ctx)
  t.same(evs.map(e => [e.kind, e.saleId]), [['sale', '1-1001'], ['void', '1-1001']])
})

t.test('non-receipt webhooks are ignored; broken receipts are refused with paths', async t => {
  t.same(loyverse.normalize(Buffer.from('{"type":"items.update","items":[]}'), {}, ctx), [])
  const broken = { type: 'receipts.update', receipts: [{ receipt_number: '1-9', receipt_type: 'SALE', receipt_date: '2026-11-20T12:00:00Z', store_id: 's', line_items: [{ sku: 'A', quantity: 0, price: 'x' }], payments: [] }] }
  t.throws(() => loyverse.normalize(Buffer.from(JSON.stringify(broken)), {}, ctx), { code: 'INVALID_PAYLOAD', issues: [{ column: 'receipts[0].line_items[0].quantity' }, { column: 'receipts[0].line_items[0].price' }] })
})

t.test('payment names map to tender methods in English and Chinese', async t => {
  t.equal(tenderMethodFromName('八達通', 'OTHER'), 'octopus')
  t.equal(tenderMethodFromName('AlipayHK', 'OTHER'), 'alipayhk')
  t.equal(tenderMethodFromName('支付寶', 'OTHER'), 'alipayhk')
  t.equal(tenderMethodFromName('WeChat Pay HK', 'OTHER'), 'wechatpay')
  t.equal(tenderMethodFromName('微信支付', 'OTHER'), 'wechatpay')
  t.equal(tenderMethodFromName('PayMe', 'OTHER'), 'payme')
  t.equal(tenderMethodFromName('FPS 轉數快', 'OTHER'), 'fps')
  t.equal(tenderMethodFromName('Cash', 'CASH'), 'cash')
  t.equal(tenderMethodFromName('Visa', 'NONINTEGRATEDCARD'), 'card')
  t.equal(tenderMethodFromName('Voucher', 'OTHER'), 'other')
})
