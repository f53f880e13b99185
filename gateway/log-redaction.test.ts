import t from 'tap'
import { Writable } from 'node:stream'
import { builtInConnectors } from '../connectors/index.ts'
import { posCanonical } from '../connectors/pos-canonical/index.ts'
import { saleEvent } from '../fixtures/support/sales.ts'
import { shopifyHeaders, standardHeaders } from '../fixtures/support/sign.ts'
import { SECRETS, testRuntime } from '../fixtures/support/runtime.ts'
import { redactPaths } from './app.ts'

t.test('the redact list is built from the registry: a vendor registered tomorrow has its signature header hidden too', async t => {
  const vendors = [...builtInConnectors().pos.values()]
  const paths = redactPaths(vendors)
  for (const h of ['webhook-signature', 'x-loyverse-signature', 'x-shopify-hmac-sha256']) t.ok(paths.includes(`req.headers["${h}"]`), h)
  t.ok(paths.includes('req.headers.cookie'))
  t.ok(paths.includes('req.headers.authorization'))
  const tomorrow = { ...posCanonical, id: 'acme-till', signatureHeaders: ['X-Acme-Signature'] }
  t.ok(redactPaths([...vendors, tomorrow]).includes('req.headers["x-acme-signature"]'))
})

t.test('requests are logged without signatures, keys or cookies', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const rt = await testRuntime(t, { logger: { level: 'info', stream, serializers: { req: (req: { method: string, url: string, headers: unknown }) => ({ method: req.method, url: req.url, headers: req.headers }) } } })
  const body = saleEvent(1, { prefix: 'LOG' })
  const signed = standardHeaders(SECRETS['pos-canonical'], 'evt_LOG1', body)
  await rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: { ...signed, cookie: 'sid=secret-session-token', authorization: 'Bearer finance-key-0123456789' }, payload: body })
  const order = '{"id":1}'
  const shopify = shopifyHeaders(SECRETS['shopify-pos'], order, 'orders/create', 'wh-log')
  await rt.app!.inject({ method: 'POST', url: '/v1/webhooks/shopify-pos', headers: shopify, payload: order })
  const log = lines.join('')
  t.match(log, /"url":"\/v1\/webhooks\/pos-canonical"/, 'the request was logged, with its headers')
  for (const secret of [signed['webhook-signature'], shopify['x-shopify-hmac-sha256'], 'secret-session-token', 'finance-key-0123456789']) t.notMatch(log, secret, 'not in the log')
  t.match(log, /\[Redacted\]/)
})
