// The e-mail alert channel against a server that speaks SMTP (fixtures/doubles/smtp.ts): a channel
// added only through the sink registry, routed per alert type beside or instead of the robots.
import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { SmtpDouble } from '../../fixtures/doubles/smtp.ts'
import { eventually, testRuntime } from '../../fixtures/support/runtime.ts'
import { ConfigError } from '../config-error.ts'
import { forwardingConfig } from '../config-forwarding.ts'
import { enqueue } from '../outbox/outbox.ts'
import type { LowStockAlert } from './alerts.ts'

const ALERT: LowStockAlert = { kind: 'low_stock', sku: '10032', name: '維他檸檬茶 Lemon tea', location_id: 'MK01', on_hand: '2.000', reorder_point: '6.000', supplier: 'SUP1', purchase_order_id: 7, mobiles: [], user_ids: [] }

async function setup (t: Test) {
  const smtp = await new SmtpDouble().listen()
  t.teardown(() => smtp.close())
  const forwarding = forwardingConfig({
    allowHosts: ['127.0.0.1'], timeoutMs: 5000, retryLimit: 5, retryDelaySeconds: 1,
    sinks: [{ id: 'owners', kind: 'email', host: '127.0.0.1', port: smtp.port, secure: false, from: '港對數 HK Recon <recon@shop.example>', to: ['owner@shop.example', 'finance@shop.example'] }],
    alerts: { lowStock: ['email:owners'], ops: 'email:owners' }
  })
  const rt = await testRuntime(t, { workers: true, config: { forwarding } })
  const alert = (key: string, a: object = ALERT) => rt.db.withTransaction(c => enqueue(c, rt.boss, [{ sink: 'email:owners', topic: 'alert', key, payload: a }]))
  const status = async (key: string) => (await rt.db.query(`SELECT status FROM outbox WHERE key = $1`, [key])).rows[0]?.status
  return { smtp, rt, alert, status }
}

t.test('an alert is one e-mail to every recipient, bilingual, with a Message-ID derived from its outbox key', async t => {
  const { smtp, alert, status } = await setup(t)
  await alert('low_stock:1')
  await eventually(async () => await status('low_stock:1') === 'delivered')
  t.equal(smtp.received.length, 1)
  const m = smtp.received[0]
  t.equal(m.from, 'recon@shop.example')
  t.same(m.to, ['owner@shop.example', 'finance@shop.example'])
  t.equal(m.subject, '低庫存 Low stock: 10032 @ MK01')
  t.match(m.text, /維他檸檬茶 Lemon tea @ MK01：存貨 on hand 2\.000，補貨點 reorder at 6\.000；採購單草稿 Draft PO #7 \(SUP1\)/)
  t.equal(m.messageId, `<${createHash('sha256').update('low_stock:1').digest('hex').slice(0, 32)}@recon-gateway>`, 'the same key always gives the same Message-ID')
  t.equal(m.headers['x-recon-key'], 'low_stock:1')
})

t.test('SMTP 451 (try later) is retried until the server takes it; 550 for every recipient (refused for good) is dead-lettered', async t => {
  const { smtp, alert, status } = await setup(t)
  smtp.refuse['owner@shop.example'] = { code: 451, times: 1 }
  await alert('low_stock:2')
  await eventually(async () => await status('low_stock:2') === 'delivered', 30_000)
  t.equal(smtp.received.length, 1, 'delivered once, after the greylisting')
  // every recipient refused for good (a partial refusal still delivers to the others)
  smtp.refuse['owner@shop.example'] = { code: 550 }
  smtp.refuse['finance@shop.example'] = { code: 550 }
  await alert('low_stock:3')
  await eventually(async () => await status('low_stock:3') === 'dead', 30_000)
  t.equal(smtp.received.length, 1, 'nothing more was accepted')
})

t.test('alert routes: per type, beside or instead of the robots; a target that takes no alerts or does not exist is refused', async t => {
  const robots = { stock: { url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 'SECx' } }
  const email = { id: 'owners', kind: 'email', host: 'smtp.shop.example', from: 'recon@shop.example', to: ['owner@shop.example'] }
  const f = forwardingConfig({ allowHosts: ['smtp.shop.example'], sinks: [email], alerts: { lowStock: ['robot:stock', 'email:owners'], mismatch: 'email:owners' }, dingtalk: { robots, alerts: { ops: 'stock' } } })
  t.same(f.alerts, { lowStock: ['robot:stock', 'email:owners'], mismatch: ['email:owners'], ops: ['robot:stock'] })
  t.throws(() => forwardingConfig({ allowHosts: ['smtp.shop.example'], sinks: [email], alerts: { ops: 'email:nobody' } }), /forwarding.alerts.ops: email:nobody is no DingTalk robot/)
  const http = { id: 'erp', kind: 'http', url: 'https://erp.shop.example/x', secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64') }
  t.throws(() => forwardingConfig({ allowHosts: ['erp.shop.example'], sinks: [http], alerts: { ops: 'http:erp' } }), /no configured sink that takes alerts/)
  t.throws(() => forwardingConfig({ sinks: [email] }), ConfigError, 'the mail server must be on the outbound allowlist')
  t.throws(() => forwardingConfig({ allowHosts: ['smtp.shop.example'], sinks: [{ ...email, to: ['not an address'] }] }), /"to" must list e-mail addresses/)
  t.throws(() => forwardingConfig({ sinks: [{ id: 'x', kind: 'fax' }] }), /kind must be one of http, jiandaoyun, email/)
})
