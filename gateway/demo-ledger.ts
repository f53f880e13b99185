// The inventory half of `npm run demo`, against the DingTalk, external-ledger and Jiandaoyun doubles on
// loopback: the catalogue and opening stock are uploaded, a reorder rule is set, and once the day's
// sales have run through, the demo prints what reached DingTalk (the low-stock alert with its @) and
// the other sinks, then takes the draft purchase order through a DingTalk approval to its receipt.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Doubles } from '../fixtures/support/forwarding.ts'
import { createUser } from './auth/accounts.ts'
import type { Db } from './db/pool.ts'

export interface DemoApi { base: string, adminKey: string, financeKey: string, fixtures: string }

async function api (d: DemoApi, method: string, path: string, body?: string | object, type = 'application/json', key = d.adminKey): Promise<any> {
  const res = await fetch(`${d.base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': type } : {}) }, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) })
  return await res.json()
}

async function until (check: () => Promise<boolean> | boolean, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) { if (await check()) return true; await new Promise(r => setTimeout(r, 200)) }
  return false
}

/** Before the sales: the catalogue, opening stock and a reorder rule for the best seller. */
export async function stockUp (d: DemoApi): Promise<void> {
  const cat = await api(d, 'POST', '/v1/skus?filename=catalogue.csv', readFileSync(join(d.fixtures, 'demo/catalogue.csv'), 'utf8'), 'text/csv')
  const open = await api(d, 'POST', '/v1/stock/opening?filename=opening.csv', readFileSync(join(d.fixtures, 'demo/opening.csv'), 'utf8'), 'text/csv')
  await api(d, 'PUT', '/v1/thresholds/MK01/10032', { reorder_point: 5, reorder_qty: 24, responsible_mobile: '85291234567' })
  console.log(`\nInventory: ${cat.lines} SKUs in the catalogue, ${open.posted} opening balances posted; reorder 10032 at MK01 below 5 (@85291234567)`)
}

/** After the sales: what the doubles received, and the draft order through approval to receipt. */
export async function showForwarding (d: DemoApi, doubles: Doubles): Promise<void> {
  await until(() => doubles.dingtalk.messages.some(m => m.robot === 'stock'))
  await until(async () => (await api(d, 'GET', '/v1/outbox', undefined, undefined, d.financeKey)).items.every((s: any) => s.pending === 0), 20_000)
  console.log('\nForwarded (outbox → sinks, each movement once):')
  for (const s of (await api(d, 'GET', '/v1/outbox', undefined, undefined, d.financeKey)).items) console.log(`  ${s.sink.padEnd(18)} ${s.delivered} delivered, ${s.pending} pending, ${s.dead} dead`)
  const byType: Record<string, number> = {}
  for (const a of doubles.sink.applied) byType[a.type] = (byType[a.type] ?? 0) + 1
  console.log(`  external ledger double (realtime: every movement at once, then its standing): ${Object.entries(byType).map(([k, n]) => `${n} ${k}`).join(', ')} (signatures checked, ${doubles.sink.duplicates} repeats ignored)`)
  const statuses: Record<string, number> = {}
  for (const r of doubles.jiandaoyun.records) { const s = String((r._widget_status as { value?: unknown } | undefined)?.value); statuses[s] = (statuses[s] ?? 0) + 1 }
  console.log(`  Jiandaoyun double (verified-only: a record once a movement is verified): ${doubles.jiandaoyun.records.length} records (${Object.entries(statuses).map(([k, n]) => `${n} ${k}`).join(', ') || 'none verified yet'})`)
  console.log('\nDingTalk double received:')
  for (const m of doubles.dingtalk.messages) {
    const text = m.body.markdown?.text ?? m.body.actionCard?.text ?? ''
    const at = m.body.at?.atMobiles?.length ? ` [@${m.body.at.atMobiles.join(' @')}]` : ''
    console.log(`  robot ${m.robot} (${m.body.msgtype})${at}:\n${text.split('\n').slice(0, 8).map((l: string) => `      ${l}`).join('\n')}`)
  }
  const drafts = (await api(d, 'GET', '/v1/purchase-orders?status=draft', undefined, undefined, d.financeKey)).items
  if (!drafts.length) { console.log('\nNo draft purchase order.'); return }
  const po = drafts[0]
  const full = await api(d, 'GET', `/v1/purchase-orders/${po.id}`, undefined, undefined, d.financeKey)
  console.log(`\nDraft purchase order #${po.id} for ${po.supplier} at ${po.location_id}: ${full.lines.map((l: any) => `${l.sku} × ${l.qty}`).join(', ')}`)
  await api(d, 'POST', `/v1/purchase-orders/${po.id}/submit`)
  await until(() => doubles.dingtalk.approvals.length > 0)
  const instance = doubles.dingtalk.approvals[0].instanceId
  console.log(`  submitted: DingTalk approval instance ${instance} created`)
  await until(async () => (await api(d, 'GET', `/v1/purchase-orders/${po.id}`, undefined, undefined, d.financeKey)).approval_instance_id === instance)
  const cb = await doubles.dingtalk.finishApproval(`${d.base}/v1/dingtalk/callback`, instance, 'agree')
  const approved = await api(d, 'GET', `/v1/purchase-orders/${po.id}`, undefined, undefined, d.financeKey)
  console.log(`  the owner approves in DingTalk: signed, encrypted callback answered ${cb.success ? '"success"' : 'with an error'}; order is ${approved.status}`)
  const received = await api(d, 'POST', `/v1/purchase-orders/${po.id}/receive`, {})
  const stock = (await api(d, 'GET', '/v1/stock?sku=10032&location=MK01', undefined, undefined, d.financeKey)).items[0]
  console.log(`  received: order ${received.status}; 10032 at MK01 now ${stock.on_hand} on hand (${stock.verified} verified, ${stock.provisional} provisional)`)
}

/** An owner, a finance clerk and the Mong Kok store manager, each with a fresh random password. */
export async function demoAccounts (db: Db): Promise<Array<{ username: string, password: string, what: string }>> {
  const people = [
    { username: 'owner', role: 'owner', stores: null, displayName: '陳老闆 Owner Chan', what: 'owner: everything' },
    { username: 'finance', role: 'finance', stores: null, displayName: '李會計 Finance Lee', what: 'finance: reports, resolutions, exports' },
    { username: 'mk01', role: 'store_manager', stores: ['MK01'], displayName: '旺角店長 MK01 manager', what: 'store manager: Mong Kok only' }
  ]
  const out = []
  for (const p of people) {
    const password = randomBytes(9).toString('base64url')
    await db.withTransaction(c => createUser(c, { ...p, password }, 'demo'))
    out.push({ username: p.username, password, what: p.what })
  }
  return out
}
