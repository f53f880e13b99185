// npm run bench:forward — measured in one run on this machine:
//   1. signed sale webhooks at 100/s for 60 s into a gateway (its own process, workers on) with the
//      DingTalk and external-ledger doubles on loopback, three times, a fourth time while `recon
//      reconcile` runs over a generated day again and again, and a fifth while the gateway itself
//      reconciles a day put into its database (as its worker does after each import): p50/p99 from webhook sent to the movement on
//      the built-in ledger, at the external ledger double, and (one sale in 20 drops its SKU below its
//      reorder point) to the low-stock alert at the DingTalk double, which may take 19 messages a minute;
//      with each sale's time split into its stages: HTTP accept (sent → the inbox transaction begins),
//      inbox commit (→ the 202 is back), normalize job pick-up (→ the sale's transaction begins), ledger
//      posting (→ the posting's transaction begins: 0, the sale's own) and outbox delivery (→ the
//      external ledger has it);
//   2. a burst of 1M movements waiting in the outbox: ledger postings per second while the workers drain it.
// Targets (issue 12): p99 ≤ 150 ms to the ledger and ≤ 200 ms to the external ledger in every run; ≥ 25,000 postings/s.
// Each latency run starts a new gateway and first sends BENCH_WARMUP_SECONDS of the same traffic, timed
// apart as the cold start (a process's first requests compile its code and open its connections): the
// figures are the steady state after it, as a gateway that has been running serves its shops.
//   BENCH_RATE=100 BENCH_SECONDS=60 BENCH_RUNS=3 BENCH_BURST=1000000 BENCH_ONLY=latency|burst BENCH_WARMUP_SECONDS=5
//   BENCH_DURING_SALES=100000  the day `recon reconcile` repeats during the fourth run (0: no such run)
//   BENCH_GATEWAY_DAY_SALES=100000  the day the gateway reconciles during the fifth run (0: no such run)
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { startEmbeddedPostgres } from '../gateway/db/embedded.ts'
import { migrate } from '../gateway/db/migrate.ts'
import { startRuntime } from '../gateway/runtime.ts'
import { forwardingConfig } from '../gateway/config-forwarding.ts'
import { enqueue, type OutboxEntry } from '../gateway/outbox/outbox.ts'
import { SECRETS, testConfig } from '../fixtures/support/runtime.ts'
import { standardHeaders } from '../fixtures/support/sign.ts'
import { saleEvent } from '../fixtures/support/sales.ts'
import { ROBOTS, SINK_SECRET, startDoubles, type Doubles } from '../fixtures/support/forwarding.ts'
import { generateDay, settlementFiles } from '../fixtures/gen/day.ts'
import { generatedStores, ingestPos, ingestSettlements } from '../fixtures/support/day-db.ts'

const RATE = Number(process.env.BENCH_RATE ?? 100)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const BURST = Number(process.env.BENCH_BURST ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const DURING_SALES = Number(process.env.BENCH_DURING_SALES ?? 100_000)
const GATEWAY_DAY_SALES = Number(process.env.BENCH_GATEWAY_DAY_SALES ?? 100_000)
const ONLY = process.env.BENCH_ONLY
const ALERT_EVERY = Number(process.env.BENCH_ALERT_EVERY ?? 20)
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5)
const work = join(tmpdir(), `recon-bench-forward-${process.pid}`)
const ROOT = join(import.meta.dirname, '..')

const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]) : NaN }
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

async function database (admin: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: admin })
  await c.connect()
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await c.query(`CREATE DATABASE ${name}`)
  await c.end()
  const u = new URL(admin); u.pathname = `/${name}`
  await migrate(u.toString())
  return u.toString()
}

/** The gateway process; `reconciled()` counts the runs of its own reconciliation loop (BENCH_GATEWAY_RECONCILE). */
function gateway (url: string, forwarding: object, env: Record<string, string> = {}): Promise<{ proc: ChildProcess, port: number, reconciled: () => number }> {
  const proc = spawn(process.execPath, [join(import.meta.dirname, 'forward-gateway.ts'), url, JSON.stringify(forwarding)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
  // its log is read line by line as it comes, as a log collector would: a pipe left full blocks its writes
  let reconciled = 0
  const lines = createInterface({ input: proc.stdout! })
  return new Promise((resolve, reject) => {
    lines.on('line', line => {
      const port = /^PORT (\d+)$/.exec(line)
      if (port) resolve({ proc, port: Number(port[1]), reconciled: () => reconciled })
      else if (line === 'RECONCILED') reconciled++
    })
    proc.once('exit', code => reject(new Error(`gateway exited ${code}`)))
  })
}

/**
 * A generated day put into the run's database through the real ingestion paths (day-db.ts), for the
 * gateway to reconcile itself during the run; returns the env that makes it do so.
 */
async function dayInGateway (url: string): Promise<Record<string, string>> {
  const dir = join(work, 'gateway-day')
  const truth = await generateDay({ stores: 5, sales: GATEWAY_DAY_SALES, seed: 43, date: '2026-11-20', anomalies: 5 }, dir)
  const stores = generatedStores(truth)
  const rt = await startRuntime(testConfig({ databaseUrl: url, env: 'development', stores }), { workers: false })
  try {
    await ingestPos(rt, dir)
    await ingestSettlements(rt, settlementFiles(dir))
  } finally {
    await rt.close()
  }
  return { BENCH_GATEWAY_RECONCILE: '2026-11-20,2026-11-24', BENCH_GATEWAY_STORES: JSON.stringify(stores) }
}

interface SaleTimes { received: number, normalised: number, posted: number }

/** Each sale's time split into its stages, p50 and p99: from sent to the inbox, to the 202, to the sale, to the ledger, to the external ledger. */
function stagesOf (at: ReadonlyMap<number, SaleTimes>, sentAt: number[], ackAt: number[], sinkAt: ReadonlyMap<number, number>) {
  const stage = (f: (i: number, t: SaleTimes) => number | undefined) => {
    const xs = [...at].map(([i, t]) => f(i, t)).filter((x): x is number => x !== undefined && Number.isFinite(x))
    return { p50_ms: pct(xs, 0.5), p99_ms: pct(xs, 0.99) }
  }
  return {
    http_accept: stage((i, t) => t.received - sentAt[i]),
    inbox_commit: stage((i, t) => ackAt[i] - t.received),
    normalize_pickup: stage((i, t) => t.normalised - ackAt[i]),
    ledger_posting: stage((_, t) => t.posted - t.normalised),
    outbox_delivery: stage((i, t) => sinkAt.has(i) ? sinkAt.get(i)! - t.normalised : undefined)
  }
}

/** Each queue's jobs as pg-boss saw them: waiting (created → fetched) and running (fetched → completed). */
async function jobTimes (db: pg.Client, since: Date) {
  const queues = ['pos.normalize', 'forward.ledger', 'forward.sink', 'forward.bulk']
  const { rows } = await db.query(
    `SELECT name, state::text, extract(epoch FROM started_on - created_on) * 1000 AS wait, extract(epoch FROM completed_on - started_on) * 1000 AS run
       FROM pgboss.job WHERE name = ANY($1::text[]) AND completed_on IS NOT NULL AND created_on >= $2`, [queues, since])
  return Object.fromEntries(queues.map(q => {
    const of = rows.filter(r => r.name === q && r.state !== 'cancelled')
    const w = of.map(r => Number(r.wait))
    const r = of.map(r => Number(r.run))
    // a sink's job is cancelled when the send right after the sale's commit delivered its rows
    const cancelled = rows.filter(r => r.name === q && r.state === 'cancelled').length
    return [q, { jobs: of.length, cancelled, wait_p50_ms: pct(w, 0.5), wait_p99_ms: pct(w, 0.99), run_p50_ms: pct(r, 0.5), run_p99_ms: pct(r, 0.99) }]
  }))
}

/** Signed sales `<prefix>0…` at RATE a second; each one's send and acknowledgement instants are recorded. */
async function send (port: number, prefix: string, count: number, sentAt: number[], ackAt: number[]) {
  const status = new Map<number, number>()
  const started = Date.now()
  const inflight: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / RATE
    if (due > Date.now()) await sleep(due - Date.now())
    const body = saleEvent(i, { sku: `${prefix}${i}`, prefix })
    sentAt[i] = Date.now()
    inflight.push(fetch(`http://127.0.0.1:${port}/v1/webhooks/pos-canonical`, { method: 'POST', headers: standardHeaders(SECRETS['pos-canonical'], `evt_${prefix}${i}`, body), body })
      .then(r => { ackAt[i] = Date.now(); status.set(r.status, (status.get(r.status) ?? 0) + 1); return r.arrayBuffer() }).then(() => {}))
  }
  await Promise.all(inflight)
  return { status, started }
}

/** The warm-up: WARMUP seconds of the same sales (prefix W) into the new gateway, delivered everywhere before the measured run; their latency to the external ledger, timed apart. */
async function coldStart (port: number, d: Doubles, db: pg.Client) {
  const count = Math.round(RATE * WARMUP)
  const sentAt = new Array<number>(count)
  await send(port, 'W', count, sentAt, [])
  const deadline = Date.now() + 60_000
  const warm = () => d.sink.applied.filter(a => /-W\d+#/.test(String(a.data.source)))
  while (Date.now() < deadline && warm().length < count) await sleep(200)
  const ms = warm().map(a => a.at - sentAt[Number(/-W(\d+)#/.exec(String(a.data.source))![1])])
  const { rows: [l] } = await db.query(`SELECT count(*)::int AS n FROM ledger_movements WHERE source_id IN (SELECT id::text FROM stock_movements WHERE source_id LIKE 'pos-canonical:MK01-W%')`)
  return { seconds: WARMUP, webhooks: count, ledger_movements: l.n, external_p50_ms: pct(ms, 0.5), external_p99_ms: pct(ms, 0.99), external_max_ms: pct(ms, 1) }
}

async function latency (admin: string, d: Doubles, gatewayReconciles = false) {
  const url = await database(admin, 'recon_bench_fwd')
  const env = gatewayReconciles ? await dayInGateway(url) : {}
  const total = RATE * SECONDS
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  // every sale sells its own SKU; one in ALERT_EVERY takes its SKU below its reorder point (a low-stock alert)
  await db.query(`INSERT INTO locations (id, name, kind) VALUES ('MK01', 'Mong Kok', 'store')`)
  await db.query(`INSERT INTO thresholds (sku, location_id, reorder_point, responsible_mobile) SELECT 'B' || i, 'MK01', 0, '85291234567' FROM generate_series(0, $1 - 1, $2) AS i`, [total, ALERT_EVERY])
  const forwarding = { allowHosts: ['127.0.0.1'], timeoutMs: 5000, sinks: [{ id: 'erp', kind: 'http', url: d.sink.url, secret: SINK_SECRET }], dingtalk: { robots: { stock: { url: d.dingtalk.robotUrl(ROBOTS.stock.token), secret: ROBOTS.stock.secret } }, alerts: { lowStock: 'stock' } } }
  const gw = await gateway(url, forwarding, env)
  const cold = WARMUP > 0 ? await coldStart(gw.port, d, db) : null
  const sentAt = new Array<number>(total)
  const ackAt = new Array<number>(total)
  const { status, started } = await send(gw.port, 'B', total, sentAt, ackAt)
  const sendSeconds = (Date.now() - started) / 1000
  const deadline = Date.now() + 180_000
  const alerted = (): number => new Set(d.dingtalk.messages.flatMap(m => [...String(m.body.markdown?.text ?? '').matchAll(/\*\*B(\d+)\*\*/g)].map(x => x[1]))).size
  const applied = (): number => d.sink.applied.filter(a => /-B\d+#/.test(String(a.data.source))).length
  while (Date.now() < deadline && (applied() < total || alerted() < Math.ceil(total / ALERT_EVERY))) await sleep(500)
  // every instant on the one machine clock: the database's now() is its transaction's start
  const { rows } = await db.query(
    `SELECT substr(s.sale_id, length('MK01-B') + 1)::int AS i, extract(epoch FROM i.received_at) * 1000 AS received, extract(epoch FROM m.created_at) * 1000 AS normalised,
            extract(epoch FROM l.posted_at) * 1000 AS posted
       FROM ledger_movements l JOIN stock_movements m ON m.id = l.source_id::bigint JOIN sales s ON s.vendor || ':' || s.sale_id = m.source_id
       JOIN inbox_events i ON i.connector = 'pos-canonical' AND i.event_id = s.event_id WHERE l.source_type = 'pos' AND s.sale_id LIKE 'MK01-B%'`)
  const at = new Map<number, SaleTimes>(rows.map(r => [Number(r.i), { received: Number(r.received), normalised: Number(r.normalised), posted: Number(r.posted) }]))
  const ledgerMs = rows.map(r => Number(r.posted) - sentAt[r.i])
  const normalisedMs = rows.map(r => Number(r.normalised) - sentAt[r.i])
  const sinkAt = new Map(d.sink.applied.flatMap(a => { const m = /-B(\d+)#/.exec(String(a.data.source)); return m ? [[Number(m[1]), a.at] as const] : [] }))
  const sinkMs = [...sinkAt].map(([i, t]) => t - sentAt[i])
  const stages = stagesOf(at, sentAt, ackAt, sinkAt)
  const jobs = await jobTimes(db, new Date(started))
  const alertAt = new Map<number, number>()
  for (const m of d.dingtalk.messages) for (const x of String(m.body.markdown?.text ?? '').matchAll(/\*\*B(\d+)\*\*/g)) if (!alertAt.has(Number(x[1]))) alertAt.set(Number(x[1]), m.at)
  const alertMs = [...alertAt].map(([i, at]) => at - sentAt[i])
  const gatewayReconciliations = gw.reconciled()
  gw.proc.kill('SIGTERM')
  await db.end()
  return {
    rate_per_s: RATE, seconds: SECONDS, webhooks: total, cold_start: cold, ...gatewayReconciles ? { gateway_reconciliations: gatewayReconciliations } : {}, send_seconds: +sendSeconds.toFixed(1), http_status: Object.fromEntries(status),
    ledger: { movements: ledgerMs.length, p50_ms: pct(ledgerMs, 0.5), p99_ms: pct(ledgerMs, 0.99), max_ms: pct(ledgerMs, 1) },
    normalised: { p50_ms: pct(normalisedMs, 0.5), p99_ms: pct(normalisedMs, 0.99) },
    stages,
    jobs,
    external_ledger_double: { movements: sinkMs.length, duplicates: d.sink.duplicates, p50_ms: pct(sinkMs, 0.5), p99_ms: pct(sinkMs, 0.99) },
    dingtalk_double: { alerts: alertMs.length, messages: d.dingtalk.messages.length, throttled_130101: d.dingtalk.throttled.length, p50_ms: pct(alertMs, 0.5), p99_ms: pct(alertMs, 0.99) },
    target_ledger_p99_ms: 150, target_external_p99_ms: 200
  }
}

async function burst (admin: string) {
  const url = await database(admin, 'recon_bench_burst')
  const config = testConfig({ databaseUrl: url, env: 'development', forwarding: forwardingConfig({}) })
  const loader = await startRuntime(config, { http: false })
  const stores = ['MK01', 'CWB1', 'TST1', 'SSP1', 'YL01']
  const t0 = performance.now()
  for (let start = 0; start < BURST; start += 10_000) {
    const entries: OutboxEntry[] = []
    for (let i = start; i < Math.min(BURST, start + 10_000); i++) {
      entries.push({ sink: 'ledger', topic: 'movement', key: `burst:${i}`, payload: { movement_id: `pos:${i + 1}`, sku: `S${i % 997}`, location_id: stores[i % 5], qty: '-1.000', reason: 'sale', occurred_at: new Date(Date.UTC(2026, 10, 20, 4, 0, 0, i % 86_400_000)).toISOString(), source: `sale:bench#${i}`, actor: 'pos:bench' } })
    }
    await loader.db.withTransaction(c => enqueue(c, loader.boss, entries))
  }
  const queuedS = (performance.now() - t0) / 1000
  await loader.close()
  const t1 = performance.now()
  const workers = await startRuntime(config, { http: false, workers: true })
  const check = new pg.Client({ connectionString: url })
  await check.connect()
  let posted = 0
  while (posted < BURST) {
    await sleep(1000)
    posted = (await check.query('SELECT count(*)::int AS n FROM ledger_movements')).rows[0].n
    process.stderr.write(`\r  ledger: ${posted.toLocaleString('en')} / ${BURST.toLocaleString('en')} posted`)
  }
  const drainS = (performance.now() - t1) / 1000
  process.stderr.write('\n')
  await workers.close()
  const broken = (await check.query(`SELECT count(*)::int AS n FROM ledger_movements a JOIN ledger_movements b ON a.location_id = b.location_id AND b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash`)).rows[0].n
  await check.end()
  return { movements: BURST, queued_s: +queuedS.toFixed(1), drain_s: +drainS.toFixed(1), postings_per_s: Math.round(BURST / drainS), chain_links_broken: broken, target_per_s: 25_000 }
}

/** `recon reconcile` over a generated day, again and again, until stopped (the load of a close beside the webhooks). */
async function reconcilingAlongside (): Promise<{ stop: () => Promise<number> }> {
  const dir = join(work, 'day')
  if (!existsSync(dir)) await generateDay({ stores: 5, sales: DURING_SALES, seed: 42, date: '2026-11-20', anomalies: 5 }, dir)
  const args = [join(ROOT, 'gateway/cli/recon.ts'), 'reconcile', '--pos', join(dir, 'pos-events.ndjson'), '--movements', join(dir, 'stock-movements.ndjson'), '--settlement', ...settlementFiles(dir),
    '--date', '2026-11-20', '--as-of', '2026-11-24', '--out', join(work, 'report.json')]
  let runs = 0
  let current: ChildProcess | null = null
  let stopping = false
  const loop = (async () => {
    while (!stopping) {
      current = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, RECON_CONFIG: join(dir, 'stores.json'), RECON_DATA_DIR: join(work, 'recon-data') }, stdio: 'ignore' })
      const [code] = await once(current, 'exit')
      if (code === 0) runs++
      else if (!stopping) throw new Error(`recon reconcile alongside exited ${code}`)
    }
  })()
  return {
    stop: async () => {
      if (!stopping) { stopping = true; current?.kill('SIGTERM') }
      await loop
      return runs
    }
  }
}

mkdirSync(work, { recursive: true })
const server = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: join(work, 'pg') })
const admin = process.env.DATABASE_URL ?? server!.url
const figures: Record<string, any> = { machine: { cpus: cpus().length, node: process.version } }
try {
  if (ONLY !== 'burst') {
    figures.latency = []
    // the quiet runs; one beside `recon reconcile`; one while the gateway reconciles a day itself
    const plan: Array<'quiet' | 'cli' | 'gateway'> = [...Array.from({ length: RUNS }, () => 'quiet' as const), ...DURING_SALES > 0 ? ['cli' as const] : [], ...GATEWAY_DAY_SALES > 0 ? ['gateway' as const] : []]
    for (const [n, kind] of plan.entries()) {
      const during = kind === 'cli'
      const doubles = await startDoubles()
      const background = during ? await reconcilingAlongside() : null
      try {
        const l: Record<string, any> = { run: n + 1, during_reconciliation: during, ...await latency(admin, doubles, kind === 'gateway') }
        if (background) l.reconciliations_alongside = await background.stop()
        figures.latency.push(l)
        const st = Object.entries(l.stages as Record<string, { p50_ms: number, p99_ms: number }>).map(([k, v]) => `${k.replace('_', ' ')} ${v.p50_ms}/${v.p99_ms}`).join(', ')
        const beside = during ? ` (while recon reconcile ran ${l.reconciliations_alongside}× over a ${DURING_SALES.toLocaleString('en')}-sale day)` : kind === 'gateway' ? ` (while the gateway itself reconciled a ${GATEWAY_DAY_SALES.toLocaleString('en')}-sale day ${l.gateway_reconciliations}×)` : ''
        console.log(`run ${l.run}${beside}: webhooks at ${l.rate_per_s}/s for ${l.seconds} s → built-in ledger p50 ${l.ledger.p50_ms} ms, p99 ${l.ledger.p99_ms} ms (target ≤ 150); ` +
          `external ledger double p50 ${l.external_ledger_double.p50_ms} ms, p99 ${l.external_ledger_double.p99_ms} ms (target ≤ 200); DingTalk double (19 messages a minute) p50 ${l.dingtalk_double.p50_ms} ms, p99 ${l.dingtalk_double.p99_ms} ms in ${l.dingtalk_double.messages} messages, ${l.dingtalk_double.throttled_130101} throttled`)
        console.log(`  stages p50/p99 ms: ${st}`)
        if (l.cold_start) console.log(`  cold start (the new gateway's first ${l.cold_start.seconds} s, not in the figures above): external ledger p50 ${l.cold_start.external_p50_ms} ms, p99 ${l.cold_start.external_p99_ms} ms, max ${l.cold_start.external_max_ms} ms`)
        console.log(`  jobs (wait, run) p50/p99 ms: ${Object.entries(l.jobs as Record<string, any>).filter(([, j]) => j.jobs + j.cancelled > 0).map(([q, j]) => `${q} ${j.jobs > 0 ? `${j.wait_p50_ms}/${j.wait_p99_ms}, ${j.run_p50_ms}/${j.run_p99_ms} ` : ''}(${j.jobs} run${j.cancelled ? `, ${j.cancelled} cancelled: sent right after the commit` : ''})`).join('; ')}`)
      } finally {
        await background?.stop()
        await doubles.close()
      }
    }
  }
  if (ONLY !== 'latency') {
    const b = figures.burst = await burst(admin)
    console.log(`burst of ${b.movements.toLocaleString('en')} movements: ${b.postings_per_s.toLocaleString('en')} ledger postings/s (${b.drain_s} s; target ≥ 25,000/s), ${b.chain_links_broken} broken chain links`)
  }
} finally {
  await server?.stop()
  await rm(work, { recursive: true, force: true })
}
console.log(JSON.stringify(figures, null, 2))
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true })
writeFileSync(join(import.meta.dirname, 'out', 'forward.json'), JSON.stringify(figures, null, 2) + '\n')
