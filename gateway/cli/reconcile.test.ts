import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getPriority } from 'node:os'
import { generateDay } from '../../fixtures/gen/day.ts'
import { settlementFiles } from '../../fixtures/support/day-db.ts'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { main } from './main.ts'

const DATE = '2026-11-20'

function capture (t: { capture: Function }, stream: 'log' | 'error'): () => string {
  const c = (t as any).capture(console, stream)
  return () => c.args().map((a: unknown[]) => a.join(' ')).join('\n')
}

/** Captures what is written to process.stderr (progress) while a test runs. */
function stderr (t: { teardown: (fn: () => void) => void }): () => string {
  const chunks: string[] = []
  const write = process.stderr.write
  process.stderr.write = ((s: string) => { chunks.push(String(s)); return true }) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
  return () => chunks.join('')
}

async function day (t: { testdir: Function, teardown: (fn: () => void) => void }) {
  const root = (t as any).testdir({}) as string
  const dir = join(root, 'day')
  const truth = await generateDay({ stores: 2, sales: 400, seed: 3, date: DATE, anomalies: 1 }, dir)
  // the generated stores (with their cut-offs) as RECON_CONFIG; development secrets go to the test dir
  const saved = { config: process.env.RECON_CONFIG, data: process.env.RECON_DATA_DIR }
  process.env.RECON_CONFIG = join(dir, 'stores.json')
  process.env.RECON_DATA_DIR = join(root, 'data')
  t.teardown(() => { process.env.RECON_CONFIG = saved.config; process.env.RECON_DATA_DIR = saved.data })
  const args = ['--pos', join(dir, 'pos-events.ndjson'), '--settlement', ...settlementFiles(dir), '--movements', join(dir, 'stock-movements.ndjson'), '--date', DATE, '--as-of', '2026-11-24']
  return { dir, root, truth, args }
}

t.test('recon reconcile: files in, the contract §3 report out, with progress; exceptions are data (exit 0)', async t => {
  const { root, truth, args } = await day(t)
  const progress = stderr(t)
  const out = join(root, 'report.json')
  t.equal(await main(['reconcile', ...args, '--out', out]), 0)
  const report = JSON.parse(readFileSync(out, 'utf8'))
  t.match(report, { business_date: DATE, stores: Array, exceptions: Array, matches: Array })
  t.equal(report.exceptions.length, truth.anomalies.length, 'one exception per injected anomaly')
  t.same([...new Set(report.exceptions.map((e: { code: string }) => e.code))].sort(), [...new Set(truth.anomalies.map(a => a.code))].sort())
  t.match(progress(), /POS: \d+ events[\s\S]*alipayhk A, \d+ records[\s\S]*octopus octopus-settlement-v1[\s\S]*matching\n[\s\S]*matching: by reference\n[\s\S]*matching: by amount and time\n[\s\S]*matching: exceptions\n[\s\S]*matching: report\n[\s\S]*done: \d+ matches, \d+ exceptions\n[\s\S]*report written: \d+\.\d MB\n$/)
  t.match(progress(), /^\[\d+\.\ds \d+ MB\] POS: /m, 'each line says when and how much memory the run holds')
})

t.test('--summary: the same exceptions and totals, without the per-match list and the verified movement ids', async t => {
  const { root, args } = await day(t)
  stderr(t)
  const [full, short] = [join(root, 'full.json'), join(root, 'summary.json')]
  t.equal(await main(['reconcile', ...args, '--out', full]), 0)
  t.equal(await main(['reconcile', ...args, '--summary', '--out', short]), 0)
  const [a, b] = [JSON.parse(readFileSync(full, 'utf8')), JSON.parse(readFileSync(short, 'utf8'))]
  t.ok(a.matches.length > 0)
  t.same(Object.keys(b).sort(), Object.keys(a).filter(k => k !== 'matches' && k !== 'verified_movements').sort())
  for (const k of ['stores', 'exceptions', 'providers', 'bridge', 'provisional_movements']) t.same(b[k], a[k], `${k} unchanged`)
})

t.test('--format csv --store gives one store\'s exceptions as CSV with a BOM', async t => {
  const { root, args } = await day(t)
  stderr(t)
  const out = join(root, 'report.csv')
  t.equal(await main(['reconcile', ...args, '--format', 'csv', '--store', 'S01', '--out', out]), 0)
  const text = readFileSync(out, 'utf8')
  t.equal(text.charCodeAt(0), 0xfeff)
  const rows = text.slice(1).trim().split('\r\n').slice(1)
  t.ok(rows.length > 0)
  t.ok(rows.every(r => r.startsWith(`${DATE},S01,`)), 'every row is of store S01')
})

t.test('unreadable input exits 1 naming the file, line and reason; nothing is written', async t => {
  const { root, dir, args } = await day(t)
  stderr(t)
  const err = capture(t as any, 'error')
  const lines = readFileSync(join(dir, 'pos-events.ndjson'), 'utf8').split('\n')
  lines[2] = '{"id": broken'
  const broken = join(root, 'broken.ndjson')
  writeFileSync(broken, lines.join('\n'))
  const out = join(root, 'never.json')
  t.equal(await main(['reconcile', '--pos', broken, '--date', DATE, '--out', out]), 1)
  t.match(err(), /recon reconcile: .*broken.ndjson line 3: not JSON/)
  t.equal(await main(['reconcile', ...args, '--settlement', join(FIXTURES, 'alipayhk/bad/2088000000000001_settle_20261122_B0002.csv'), '--out', out]), 1)
  t.match(err(), /B0002.csv: \d+ bad line\(s\)[\s\S]*line 3 \(Amount\): .*not a decimal amount/, 'the settlement thread\'s refusal, with its lines')
  // both bad: the POS events are judged first, as when the files were read one after the other
  const before = err().length
  t.equal(await main(['reconcile', '--pos', broken, '--settlement', join(FIXTURES, 'alipayhk/bad/2088000000000001_settle_20261122_B0002.csv'), '--date', DATE, '--out', out]), 1)
  t.match(err().slice(before), /broken.ndjson line 3: not JSON/)
  t.notMatch(err().slice(before), /B0002/)
  // a bad stock movement, read while the records are matched, stops the run just the same
  const moves = join(root, 'moves.ndjson')
  writeFileSync(moves, readFileSync(join(dir, 'stock-movements.ndjson'), 'utf8') + '{"sale_id": "S01-T1-0000001", "line": 1, "qty": -1}\n')
  const moved = readFileSync(moves, 'utf8').split('\n').length - 1
  t.equal(await main(['reconcile', ...args, '--movements', moves, '--out', out]), 1)
  t.match(err(), new RegExp(`moves.ndjson line ${moved}: a movement needs sale_id, line, sku and qty`))
  t.throws(() => readFileSync(out), 'no report was written')
})

t.test('usage errors exit 2 and say what is wrong', async t => {
  const err = capture(t as any, 'error')
  t.equal(await main(['reconcile', '--pos', join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson')]), 2)
  t.equal(await main(['reconcile', '--date', DATE]), 2)
  t.equal(await main(['reconcile', '--date', DATE, '--pos', '/no/such.ndjson', '--format', 'xml']), 2)
  t.equal(await main(['reconcile', '--date', '20/11/2026', '--settlement', join(FIXTURES, 'octopus/octopus_settlement_20261121.csv')]), 2)
  t.match(err(), /--date YYYY-MM-DD is required[\s\S]*give --pos and\/or --settlement files[\s\S]*--format must be json or csv[\s\S]*no such file: \/no\/such.ndjson[\s\S]*--date YYYY-MM-DD is required/)
})

t.test('recon reconcile runs as batch work: --nice lowers its priority, never raises it; a bad --nice is a usage error', async t => {
  const { root, args } = await day(t)
  const errors = capture(t, 'error')
  t.equal(await main(['reconcile', ...args, '--nice', '25', '--out', join(root, 'x.json')]), 2)
  t.match(errors(), /--nice must be a whole number from 0 to 19/)
  t.equal(await main(['reconcile', ...args, '--nice', '12', '--out', join(root, 'r.json')]), 0)
  t.equal(getPriority(), 12, 'this thread now runs at nice 12')
  t.equal(await main(['reconcile', ...args, '--nice', '3', '--out', join(root, 'r.json')]), 0)
  t.equal(getPriority(), 12, 'a smaller value does not raise it back')
})
