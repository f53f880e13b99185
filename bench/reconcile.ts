// npm run bench:reconcile — the offline reconciliation, end to end, measured in one run on this machine:
// generated days of 100k and 1M sales across 5 stores (AlipayHK and Octopus), and a chain's day of 1M
// sales across 40 stores with every tender (WeChat Pay, Adyen and Stripe cards, KPay, PayMe, FPS) followed
// to the bank statement; `recon reconcile` (parse + match + report) in seconds, rows/s and peak RSS,
// with each phase, against the time csv-parse and JSON.parse alone take over the same files (the floor).
// Targets (issue 12): 1M sales ≤ 10 s, ≤ 2× the floor, ≤ 1 GiB peak RSS.
//   BENCH_DAYS=5x100000,5x1000000,40x1000000:all  days as stores×sales[:classic|all]
//   BENCH_RUNS=3  runs per measurement, each the floor then the run, in turn (the medians are kept): on
//                 a shared machine one pair can land in a slow minute and the other in a fast one
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateDay, settlementFiles } from '../fixtures/gen/day.ts'
import { median } from './median.ts'

interface DaySpec { stores: number, sales: number, tenders: 'classic' | 'all' }
const DAYS: DaySpec[] = (process.env.BENCH_DAYS ?? '5x100000,5x1000000,40x1000000:all').split(',').map(spec => {
  const m = /^(\d+)x(\d+)(?::(classic|all))?$/.exec(spec.trim())
  if (!m) throw new Error(`BENCH_DAYS: ${spec} is not stores×sales[:classic|all] (e.g. 40x1000000:all)`)
  return { stores: Number(m[1]), sales: Number(m[2]), tenders: (m[3] ?? 'classic') as DaySpec['tenders'] }
})
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const ROOT = join(import.meta.dirname, '..')
const work = join(tmpdir(), `recon-bench-reconcile-${process.pid}`)

function run (args: string[], env: Record<string, string> = {}): Promise<{ ms: number, stdout: string, stderr: string, code: number | null }> {
  const t0 = performance.now()
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', d => { stdout += d })
  proc.stderr.on('data', d => { stderr += d })
  return new Promise(resolve => proc.on('close', code => resolve({ ms: performance.now() - t0, stdout, stderr, code })))
}

interface Phase { name: string, s: number, rss_mb: number }

/**
 * The run's phases from its progress lines (`[12.3s 845 MB] message`): reading the POS events and the
 * settlement (and bank) files; the matching's stages (the sales and records put in order and indexed,
 * then by reference, by amount and time, the stock movements attached, the exceptions, the report built); the
 * report written (its long lists streamed from the matching); and the rest: the process's start-up and
 * exit. Each with its seconds and the memory held when it ended.
 */
function phasesOf (stderr: string, totalMs: number, peakMb: number): Phase[] {
  const lines = [...stderr.matchAll(/^\[(\d+\.\d)s (\d+) MB\] (.*)$/gm)].map(m => ({ s: Number(m[1]), mb: Number(m[2]), text: m[3] }))
  const at = (test: (t: string) => boolean) => lines.find(l => test(l.text))
  const marks = [
    { name: 'POS events', end: at(t => t.startsWith('POS: ')) },
    { name: 'settlement and bank files', end: at(t => t === 'matching') },
    { name: 'matching: order and index', end: at(t => t === 'matching: by reference') },
    { name: 'by reference', end: at(t => t === 'matching: by amount and time') },
    { name: 'by amount and time', end: at(t => t === 'matching: exceptions') },
    // read on their thread meanwhile: what is left to wait for, and their attaching
    { name: 'stock movements', end: at(t => t.includes('stock movements')) },
    { name: 'exceptions', end: at(t => t === 'matching: report') },
    { name: 'report built', end: at(t => t.startsWith('done: ')) },
    { name: 'report written', end: at(t => t.startsWith('report written')) }
  ]
  const out: Phase[] = []
  let from = 0
  for (const m of marks) {
    if (!m.end) continue
    out.push({ name: m.name, s: +(m.end.s - from).toFixed(1), rss_mb: m.end.mb })
    from = m.end.s
  }
  out.push({ name: 'start-up and exit', s: +(totalMs / 1000 - from).toFixed(1), rss_mb: peakMb })
  return out
}

async function measure ({ stores, sales, tenders }: DaySpec) {
  const dir = join(work, `${stores}x${sales}-${tenders}`)
  const g0 = performance.now()
  const truth = await generateDay({ stores, sales, seed: 42, date: '2026-11-20', anomalies: 5, tenders }, dir)
  const generateS = (performance.now() - g0) / 1000
  const settlements = settlementFiles(dir)
  const pos = join(dir, 'pos-events.ndjson')
  const movements = join(dir, 'stock-movements.ndjson')
  const out = join(dir, 'report.json')
  const floors: number[] = []
  const clis: Array<{ ms: number, rss: number, stderr: string }> = []
  const parts: Array<{ json_rows: number, csv_rows: number, json_s: number, csv_s: number }> = []
  for (let i = 0; i < RUNS; i++) {
    const f = await run([join(ROOT, 'bench/parse-floor.ts'), pos, movements, ...settlements])
    if (f.code !== 0) throw new Error(`parse floor failed: ${f.stderr}`)
    parts.push(JSON.parse(f.stdout))
    floors.push(f.ms)
    // a day with every tender has the bank's statement too: its payouts are followed to the bank
    const bank = join(dir, 'bank-statement.sta')
    const c = await run(['--import', join(ROOT, 'bench/peak-rss.ts'), join(ROOT, 'gateway/cli/recon.ts'), 'reconcile', '--pos', pos, '--movements', movements, '--settlement', ...settlements,
      // --nice 0: its speed against the floor, which runs at normal priority too
      ...existsSync(bank) ? ['--bank', bank] : [], '--date', '2026-11-20', '--as-of', '2026-11-24', '--out', out, '--nice', '0'], { RECON_CONFIG: join(dir, 'stores.json'), RECON_DATA_DIR: join(work, 'data') })
    if (c.code !== 0) throw new Error(`recon reconcile failed (${c.code}): ${c.stderr.slice(-2000)}`)
    clis.push({ ms: c.ms, rss: Number(/PEAK_RSS_BYTES (\d+)/.exec(c.stderr)?.[1] ?? 0), stderr: c.stderr })
  }
  const report = JSON.parse(readFileSync(out, 'utf8'))
  await rm(dir, { recursive: true, force: true }) // a 1M-sale day's files are 600 MB
  const rows = parts[0].json_rows + parts[0].csv_rows
  const cliS = median(clis.map(c => c.ms)) / 1000
  const floorS = median(floors) / 1000
  return {
    stores, sales, tenders, generate_s: +generateS.toFixed(1), input_rows: rows,
    cli_s: +cliS.toFixed(2), rows_per_s: Math.round(rows / cliS), peak_rss_mb: Math.round(median(clis.map(c => c.rss)) / 2 ** 20),
    floor_s: +floorS.toFixed(2), floor_json_s: +median(parts.map(p => p.json_s)).toFixed(2), floor_csv_s: +median(parts.map(p => p.csv_s)).toFixed(2), ratio_to_floor: +(cliS / floorS).toFixed(2),
    cli_runs_s: clis.map(c => +(c.ms / 1000).toFixed(2)), floor_runs_s: floors.map(ms => +(ms / 1000).toFixed(2)),
    exceptions: report.exceptions.length, injected_anomalies: truth.anomalies.length, matches: report.matches.length,
    phases: phasesOf(clis.at(-1)!.stderr, clis.at(-1)!.ms, Math.round(clis.at(-1)!.rss / 2 ** 20)),
    targets: sales >= 1_000_000 ? { cli_s: 10, ratio_to_floor: 2, peak_rss_mb: 1024 } : undefined
  }
}

mkdirSync(work, { recursive: true })
const figures: Record<string, unknown> = { machine: { cpus: cpus().length, node: process.version }, runs: RUNS, days: [] as unknown[] }
try {
  for (const day of DAYS) {
    const f = await measure(day)
    ;(figures.days as unknown[]).push(f)
    console.log(`reconcile ${f.sales.toLocaleString('en')} sales, ${f.stores} stores, ${f.tenders === 'all' ? 'every tender to the bank' : 'AlipayHK and Octopus'}: ${f.cli_s} s end to end (${f.rows_per_s.toLocaleString('en')} rows/s), peak RSS ${f.peak_rss_mb} MB; ` +
      `parse-only floor ${f.floor_s} s (JSON ${f.floor_json_s} s + csv-parse ${f.floor_csv_s} s) → ${f.ratio_to_floor}×; ${f.exceptions} exceptions for ${f.injected_anomalies} injected anomalies` +
      (RUNS > 1 ? `; medians of ${RUNS} runs in turn (runs ${f.cli_runs_s.join(' / ')} s, floors ${f.floor_runs_s.join(' / ')} s)` : '') +
      (f.targets ? ' (targets ≤ 10 s, ≤ 2×, ≤ 1024 MB)' : ''))
    console.log(`  phases: ${f.phases.map(p => `${p.name} ${p.s} s (${p.rss_mb} MB)`).join(', ')}`)
  }
} finally {
  await rm(work, { recursive: true, force: true })
}
console.log(JSON.stringify(figures, null, 2))
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true })
writeFileSync(join(import.meta.dirname, 'out', 'reconcile.json'), JSON.stringify(figures, null, 2) + '\n')
