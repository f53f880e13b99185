// Speed is not bought with different answers: `recon reconcile` on generated days writes the very bytes
// the engine wrote before it was tuned (issue 12). The digests below were taken from the reports of
// commit f536106, the engine as it stood before any speed work; only `generated_at` (the clock) is masked.
import t from 'tap'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay, settlementFiles, type GenOptions } from '../../fixtures/gen/day.ts'
import { main } from './main.ts'

const DATE = '2026-11-20'

interface Day { name: string, gen: GenOptions, json: string, summary: string, csv: string }

const DAYS: Day[] = [
  {
    name: 'five stores, AlipayHK and Octopus, three of every anomaly',
    gen: { stores: 5, sales: 6000, seed: 7, date: DATE, anomalies: 3 },
    json: '1853ffc6864ef2d7dee19e637854c5428df769b4a67a0caceac22cf571ba1b71',
    summary: '5bfd205324c17efd251e06a7e9475ed2867aa39eb6926190e66295054a23c201',
    csv: '24c570c0bf8fe5c40652572865981d44609f23ea862b686f41b042d15ea45a8a'
  },
  {
    name: 'eight stores, every tender, to the bank statement',
    gen: { stores: 8, sales: 6000, seed: 11, date: DATE, anomalies: 2, tenders: 'all' },
    json: 'b1054f623a392396e09bb8bf18ef53add0986406183373b071673c8752521bb6',
    summary: '18743ffb385daa04d5011bb0cc78233e19f533f3a951041ebf78f07660822441',
    csv: '39619064191486f7bcb0f01b1dc87ec6e3f960ca0128fa7b460f584ad17a6ce4'
  }
]

const digest = (path: string): string =>
  createHash('sha256').update(readFileSync(path, 'utf8').replace(/"generated_at": ?"[^"]*"/, '"generated_at":"-"')).digest('hex')

function quiet (t: { teardown: (fn: () => void) => void }): void {
  const write = process.stderr.write
  process.stderr.write = (() => true) as typeof process.stderr.write
  t.teardown(() => { process.stderr.write = write })
}

for (const d of DAYS) {
  t.test(`the same report, byte for byte, as before the speed work: ${d.name}`, async t => {
    const root = t.testdir({})
    const dir = join(root, 'day')
    await generateDay(d.gen, dir)
    const saved = { config: process.env.RECON_CONFIG, data: process.env.RECON_DATA_DIR }
    process.env.RECON_CONFIG = join(dir, 'stores.json')
    process.env.RECON_DATA_DIR = join(root, 'data')
    t.teardown(() => { process.env.RECON_CONFIG = saved.config; process.env.RECON_DATA_DIR = saved.data })
    quiet(t)
    const bank = join(dir, 'bank-statement.sta')
    const args = ['reconcile', '--pos', join(dir, 'pos-events.ndjson'), '--settlement', ...settlementFiles(dir), '--movements', join(dir, 'stock-movements.ndjson'),
      ...existsSync(bank) ? ['--bank', bank] : [], '--date', DATE, '--as-of', '2026-11-24']
    const out = { json: join(root, 'r.json'), summary: join(root, 's.json'), csv: join(root, 'r.csv') }
    t.equal(await main([...args, '--out', out.json]), 0)
    t.equal(await main([...args, '--summary', '--out', out.summary]), 0)
    t.equal(await main([...args, '--format', 'csv', '--out', out.csv]), 0)
    t.ok(JSON.parse(readFileSync(out.json, 'utf8')).exceptions.length > 10, 'a day with exceptions to tell apart')
    t.equal(digest(out.json), d.json, 'the full JSON report')
    t.equal(digest(out.summary), d.summary, 'the --summary report')
    t.equal(digest(out.csv), d.csv, 'the exceptions CSV')
  })
}
