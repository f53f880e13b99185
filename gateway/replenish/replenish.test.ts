// Replenishment end to end against the DingTalk double: one alert per low-stock episode with an @ to the
// responsible person, draft orders per supplier, approval through a signed and encrypted callback,
// receipts posted to the ledger; and the robot's rate limit under a burst of alerts (C8).
import t, { type Test } from 'tap'
import { reorderPlan } from './low-stock.ts'
import { postAndForward } from '../ledger/operations.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { enqueue } from '../outbox/outbox.ts'
import { ledgerDeps } from '../routes/inventory.ts'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { saleEvent, salesFile } from '../../fixtures/support/sales.ts'
import { auth, eventually, testRuntime } from '../../fixtures/support/runtime.ts'

t.test('the reorder point follows sales velocity over the look-back, lead time and safety days, never below the minimum', async t => {
  const rule = { min_level: 2, reorder_point: null, lookback_days: 28, lead_days: 3, safety_days: 2, reorder_qty: null }
  t.same(reorderPlan(rule, 56, 20), { point: 10, orderQty: 1 }, '2 a day × 5 days = 10; stock 20 needs 1 to reach 20')
  t.same(reorderPlan(rule, 56, 4), { point: 10, orderQty: 16 }, 'order up to point + another cycle')
  t.same(reorderPlan(rule, 0, 0), { point: 2, orderQty: 2 }, 'no sales: the minimum')
  t.same(reorderPlan({ ...rule, reorder_point: 7, reorder_qty: 24 }, 56, 4), { point: 7, orderQty: 24 }, 'a fixed point and quantity win')
  t.same(reorderPlan(rule, 7, 0), { point: 2, orderQty: 3.25 }, '0.25 a day × 5 = 1.25 < the minimum 2; order up to 2 + 1.25, to the thousandth')
})

async function shop (t: Test) {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const rt = await testRuntime(t, { workers: true, config: { forwarding: doublesForwarding(doubles) } })
  await rt.app!.listen({ host: '127.0.0.1', port: 0 })
  await rt.db.query(`INSERT INTO skus (sku, name, supplier) VALUES ('A', '烏龍茶 Oolong', 'SupA'), ('B', '普洱 Pu-erh', 'SupA'), ('C', '杯 Cup', 'SupB')`)
  for (const sku of ['A', 'B', 'C']) {
    const res = await rt.app!.inject({ method: 'PUT', url: `/v1/thresholds/MK01/${sku}`, headers: auth('admin'), payload: { reorder_point: 5, responsible_mobile: '85291234567', responsible_user: 'manager01', reorder_qty: 12 } })
    t.equal(res.statusCode, 200)
  }
  await rt.db.withTransaction(c => postAndForward(c, ledgerDeps(rt), ['A', 'B', 'C'].map(sku => ({ locationId: 'MK01', sku, qty: 10, reason: 'opening' as const, sourceType: 'test', sourceId: 'opening', key: `open:${sku}`, actor: 'test', occurredAt: new Date(Date.now() - 3_600_000) }))))
  let n = 0
  const sell = async (sku: string, qty: number) => { await importPosNdjson(rt, salesFile(t.testdir({}), `s${n}.ndjson`, [saleEvent(n++, { sku, qty, prefix: `S${sku}` })])) }
  const stockMessages = () => doubles.dingtalk.messages.filter(m => m.robot === 'stock')
  return { rt, doubles, sell, stockMessages }
}

t.test('one alert per low-stock episode, with @, and a draft order per supplier; no repeat until restocked', async t => {
  const { rt, doubles, sell, stockMessages } = await shop(t)
  await sell('A', 6)
  await eventually(async () => stockMessages().length === 1)
  const first = stockMessages()[0].body
  t.match(first, { msgtype: 'markdown', at: { atMobiles: ['85291234567'], atUserIds: ['manager01'] } })
  await eventually(async () => doubles.dingtalk.notices.length === 1)
  t.match(doubles.dingtalk.notices[0], { userIds: ['manager01'], msg: { msgtype: 'markdown', markdown: { text: /低庫存 Low stock #\d+\n\*\*A\*\* 烏龍茶 Oolong @ MK01: 4.000 on hand/ } } }, 'and a work notice to the responsible person')
  t.match(first.markdown.text, /\*\*A\*\* 烏龍茶 Oolong @ MK01：存貨 on hand 4.000，補貨點 reorder at 5.000；採購單草稿 Draft PO #\d+ \(SupA\) @85291234567/)
  await sell('A', 1)
  await sell('B', 7)
  await sell('C', 8)
  await eventually(async () => (await rt.db.query('SELECT count(*)::int AS n FROM low_stock_episodes')).rows[0].n === 3 && (await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sink = 'robot:stock' AND status = 'pending'`)).rows[0].n === 0)
  t.equal((await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sink = 'robot:stock'`)).rows[0].n, 3, 'A selling on while low alerted no one again')
  const orders = (await rt.app!.inject({ method: 'GET', url: '/v1/purchase-orders?status=draft', headers: auth('finance') })).json().items
  t.same(orders.map((o: any) => [o.supplier, o.location_id, o.lines]).sort(), [['SupA', 'MK01', 2], ['SupB', 'MK01', 1]], 'A and B on SupA\'s draft, C on SupB\'s')
  // restocked above the point, the episode closes; falling again is a new episode and a new alert
  await rt.db.withTransaction(c => postAndForward(c, ledgerDeps(rt), [{ locationId: 'MK01', sku: 'A', qty: 20, reason: 'adjustment', sourceType: 'test', sourceId: 'restock', key: 'restock:A', actor: 'test', occurredAt: new Date() }]))
  t.same((await rt.db.query(`SELECT closed_at IS NOT NULL AS closed FROM low_stock_episodes WHERE sku = 'A'`)).rows, [{ closed: true }])
  await sell('A', 20)
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sink = 'robot:stock'`)).rows[0].n === 4)
})

t.test('approval: a draft goes to DingTalk, the signed and encrypted callback approves it once, receiving posts receipts', async t => {
  const { rt, doubles, sell } = await shop(t)
  await sell('C', 8)
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM purchase_orders WHERE status = 'draft'`)).rows[0].n === 1)
  const [{ id }] = (await rt.db.query(`SELECT id FROM purchase_orders`)).rows
  const submitted = await rt.app!.inject({ method: 'POST', url: `/v1/purchase-orders/${id}/submit`, headers: auth('admin') })
  t.match(submitted.json(), { status: 'pending_approval', lines: [{ sku: 'C', qty: '12.000' }] })
  await eventually(async () => doubles.dingtalk.approvals.length === 1 && (await rt.db.query('SELECT approval_instance_id FROM purchase_orders')).rows[0].approval_instance_id !== null)
  t.match(doubles.dingtalk.approvals[0].body, { processCode: 'PROC-PO-1', originatorUserId: 'owner01', formComponentValues: [{ name: '供應商 Supplier', value: 'SupB' }, { name: '地點 Location', value: 'MK01' }] })
  const instance = doubles.dingtalk.approvals[0].instanceId
  const callback = `${rt.app!.listeningOrigin}/v1/dingtalk/callback`
  t.same(await doubles.dingtalk.finishApproval(callback, instance, 'agree', { tamper: true }), { status: 401, success: false }, 'a forged callback is refused')
  t.equal((await rt.db.query('SELECT status FROM purchase_orders')).rows[0].status, 'pending_approval')
  t.same(await doubles.dingtalk.finishApproval(callback, instance, 'agree'), { status: 200, success: true }, 'the answer is DingTalk\'s encrypted "success"')
  t.same(await doubles.dingtalk.finishApproval(callback, instance, 'agree'), { status: 200, success: true }, 'a redelivery is answered too')
  const order = (await rt.app!.inject({ method: 'GET', url: `/v1/purchase-orders/${id}`, headers: auth('finance') })).json()
  t.match(order, { status: 'approved', decided_by: `dingtalk:${instance}` })
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM dingtalk_events')).rows[0].n, 1, 'acted on once')
  const received = await rt.app!.inject({ method: 'POST', url: `/v1/purchase-orders/${id}/receive`, headers: auth('admin'), payload: {} })
  t.match(received.json(), { status: 'received', lines: [{ sku: 'C', received_qty: '12.000' }] })
  const stock = (await rt.app!.inject({ method: 'GET', url: '/v1/stock?sku=C&location=MK01', headers: auth('finance') })).json().items
  t.same(stock, [{ sku: 'C', location_id: 'MK01', on_hand: '14.000', verified: '22.000', provisional: '-8.000' }])
  t.match((await rt.app!.inject({ method: 'POST', url: `/v1/purchase-orders/${id}/receive`, headers: auth('admin'), payload: {} })).json(), { error: 'WRONG_STATE' }, 'received once')
})

t.test('C8: a burst of 200 alerts stays under the robot\'s 20 a minute — digests, no 130101, every alert delivered', async t => {
  const { rt, doubles } = await shop(t)
  const alerts = Array.from({ length: 200 }, (_, i) => ({ sink: 'robot:stock', topic: 'alert', key: `burst:${i}`, payload: { kind: 'low_stock', sku: `SKU${String(i).padStart(3, '0')}`, name: null, location_id: 'MK01', on_hand: '1.000', reorder_point: '5.000', supplier: null, purchase_order_id: null, mobiles: ['85291234567'], user_ids: [] } }))
  // 200 alerts from 200 separate changes, as a busy afternoon brings them
  await Promise.all(alerts.map(a => rt.db.withTransaction(c => enqueue(c, rt.boss, [a]))))
  await eventually(async () => (await rt.db.query(`SELECT count(*)::int AS n FROM outbox WHERE sink = 'robot:stock' AND status = 'delivered'`)).rows[0].n === 200, 30_000)
  const sent = doubles.dingtalk.messages.filter(m => m.robot === 'stock')
  t.equal(doubles.dingtalk.throttled.length, 0, 'DingTalk never had to answer 130101')
  t.ok(sent.length <= 19, `${sent.length} messages for 200 alerts`)
  const text = sent.map(m => m.body.markdown.text).join('\n')
  t.ok(alerts.every(a => text.includes(`**${a.payload.sku}**`)), 'every alert is in some digest')
  t.ok(sent.every(m => Buffer.byteLength(JSON.stringify(m.body)) < 20_000), 'every message is under DingTalk\'s size limit')
})

t.test('work notices use one cached access token, fetched again when DingTalk says it expired', async t => {
  const { rt, doubles } = await shop(t)
  const notice = (i: number) => ({ sink: 'dingtalk-app', topic: 'notice', key: `notice:${i}`, payload: { kind: 'work_notice', user_ids: ['manager01'], title: '盤點提醒 Stock-take', text: `#### 盤點提醒 ${i}` } })
  await rt.db.withTransaction(c => enqueue(c, rt.boss, [notice(1), notice(2)]))
  await eventually(async () => doubles.dingtalk.notices.length === 2)
  t.equal(doubles.dingtalk.tokenFetches, 1, 'one token for both')
  doubles.dingtalk.expireTokens()
  await rt.db.withTransaction(c => enqueue(c, rt.boss, [notice(3)]))
  await eventually(async () => doubles.dingtalk.notices.length === 3, 20_000)
  t.equal(doubles.dingtalk.tokenFetches, 2, 'refreshed once after DingTalk refused the expired one')
})

t.test('a reorder rule with a fractional minimum and its own look-back and lead times is stored as given', async t => {
  const rt = await testRuntime(t)
  const res = await rt.app!.inject({ method: 'PUT', url: '/v1/thresholds/MK01/TEA-1', headers: auth('admin'), payload: { min_level: 2.5, lookback_days: 14, lead_days: 5, safety_days: 1, reorder_qty: 0.75 } })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { sku: 'TEA-1', location_id: 'MK01', min_level: '2.500', reorder_point: null, lookback_days: 14, lead_days: 5, safety_days: 1, reorder_qty: '0.750' })
})
