import t from 'tap'
import { builtInConnectors } from '../index.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import type { WebhookRequest, WebhookSecret } from '../pos.ts'
import { thrown } from '../../fixtures/support/thrown.ts'
import { posCanonical } from './index.ts'
import { normalizeCanonical } from './normalize.ts'
import type { Json } from '../_shared/json-reader.ts'
import { signStandardWebhook, verifyStandardWebhook } from './verify.ts'

const K1 = 'whsec_' + Buffer.from('k1-secret-for-tests-0123456789').toString('base64')
const K2 = 'whsec_' + Buffer.from('k2-secret-for-tests-9876543210').toString('base64')
const NOW = new Date('2026-11-20T04:00:00Z')
const TS = Math.floor(NOW.getTime() / 1000)
const BODY = '{"id":"evt_1","type":"sale.completed"}'
const ctx = { eventId: 'evt_1', receivedAt: NOW, tenderMethods: builtInConnectors().tenderMethods, resolveStore: (s: string) => s }

function req (headers: Record<string, string>, body = BODY, receivedAt = NOW): WebhookRequest {
  return { headers, rawBody: Buffer.from(body), receivedAt }
}
const verify = (headers: Record<string, string>, body = BODY, secrets: WebhookSecret[] = [{ secret: K1 }], at = NOW) => posCanonical.verify(req(headers, body, at), secrets)

t.test('S1: the Standard Webhooks verification list', async t => {
  const good = standardHeaders(K1, 'evt_1', BODY, TS)
  t.same(verify(good), { ok: true, eventId: 'evt_1' }, 'valid signature')
  for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const { [h]: _, ...rest } = good
    t.match(verify(rest), { ok: false, reason: /missing/ }, `missing ${h}`)
  }
  t.match(verify({ ...good, 'webhook-timestamp': 'soon' }), { ok: false, reason: /unix seconds/ }, 'invalid timestamp')
  t.match(verify({ ...good, 'webhook-signature': 'v1,' + Buffer.alloc(32, 7).toString('base64') }), { ok: false, reason: 'no signature matches' }, 'invalid signature')
  const partial = good['webhook-signature'].slice(0, 20)
  t.match(verify({ ...good, 'webhook-signature': partial }), { ok: false }, 'partial signature')
  t.match(verify({ ...good, 'webhook-signature': good['webhook-signature'].replace('v1,', '') }), { ok: false }, 'unbranded (no v1,) signature')
  t.match(verify({ ...good, 'webhook-signature': good['webhook-signature'].replace('v1,', 'v2,') }), { ok: false }, 'unknown version')
  const multi = `v1,${Buffer.alloc(32, 1).toString('base64')} ${good['webhook-signature']} v1a,xyz`
  t.same(verify({ ...good, 'webhook-signature': multi }), { ok: true, eventId: 'evt_1' }, 'a valid one among several passes')
  const empty = standardHeaders(K1, 'evt_2', '', TS)
  t.same(verify(empty, ''), { ok: true, eventId: 'evt_2' }, 'an empty payload verifies (and fails later as a payload)')
  const plain = standardHeaders('plain-secret', 'evt_1', BODY, TS)
  t.same(verify(plain, BODY, [{ secret: 'plain-secret' }]), { ok: true, eventId: 'evt_1' }, 'a secret without whsec_ is used as bytes')
})

t.test('S2: malformed signatures are a refusal, never an exception', async t => {
  const good = standardHeaders(K1, 'evt_1', BODY, TS)
  for (const sig of ['v1,', 'v1,AAAA', 'v1,' + Buffer.alloc(31).toString('base64'), 'v1,' + Buffer.alloc(33).toString('base64'), 'v1,@@@not-base64@@@@@@@@@@@@@@@@@@@@@@@@@', 'v1,' + 'A'.repeat(4000), ' ', ',,,']) {
    t.doesNotThrow(() => verify({ ...good, 'webhook-signature': sig }))
    t.match(verify({ ...good, 'webhook-signature': sig }), { ok: false }, `refused: ${sig.slice(0, 12)}`)
  }
})

t.test('S4: timestamps are accepted within ±300 s and refused beyond', async t => {
  for (const [offset, ok] of [[-299, true], [299, true], [-301, false], [301, false]] as const) {
    const h = standardHeaders(K1, 'evt_1', BODY, TS + offset)
    t.equal(verify(h).ok, ok, `offset ${offset} s`)
  }
  t.match(verify(standardHeaders(K1, 'evt_1', BODY, TS - 301)), { reason: /too old/ })
  t.match(verify(standardHeaders(K1, 'evt_1', BODY, TS + 301)), { reason: /future/ })
})

t.test('S6: rotation — both keys work during the overlap, the old one not after it', async t => {
  const rollover = new Date(NOW.getTime() + 60_000)
  const secrets = [{ secret: K1, notAfter: rollover }, { secret: K2, notBefore: new Date(NOW.getTime() - 60_000) }]
  t.ok(verify(standardHeaders(K1, 'e', BODY, TS), BODY, secrets).ok, 'old key during overlap')
  t.ok(verify(standardHeaders(K2, 'e', BODY, TS), BODY, secrets).ok, 'new key during overlap')
  t.ok(verify(standardHeaders([K1, K2], 'e', BODY, TS), BODY, secrets).ok, 'signed with both')
  const later = new Date(rollover.getTime() + 1000)
  const laterTs = Math.floor(later.getTime() / 1000)
  t.notOk(verify(standardHeaders(K1, 'e', BODY, laterTs), BODY, secrets, later).ok, 'old key after not_after')
  t.ok(verify(standardHeaders(K2, 'e', BODY, laterTs), BODY, secrets, later).ok, 'new key after not_after')
  t.notOk(verify(standardHeaders(K2, 'e', BODY, TS - 120), BODY, [{ secret: K2, notBefore: NOW }], new Date(NOW.getTime() - 120_000)).ok, 'new key before not_before')
})

t.test('S7: one changed byte or re-serialised JSON fails', async t => {
  const body = '{"id":"evt_1", "type":"sale.completed"}'
  const h = standardHeaders(K1, 'evt_1', body, TS)
  t.ok(verify(h, body).ok)
  t.notOk(verify(h, body.replace(', ', ',')).ok, 'one whitespace byte removed')
  t.notOk(verify(h, JSON.stringify(JSON.parse(body))).ok, 're-serialised')
  t.notOk(verify({ ...h, 'webhook-id': 'evt_2' }, body).ok, 'another id')
})

t.test('normalises every fixture event: kinds, signs, cash rounding, voids', async t => {
  const lines = readFileSync(join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8').trim().split('\n')
  const events = lines.map((l, i) => normalizeCanonical(JSON.parse(l), ctx, i + 1))
  t.equal(events.length, 14)
  const byId = new Map(events.map(e => [`${e.kind}:${e.saleId}`, e]))
  t.match(byId.get('sale:MK01-T1-000123'), { storeId: 'MK01', terminalId: 'T1', lines: [{ sku: '10032', qty: 2, unitPrice: 4400, amount: 8800, locationId: 'MK01', restock: true }], tenders: [{ method: 'octopus', amount: 8800, reference: 'MK01-T1-000123-1' }], rounding: 0 })
  t.match(byId.get('sale:MK01-T1-000125'), { tenders: [{ method: 'cash', amount: 5700 }], rounding: 5 }, 'HK$56.95 paid with HK$57.00 cash')
  t.match(byId.get('refund:MK01-T1-000142'), { refundOf: 'MK01-T1-000128', tenders: [{ amount: -1295 }], lines: [{ qty: 1, amount: 1295 }] }, 'refund tenders are negative, quantities positive')
  t.match(byId.get('void:CWB1-T1-000002'), { lines: [], tenders: [], rounding: 0 })
  t.match(byId.get('sale:CWB1-T1-000001'), { lines: [{ discount: 1200, amount: 12000 }] })
  t.equal(byId.get('sale:CWB1-T1-000003')?.occurredAt.toISOString(), '2026-11-20T17:30:00.000Z')
})

t.test('an invalid event lists every problem with its path', async t => {
  const bad = { id: 'e', type: 'sale.done', occurred_at: 'noon', data: { sale_id: 'S', store_id: 'MK01', lines: [{ sku: '', qty: -1, unit_price: '1.234' }], tenders: [{ method: 'bitcoin', amount: '5' }] } }
  const err = thrown(() => normalizeCanonical(bad, ctx, 7))
  t.equal(err.code, 'INVALID_PAYLOAD')
  t.same(err.issues.map((i: { column: string }) => i.column), ['type', 'occurred_at', 'data.lines[0].sku', 'data.lines[0].qty', 'data.lines[0].unit_price', 'data.tenders[0].method'])
  t.ok(err.issues.every((i: { line: number }) => i.line === 7), 'NDJSON line kept')
})

t.test('tenders must pay the lines; only cash/Octopus may round, by at most 5 cents', async t => {
  const mk = (tenders: Array<[string, string]>) => ({ id: 'e', type: 'sale.completed', occurred_at: '2026-11-20T12:00:00+08:00', data: { sale_id: 'S', store_id: 'MK01', lines: [{ sku: 'A', qty: 1, unit_price: '10.03' }], tenders: tenders.map(([method, amount]) => ({ method, amount })) } })
  t.equal(normalizeCanonical(mk([['octopus', '10.00']]), ctx).rounding, -3)
  t.equal(normalizeCanonical(mk([['cash', '10.05']]), ctx).rounding, 2)
  t.match(thrown(() => normalizeCanonical(mk([['alipayhk', '10.00']]), ctx)), { issues: [{ column: 'data.tenders', message: /does not pay lines 10.03$/ }] })
  t.match(thrown(() => normalizeCanonical(mk([['cash', '10.10']]), ctx)), { issues: [{ message: /rounding is at most ±0.05/ }] })
  t.match(thrown(() => normalizeCanonical(mk([]), ctx)), { issues: [{ column: 'data.tenders', message: /at least one tender/ }] })
})

t.test('a card tender may carry its scheme, last four digits and authorisation code; nothing more of a card, and only on a card tender', async t => {
  const mk = (method: string, card: Json) => ({ id: 'e', type: 'sale.completed', occurred_at: '2026-11-20T12:00:00+08:00', data: { sale_id: 'S', store_id: 'MK01', lines: [{ sku: 'A', qty: 1, unit_price: '120.00' }], tenders: [{ method, amount: '120.00', reference: null, card }] } })
  t.same(normalizeCanonical(mk('card', { brand: 'MasterCard Debit', last4: '4444', auth_code: 'A1B2C3' }), ctx).tenders[0].card, { brand: 'mastercard', last4: '4444', authCode: 'A1B2C3' }, 'the scheme under its one name')
  t.same(normalizeCanonical(mk('card', { brand: '銀聯' }), ctx).tenders[0].card, { brand: 'unionpay', last4: null, authCode: null })
  t.notOk('card' in normalizeCanonical(mk('card', null), ctx).tenders[0], 'no details: none kept')
  const issues = (method: string, card: Json) => thrown(() => normalizeCanonical(mk(method, card), ctx)).issues.map((i: { column: string, message: string }) => `${i.column}: ${i.message}`)
  t.same(issues('card', { last4: '54444' }), ['data.tenders[0].card.last4: the last four digits of the card, and nothing more'])
  t.same(issues('card', { auth_code: 'A1 B2;' }), ['data.tenders[0].card.auth_code: an authorisation code is 1 to 12 letters or digits'])
  t.same(issues('card', { cvv: '123' }), ['data.tenders[0].card.cvv: is not a card detail (brand, last4, auth_code)'])
  t.same(issues('cash', { last4: '1111' }), ['data.tenders[0].card: only a card tender carries card details'])
})

t.test('a body that is not JSON is an invalid payload', async t => {
  t.throws(() => posCanonical.normalize(Buffer.from('{nope'), {}, ctx), { code: 'INVALID_PAYLOAD', message: 'the body is not JSON' })
})

// The Standard Webhooks libraries' published known answer (standard-webhooks/standard-webhooks,
// libraries/*/ "sign function works"): our signer and verifier are checked against it, not only
// against each other.
t.test('Standard Webhooks: the specification\'s known-answer example signs and verifies', async t => {
  const key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek'
  const ts = 1614265330
  const payload = '{"test": 2432232314}'
  const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
  t.equal(signStandardWebhook(key, id, ts, payload), expected)
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': expected }
  t.same(verifyStandardWebhook({ headers, rawBody: Buffer.from(payload), receivedAt: new Date(ts * 1000) }, [{ secret: key }]), { ok: true, eventId: id })
  t.match(verifyStandardWebhook({ headers, rawBody: Buffer.from(payload + ' '), receivedAt: new Date(ts * 1000) }, [{ secret: key }]), { ok: false }, 'one byte more and it fails')
  t.match(verifyStandardWebhook({ headers, rawBody: Buffer.from(payload), receivedAt: new Date((ts + 301) * 1000) }, [{ secret: key }]), { ok: false }, 'outside the five-minute tolerance')
})
