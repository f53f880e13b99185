// `npm run demo`: boots the gateway as `npm start` does (embedded PostgreSQL, migrations, pg-boss,
// workers, HTTP), pushes the fixture POS webhooks through the real HTTP API (signed), uploads the
// fixture settlement files, and prints what landed per source, what was refused and why, and the
// reconciliation of the day that the imports triggered. The stock side runs against the DingTalk,
// external-ledger and Jiandaoyun doubles on loopback (gateway/demo-ledger.ts).
// Each run starts from an empty demo database (.data/demo), unless DATABASE_URL points elsewhere.
// Then it keeps serving the web app (port 3000, or PORT, or a free one) with demo accounts until
// Ctrl-C; `npm run demo -- --once` stops after the printout (CI).
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import pg from 'pg'
import { formatHkd } from '../connectors/_shared/money.ts'
import { loadConfig } from './config.ts'
import { startEmbeddedPostgres } from './db/embedded.ts'
import { startRuntime } from './runtime.ts'
import { loyverseHeaders, shopifyHeaders, standardHeaders } from '../fixtures/support/sign.ts'
import { doublesForwarding, startDoubles } from '../fixtures/support/forwarding.ts'
import { demoAccounts, showForwarding, stockUp } from './demo-ledger.ts'

const FIX = join(import.meta.dirname, '..', 'fixtures')
const doubles = await startDoubles()
// the external ledger in realtime mode (every movement at once, then its standing), Jiandaoyun in
// verified-only mode (a record per verified movement, with its status widget)
const config = { ...loadConfig({ ...process.env, RECON_DATA_DIR: process.env.RECON_DATA_DIR ?? '.data/demo', RECON_CONFIG: process.env.RECON_CONFIG ?? join(FIX, 'demo/config.json') }), forwarding: doublesForwarding(doubles, { verifiedOnly: ['jdy'] }) }

if (!config.databaseUrl) {
  // a clean demo database each run (the cluster itself is kept, so the second run starts fast)
  const server = await startEmbeddedPostgres({ dataDir: config.dataDir })
  const c = new pg.Client({ connectionString: server.url })
  await c.connect()
  await c.query('DROP DATABASE IF EXISTS recon WITH (FORCE)')
  await c.end()
  await server.stop()
}
const rt = await startRuntime(config, { workers: true })
await rt.app!.listen({ host: '127.0.0.1', port: config.port }).catch(async (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EADDRINUSE') throw err
  await rt.app!.listen({ host: '127.0.0.1', port: 0 })
})
const address = rt.app!.server.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
const secret = (c: string): string => config.webhookSecrets[c][0].secret
const financeKey = config.apiKeys.find(k => k.role === 'finance')!.key
const refused: string[] = []
const tally = new Map<string, Record<string, number>>()
const count = (source: string, what: string): void => { const t = tally.get(source) ?? {}; t[what] = (t[what] ?? 0) + 1; tally.set(source, t) }

async function deliver (connector: string, headers: Record<string, string>, body: string | Buffer, label: string): Promise<void> {
  const res = await fetch(`${base}/v1/webhooks/${connector}`, { method: 'POST', headers, body })
  const json = await res.json() as { status?: string, error?: string, message?: string }
  count(connector, json.status ?? `${res.status} ${json.error}`)
  if (res.status >= 400) refused.push(`  ${res.status} ${connector} ${label}: ${json.error} — ${json.message}`)
}

console.log(`\nGateway running at ${base} (API docs ${base}/docs), database: ${rt.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`)
console.log(`DingTalk, external ledger and Jiandaoyun doubles at ${doubles.dingtalk.server.url}, ${doubles.sink.url}, ${doubles.jiandaoyun.server.url}`)
const demoApi = { base, adminKey: config.apiKeys.find(k => k.role === 'owner')!.key, financeKey: config.apiKeys.find(k => k.role === 'finance')!.key, fixtures: FIX }
await stockUp(demoApi)
console.log('')

// ---- POS webhooks through the real HTTP API, signed as each vendor signs
const events = readFileSync(join(FIX, 'pos-canonical/events-2026-11-20.ndjson'), 'utf8').trim().split('\n')
for (const e of events) await deliver('pos-canonical', standardHeaders(secret('pos-canonical'), JSON.parse(e).id, e), e, JSON.parse(e).id)
await deliver('pos-canonical', standardHeaders(secret('pos-canonical'), JSON.parse(events[0]).id, events[0]), events[0], 'redelivery of the first sale')
await deliver('pos-canonical', standardHeaders(secret('pos-canonical'), JSON.parse(events[0]).id, events[1]), events[1], 'same event id, different body')
await deliver('pos-canonical', standardHeaders('whsec_' + Buffer.from('not-the-secret').toString('base64'), 'evt_forged', events[2]), events[2], 'evt_forged (wrong secret)')
const bad = JSON.stringify({ ...JSON.parse(events[2]), id: 'evt_bad_tender', data: { ...JSON.parse(events[2]).data, tenders: [{ method: 'alipayhk', amount: '50.00' }] } })
await deliver('pos-canonical', standardHeaders(secret('pos-canonical'), 'evt_bad_tender', bad), bad, 'evt_bad_tender')
const pan = events[3].replace('"provider_txn_id":null', '"provider_txn_id":"4111111111111111"').replace(JSON.parse(events[3]).id, 'evt_with_pan')
await deliver('pos-canonical', standardHeaders(secret('pos-canonical'), 'evt_with_pan', pan), pan, 'evt_with_pan')
for (const [file, enc] of [['receipts-2026-11-20.json', 'hex'], ['refund-2026-11-20.json', 'base64']] as const) {
  const body = readFileSync(join(FIX, 'loyverse', file))
  await deliver('loyverse', loyverseHeaders(secret('loyverse'), body, enc), body, file)
}
for (const [file, topic] of [['orders-create-pos.json', 'orders/create'], ['refunds-create.json', 'refunds/create'], ['orders-cancelled.json', 'orders/create'], ['orders-cancelled.json', 'orders/cancelled'], ['orders-create-web.json', 'orders/create']] as const) {
  const body = readFileSync(join(FIX, 'shopify-pos', file))
  await deliver('shopify-pos', shopifyHeaders(secret('shopify-pos'), body, topic, `${topic}:${file}`), body, `${topic} ${file}`)
}

// ---- the bank's statement, where the providers' payouts must arrive (before the files, so that the
// runs the files queue see it): every payout of the demo day but Octopus's of the 21st
const statement = await fetch(`${base}/v1/bank-statements?filename=hsbc_mt940_20261124.sta`, { method: 'POST', headers: { authorization: `Bearer ${financeKey}`, 'content-type': 'text/plain' }, body: readFileSync(join(FIX, 'demo/hsbc_mt940_20261124.sta')) })
const bankImport = await statement.json() as Record<string, any>

// ---- settlement files, uploaded as finance does each morning
const files = [
  'alipayhk/2088000000000001_settle_20261121_B0001.csv', 'alipayhk/2088000000000002_transaction_20261120.txt', 'alipayhk/2088000000000002_settlement_20261121.txt',
  'alipayhk/2088000000000003_settlebatch_20261121.csv', 'alipayhk/2088000000000003_settle_20261121_5000000000001.csv', 'alipayhk/settlementItems_ALIPAY_HK_HKD_2026112100001_000.csv',
  'octopus/octopus_settlement_20261121.csv', 'octopus/big5/octopus_settlement_20261121_big5.csv', 'octopus/acquirer/kpay_octopus_20261121.csv',
  'alipayhk/bad/2088000000000001_settle_20261122_B0002.csv', 'octopus/bad/octopus_settlement_20261122_total_mismatch.csv', 'octopus/octopus_settlement_20261121.csv'
]
const uploads: string[] = []
for (const f of files) {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(join(FIX, f))]), basename(f))
  const res = await fetch(`${base}/v1/settlements`, { method: 'POST', headers: { authorization: `Bearer ${financeKey}` }, body: form })
  const o = await res.json() as Record<string, any>
  if (o.status === 'imported') uploads.push(`  ✔ ${basename(f)}: ${o.provider} ${o.layout} (${o.file_kind}, ${o.encoding}), ${o.records} rows${o.batches ? `, ${o.batches} batch` : ''}${(o.warnings ?? []).map((w: any) => `\n      ! ${w.message}`).join('')}`)
  else if (o.status === 'already_imported') uploads.push(`  = ${basename(f)}: already imported as #${o.import_id}; nothing new`)
  else uploads.push(`  ✖ ${basename(f)}: refused (${o.error}) — ${o.message}\n${(o.issues ?? []).map((i: any) => `      line ${i.line}${i.column ? ` (${i.column})` : ''}: ${i.message}`).join('\n')}`)
}

// ---- wait for the normalisation worker, then report
const deadline = Date.now() + 30_000
while (Date.now() < deadline && (await rt.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox_events WHERE status = 'pending'`)).rows[0].n > 0) await new Promise(r => setTimeout(r, 100))

console.log('POS webhooks received (HTTP, signed):')
for (const [source, t] of tally) console.log(`  ${source.padEnd(14)} ${Object.entries(t).map(([k, v]) => `${v} ${k}`).join(', ')}`)
console.log('\nRefused deliveries, and why:')
console.log(refused.join('\n'))

const sales = await rt.db.query<{ day: string, store_id: string, sales: number, refunds: number, voided: number, tenders: Record<string, number>, movements: number }>(`
  SELECT s.business_date::text AS day, s.store_id, count(*) FILTER (WHERE s.kind = 'sale')::int AS sales, count(*) FILTER (WHERE s.kind = 'refund')::int AS refunds,
         (SELECT count(*) FROM sale_voids v JOIN sales x ON x.vendor = v.vendor AND x.sale_id = v.sale_id WHERE x.store_id = s.store_id AND x.business_date = s.business_date)::int AS voided,
         (SELECT json_object_agg(method, total) FROM (SELECT t.method, sum(t.amount)::bigint AS total FROM sale_tenders t JOIN sales y ON y.id = t.sale_pk
            WHERE y.store_id = s.store_id AND y.business_date = s.business_date GROUP BY t.method) m) AS tenders,
         (SELECT count(*) FROM stock_movements m JOIN sales z ON m.source_id = z.vendor || ':' || z.sale_id WHERE z.store_id = s.store_id AND z.business_date = s.business_date)::int AS movements
    FROM sales s GROUP BY s.business_date, s.store_id ORDER BY 1, 2`)
console.log('\nSales landed, per HKT business day and store (tenders signed; refunds negative):')
for (const r of sales.rows) {
  const t = Object.entries(r.tenders).map(([m, v]) => `${m} ${formatHkd(v)}`).join(', ')
  console.log(`  ${r.day} ${r.store_id.padEnd(5)} ${r.sales} sales, ${r.refunds} refunds, ${r.voided} voided; ${t}; ${r.movements} provisional stock movements`)
}
console.log(`\nBank statement uploaded: hsbc_mt940_20261124.sta ${bankImport.status} (${bankImport.format}, ${bankImport.entries} entries of ${(bankImport.accounts ?? []).join(', ')})`)
console.log('\nSettlement files uploaded:')
console.log(uploads.join('\n'))
const pays = await rt.db.query<{ provider: string, day: string, type: string, n: number, gross: number, fee: number, net: number }>(`SELECT provider, business_date::text AS day, type, count(*)::int AS n, sum(gross)::bigint AS gross, sum(fee)::bigint AS fee, sum(net)::bigint AS net
  FROM payments GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
console.log('\nPayment records landed, per provider and HKT business day:')
for (const r of pays.rows) console.log(`  ${r.provider.padEnd(9)} ${r.day} ${r.type.padEnd(10)} ${String(r.n).padStart(3)}  gross ${formatHkd(r.gross).padStart(12)}  fee ${formatHkd(r.fee).padStart(9)}  net ${formatHkd(r.net).padStart(12)}`)

// ---- the imports queued a reconciliation of each day they touched; the worker runs them
const day = '2026-11-20'
let report: Record<string, any> | null = null
const until = Date.now() + 60_000
while (Date.now() < until) {
  const res = await fetch(`${base}/v1/reconciliations/${day}`, { headers: { authorization: `Bearer ${financeKey}` } })
  if (res.ok) { report = await res.json() as Record<string, any>; if (!report.run.reopened) break }
  await new Promise(r => setTimeout(r, 250))
}
if (report) {
  console.log(`\nReconciliation of ${day} (run #${report.run.id}, ${report.run.trigger}; ${report.matches.length} tenders matched to provider records):`)
  for (const st of report.stores) {
    const codes = Object.entries(st.exceptions).map(([c, n]) => `${n} ${c}`).join(', ') || 'nothing open'
    console.log(`  ${st.store_id.padEnd(10)} ${st.status.padEnd(10)} ${st.sales} sales, ${st.verified_sales} verified; ${st.verified_movements} stock movements verified, ${st.provisional_movements} provisional; ${codes}`)
  }
  console.log('  e.g.')
  for (const e of report.exceptions.slice(0, 4)) console.log(`    ${e.code} ${e.sale_id ?? e.reference ?? e.batch_id ?? ''}: ${e.detail}`)
  console.log('\nPayouts to the bank (the MT940 above):')
  for (const p of report.payouts) console.log(`  ${p.provider.padEnd(9)} ${p.payout.padEnd(24)} ${formatHkd(p.amount).padStart(12)} settled ${p.settlement_date}, due by ${p.due_by}: ${p.status}${p.bank ? ` (${p.bank.value_date}, by ${p.bank.by})` : ''}`)
  console.log('\nFrom till to bank, per store and provider (differences and what makes them):')
  for (const b of report.bridge) {
    const items = [...b.settled.explained, ...b.payout.explained, ...b.bank.explained].map((i: any) => `${i.code} ${formatHkd(i.amount)}`).join(', ')
    console.log(`  ${b.store_id.padEnd(10)} ${b.provider.padEnd(9)} till ${formatHkd(b.till)} → settled ${formatHkd(b.gross)} − fees ${formatHkd(b.fee)} = ${formatHkd(b.net)} → paid out ${formatHkd(b.paid_out)} → in bank ${formatHkd(b.in_bank)}${items ? `; ${items}` : ''}`)
  }
} else {
  console.log(`\nReconciliation of ${day}: not finished within 60 s`)
}
await showForwarding(demoApi, doubles)
console.log(`\nTry the API: curl -H "authorization: Bearer ${financeKey}" "${base}/v1/reconciliations/${day}?format=csv"`)

// ---- people who sign in to the web app (a fresh password each run: the demo database is new each run)
const logins = await demoAccounts(rt.db)
console.log(`\nWeb app: open ${base}/ and sign in (繁中 / English switch at the top right):`)
for (const l of logins) console.log(`  ${l.username.padEnd(8)} ${l.password}   ${l.what}`)

if (process.argv.includes('--once')) {
  await rt.close()
  await doubles.close()
} else {
  console.log(`\nServing at ${base} until Ctrl-C.`)
  process.on('SIGINT', () => { rt.close().then(() => doubles.close()).then(() => process.exit(0)) })
}
